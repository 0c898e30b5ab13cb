/**
 * `replay --report` (issue #13) on the shared data: the trades file is the same as without the
 * report; the page is self-contained (Chart.js and the data inlined, nothing fetched); its data
 * agree with the trades (positions, equity, P&L by reason and strategy); each position has its
 * held token's bid path and its lines — the first position's stop moves from the stop loss to the
 * trail; the summary's last line names the report.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { runReplay } from '../../src/cli/replay';
import type { ReplayReportData } from '../../src/report/replay-report';
import { Pacer } from '../../src/replay/pacer';

const DATA = resolve(__dirname, '../../../shared/data/borisz42-btc15m');
const ROOT = resolve(__dirname, '../..');

describe('replay --report', () => {
  const tmp = { dir: mkdtempSync(join(tmpdir(), 'replay-report-')) };
  afterAll(() => rmSync(tmp.dir, { recursive: true, force: true }));
  let data: ReplayReportData;
  let html: string;
  let plain: string;
  let withReport: string;

  beforeAll(async () => {
    const env = { LOG_LEVEL: 'silent' };
    const a = await runReplay(
      { input: DATA, out: join(tmp.dir, 'plain.jsonl'), db: false, progress: false },
      env,
    );
    const report = join(tmp.dir, 'report.html');
    const b = await runReplay(
      { input: DATA, out: join(tmp.dir, 'report.jsonl'), db: false, progress: false, report },
      env,
    );
    await a.close();
    await b.close();
    expect(b.reportPath).toBe(report);
    plain = readFileSync(a.tradesPath, 'utf8');
    withReport = readFileSync(b.tradesPath, 'utf8');
    html = readFileSync(report, 'utf8');
    const m = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html)!;
    data = JSON.parse(m[1]!) as ReplayReportData;
  }, 120_000);

  it('does not change the trades', () => {
    expect(withReport).toBe(plain);
  });

  it('is self-contained: Chart.js inlined, no script or link from the network', () => {
    expect(html).not.toMatch(/<script[^>]+src=/);
    expect(html).not.toMatch(/<link[^>]+href=/);
    expect(html).toContain('Chart.js v4');
  });

  it('agrees with the trades: positions, equity curve, P&L by reason and by strategy', () => {
    const lines = plain
      .trim()
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as { positionKey: string; pnlUsdc: number; exitReason: string; strategy: string },
      );
    const total = lines.reduce((s, l) => s + l.pnlUsdc, 0);
    expect(data.totals.positions).toBe(new Set(lines.map((l) => l.positionKey)).size);
    expect(data.equity.pnl.at(-1)).toBeCloseTo(total, 5);
    expect(data.byReason.reduce((s, b) => s + b.n, 0)).toBe(lines.length);
    expect(data.byReason.reduce((s, b) => s + b.pnlUsdc, 0)).toBeCloseTo(total, 4);
    expect(data.byStrategy.map((b) => b.name).sort()).toEqual(
      [...new Set(lines.map((l) => l.strategy))].sort(),
    );
    expect(data.windows.length).toBeGreaterThan(10);
  });

  it('gives each position its bid path and lines; the first one’s stop moves from the stop loss to the trail', () => {
    expect(data.traces).toHaveLength(data.totals.positions);
    for (const t of data.traces) {
      expect(t.t.length).toBeGreaterThan(0);
      expect(t.bid.length).toBe(t.t.length);
      expect(t.stop.length).toBe(t.t.length);
    }
    const first = data.traces.find((t) => t.key === 'crash-rebound_BTC_15m_1766745900')!;
    expect(first).toMatchObject({ entry: 0.54, stopLoss: 0.405, profitFloor: 0.567, exitPrice: 0.72 });
    const stops = first.stop.filter((s): s is number => s !== null);
    expect(stops[0]).toBe(0.405);
    expect(stops.at(-1)).toBeGreaterThan(0.567);
    expect(first.trailing.some((x) => x !== null)).toBe(true);
    expect(first.hwm.filter((x) => x !== null).at(-1)).toBe(0.73);
  });

  it('the CLI names the report on the summary’s last line', async () => {
    const out = join(tmp.dir, 'cli.html');
    const { stdout } = await promisify(execFile)(
      join(ROOT, 'node_modules/.bin/tsx'),
      [
        'src/cli/main.ts',
        'replay',
        '--no-db',
        '--no-progress',
        '-i',
        DATA,
        '-o',
        join(tmp.dir, 'cli.jsonl'),
        '--report',
        out,
      ],
      { cwd: ROOT, env: { PATH: process.env['PATH'] ?? '', LOG_LEVEL: 'silent' } },
    );
    expect(stdout.trim().split('\n').at(-1)).toMatch(new RegExp(`; report: ${out.replace(/[.]/g, '\\.')}$`));
  }, 60_000);

  it('refuses a bad --speed or --pace-from with one line', async () => {
    await expect(runReplay({ input: DATA, db: false, speed: '0' }, { LOG_LEVEL: 'silent' })).rejects.toThrow(
      /--speed must be a number > 0, got 0/,
    );
    await expect(
      runReplay({ input: DATA, db: false, paceFrom: 'yesterday' }, { LOG_LEVEL: 'silent' }),
    ).rejects.toThrow(/--pace-from must be ISO 8601 or unix seconds\/ms, got yesterday/);
  });
});

describe('Pacer', () => {
  it('waits speed × recorded time, not before --pace-from, and skips long gaps', async () => {
    let wall = 0;
    const p = new Pacer(10, 5000, () => wall, 1_000_000);
    expect(p.wait(500_000)).toBeNull(); // before pace-from: full speed
    expect(p.wait(1_000_000)).toBeNull(); // the first paced row starts the clock
    wall = 50; // 100 ms recorded at 10× = 10 ms wall: due long ago
    expect(p.wait(1_000_100)).toBeNull();
    const due = p.wait(1_002_000); // 2 s recorded = 200 ms wall after the start: 150 ms ahead
    expect(due).toBeInstanceOf(Promise);
    await due;
    wall = 300;
    expect(p.wait(1_000_000 + 3_600_000)).toBeNull(); // an hour's gap (6 min wall) is skipped…
    wall = 301;
    expect(p.wait(1_000_000 + 3_600_000 + 10)).toBeNull(); // …and pacing restarts from there
  });

  it('refuses a speed that is not positive', () => {
    expect(() => new Pacer(0)).toThrow(RangeError);
    expect(() => new Pacer(Number.NaN)).toThrow(RangeError);
  });
});
