/**
 * `npm run rehearse` (issue #4): local exchange + local chain + `trade --mode live` over
 * REHEARSE_WINDOWS recorded windows (default 4) with every CLOB fault switch fired once. Prints the
 * trader's summary, then as its last line one JSON object
 * `{"positions","faultsInjected","discrepancies","duplicateSells","lostPositions","redeemed"}`;
 * exits non-zero unless every fault fired, discrepancies, duplicate sells and lost positions are 0
 * and every winner was redeemed. REHEARSE_SPEED sets the playback speed (default 60); REHEARSE_DATABASE_URL a
 * PostgreSQL database instead of a temporary PGlite; REHEARSE_KEEP=1 keeps the temporary directory.
 */
import { rehearse } from '../src/live/rehearsal';

async function main(): Promise<void> {
  const report = await rehearse({
    windows: Number(process.env.REHEARSE_WINDOWS ?? 4),
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
