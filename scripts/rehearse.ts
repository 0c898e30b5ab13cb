/**
 * `npm run rehearse` (issues #4, #8): local exchange (strict mode) + local chain + `trade --mode
 * live`: first a wallet without the CTF approval must be refused at start, then one run per
 * signature type (REHEARSE_SIGNATURE_TYPES, default `0,3`) over REHEARSE_WINDOWS recorded windows
 * (default 5) with every CLOB fault switch fired once. Prints the trader's summary, then as its
 * last line one JSON object `{"positions","faultsInjected","discrepancies","duplicateSells",
 * "lostPositions","redeemed","signatureTypes","statusSpellings","allowanceRefused"}`; exits
 * non-zero unless the refusal happened and, in every run, every fault fired, discrepancies,
 * duplicate sells and lost positions are 0 and every winner was redeemed. REHEARSE_SPEED sets the
 * playback speed (default 60); REHEARSE_DATABASE_URL a PostgreSQL database instead of a temporary
 * PGlite; REHEARSE_KEEP=1 keeps the temporary directories.
 */
import { rehearse } from '../testkit/rehearsal/rehearsal';

async function main(): Promise<void> {
  const report = await rehearse({
    windows: Number(process.env.REHEARSE_WINDOWS ?? 5),
    signatureTypes: (process.env.REHEARSE_SIGNATURE_TYPES ?? '0,3')
      .split(',')
      .map((t) => Number(t.trim()))
      .filter((t): t is 0 | 3 => t === 0 || t === 3),
    speed: Number(process.env.REHEARSE_SPEED ?? 60),
    databaseUrl: process.env.REHEARSE_DATABASE_URL ?? '',
    progress: (line) => console.error(`rehearse: ${line}`),
    keep: process.env.REHEARSE_KEEP === '1',
  });
  console.log(report.traderOutput.trim());
  for (const [reason, n] of Object.entries(report.rejections)) console.log(`not filled: ${n} × ${reason}`);
  for (const a of report.audits) console.log(`reconciled: ${a}`);
  console.log(`faults fired: ${report.faults.join(', ')}; winners ${report.winners}`);
  if (report.missedFaults.length > 0)
    console.log(
      `faults that found no order (re-run or raise REHEARSE_WINDOWS): ${report.missedFaults.join(', ')}`,
    );
  console.log(JSON.stringify(report.result));
  process.exitCode = report.ok ? 0 : 1;
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 2;
});
