/**
 * Hard limits on new entries (issue #4): at most `MAX_OPEN_POSITIONS` positions not CLOSED, a daily
 * loss limit on realised P&L (UTC day, micro-USDC), and a kill switch. They never block an exit.
 * Pure: fed closed-position P&L and times as inputs. A restarted trader seeds the day from the
 * journal's closed positions (`seedClosed`, issue #8 point 9).
 */
import { RECONCILED_STRATEGY } from './corrections';
import type { TraderSink } from './trader-sink';

const DAY_MS = 86_400_000;

/** Limit settings; 0 turns a limit off (replay defaults). */
export interface RiskLimitConfig {
  /** Most positions open at once (0 = no limit). */
  readonly MAX_OPEN_POSITIONS: number;
  /** New entries stop once the UTC day's realised loss reaches this, USDC (0 = no limit). */
  readonly DAILY_LOSS_LIMIT_USDC: number;
}

/** Why an entry was refused (`flatten`: the trader's flatten mode), or null when it may proceed. */
export type EntryBlock = 'kill_switch' | 'max_open_positions' | 'daily_loss_limit' | 'flatten' | null;

/** Tracks what the limits need. */
export class RiskLimits {
  private killed = false;
  private day = -1;
  private dayPnl = 0;
  private readonly lossLimit: number;

  /** Creates the limits. */
  constructor(private readonly cfg: RiskLimitConfig) {
    this.lossLimit = Math.round(cfg.DAILY_LOSS_LIMIT_USDC * 1e6);
  }

  /** Engages (true) or releases (false) the kill switch. */
  setKill(on: boolean): void {
    this.killed = on;
  }

  /** True while the kill switch is engaged. */
  get killSwitch(): boolean {
    return this.killed;
  }

  /** Realised P&L of the current UTC day, micro-USDC. */
  get dayPnlMicros(): number {
    return this.dayPnl;
  }

  /**
   * Records a closed position's P&L (micro-USDC) at `nowMs` (ms, its exit time). A P&L of a UTC
   * day before the current one does not count (and does not move the day back).
   */
  recordClose(pnlMicros: number, nowMs: number): void {
    if (Math.floor(nowMs / DAY_MS) < this.day) return;
    this.rollDay(nowMs);
    this.dayPnl += pnlMicros;
  }

  /**
   * Seeds the realised P&L of the UTC day of `nowMs` (ms) from stored closed positions (a live
   * restart, issue #8 point 9): the sum of `pnlMicros` (micro-USDC) of the records whose
   * `exitTimeMs` (ms) falls in that day replaces the day's P&L. Returns that sum.
   */
  seedClosed(
    records: readonly { readonly pnlMicros: number; readonly exitTimeMs: number }[],
    nowMs: number,
  ): number {
    const day = Math.floor(nowMs / DAY_MS);
    this.day = day;
    this.dayPnl = 0;
    for (const r of records) if (Math.floor(r.exitTimeMs / DAY_MS) === day) this.dayPnl += r.pnlMicros;
    return this.dayPnl;
  }

  /** Whether a new entry may be sent at `nowMs` with `openPositions` not CLOSED. */
  check(openPositions: number, nowMs: number): EntryBlock {
    if (this.killed) return 'kill_switch';
    if (this.cfg.MAX_OPEN_POSITIONS > 0 && openPositions >= this.cfg.MAX_OPEN_POSITIONS)
      return 'max_open_positions';
    this.rollDay(nowMs);
    if (this.lossLimit > 0 && -this.dayPnl >= this.lossLimit) return 'daily_loss_limit';
    return null;
  }

  private rollDay(nowMs: number): void {
    const day = Math.floor(nowMs / DAY_MS);
    if (day > this.day) {
      this.day = day;
      this.dayPnl = 0;
    }
  }
}

/**
 * The trader's sink wrapper: the daily loss limit learns every realised P&L on its way to `sink`
 * — except of tokens adopted by reconciliation, whose cost is unknown: their payout is no profit
 * of the day (issue #8 point 2: it would defeat DAILY_LOSS_LIMIT_USDC).
 */
export function riskAwareSink(sink: TraderSink, risk: RiskLimits): TraderSink {
  return {
    onPositionEvent: (e) => sink.onPositionEvent(e),
    onPosition: (p) => sink.onPosition(p),
    onOrder: (o) => sink.onOrder(o),
    onFill: (f) => sink.onFill(f),
    onWindowResolved: (w, winner, ts) => sink.onWindowResolved(w, winner, ts),
    onPositionClosed: (p) => {
      if (p.pnlUsdc !== null && p.strategy !== RECONCILED_STRATEGY)
        risk.recordClose(p.pnlUsdc, p.exitTimeMs ?? 0);
      sink.onPositionClosed(p);
    },
  };
}
