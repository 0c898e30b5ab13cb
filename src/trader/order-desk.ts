/**
 * The trader's order desk: builds entry and exit commands, runs exit rounds and retries, and closes
 * positions (design §7). Part of the deterministic core: times are arguments, nothing is read.
 *
 * Exits never switch off (issue #8 points 3, 5):
 * - a failure whose `cause` is `venue_unavailable`, `rate_limited` or `settlement_pending` uses no
 *   attempt and no round: the position stays EXITING and the next attempt of the round is sent
 *   after a back-off (VENUE_BACKOFF_MS, ×2 per failure, at most VENUE_BACKOFF_MAX_MS), repriced
 *   from the book; `account_setup` waits the longest back-off (the runtime stops the trader);
 * - `market` failures use attempts and rounds; after MAX_EXIT_ROUNDS failed rounds the position
 *   is flagged `RECONCILE_REQUIRED` (once) and stays OPEN with its rules armed, each later round
 *   starting no sooner than EXIT_COOLDOWN_MS after the previous one failed (`EXIT_COOLDOWN`);
 * - an exit below the venue minimum keeps the position OPEN with its rules armed; `ORDER_TOO_SMALL`
 *   is journaled when the position becomes too small to sell, not on every tick.
 */
import { MICROS, notionalFloor } from '../core/money';
import type { ExitReason, FailureCause, OrderCommand, Tick, TopOfBook, VenueEvent } from '../core/types';
import { entryLimitPrice, exitLimitPrice, sellableShares } from '../execution/pricing';
import { applyEntryOutcome, checkLockTimeout, type EntryOutcome } from './entry-outcome';
import { assertTransition } from './position-machine';
import { partialTotals, type Position } from './position';
import { applyPartialFill, failPartialRound } from './partial-exits';
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
  readonly VENUE_BACKOFF_MS: number;
  readonly VENUE_BACKOFF_MAX_MS: number;
  readonly EXIT_COOLDOWN_MS: number;
}

/**
 * What `fireExit` did: `sent` (the round started), or why not: no bid, a stale book, below the
 * venue minimum, or the cooldown after exhausted rounds is running.
 */
