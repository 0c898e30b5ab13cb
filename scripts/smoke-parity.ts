/**
 * `npm run smoke:parity` (issue #11): the local EVM + local exchange rehearsal of `trade --mode
 * live` with the paper twin on and two injected divergences (a live entry filled a tick worse than
 * the twin's book, a killed live exit), then the parity report. Prints the report's table, then as
 * its last line one JSON object `{"pairs","mismatches","detected","verdict","report"}`; exit 0 when
 * both divergences were detected. SMOKE_PARITY_WINDOWS (default 4), SMOKE_PARITY_SPEED (default
 * 60), SMOKE_PARITY_DATABASE_URL (default a temporary PGlite).
 */
import { rehearseParity } from '../testkit/rehearsal/parity-rehearsal';

async function main(): Promise<void> {
  const r = await rehearseParity({
    windows: Number(process.env.SMOKE_PARITY_WINDOWS ?? 4),
    speed: Number(process.env.SMOKE_PARITY_SPEED ?? 60),
    databaseUrl: process.env.SMOKE_PARITY_DATABASE_URL ?? '',
    progress: (line) => console.error(`smoke:parity: ${line}`),
  });
  console.log(r.text);
  console.log(JSON.stringify(r.result));
  process.exitCode = r.ok ? 0 : 1;
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 2;
});
