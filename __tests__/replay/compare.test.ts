/**
 * `replay --compare` (issue #12) on the real shared data: one job per (policy set, day file), each
 * set's trades.jsonl (the default set's equal to a plain replay's), the figures per set, and a
 * self-contained HTML report. In this thread (`workers: 0`) and, through the CLI, on worker threads.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runReplay } from '../../src/cli/replay';
import { readPolicySets, runCompare } from '../../src/replay/compare/compare-run';
import { ConfigError } from '../../src/core/errors';

const DATA = resolve(__dirname, '../../../shared/data/borisz42-btc15m');
const DAY = join(DATA, 'market_data_20251226.csv.gz');
const MAIN = resolve(__dirname, '../../src/cli/main.ts');
const tmp = mkdtempSync(join(tmpdir(), 'compare-'));
const env = { LOG_LEVEL: 'silent', DATA_DIR: join(tmp, 'data') };
const SETS = [
  { name: 'default' },
  { name: 'hwm-scale-out', policies: { trail_exit: {} } },
  { name: 'hwm-off', policies: { trail_exit: { TRAILING_ENABLED: false } } },
  { name: 'profit-lock', policies: { profit_lock: {} } },
];
const setsFile = join(tmp, 'sets.json');
writeFileSync(setsFile, JSON.stringify(SETS));

describe('replay --compare', () => {
  it('runs every set on every day file, writes trades and a report, and prints the figures', async () => {
    const out = join(tmp, 'out');
    const res = await runCompare({
      setsPath: setsFile,
      inputs: [DATA],
      outDir: out,
      workers: 0,
      env,
      progress: false,
    });
    expect(res.files).toHaveLength(2); // the two market_data days (user_data files are no tick data)
    expect(res.jobs).toBe(SETS.length * 2);
    expect(res.metrics.map((m) => m.policy)).toEqual(SETS.map((s) => s.name));
    for (const m of res.metrics) {
      expect(m.trades).toBeGreaterThan(20);
      expect(m.winRate).toBeGreaterThanOrEqual(0);
      expect(m.winRate).toBeLessThanOrEqual(1);
      expect(m.profitLockViolations).toBeGreaterThanOrEqual(0);
    }
    const byName = new Map(res.metrics.map((m) => [m.policy, m]));
    // a switched-off family is the default; the scale-out sells parts
    expect(readFileSync(join(out, 'hwm-off', 'trades.jsonl'))).toEqual(
      readFileSync(join(out, 'default', 'trades.jsonl')),
    );
    expect(byName.get('hwm-scale-out')!.partialExits).toBeGreaterThan(0);
    const lines = readFileSync(join(out, 'hwm-scale-out', 'trades.jsonl'), 'utf8')
      .trim()
      .split('\n');
    expect(lines.some((l) => JSON.parse(l).exitReason === 'scale_out')).toBe(true);
    // the report: self-contained (no external script or stylesheet), with every set and the paths
    const html = readFileSync(res.reportPath, 'utf8');
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|https?:\/\/cdn/i);
    expect(html).toContain('Chart.js v4');
    for (const s of SETS) expect(html).toContain(s.name);
    expect(res.text).toContain('hwm-scale-out');
  });

  it("the default set's trades equal a plain replay's, day by day", async () => {
    const out = join(tmp, 'day');
    await runCompare({ setsPath: setsFile, inputs: [DAY], outDir: out, workers: 0, env, progress: false });
    const plain = join(tmp, 'plain', 'trades.jsonl');
    await runReplay({ input: DAY, out: plain, db: false, progress: false }, env);
    expect(readFileSync(join(out, 'default', 'trades.jsonl'))).toEqual(readFileSync(plain));
  });

  it('refuses a sets file with a bad set, naming it and the field', () => {
    const bad = join(tmp, 'bad.json');
    writeFileSync(bad, JSON.stringify([{ name: 'x', policies: { trail_exit: { TRAIL_PCT: 2 } } }]));
    expect(() => readPolicySets(bad)).toThrow(ConfigError);
    expect(() => readPolicySets(bad)).toThrow(/TRAIL_PCT/);
    writeFileSync(bad, JSON.stringify([{ name: 'a' }, { name: 'a' }]));
    expect(() => readPolicySets(bad)).toThrow(/two sets are named a/);
  });

  it('the CLI runs the jobs on worker threads and prints one JSON line per set', () => {
    const out = join(tmp, 'cli');
    const r = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        MAIN,
        'replay',
        '--compare',
        setsFile,
        '--input',
        DAY,
        '--out',
        out,
        '--workers',
        '2',
      ],
      { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 120_000 },
    );
    if (r.status !== 0) throw new Error(`exit ${r.status}: ${r.stderr}`);
    const json = r.stdout
      .split('\n')
      .filter((l) => l.startsWith('{"policy"'))
      .map((l) => JSON.parse(l));
    expect(json.map((j) => j.policy)).toEqual(SETS.map((s) => s.name));
    for (const j of json)
      expect(Object.keys(j)).toEqual([
        'policy',
        'trades',
        'winRate',
        'netPnlUsdc',
        'peakCaptured',
        'prematureStopOuts',
        'profitLockViolations',
      ]);
    expect(r.stdout).toMatch(/4 jobs \(4 sets × 1 files\) on 2 workers in [\d.]+ s; report: .*report\.html/);
  }, 150_000);
});