export type FireResult = 'sent' | 'no_bid' | 'stale' | 'too_small' | 'cooldown';

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

  /** Notional of each entry (POSITION_SIZE_USDC), micro-USDC. */
  get entryNotional(): number {
    return this.notional;
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
    p.orderSentMs = nowMs;
    this.stats.entriesSubmitted += 1;
    this.journal.orderSent(cmd);
    this.journal.position(p, nowMs);
    out.push(cmd);
  }

  /**
   * Starts an exit round for an OPEN position: OPEN → EXITING and a FOK SELL of the held shares at
   * `bid − buffer` (design §7). Otherwise the position stays OPEN with its rules armed and the
   * result says why: no bid, a stale book (issue #3), below the venue minimum (`ORDER_TOO_SMALL`
   * journaled when the position becomes too small, issue #8 point 5), or the cooldown after
   * exhausted rounds (issue #8 point 3).
   */
  fireExit(
    p: Position,
    reason: ExitReason,
    top: TopOfBook,
    nowMs: number,
    out: OrderCommand[],
    inputs: Record<string, unknown>,
    partShares: number | null = null,
  ): FireResult {
    if (p.exitCooldownUntilMs !== null && nowMs < p.exitCooldownUntilMs) return 'cooldown';
    const bid = top.bid;
    if (bid === null) return 'no_bid';
    if (top.stale === true) {
      // the rule fires again on the next fresh tick; the position stays OPEN (issue #3)
      this.stats.ordersBlockedStale += 1;
      this.journal.event(p, 'ORDER_BLOCKED_STALE', null, nowMs, { reason, bid });
      return 'stale';
    }
    if (!this.exitNotionalOk(partShares ?? p.shares, bid, top.tickSize)) {
      this.markTooSmall(p, nowMs, { reason, bid, ...inputs });
      return 'too_small';
    }
    p.exitTooSmall = false;
    p.exitPartShares = partShares;
    p.state = assertTransition(p.state, 'EXITING', p.key);
    p.exitReason = reason;
    p.triggerBid = bid;
    p.exitingSinceMs = nowMs;
    p.exitRounds += 1;
    p.roundAttempts = 0;
    p.roundFailures = 0;
    p.venueBackoffMs = 0;
    this.journal.event(p, 'EXIT_FIRED', 'OPEN', nowMs, {
      reason,
      bid,
      entryPrice: p.entryPrice,
      highWaterMark: p.highWaterMark,
      round: p.exitRounds,
      ...(partShares === null ? {} : { partShares }),
      ...inputs,
    });
    this.sendExit(p, bid, top.tickSize, nowMs, out);
    return 'sent';
  }

  /**
   * Sends the next attempt of an EXITING position's round when it is due and a bid exists. Below
   * the venue minimum the round ends (back to OPEN, rules armed; issue #8 point 5).
   */
  retryIfDue(p: Position, top: TopOfBook, nowMs: number, out: OrderCommand[]): void {
    if (p.retryAtMs === null || nowMs < p.retryAtMs || top.bid === null || p.openOrderId !== null) return;
    if (top.stale === true) {
      this.stats.ordersBlockedStale += 1;
      return;
    }
    if (!this.exitNotionalOk(p.exitPartShares ?? p.shares, top.bid, top.tickSize)) {
      this.markTooSmall(p, nowMs, { reason: p.exitReason, bid: top.bid });
      this.failRound(p, nowMs, 'too_small');
      return;
    }
    this.sendExit(p, top.bid, top.tickSize, nowMs, out);
  }

  /** See {@link applyEntryOutcome} (design §7). */
  onEntryOutcome(p: Position, ev: VenueEvent, nowMs: number, lastTickSeq: number): EntryOutcome {
    return applyEntryOutcome(this.journal, this.stats, p, ev, nowMs, lastTickSeq);
  }

  /** See {@link checkLockTimeout} (POSITION_LOCK_TIMEOUT_MS; design §7, issue #8 point 6). */
  checkLockTimeout(p: Position, nowMs: number): boolean {
    return checkLockTimeout(this.journal, this.stats, p, nowMs, this.cfg.POSITION_LOCK_TIMEOUT_MS);
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
    p.orderSentMs = null;
    p.lockTimedOut = false;
    if (ev.kind === 'filled') {
      this.stats.exitsFilled += 1;
      if (p.exitPartShares !== null && ev.shares < p.shares) {
        applyPartialFill(this.journal, p, ev, nowMs);
        return;
      }
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
    const cause: FailureCause = ev.cause ?? 'market';
    if (cause !== 'market') {
      this.deferExit(p, ev.kind, ev.reason, cause, nowMs);
      return;
    }
    p.roundFailures += 1;
    p.venueBackoffMs = 0;
    this.journal.event(p, 'EXIT_FAILED', null, nowMs, {
      kind: ev.kind,
      reason: ev.reason,
      cause,
      attempt: p.roundAttempts,
      failures: p.roundFailures,
    });
    if (p.roundFailures < this.cfg.MAX_EXIT_ATTEMPTS) {
      p.retryAtMs = nowMs + this.cfg.EXIT_RETRY_DELAY_MS;
      const top = lastTick === null ? null : p.side === 'UP' ? lastTick.up : lastTick.down;
      if (this.cfg.EXIT_RETRY_DELAY_MS === 0 && top !== null) this.retryIfDue(p, top, nowMs, out);
      return;
    }
    this.failRound(p, nowMs, 'market');
  }

  /**
   * A venue-side failure (issue #8 point 3): no attempt or round is used; the position stays
   * EXITING and the round's next attempt is due after the back-off (VENUE_BACKOFF_MS doubling up
   * to VENUE_BACKOFF_MAX_MS; `account_setup` waits the maximum). Journaled `EXIT_FAILED` with the
   * cause and the back-off, counted in `exitsDeferred`.
   */
  private deferExit(p: Position, kind: string, reason: string, cause: FailureCause, nowMs: number): void {
    const max = this.cfg.VENUE_BACKOFF_MAX_MS;
    p.venueBackoffMs =
      cause === 'account_setup'
        ? max
        : p.venueBackoffMs === 0
          ? Math.min(this.cfg.VENUE_BACKOFF_MS, max)
          : Math.min(p.venueBackoffMs * 2, max);
    p.retryAtMs = nowMs + p.venueBackoffMs;
    this.stats.exitsDeferred += 1;
    this.journal.event(p, 'EXIT_FAILED', null, nowMs, {
      kind,
      reason,
      cause,
      attempt: p.roundAttempts,
      failures: p.roundFailures,
      backoffMs: p.venueBackoffMs,
      retryAtMs: p.retryAtMs,
    });
  }

  /** Journals `ORDER_TOO_SMALL` and counts it when the position becomes too small to sell. */
  private markTooSmall(p: Position, nowMs: number, data: Record<string, unknown>): void {
    if (p.exitTooSmall) return;
    p.exitTooSmall = true;
    this.stats.orderTooSmall += 1;
    this.journal.event(p, 'ORDER_TOO_SMALL', null, nowMs, {
      ...data,
      shares: p.shares,
      minNotional: this.minNotional,
    });
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
    p.orderSentMs = null;
    p.retryAtMs = null;
    p.exitReason = 'manual';
    p.triggerBid = null;
    this.close(p, { exitTimeMs: nowMs, exitPrice: 0, proceeds: 0, fee: 0, nowMs });
  }

  private exitNotionalOk(sharesToSell: number, bid: number, tick: number): boolean {
    const limit = exitLimitPrice(bid, this.exitBuffer, tick);
    const shares = sellableShares(sharesToSell);
    return shares > 0 && notionalFloor(shares, limit) >= this.minNotional;
  }

  private sendExit(p: Position, bid: number, tick: number, nowMs: number, out: OrderCommand[]): void {
    p.roundAttempts += 1;
    p.exitAttempts += 1;
    p.retryAtMs = null;
    p.orderSentMs = nowMs;
    const cmd: OrderCommand = {
      clientOrderId: `${p.key}:exit:${p.exitRounds}.${p.roundAttempts}`,
      positionKey: p.key,
      purpose: 'exit',
      tokenId: p.tokenId,
      window: p.window,
      side: 'SELL',
      tif: 'FOK',
      limitPrice: exitLimitPrice(bid, this.exitBuffer, tick),
      shares: sellableShares(p.exitPartShares ?? p.shares),
      createdMs: nowMs,
    };
    p.openOrderId = cmd.clientOrderId;
    this.stats.exitOrders += 1;
    this.journal.orderSent(cmd);
    // the snapshot goes with the order (write-ahead in live): a restart must find it EXITING
    this.journal.position(p, nowMs);
    out.push(cmd);
  }

  /**
   * Ends a failed round: back to OPEN with the exit rules armed (the next firing starts a new
   * round). A round the market failed counts; from the MAX_EXIT_ROUNDS-th on, the position is
   * flagged `RECONCILE_REQUIRED` (once, counted) and the next round waits EXIT_COOLDOWN_MS
   * (`EXIT_COOLDOWN`, issue #8 point 3). A round ended by a too-small sale does not count.
   */
  private failRound(p: Position, nowMs: number, why: 'market' | 'too_small'): void {
    this.stats.exitRoundsFailed += 1;
    if (p.exitPartShares !== null) {
      failPartialRound(this.journal, p, nowMs, why, this.cfg.MAX_EXIT_ATTEMPTS);
      return;
    }
    p.retryAtMs = null;
    p.venueBackoffMs = 0;
    p.roundFailures = 0;
    p.state = assertTransition(p.state, 'OPEN', p.key);
    const reason = p.exitReason;
    p.exitReason = null;
    p.triggerBid = null;
    p.exitingSinceMs = null;
    if (why === 'market') p.failedRounds += 1;
    this.journal.event(p, 'EXIT_ROUND_FAILED', 'EXITING', nowMs, {
      reason,
      rounds: p.exitRounds,
      failedRounds: p.failedRounds,
      ...(why === 'too_small' ? { tooSmall: true } : {}),
    });
    if (why === 'market' && p.failedRounds >= this.cfg.MAX_EXIT_ROUNDS) {
      // flagged once: failed rounds count up by one, so they reach the limit exactly once
      if (p.failedRounds === this.cfg.MAX_EXIT_ROUNDS) {
        this.stats.reconcileRequired += 1;
        this.journal.event(p, 'RECONCILE_REQUIRED', null, nowMs, {
          reason,
          rounds: p.failedRounds,
          shares: p.shares,
        });
      }
      p.exitCooldownUntilMs = nowMs + this.cfg.EXIT_COOLDOWN_MS;
      this.stats.exitCooldowns += 1;
      this.journal.event(p, 'EXIT_COOLDOWN', null, nowMs, {
        reason,
        failedRounds: p.failedRounds,
        cooldownMs: this.cfg.EXIT_COOLDOWN_MS,
        untilMs: p.exitCooldownUntilMs,
      });
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
    p.exitPartShares = null;
    // partial exits filled earlier (issue #12) count in the position's totals
    const partial = partialTotals(p);
    p.proceedsUsdc = c.proceeds + partial.proceeds;
    p.exitFeeUsdc = c.fee + partial.fee;
    p.pnlUsdc = p.proceedsUsdc - p.exitFeeUsdc - p.costUsdc;
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
