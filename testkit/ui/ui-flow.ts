/**
 * The dashboard's browser flow (issue #13), shared by the end-to-end test and `npm run smoke:ui`:
 * starts the real CLI (`replay --dashboard --speed … --pace-from …` on the shared data, `/metrics`
 * on a free port), opens the page in headless Chromium (Debian's `chromium` through
 * `playwright-core` with its `executablePath`), waits until the page shows an open position, reads
 * its stop line (the card's `data-stop` and the last point of the chart's `stop` dataset), waits
 * until the line moves while the HWM moves, saves a screenshot, counts the metric families served,
 * and stops the CLI with SIGINT.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { chromium, type Page } from 'playwright-core';

const ROOT = resolve(__dirname, '../..');

/** The shared recorded data the flow replays. */
export const SHARED_BTC15M = resolve(ROOT, '../shared/data/borisz42-btc15m');

/** 10 s before the first entry of the shared data (crash-rebound, window 1766745900). */
export const DEFAULT_PACE_FROM = '1766745925';

/** The Chromium binary: CHROMIUM_PATH, else the first of Debian's and the usual names found. */
export function chromiumPath(): string | null {
  const env = process.env['CHROMIUM_PATH'];
  if (env !== undefined && env !== '') return env;
  for (const p of ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'])
    if (existsSync(p)) return p;
  return null;
}

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

/** What the flow saw. */
export interface UiFlowResult {
  /** Metric families served by `/metrics` (`# TYPE` lines). */
  readonly metrics: number;
  /** Most position cards seen on the page at once. */
  readonly dashboardPositions: number;
  readonly stopLineMoved: boolean;
  /** The position whose line was followed, and its stop and HWM before and after (0–1). */
  readonly positionKey: string | null;
  readonly stop: { before: number; after: number } | null;
  readonly hwm: { before: number; after: number } | null;
  /** The chart's `stop` line agreed with the card's figure at both readings. */
  readonly chartAgrees: boolean;
  readonly screenshot: string;
  /** Events pushed and rendered (the page's `data-version` rose without a reload). */
  readonly pushed: boolean;
  /** What the CLI printed (for a failure's message). */
  readonly output: string;
}

/** Options of {@link runUiFlow}. */
export interface UiFlowOptions {
  /** Where the screenshot and the trades file go. */
  readonly outDir: string;
  /** Replay speed (× recorded time); default 2. */
  readonly speed?: number;
  /** `--pace-from`; default {@link DEFAULT_PACE_FROM}. */
  readonly paceFrom?: string;
  /** Longest wait for each step, ms; default 60 000. */
  readonly stepTimeoutMs?: number;
}

/** The few DOM shapes the page functions use (the project compiles without the DOM library). */
interface CardLike {
  getAttribute(name: string): string | null;
  querySelector(sel: string): unknown;
}
interface PageGlobals {
  readonly document: { querySelector(sel: string): CardLike | null };
  readonly CSS: { escape(s: string): string };
  readonly Chart: {
    getChart(c: unknown): { data: { datasets: { label: string; data: (number | null)[] }[] } } | undefined;
  };
}

interface Reading {
  readonly key: string;
  readonly stop: number;
  readonly hwm: number;
  readonly chartStop: number | null;
}

/** Reads the card of `key` (or the first card): its figures and the chart's last `stop` point. */
async function readCard(page: Page, key: string | null): Promise<Reading | null> {
  return page.evaluate((k) => {
    const g = globalThis as unknown as PageGlobals;
    const sel = k === null ? 'section.position' : `section.position[data-key="${g.CSS.escape(k)}"]`;
    const card = g.document.querySelector(sel);
    if (card === null) return null;
    const stop = card.getAttribute('data-stop') ?? '';
    const hwm = card.getAttribute('data-hwm') ?? '';
    if (stop === '' || hwm === '') return null;
    const canvas = card.querySelector('canvas');
    const ds =
      canvas === null ? undefined : g.Chart.getChart(canvas)?.data.datasets.find((d) => d.label === 'stop');
    const last = ds?.data.filter((v) => v !== null).at(-1);
    return {
      key: card.getAttribute('data-key')!,
      stop: Number(stop),
      hwm: Number(hwm),
      chartStop: last === undefined || last === null ? null : last,
    };
  }, key);
}

/**
 * Runs the flow.
 * @throws when Chromium is missing, the CLI does not print its dashboard URL, or a step times out.
 */
export async function runUiFlow(opts: UiFlowOptions): Promise<UiFlowResult> {
  const exe = chromiumPath();
  if (exe === null) throw new Error("no Chromium found: install Debian's `chromium` or set CHROMIUM_PATH");
  const stepMs = opts.stepTimeoutMs ?? 60_000;
  const metricsPort = await freePort();
  const child = spawn(
    join(ROOT, 'node_modules/.bin/tsx'),
    [
      'src/cli/main.ts',
      'replay',
      '--no-db',
      '--no-progress',
      '--input',
      SHARED_BTC15M,
      '--out',
      join(opts.outDir, 'trades.jsonl'),
      '--dashboard',
      '--speed',
      String(opts.speed ?? 2),
      '--pace-from',
      opts.paceFrom ?? DEFAULT_PACE_FROM,
    ],
    {
      cwd: ROOT,
      env: {
        PATH: process.env['PATH'] ?? '',
        HOME: process.env['HOME'] ?? '',
        DASHBOARD_PORT: '0',
        METRICS_PORT: String(metricsPort),
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout!.on('data', (b: Buffer) => (output += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (output += b.toString()));
  const browser = await chromium.launch({
    executablePath: exe,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu'],
  });
  try {
    const url = await waitFor(
      () => /dashboard: (http:\/\/\S+)/.exec(output)?.[1] ?? null,
      stepMs,
      () => output,
    );
    const page = await browser.newPage({ viewport: { width: 1300, height: 1400 } });
    await page.goto(url);
    const body = await page.waitForSelector('body[data-version]');
    const firstVersion = Number(await body.getAttribute('data-version'));
    let most = 0;
    let moved: { before: Reading; after: Reading } | null = null;
    let chartAgrees = true;
    const deadline = Date.now() + 3 * stepMs;
    // follow positions as they open until one's stop line moves with its HWM
    while (moved === null && Date.now() < deadline) {
      await page.waitForSelector('section.position[data-stop]:not([data-stop=""])', { timeout: stepMs });
      most = Math.max(most, await page.locator('section.position').count());
      const before = await readCard(page, null);
      if (before === null) continue;
      if (before.chartStop !== null && before.chartStop !== before.stop) chartAgrees = false;
      const seen = await page
        .waitForFunction(
          (b) => {
            const g = globalThis as unknown as PageGlobals;
            const card = g.document.querySelector(`section.position[data-key="${g.CSS.escape(b.key)}"]`);
            if (card === null) return 'closed';
            const s = Number(card.getAttribute('data-stop'));
            const h = Number(card.getAttribute('data-hwm'));
            return s !== b.stop && h !== b.hwm ? 'moved' : false;
          },
          before,
          { timeout: stepMs, polling: 50 },
        )
        .then((h) => h.jsonValue());
      most = Math.max(most, await page.locator('section.position').count());
      if (seen !== 'moved') continue; // closed before its line moved: follow the next one
      const after = await readCard(page, before.key);
      if (after === null) continue;
      if (after.chartStop !== null && after.chartStop !== after.stop) chartAgrees = false;
      moved = { before, after };
    }
    const screenshot = join(opts.outDir, 'dashboard.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    const lastVersion = Number(await page.locator('body').getAttribute('data-version'));
    const metricsText = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    return {
      metrics: metricsText.split('\n').filter((l) => l.startsWith('# TYPE ')).length,
      dashboardPositions: most,
      stopLineMoved: moved !== null,
      positionKey: moved?.before.key ?? null,
      stop: moved === null ? null : { before: moved.before.stop, after: moved.after.stop },
      hwm: moved === null ? null : { before: moved.before.hwm, after: moved.after.hwm },
      chartAgrees,
      screenshot,
      pushed: lastVersion > firstVersion,
      output,
    };
  } finally {
    await browser.close();
    await stop(child);
  }
}

/** Polls `get` every 50 ms until it returns non-null. */
async function waitFor<T>(get: () => T | null, timeoutMs: number, why: () => string): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = get();
    if (v !== null) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms; output:\n${why()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** SIGINT, then SIGKILL after 10 s. */
async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGINT');
  const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(t);
}
