/**
 * `npm run smoke:ui` (issue #13): the dashboard flow outside jest (`testkit/ui/ui-flow.ts`: the real
 * CLI's `replay --dashboard` on the shared data in headless Chromium) and the HTML replay report of
 * the same data (`replay --report`). Prints as its last line one JSON object
 * `{"metrics","dashboardPositions","stopLineMoved","screenshot","report"}` and exits non-zero when
 * the page showed no position, the stop line did not move, or the report was not written.
 * Files go to SMOKE_UI_DIR (default a new temporary directory).
 */
import { existsSync, mkdtempSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runReplay } from '../src/cli/replay';
import { SHARED_BTC15M, runUiFlow } from '../testkit/ui/ui-flow';

async function main(): Promise<void> {
  const dir = process.env['SMOKE_UI_DIR'] ?? mkdtempSync(join(tmpdir(), 'smoke-ui-'));
  mkdirSync(dir, { recursive: true });
  const flow = await runUiFlow({ outDir: dir });
  const report = join(dir, 'replay-report.html');
  const res = await runReplay(
    { input: SHARED_BTC15M, out: join(dir, 'report-trades.jsonl'), db: false, progress: false, report },
    { PATH: process.env['PATH'], LOG_LEVEL: 'warn' },
  );
  await res.close();
  const ok = flow.dashboardPositions > 0 && flow.stopLineMoved && flow.chartAgrees && existsSync(report);
  if (!ok)
    console.error(
      `smoke:ui failed: ${JSON.stringify({ ...flow, output: undefined })}\n${flow.output.slice(-3000)}`,
    );
  else
    console.error(
      `followed ${flow.positionKey}: stop ${flow.stop?.before} → ${flow.stop?.after}, HWM ${flow.hwm?.before} → ${flow.hwm?.after}`,
    );
  console.log(
    JSON.stringify({
      metrics: flow.metrics,
      dashboardPositions: flow.dashboardPositions,
      stopLineMoved: flow.stopLineMoved,
      screenshot: flow.screenshot,
      report,
    }),
  );
  process.exitCode = ok ? 0 : 1;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
