/**
 * Reversals (design §5; issue #10: carved out of `LiveTrader`): a signal against open positions
 * of the opposite side in its window enters only when every one of them qualifies for a reversal
 * exit and all of those exits are sent; the entry then waits until each has CLOSED with reason
 * `reversal`, and is blocked (`REVERSAL_BLOCKED`, counted by reason) when one does not.
 */
import type { OrderCommand, Side, Signal, Tick } from '../core/types';
import { decideReversal } from './exits/reversal';
import type { ExitThresholds } from './exits/thresholds';
import type { OrderDesk } from './order-desk';
import type { Position } from './position';
import type { WindowState } from './position-book';
import type { TraderStats } from './trader-stats';
import type { Journal } from './trader-sink';

/** An entry waiting for reversal exits to fill. */
interface PendingReversal {
  readonly signal: Signal;
  readonly ws: WindowState;
  /** Keys of the positions whose reversal exit has not closed yet. */
  readonly waiting: Set<string>;
}

/** Pending reversals of one trader. */
export class Reversals {
  private readonly pending: PendingReversal[] = [];

  constructor(
    private readonly cfg: ExitThresholds,
    private readonly journal: Journal,
    private readonly desk: OrderDesk,
    private readonly stats: TraderStats,
  ) {}

  /** True while an entry of `side` waits for reversal exits in window `ws`. */
  waiting(ws: WindowState, side: Side): boolean {
    return this.pending.some((r) => r.ws === ws && r.signal.side === side);
  }

  /**
   * Starts the reversal of `sig` against `opposite` (its window's open positions of the other
   * side): blocked unless every one qualifies (OPEN, not held to resolution, past its exit
   * cooldown, and `decideReversal` says reverse); else each gets a reversal exit (into `out`)
   * and the entry waits for them.
   */
  start(sig: Signal, ws: WindowState, tick: Tick, opposite: readonly Position[], out: OrderCommand[]): void {
    // reversal (design §5): every open opposite position must qualify, else the entry is blocked
    for (const p of opposite) {
      const top = p.side === 'UP' ? tick.up : tick.down;
      const decision =
        p.state !== 'OPEN' || p.entryPrice === null
          ? 'blocked_in_flight'
          : p.holdToResolution
            ? 'blocked_held_to_resolution'
            : p.exitCooldownUntilMs !== null && tick.tsMs < p.exitCooldownUntilMs
              ? 'blocked_exit_cooldown'
              : decideReversal(p.entryPrice, top.bid, this.cfg);
      if (decision !== 'reverse') {
        this.block(decision, p, tick.tsMs, { signal: sig.strategy, side: sig.side, bid: top.bid });
        return;
      }
    }
    const pending: PendingReversal = { signal: sig, ws, waiting: new Set() };
    for (const p of opposite) {
      const top = p.side === 'UP' ? tick.up : tick.down;
      const fired = this.desk.fireExit(p, 'reversal', top, tick.tsMs, out, {
        signal: sig.strategy,
        note: sig.note,
      });
      if (fired === 'sent') {
        pending.waiting.add(p.key);
      } else {
        this.block('blocked_exit_not_sent', p, tick.tsMs, { signal: sig.strategy });
        return;
      }
    }
    this.pending.push(pending);
  }

  /**
   * After an exit outcome of `p` at `nowMs`: a reversal whose exits all closed with reason
   * `reversal` enters now (`enter`, with its window's last tick at `nowMs`) unless the window
   * resolved; one whose exit failed is blocked (`blocked_exit_failed`).
   */
  afterExit(p: Position, nowMs: number, enter: (sig: Signal, ws: WindowState, tick: Tick) => void): void {
    for (let i = this.pending.length - 1; i >= 0; i -= 1) {
      const r = this.pending[i]!;
      if (!r.waiting.has(p.key) || p.state === 'EXITING') continue;
      if (p.state === 'CLOSED' && p.exitReason === 'reversal') {
        r.waiting.delete(p.key);
        if (r.waiting.size > 0) continue;
        this.pending.splice(i, 1);
        this.stats.reversalsExecuted += 1;
        const tick = r.ws.lastTick;
        if (tick !== null && !r.ws.resolved) enter(r.signal, r.ws, { ...tick, tsMs: nowMs });
      } else {
        this.pending.splice(i, 1);
        this.block('blocked_exit_failed', p, nowMs, { signal: r.signal.strategy });
      }
    }
  }

  /** Journals `REVERSAL_BLOCKED` for `p` with `reason` and counts it. */
  block(reason: string, p: Position, nowMs: number, data: Record<string, unknown>): void {
    this.stats.reversalsBlocked[reason] = (this.stats.reversalsBlocked[reason] ?? 0) + 1;
    this.journal.event(p, 'REVERSAL_BLOCKED', null, nowMs, { reason, ...data });
  }
}
