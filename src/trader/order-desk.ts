/**
 * The trader's order desk: builds entry and exit commands, runs exit rounds and retries, and closes
 * positions (design §7). Part of the deterministic core: times are arguments, nothing is read.
 */
import { MICROS, notionalFloor } from '../core/money';
import type { ExitReason, OrderCommand, Tick, TopOfBook, VenueEvent } from '../core/types';
import { entryLimitPrice, exitLimitPrice, sellableShares } from '../execution/pricing';
import { assertTransition } from './position-machine';
import type { Position } from './position';
import type { TraderStats } from './trader-stats';
import type { Journal } from './trader-sink';

/** Settings the desk reads (see `.env.example`). */
export interface DeskConfig {
  readonly POSITION_SIZE_USDC: number;
  readonly ENTRY_PRICE_BUFFER: number;
  readonly EXIT_PRICE_BUFFER: number;
  readonly MIN_ORDER_NOTIONAL_USDC: number;
  readonly MAX_EXIT_ATTEMPTS: number;
  readonly MAX_EXIT_ROUNDS: number;
  readonly EXIT_RETRY_DELAY_MS: number;
  readonly POSITION_LOCK_TIMEOUT_MS: number;
}

/** Builds and tracks orders for positions. */
export class OrderDesk {
  private readonly notional: number;
  private readonly minNotional: number;
  private readonly entryBuffer: number;
  private readonly exitBuffer: number;

  /** Creates a desk. */
  constructor(
    private readonly cfg: DeskConfig,
    private readonly journal: Journal,
    private readonly stats: TraderStats,
  ) {
    this.notional = Math.round(cfg.POSITION_SIZE_USDC * 100) * 10_000;
    this.minNotional = Math.round(cfg.MIN_ORDER_NOTIONAL_USDC * MICROS);
    this.entryBuffer = Math.round(cfg.ENTRY_PRICE_BUFFER * MICROS);
    this.exitBuffer = Math.round(cfg.EXIT_PRICE_BUFFER * MICROS);
  }

  /** Sends the FOK BUY of a PENDING position at `ask + buffer` (design §7); `top.ask` must be set. */
  sendEntry(p: Position, top: TopOfBook, nowMs: number, out: OrderCommand[]): void {
    const cmd: OrderCommand = {
      clientOrderId: `${p.key}:entry`,
      positionKey: p.key,
      purpose: 'entry',
      tokenId: p.tokenId,
      window: p.window,
      side: 'BUY',
      tif: 'FOK',
      limitPrice: entryLimitPrice(top.ask ?? MICROS, this.entryBuffer, top.tickSize),
      notional: this.notional,
      createdMs: nowMs,
    };
    p.openOrderId = cmd.clientOrderId;
    this.stats.entriesSubmitted += 1;
    this.journal.orderSent(cmd);
    this.journal.position(p, nowMs);
    out.push(cmd);
  }

  /**
   * Starts an exit round for an OPEN position: OPEN → EXITING and a FOK SELL of the held shares at
   * `bid − buffer`. Returns false (position stays OPEN, held to resolution) when there is no bid
   * or the order would be below the venue minimum (`order_too_small`, design §7).
   */
  fireExit(
    p: Position,
    reason: ExitReason,
    top: TopOfBook,
    nowMs: number,
    out: OrderCommand[],
    inputs: Record<string, unknown>,
  ): boolean {
    const bid = top.bid;
    if (bid === null) return false;
    if (top.stale === true) {
      // the rule fires again on the next fresh tick; the position stays OPEN (issue #3)
      this.stats.ordersBlockedStale += 1;
      this.journal.event(p, 'ORDER_BLOCKED_STALE', null, nowMs, { reason, bid });
      return false;
    }
    if (!this.exitNotionalOk(p, bid, top.tickSize)) {
      p.holdToResolution = true;
      this.stats.orderTooSmall += 1;
      this.journal.event(p, 'ORDER_TOO_SMALL', null, nowMs, { reason, bid, shares: p.shares, ...inputs });
      return false;
    }
    p.state = assertTransition(p.state, 'EXITING', p.key);
    p.exitReason = reason;
    p.triggerBid = bid;
    p.exitingSinceMs = nowMs;
    p.exitRounds += 1;
    p.roundAttempts = 0;
    this.journal.event(p, 'EXIT_FIRED', 'OPEN', nowMs, {
      reason,
      bid,
      entryPrice: p.entryPrice,
      highWaterMark: p.highWaterMark,
      round: p.exitRounds,
      ...inputs,
    });
    this.sendExit(p, bid, top.tickSize, nowMs, out);
    return true;
  }

