/**
 * One job of the exit-policy comparison (issue #12): replays one input file with one policy set
 * through the same engine as `replay` (simulated venue, virtual clock, no database) and returns
 * the trades plus, for every position, the held token's bid path (one sample a second, entry to
 * window end), the path of its effective stop, and the volatility (`atr`) at entry. Runs in a
 * worker thread or in-process; its input and result are structured-clone data.
 */
import { loadConfig, type Config } from '../../config/schema';
import { windowKey } from '../../core/ids';
import type { Side, TickRow } from '../../core/types';
import { streamInput } from '../../feed/input';
import { effectiveStop } from '../../trader/exits/effective-stop';
import { FeatureEstimator } from '../../trader/exits/features';
import { policyResolver } from '../../trader/exits/policy-set';
import type { TradeLine } from '../../trader/position';
import { ReplayEngine } from '../replay-engine';

/** A job: an input file (or directory) and a named policy set (JSON data, `policy-set.ts`). */
export interface CompareJob {
  readonly input: string;
  readonly setName: string;
  /** The set as JSON data: one set, or `{ "strategies": … }` (see `policyResolver`). */
  readonly setData: unknown;
  /** Environment the configuration is read from (settings other than the policies). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** JSON config file (settings and strategies), if any. */
  readonly configPath?: string | undefined;
}

/** What a position did against the market (prices micro-USDC, times ms / seconds). */
export interface PositionTrace {
  readonly key: string;
  readonly windowKey: string;
  readonly side: Side;
  readonly windowEndMs: number;
  /** Sample times, unix seconds (one a second, entry to window end). */
  readonly t: number[];
  /** The held token's first bid of each second, micro-USDC (−1: no bid). */
  readonly bid: number[];
  /** Times the effective stop changed, ms. */
  readonly stopT: number[];
  /** The effective stop from each of those times, micro-USDC. */
  readonly stop: number[];
  /** `atr` of the held token at entry (exit-policies.md §1.5), micro-USDC, or null. */
  readonly atrAtEntry: number | null;
}

/** A job's result. */
export interface CompareJobResult {
  readonly setName: string;
  readonly input: string;
  /** Rows replayed. */
  readonly rows: number;
  readonly trades: TradeLine[];
  readonly traces: PositionTrace[];
}

/** Per-second samples of one window's two tokens. */
interface WindowSeries {
  readonly t: number[];
  readonly up: number[];
  readonly down: number[];
  readonly upAtr: (number | null)[];
  readonly downAtr: (number | null)[];
  readonly upF: FeatureEstimator;
  readonly downF: FeatureEstimator;
}

/** Records one sample a second per window (the first tick of each second). */
class SeriesRecorder {
  readonly windows = new Map<string, WindowSeries>();

  observe(row: TickRow): void {
    const key = windowKey(row);
    let w = this.windows.get(key);
    if (w === undefined) {
      w = {
        t: [],
        up: [],
        down: [],
        upAtr: [],
        downAtr: [],
        upF: new FeatureEstimator(),
        downF: new FeatureEstimator(),
      };
      this.windows.set(key, w);
    }
    w.upF.observe(row.tsMs, row.upBid, row.upAsk);
    w.downF.observe(row.tsMs, row.downBid, row.downAsk);
    const sec = Math.floor(row.tsMs / 1000);
    if (w.t.length > 0 && w.t[w.t.length - 1] === sec) return;
    w.t.push(sec);
    w.up.push(row.upBid ?? -1);
    w.down.push(row.downBid ?? -1);
    w.upAtr.push(w.upF.read().atr);
    w.downAtr.push(w.downF.read().atr);
  }
}

/** Index of the last sample at or before `sec` (−1 when none). */
function lastAtOrBefore(t: readonly number[], sec: number): number {
  let lo = 0;
  let hi = t.length - 1;
  let ans = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (t[mid]! <= sec) {
      ans = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return ans;
}

/**
 * Runs a job to the end.
 * @throws {ConfigError} on bad settings or a bad set; {InputError} on unreadable input.
 */
export async function runCompareJob(job: CompareJob): Promise<CompareJobResult> {
  const base = loadConfig({ env: { ...job.env }, configPath: job.configPath });
  const cfg: Config = { ...base, exitPolicyData: job.setData, PERSIST_TICKS: false };
  const resolve = policyResolver(job.setData);
  const engine = new ReplayEngine({ config: cfg, persistTicks: false });
  const stops = new Map<string, { t: number[]; s: number[] }>();
  engine.sink.onSnapshot = (r) => {
    if (r.state === 'CLOSED') return;
    const s = effectiveStop(r, resolve(r.strategy), cfg);
    if (s === null) return;
    let e = stops.get(r.positionKey);
    if (e === undefined) stops.set(r.positionKey, (e = { t: [], s: [] }));
    if (e.s[e.s.length - 1] === s) return;
    e.t.push(r.updatedMs);
    e.s.push(s);
  };
  const series = new SeriesRecorder();
  const input = streamInput(job.input, { reorderWindowMs: cfg.REORDER_WINDOW_MS });
  for await (const batch of input.batches) {
    for (const row of batch) {
      series.observe(row);
      engine.step(row);
    }
    engine.sink.discard();
  }
  engine.finish();
  engine.sink.discard();
  const traces: PositionTrace[] = [];
  const seen = new Set<string>();
  for (const line of engine.sink.trades) {
    if (seen.has(line.positionKey)) continue;
    seen.add(line.positionKey);
    const wk = windowKey(line);
    const w = series.windows.get(wk);
    const endMs = (line.windowEpoch + line.windowSec) * 1000;
    const from = w === undefined ? 0 : Math.max(0, lastAtOrBefore(w.t, Math.floor(line.entryTimeMs / 1000)));
    const up = line.side === 'UP';
    const st = stops.get(line.positionKey);
    traces.push({
      key: line.positionKey,
      windowKey: wk,
      side: line.side,
      windowEndMs: endMs,
      t: w === undefined ? [] : w.t.slice(from),
      bid: w === undefined ? [] : (up ? w.up : w.down).slice(from),
      stopT: st?.t ?? [],
      stop: st?.s ?? [],
      atrAtEntry: w === undefined ? null : ((up ? w.upAtr : w.downAtr)[from] ?? null),
    });
  }
  return { setName: job.setName, input: job.input, rows: engine.rows, trades: engine.sink.trades, traces };
}
