/**
 * `npm run parity` (issue #11) on an embedded database: the latest live run and its twin by
 * default, the table on stdout, a self-contained HTML report (Chart.js inlined, no network
 * reference) whose numbers are the stored rows', the verdict as the exit code (0 pass, 1 fail),
 * and 2 with one line when there is nothing to report.
 */
import { jest } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/schema';
import { pairPositions } from '../../src/parity/pairing';
import { parityRecordOf } from '../../src/parity/parity-record';
import { openRepository } from '../../src/persistence/open-repository';
import { runParity } from '../../src/runtime/parity-run';
import { closedPosition, EPOCH } from '../helpers/parity-positions';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'parity-run-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
  jest.restoreAllMocks();
});

const capture = () => {
  const out: string[] = [];
  jest.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  jest.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  return out;
};

async function store(livePnl: number): Promise<{ liveRunId: number }> {
  const repo = await openRepository({ dataDir: join(dir, 'pglite') });
  try {
    const base = { configHash: 'h', codeRevision: 't', input: 'x', startedAtMs: 0, config: {} };
    const liveRunId = await repo.createRun({ ...base, mode: 'live', wallet: '0xabc' });
    const shadowRunId = await repo.createRun({ ...base, mode: 'shadow', linkedRunId: liveRunId });
    const k = (n: number) => `fast_BTC_15m_${EPOCH + n * 900}`;
    const live = [
      closedPosition(k(0), { pnlUsdc: livePnl }),
      closedPosition(k(1), { windowEpoch: EPOCH + 900 }),
    ];
    const paper = [closedPosition(k(0)), closedPosition(k(1), { windowEpoch: EPOCH + 900 })];
    const rows = pairPositions(
      live.map((position) => ({ position })),
      paper.map((position) => ({ position })),
    ).map(parityRecordOf);
    await repo.upsertParity(liveRunId, shadowRunId, rows);
    return { liveRunId };
  } finally {
    await repo.close();
  }
}

const cfg = () => loadConfig({ env: { DATA_DIR: dir, LOG_LEVEL: 'silent' } });

it('reports the latest live run: table, self-contained HTML, exit 0 on pass', async () => {
  const { liveRunId } = await store(780_000);
  const out = capture();
  expect(await runParity(cfg(), { outDir: join(dir, 'out') })).toBe(0);
  const text = out.join('\n');
  expect(text).toContain(`parity of live run ${liveRunId}`);
  expect(text).toContain('pairs 2 | only live 0 | only paper 0');
  expect(text).toContain('P&L live 1.5800 USDC | paper 1.6000 USDC');
  expect(text).toContain('verdict: pass');
  const html = readFileSync(join(dir, 'out', `parity-run-${liveRunId}.html`), 'utf8');
  expect(html).toContain('verdict: pass');
  expect(html).toMatch(/Chart\.js v4\.\d+\.\d+/); // the library itself is in the page
  expect(html).not.toMatch(/<script[^>]+src=/); // nothing fetched at view time
  const data = JSON.parse(/<script type="application\/json" id="data">(.*?)<\/script>/s.exec(html)![1]!) as {
    windows: { live: number; paper: number }[];
  };
  expect(data.windows.map((w) => [w.live, w.paper])).toEqual([
    [0.78, 0.8],
    [0.8, 0.8],
  ]);
});

it('exits 1 on a failed verdict, 2 when there is nothing to report', async () => {
  const out = capture();
  expect(await runParity(cfg(), { outDir: join(dir, 'out') })).toBe(2);
  expect(out.join('\n')).toContain('no live run in the database');
  await store(-2_000_000);
  expect(await runParity(cfg(), { outDir: join(dir, 'out') })).toBe(1);
  expect(out.join('\n')).toMatch(/verdict: fail — P&L: live -1.2 vs paper 1.6 USDC/);
});