  /** Sends the next attempt of an EXITING position's round when it is due and a bid exists. */
  retryIfDue(p: Position, top: TopOfBook, nowMs: number, out: OrderCommand[]): void {
    if (p.retryAtMs === null || nowMs < p.retryAtMs || top.bid === null || p.openOrderId !== null) return;
    if (top.stale === true) {
      this.stats.ordersBlockedStale += 1;
      return;
    }
    if (!this.exitNotionalOk(p, top.bid, top.tickSize)) {
      this.stats.orderTooSmall += 1;
      this.journal.event(p, 'ORDER_TOO_SMALL', null, nowMs, { bid: top.bid, shares: p.shares });
      this.failRound(p, nowMs, true);
      return;
    }
    this.sendExit(p, top.bid, top.tickSize, nowMs, out);
  }

  /**
   * Applies an entry order's outcome: filled → OPEN with the average price, the shares held (net
   * of the fee taken in shares) and the HWM at entry; exit rules then run from the tick after
   * `lastTickSeq`. Killed/rejected → CLOSED without a trade (returns `failed`). Unknown → stays
   * PENDING with the order in flight.
   */
  onEntryOutcome(
    p: Position,
    ev: VenueEvent,
    nowMs: number,
    lastTickSeq: number,
  ): 'filled' | 'failed' | 'unknown' {
    this.journal.orderOutcome(ev, nowMs);
    if (ev.kind === 'unknown') {
      this.stats.entriesUnknown += 1;
      this.journal.event(p, 'ENTRY_UNKNOWN', null, nowMs, { reason: ev.reason });
      return 'unknown';
    }
    p.openOrderId = null;
    if (ev.kind === 'filled') {
      p.state = assertTransition(p.state, 'OPEN', p.key);
      p.entryTimeMs = ev.tsMs;
      p.costUsdc = ev.notional;
      p.entryFeeUsdc = ev.feeUsdc;
      p.shares = ev.shares - ev.feeShares;
      p.entryPrice = Math.round((ev.notional * MICROS) / ev.shares);
      p.highWaterMark = p.entryPrice;
      p.fillTickSeq = lastTickSeq;
      this.stats.entriesFilled += 1;
      this.journal.event(p, 'OPENED', 'PENDING', nowMs, {
        entryPrice: p.entryPrice,
        shares: p.shares,
        fee: ev.feeUsdc,
      });
      this.journal.position(p, nowMs);
      return 'filled';
    }
    p.state = assertTransition(p.state, 'CLOSED', p.key);
    if (ev.kind === 'killed') this.stats.entriesKilled += 1;
    else this.stats.entriesRejected += 1;
    this.journal.event(p, 'ENTRY_FAILED', 'PENDING', nowMs, { kind: ev.kind, reason: ev.reason });
    this.journal.position(p, nowMs);
    return 'failed';
  }

  /**
   * Flags a position EXITING for longer than `POSITION_LOCK_TIMEOUT_MS` with an order unanswered
   * (design §7): journaled once as `LOCK_TIMEOUT` and counted; reconciliation resolves it (issue #4).
   */
  checkLockTimeout(p: Position, nowMs: number): void {
    if (p.openOrderId === null || p.exitingSinceMs === null || p.lockTimedOut) return;
    if (nowMs - p.exitingSinceMs <= this.cfg.POSITION_LOCK_TIMEOUT_MS) return;
    p.lockTimedOut = true;
    this.stats.lockTimeouts += 1;
    this.journal.event(p, 'LOCK_TIMEOUT', null, nowMs, {
      orderId: p.openOrderId,
      exitingSinceMs: p.exitingSinceMs,
    });
  }

  /** Applies an exit order's outcome (design §7 retries); `lastTick` is the window's latest tick. */
  onExitOutcome(
    p: Position,
    ev: VenueEvent,
    nowMs: number,
    lastTick: Tick | null,
    out: OrderCommand[],
  ): void {
    this.journal.orderOutcome(ev, nowMs);
    if (ev.kind === 'unknown') {
      // never re-sent blindly: the order stays in flight until the venue or reconciliation answers
      this.stats.exitsUnknown += 1;
      this.journal.event(p, 'EXIT_UNKNOWN', null, nowMs, { orderId: ev.clientOrderId, reason: ev.reason });
      return;
    }
    p.openOrderId = null;
    if (ev.kind === 'filled') {
      this.stats.exitsFilled += 1;
      p.dustShares = p.shares - ev.shares;
      this.close(p, {
        exitTimeMs: ev.tsMs,
        exitPrice: Math.round((ev.notional * MICROS) / ev.shares),
        proceeds: ev.notional,
        fee: ev.feeUsdc,
        nowMs,
      });
      return;
    }
    if (ev.kind === 'killed') this.stats.exitsKilled += 1;
    else this.stats.exitsRejected += 1;
    this.journal.event(p, 'EXIT_FAILED', null, nowMs, {
      kind: ev.kind,
      reason: ev.reason,
      attempt: p.roundAttempts,
    });
    if (p.roundAttempts < this.cfg.MAX_EXIT_ATTEMPTS) {
      p.retryAtMs = nowMs + this.cfg.EXIT_RETRY_DELAY_MS;
      const top = lastTick === null ? null : p.side === 'UP' ? lastTick.up : lastTick.down;
      if (this.cfg.EXIT_RETRY_DELAY_MS === 0 && top !== null) this.retryIfDue(p, top, nowMs, out);
      return;
    }
    this.failRound(p, nowMs, false);
  }

