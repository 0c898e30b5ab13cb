/**
 * The dashboard in a real browser (issue #13): the real CLI's `replay --dashboard` on the shared
 * data, headless Chromium through playwright-core (`testkit/ui/ui-flow.ts`): the page shows an open
 * position, its stop line (card figure and chart) moves when the HWM moves, events are pushed
 * without a reload, a screenshot is saved, and `/metrics` serves the families.
 */
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { runReplay } from '../../src/cli/replay';
import { SHARED_BTC15M, chromiumPath, runUiFlow } from '../../testkit/ui/ui-flow';

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

  it('the replay report opens offline, filters by window and draws a position’s lines', async () => {
    const report = join(dir, 'report.html');
    const res = await runReplay(
      { input: SHARED_BTC15M, out: join(dir, 'report.jsonl'), db: false, progress: false, report },
      { LOG_LEVEL: 'silent' },
    );
    await res.close();
    const browser = await chromium.launch({
      executablePath: chromiumPath()!,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1300, height: 1400 } });
      const external: string[] = [];
      page.on('request', (r) => {
        if (!r.url().startsWith('file:') && !r.url().startsWith('data:')) external.push(r.url());
      });
      await page.goto(`file://${report}`);
      const cards = page.locator('section.position');
      const all = await cards.count();
      expect(all).toBeGreaterThan(100);
      const windows = await page
        .locator('#window option')
        .evaluateAll((os) =>
          os.map((o) => (o as unknown as { value: string }).value).filter((v) => v !== ''),
        );
      const w = windows[1]!;
      await page.selectOption('#window', w);
      const shown = page.locator(`section.position[data-window="${w}"]`);
      const n = await shown.count();
      expect(n).toBeGreaterThanOrEqual(1);
      expect(await page.locator('section.position:visible').count()).toBe(n);
      // the first card of the window is drawn once in view: its chart has the stop and exit lines
      await shown.first().scrollIntoViewIfNeeded();
      await page.waitForSelector(`section.position[data-window="${w}"][data-drawn="1"]`);
      const labels = await shown.first().evaluate((card) => {
        const g = globalThis as unknown as {
          Chart: { getChart(c: unknown): { data: { datasets: { label: string }[] } } | undefined };
        };
        const chart = g.Chart.getChart(
          (card as unknown as { querySelector(s: string): unknown }).querySelector('canvas'),
        );
        return chart?.data.datasets.map((d) => d.label) ?? [];
      });
      expect(labels).toEqual([
        'bid',
        'entry',
        'HWM',
        'stop loss',
        'trailing stop',
        'profit floor',
        'stop',
        'exit',
      ]);
      expect(external).toEqual([]);
      await page.screenshot({ path: join(dir, 'report.png') });
    } finally {
      await browser.close();
    }
  }, 120_000);
});
