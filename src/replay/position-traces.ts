/**
 * What each position of a replay did against the market, for the HTML report (issue #13): the
 * held token's bid one sample a second around the position's life, and its price lines (HWM,
 * trailing stop, effective stop) as they moved, from the journal's position snapshots. Fed the
 * ticks and snapshots of a replay; memory grows with the recorded seconds (≈ 2 numbers a second a
 * window), so it runs only with `replay --report`.
 */
import { windowKey } from '../core/ids';
import { fromMicros } from '../core/money';
import type { Tick } from '../core/types';
import type { PositionRecord } from '../trader/journal-records';
import { positionLines } from '../trader/exits/position-lines';
import type { ExitPolicySet } from '../trader/exits/policy-set';
import type { ExitThresholds } from '../trader/exits/thresholds';
import type { TradeLine } from '../trader/position';

/** Seconds of the bid path kept before the entry and after the exit. */
const MARGIN_S = 20;

/** One position's chart data (prices 0–1, `null` = none at that second). */
export interface PositionTrace {
  readonly key: string;
  readonly windowKey: string;
  /** Sample times, unix seconds. */
  readonly t: number[];
  readonly bid: (number | null)[];
  readonly hwm: (number | null)[];
  readonly trailing: (number | null)[];
  readonly stop: (number | null)[];
  readonly entry: number;
  readonly stopLoss: number | null;
  readonly profitFloor: number | null;
  readonly exitTimeMs: number | null;
  readonly exitPrice: number | null;
}

interface Lines {
  readonly ms: number;
  readonly hwm: number | null;
  readonly trailing: number | null;
  readonly stop: number;
  readonly stopLoss: number;
  readonly floor: number;
}

interface WindowSeries {
  readonly t: number[];
  readonly up: (number | null)[];
  readonly down: (number | null)[];
}

/** Records the bid paths and position lines of a replay. */
export class TraceRecorder {
  private readonly windows = new Map<string, WindowSeries>();
  private readonly lines = new Map<string, Lines[]>();

  /** `setOf` gives a strategy's exit-policy set, `t` the thresholds (the replay's config). */
  constructor(
    private readonly setOf: (strategy: string) => ExitPolicySet,
    private readonly t: ExitThresholds,
  ) {}

  /** Takes a tick (one sample a second per window: its first tick). */
  observe(tick: Tick): void {
    let w = this.windows.get(tick.windowKey);
    if (w === undefined) this.windows.set(tick.windowKey, (w = { t: [], up: [], down: [] }));
    const sec = Math.floor(tick.tsMs / 1000);
    if (w.t.at(-1) === sec) return;
    w.t.push(sec);
    w.up.push(tick.up.bid);
    w.down.push(tick.down.bid);
  }

  /** Takes a position snapshot of the journal (records its lines when they changed). */
  snapshot(r: PositionRecord): void {
    const l = positionLines(r, this.setOf(r.strategy), this.t);
    if (l === null) return;
    let a = this.lines.get(r.positionKey);
    if (a === undefined) this.lines.set(r.positionKey, (a = []));
    const last = a.at(-1);
    if (
      last !== undefined &&
      last.hwm === l.highWaterMark &&
      last.trailing === l.trailingStop &&
      last.stop === l.effectiveStop
    )
      return;
    a.push({
      ms: r.updatedMs,
      hwm: l.highWaterMark,
      trailing: l.trailingStop,
      stop: l.effectiveStop,
      stopLoss: l.stopLoss,
      floor: l.profitFloor,
    });
  }

  /** The traces of `trades` (one per position: its last trade line). */
  traces(trades: readonly TradeLine[]): PositionTrace[] {
    const last = new Map<string, TradeLine>();
    for (const l of trades) last.set(l.positionKey, l);
    const out: PositionTrace[] = [];
    for (const l of last.values()) {
      const wk = windowKey(l);
      const w = this.windows.get(wk);
      const hist = this.lines.get(l.positionKey) ?? [];
      const from = Math.floor(l.entryTimeMs / 1000) - MARGIN_S;
      const to = Math.floor((l.exitTimeMs ?? (l.windowEpoch + l.windowSec) * 1000) / 1000) + MARGIN_S;
      const t: number[] = [];
      const bid: (number | null)[] = [];
      const hwm: (number | null)[] = [];
      const trailing: (number | null)[] = [];
      const stop: (number | null)[] = [];
      let h = -1;
      if (w !== undefined)
        for (let i = 0; i < w.t.length; i++) {
          const sec = w.t[i]!;
          if (sec < from || sec > to) continue;
          while (h + 1 < hist.length && hist[h + 1]!.ms <= sec * 1000 + 999) h += 1;
          const inLife =
            sec * 1000 + 999 >= l.entryTimeMs && (l.exitTimeMs === null || sec * 1000 <= l.exitTimeMs);
          const line = inLife && h >= 0 ? hist[h]! : null;
          const b = l.side === 'UP' ? w.up[i]! : w.down[i]!;
          t.push(sec);
          bid.push(b === null ? null : fromMicros(b));
          hwm.push(line?.hwm == null ? null : fromMicros(line.hwm));
          trailing.push(line?.trailing == null ? null : fromMicros(line.trailing));
          stop.push(line === null ? null : fromMicros(line.stop));
        }
      const first = hist[0];
      out.push({
        key: l.positionKey,
        windowKey: wk,
        t,
        bid,
        hwm,
        trailing,
        stop,
        entry: l.entryPrice,
        stopLoss: first === undefined ? null : fromMicros(first.stopLoss),
        profitFloor: first === undefined ? null : fromMicros(first.floor),
        exitTimeMs: l.exitTimeMs,
        exitPrice: l.exitPrice,
      });
    }
    return out;
  }
}
