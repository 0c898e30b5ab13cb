/**
 * The private key and the API secret never reach a log (issue #9): a whole live rehearsal — the
 * real CLI (`trade --mode live`) against the local exchange and a local EVM, with the allowance
 * refusal, orders, fault switches, reconciliation and redeem — runs with `LOG_LEVEL=debug`, every
 * byte of the traders' stdout and stderr (the application's own pino logger) is captured, and
 * none of it shows the wallet's private key (with or without `0x`, any case) or the API secret or
 * passphrase the venue issued. One slow test (about 1–2 min): two windows, signature type 0.
 */
import { rehearse } from '../../testkit/rehearsal/rehearsal';

jest.setTimeout(600_000);

test('a whole live rehearsal at LOG_LEVEL=debug never prints the private key or the API secret', async () => {
  let output = '';
  const secrets = new Set<string>();
  const report = await rehearse({
    windows: 2,
    signatureTypes: [0],
    env: { LOG_LEVEL: 'debug' },
    onTraderOutput: (_stream, chunk) => (output += chunk),
    onSecrets: (s) => s.forEach((x) => secrets.add(x)),
  });
  // the run traded, and the logger ran below its usual `warn`: info lines (30), which a `warn`
  // logger drops, are there (debug lines appear only on malformed frames)
  expect(report.result.positions).toBeGreaterThan(0);
  expect(report.result.allowanceRefused).toBe(true);
  expect(output).toMatch(/"level":30\b/);
  // two wallets (the refused one and the trading one), and the issued API credentials
  const keys = [...secrets].filter((s) => /^0x[0-9a-fA-F]{64}$/.test(s));
  expect(keys.length).toBe(2);
  expect(secrets.size).toBeGreaterThanOrEqual(4);
  const text = output.toLowerCase();
  for (const s of secrets) {
    const forms = /^0x/.test(s) ? [s, s.slice(2)] : [s, s.replace(/=+$/, '')];
    for (const f of forms) expect(text.includes(f.toLowerCase())).toBe(false);
  }
});
