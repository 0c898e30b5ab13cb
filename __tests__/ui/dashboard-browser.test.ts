/**
 * The dashboard in a real browser (issue #13): the real CLI's `replay --dashboard` on the shared
 * data, headless Chromium through playwright-core (`testkit/ui/ui-flow.ts`): the page shows an open
 * position, its stop line (card figure and chart) moves when the HWM moves, events are pushed
 * without a reload, a screenshot is saved, and `/metrics` serves the families.
 */
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromiumPath, runUiFlow } from '../../testkit/ui/ui-flow';

describe('dashboard in headless Chromium', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ui-e2e-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("Chromium is installed (.ci/run installs Debian's chromium when missing)", () => {
    expect(chromiumPath()).not.toBeNull();
  });

  it('shows an open position whose stop line moves with its HWM, pushed live; screenshot saved', async () => {
    const r = await runUiFlow({ outDir: dir });
    const why = `${JSON.stringify({ ...r, output: undefined })}\n${r.output.slice(-2000)}`;
    if (!r.stopLineMoved) throw new Error(`the stop line never moved: ${why}`);
    expect(r.dashboardPositions).toBeGreaterThanOrEqual(1);
    expect(r.chartAgrees).toBe(true);
    expect(r.pushed).toBe(true);
    // the first position of the shared data: stop loss 0.405 of entry 0.54 → the trail of HWM 0.73
    expect(r.stop!.after).toBeGreaterThan(r.stop!.before);
    expect(r.hwm!.after).toBeGreaterThan(r.hwm!.before);
    expect(existsSync(r.screenshot)).toBe(true);
    expect(statSync(r.screenshot).size).toBeGreaterThan(10_000);
    expect(r.metrics).toBeGreaterThan(20);
  }, 240_000);
});
