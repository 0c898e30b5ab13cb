/**
 * Market features of one token for the exit policies (exit-policies.md §1.5): a deterministic
 * estimator fed with every tick of the token's window on event time.
 * - `mid = Math.round((bid + ask) / 2)` when both sides exist;
 * - one sample per whole second k: the mid in force at `k × 1000` ms (the last tick at or before);
 *   a second without a mid breaks the chain (no change is computed across it);
 * - `vol` = population SD of the last ≤ VOL_LOOKBACK_S one-second changes (`Math.round`), null
 *   under VOL_MIN_SAMPLES changes; `atr = Math.round(σ × √ATR_HORIZON_S)` with the unrounded σ;
 * - `bandWidth = Math.round(2 × BB_K × sd)` of the last BB_PERIOD_S one-second mids (levels),
 *   `bandWidthAvg` = `Math.round` of the mean of the last BBW_AVG_S widths; null until enough exist.
 * Prices micro-USDC per share, times ms. Work is done once per second boundary, not per tick.
 */

/** Estimator parameters (spec §1.5 defaults); counts of one-second samples, `BB_K` a factor. */
export interface FeatureParams {
  readonly VOL_LOOKBACK_S: number;
  readonly VOL_MIN_SAMPLES: number;
  readonly ATR_HORIZON_S: number;
  readonly BB_K: number;
  readonly BB_PERIOD_S: number;
  readonly BBW_AVG_S: number;
}

/** The defaults of exit-policies.md §1.5. */
export const DEFAULT_FEATURE_PARAMS: FeatureParams = {
  VOL_LOOKBACK_S: 60,
  VOL_MIN_SAMPLES: 20,
  ATR_HORIZON_S: 10,
  BB_K: 2,
  BB_PERIOD_S: 20,
  BBW_AVG_S: 120,
};

/** The features as of the last observed tick (integer micro-USDC per share; null until defined). */
export interface Features {
  readonly vol: number | null;
  readonly atr: number | null;
  readonly bandWidth: number | null;
  readonly bandWidthAvg: number | null;
}

const NONE: Features = { vol: null, atr: null, bandWidth: null, bandWidthAvg: null };

/** Population standard deviation of `xs` (unrounded); 0 for an empty list. */
function popSd(xs: readonly number[]): number {
  if (xs.length === 0) return 0;
  let mean = 0;
  for (const x of xs) mean += x;
  mean /= xs.length;
  let v = 0;
  for (const x of xs) v += (x - mean) * (x - mean);
  return Math.sqrt(v / xs.length);
}

/** Appends `x` to `xs`, keeping at most `max` items. */
function pushCapped(xs: number[], x: number, max: number): void {
  xs.push(x);
  if (xs.length > max) xs.shift();
}

/** Everything the samples change (restored when a boundary's sample is taken again). */
interface Memory {
  /** The previous second's sample (null: none yet, or the chain broke). */
  readonly lastSample: number | null;
  readonly changes: number[];
  readonly levels: number[];
  readonly widths: number[];
  readonly current: Features;
}

/**
 * The estimator of one token (spec §1.5). Feed it every tick of the token's window with
 * {@link FeatureEstimator.observe}; {@link FeatureEstimator.read} gives the features as of the last
 * tick. A tick exactly on a boundary `k × 1000` takes sample k at once; a further tick at the same
 * ms replaces it (the last tick at or before the boundary is the one in force).
 */
export class FeatureEstimator {
  private readonly p: FeatureParams;
  /** Past this many seconds of one repeated sample the memory no longer changes. */
  private readonly maxGap: number;
  /** The mid of the last tick (null when it had no mid, or before the first tick). */
  private mid: number | null = null;
  /** The last whole second whose boundary is sampled (or was passed before the first tick). */
  private sampledSec: number | null = null;
  private m: Memory = { lastSample: null, changes: [], levels: [], widths: [], current: NONE };
  /** The memory before sample `sampledSec`, while the last tick sits exactly on its boundary. */
  private before: Memory | null = null;

  /** Creates an estimator with `params` over the §1.5 defaults. */
  constructor(params: Partial<FeatureParams> = {}) {
    this.p = { ...DEFAULT_FEATURE_PARAMS, ...params };
    this.maxGap = Math.max(this.p.VOL_LOOKBACK_S + 1, this.p.BB_PERIOD_S + this.p.BBW_AVG_S);
  }

  /**
   * Observes a tick at `tsMs` (ms, non-decreasing) with the token's best bid and ask (micro-USDC,
   * or null). Boundaries passed since the last tick are sampled with the mid then in force; the
   * boundary at `tsMs` itself, if any, with this tick's mid.
   */
  observe(tsMs: number, bid: number | null, ask: number | null): void {
    const mid = bid !== null && ask !== null ? Math.round((bid + ask) / 2) : null;
    const k = Math.floor(tsMs / 1000);
    const onBoundary = tsMs === k * 1000;
    if (this.sampledSec === null) {
      if (onBoundary) this.sampleBoundary(mid);
    } else if (k === this.sampledSec) {
      if (onBoundary && this.before !== null) {
        this.m = this.before;
        this.sampleBoundary(mid);
      } else this.before = null;
    } else {
      const gap = Math.min(k - 1 - this.sampledSec, this.maxGap);
      for (let i = 0; i < gap; i++) this.m = this.sample(this.m, this.mid);
      if (onBoundary) this.sampleBoundary(mid);
      else {
        this.m = this.sample(this.m, this.mid);
        this.before = null;
      }
    }
    this.sampledSec = k;
    this.mid = mid;
  }

  /** The features as of the last observed tick (micro-USDC per share). */
  read(): Features {
    return this.m.current;
  }

  /** Takes the sample of the boundary at the current tick, keeping the memory before it. */
  private sampleBoundary(mid: number | null): void {
    this.before = this.m;
    this.m = this.sample(this.m, mid);
  }

  /** The memory after one more one-second sample `mid` (null breaks the chain). */
  private sample(m: Memory, mid: number | null): Memory {
    if (mid === null) return m.lastSample === null ? m : { ...m, lastSample: null };
    const p = this.p;
    const changes = m.changes.slice();
    const levels = m.levels.slice();
    const widths = m.widths.slice();
    let { vol, atr } = m.current;
    if (m.lastSample !== null) {
      pushCapped(changes, mid - m.lastSample, p.VOL_LOOKBACK_S);
      if (changes.length >= p.VOL_MIN_SAMPLES) {
        const sigma = popSd(changes);
        vol = Math.round(sigma);
        atr = Math.round(sigma * Math.sqrt(p.ATR_HORIZON_S));
      }
    }
    pushCapped(levels, mid, p.BB_PERIOD_S);
    let bandWidth: number | null = null;
    let bandWidthAvg: number | null = null;
    if (levels.length >= p.BB_PERIOD_S) {
      bandWidth = Math.round(2 * p.BB_K * popSd(levels));
      pushCapped(widths, bandWidth, p.BBW_AVG_S);
      if (widths.length >= p.BBW_AVG_S) {
        let sum = 0;
        for (const w of widths) sum += w;
        bandWidthAvg = Math.round(sum / widths.length);
      }
    }
    return { lastSample: mid, changes, levels, widths, current: { vol, atr, bandWidth, bandWidthAvg } };
  }
}