  /** Closes a position at the window's resolution: payout per share in micro-USDC (1e6 or 0). */
  settle(p: Position, payout: number, endMs: number, nowMs: number): void {
    if (p.state === 'PENDING') return;
    p.retryAtMs = null;
    p.exitReason = 'window_expiry';
    p.triggerBid = null;
    this.close(p, {
      exitTimeMs: endMs,
      exitPrice: payout,
      proceeds: notionalFloor(p.shares, payout),
      fee: 0,
      nowMs,
    });
  }

  /**
   * Closes a position reconciliation found without tokens (design §9): reason `manual`, proceeds
   * and exit price 0 (what the venue paid, if anything, is not known to the trader).
   */
  closeReconciled(p: Position, nowMs: number): void {
    p.openOrderId = null;
    p.retryAtMs = null;
    p.exitReason = 'manual';
    p.triggerBid = null;
    this.close(p, { exitTimeMs: nowMs, exitPrice: 0, proceeds: 0, fee: 0, nowMs });
  }

  private exitNotionalOk(p: Position, bid: number, tick: number): boolean {
    const limit = exitLimitPrice(bid, this.exitBuffer, tick);
    const shares = sellableShares(p.shares);
    return shares > 0 && notionalFloor(shares, limit) >= this.minNotional;
  }

  private sendExit(p: Position, bid: number, tick: number, nowMs: number, out: OrderCommand[]): void {
    p.roundAttempts += 1;
    p.exitAttempts += 1;
    p.retryAtMs = null;
    const cmd: OrderCommand = {
      clientOrderId: `${p.key}:exit:${p.exitRounds}.${p.roundAttempts}`,
      positionKey: p.key,
      purpose: 'exit',
      tokenId: p.tokenId,
      window: p.window,
      side: 'SELL',
      tif: 'FOK',
      limitPrice: exitLimitPrice(bid, this.exitBuffer, tick),
      shares: sellableShares(p.shares),
      createdMs: nowMs,
    };
    p.openOrderId = cmd.clientOrderId;
    this.stats.exitOrders += 1;
    this.journal.orderSent(cmd);
    // the snapshot goes with the order (write-ahead in live): a restart must find it EXITING
    this.journal.position(p, nowMs);
    out.push(cmd);
  }

  /** Ends a failed round: back to OPEN, or held to resolution and flagged for reconciliation. */
  private failRound(p: Position, nowMs: number, tooSmall: boolean): void {
    this.stats.exitRoundsFailed += 1;
    p.retryAtMs = null;
    p.state = assertTransition(p.state, 'OPEN', p.key);
    const reason = p.exitReason;
    p.exitReason = null;
    p.triggerBid = null;
    p.exitingSinceMs = null;
    if (tooSmall || p.exitRounds >= this.cfg.MAX_EXIT_ROUNDS) {
      p.holdToResolution = true;
      if (!tooSmall) this.stats.reconcileRequired += 1;
      this.journal.event(p, tooSmall ? 'HOLD_TO_RESOLUTION' : 'RECONCILE_REQUIRED', 'EXITING', nowMs, {
        reason,
        rounds: p.exitRounds,
        shares: p.shares,
      });
    } else {
      this.journal.event(p, 'EXIT_ROUND_FAILED', 'EXITING', nowMs, { reason, rounds: p.exitRounds });
    }
    this.journal.position(p, nowMs);
  }

  private close(
    p: Position,
    c: { exitTimeMs: number; exitPrice: number; proceeds: number; fee: number; nowMs: number },
  ): void {
    const from = p.state;
    p.state = assertTransition(p.state, 'CLOSED', p.key);
    p.exitTimeMs = c.exitTimeMs;
    p.exitPrice = c.exitPrice;
    p.proceedsUsdc = c.proceeds;
    p.exitFeeUsdc = c.fee;
    p.pnlUsdc = c.proceeds - c.fee - p.costUsdc;
    this.journal.event(p, 'CLOSED', from, c.nowMs, {
      reason: p.exitReason,
      exitPrice: c.exitPrice,
      proceeds: c.proceeds,
      fee: c.fee,
      pnl: p.pnlUsdc,
      dustShares: p.dustShares,
    });
    this.journal.position(p, c.nowMs);
    this.journal.sink.onPositionClosed(p);
  }
}
