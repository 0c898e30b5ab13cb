/**
 * Issue #8 "Accounts that can trade today": when the venue answers an order with an account-setup
 * error, the real CLI `trade --mode live` stops with one line naming the setting to change,
 * instead of retrying. The local exchange runs in its deposit-wallet-only mode (as the venue does
 * for accounts made since May 2026, per public issue reports) and the wallet is a plain EOA.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Wallet } from 'ethers';
import { startVenueStack, type VenueStack } from '../../testkit/exchange-local/venue-stack';
import { spawnTrader, traderEnv } from '../../testkit/rehearsal/rehearsal';

jest.setTimeout(120_000);

let stack: VenueStack;
let dir: string;
beforeAll(async () => {
  stack = await startVenueStack({
    windows: 2,
    manual: true,
    speed: 60,
    rtdsInput: null,
    clob: { depositWalletOnly: true },
  });
  dir = mkdtempSync(join(tmpdir(), 'account-stop-'));
});
afterAll(async () => {
  await stack.close();
  rmSync(dir, { recursive: true, force: true });
});

it('an EOA refused as a maker stops the trader with one line naming SIGNATURE_TYPE and FUNDER_ADDRESS', async () => {
  const wallet = new Wallet(Wallet.createRandom().privateKey, stack.chain.provider);
  await stack.onboard(wallet, 1_000n * 1_000_000n);
  const child = spawnTrader(
    traderEnv(stack, wallet.privateKey, dir, process.env.DATABASE_URL ?? ''),
    stack.exchange.url,
  );
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
  const started = Date.now();
  while (!out.includes('start reconciliation') && child.exitCode === null && Date.now() - started < 60_000)
    await new Promise((r) => setTimeout(r, 50));
  expect(out).toContain('start reconciliation');
  const posts = stack.exchange.clob.orderPosts;
  stack.exchange.play();
  const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('timeout'), 60_000))]);
  stack.exchange.pause();
  if (code === 'timeout') child.kill('SIGKILL');
  expect(code).toBe(1);
  const refusals = err.split('\n').filter((l) => l.startsWith('refused:'));
  expect(refusals).toHaveLength(1);
  expect(refusals[0]).toMatch(/deposit wallet flow: set SIGNATURE_TYPE=3 and FUNDER_ADDRESS/);
  // the refusal is not retried: at most the entries of the first signal tick reached the venue
  // (one per strategy: momentum, crash-rebound)
  const sent = stack.exchange.clob.orderPosts - posts;
  expect(sent).toBeGreaterThanOrEqual(1);
  expect(sent).toBeLessThanOrEqual(2);
  expect(err).not.toContain(wallet.privateKey.slice(2));
});
