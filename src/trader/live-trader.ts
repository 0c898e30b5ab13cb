/**
 * The LiveTrader: owns every position through PENDING → OPEN → EXITING → CLOSED (design §1–7).
 * Deterministic core: a function of ticks, venue events and their timestamps; no clock reads,
 * no I/O. Commands go out as return values, venue outcomes come back through `onVenueEvent`.
 * Per tick (design §5, issue #2): first due window expiries, then the window's open positions
 * (exit rules in order, exit retries, lock timeouts), then strategy signals (reversal rules, then
 * entries). While flatten is on (issue #8 point 13) every OPEN position of the window is sold
 * instead (reason `manual`) and no signal is acted on.
 */
import { InvariantError } from '../core/errors';
import { positionKey, positionKeyOfClientOrderId, positionKeySeq, windowKey } from '../core/ids';
import { MICROS } from '../core/money';
import type {
  FailureCause,
  OrderCommand,
  Side,
  Signal,
  Tick,
  TopOfBook,
  VenueEvent,
  WindowRef,
} from '../core/types';
import { windowEndMs } from '../core/types';
import type { Strategy } from '../strategy/strategy';
import { newPosition, type Position } from './position';
import { runExitRules } from './exit-rules';
import { decideReversal } from './exits/reversal';
import type { ExitThresholds } from './exits/thresholds';
import { payoutFor, winnerFromLastTick } from './exits/window-expiry';
import { newTraderStats, type TraderStats } from './trader-stats';
import { Journal, NULL_SINK, type TraderSink } from './trader-sink';
import { OrderDesk, type DeskConfig } from './order-desk';
import { RiskLimits, type RiskLimitConfig } from './risk-limits';

/** Settings the trader reads (a subset of `Config`, units as in `.env.example`). */
export interface TraderConfig extends ExitThresholds, DeskConfig, RiskLimitConfig {
  readonly EXIT_BEFORE_END_MS: number;
}

/** Strategy name of positions adopted from the chain by reconciliation (issue #4). */
export const RECONCILED_STRATEGY = 'reconciled';

/** Per-window state. */
interface WindowState {
  readonly window: WindowRef;
  readonly key: string;
  readonly endMs: number;
  lastTick: Tick | null;
  readonly positions: Position[];
  /** Entries per strategy in this window. */
  readonly entries: Map<string, number>;
  /** Highest position-key number used per strategy (never decremented: keys and order ids stay unique). */
  readonly keySeq: Map<string, number>;
  resolved: boolean;
  /** The winner read from the chain (live), which takes precedence over the last tick's. */
  chainWinner: Side | null;
}

/** An entry waiting for reversal exits to fill. */
interface PendingReversal {
  readonly signal: Signal;
  readonly ws: WindowState;
  readonly waiting: Set<string>;
}

/** The trader. */
export class LiveTrader {
  /** Counters (read-only for callers). */
  readonly stats: TraderStats = newTraderStats();
  private readonly windows = new Map<string, WindowState>();
  /** Resolved windows by key → end time (pruned after a day), to drop their late ticks. */
  private readonly resolvedKeys = new Map<string, number>();
  private readonly byKey = new Map<string, Position>();
  private readonly reversals: PendingReversal[] = [];
  private readonly desk: OrderDesk;
  private lastTickSeq = 0;
  private nextExpiryMs = Number.POSITIVE_INFINITY;
  /** The window of the previous tick (ticks of one window usually come in runs). */
  private lastWs: WindowState | null = null;
  private readonly journal: Journal;
  /** Entry limits and the kill switch (issue #4). */
  readonly risk: RiskLimits;
  /** Flatten mode (issue #8 point 13): every OPEN position is sold, no new entry. */
  private flattening = false;

  /**
   * Creates a trader; `sink` receives journal rows and snapshots (default: discarded);
   * `journalSeqStart` is the run's highest stored journal seq when a live trader resumes its run.
   */
  constructor(
    private readonly cfg: TraderConfig,
    private readonly strategies: readonly Strategy[],
    sink: TraderSink = NULL_SINK,
    journalSeqStart = 0,
  ) {
    this.risk = new RiskLimits(cfg);
    // the daily loss limit learns every realised P&L on its way to the sink
    this.journal = new Journal(
      {
        onPositionEvent: (e) => sink.onPositionEvent(e),
        onPosition: (p) => sink.onPosition(p),
        onOrder: (o) => sink.onOrder(o),
        onFill: (f) => sink.onFill(f),
        onWindowResolved: (w, winner, ts) => sink.onWindowResolved(w, winner, ts),
        onPositionClosed: (p) => {
          // tokens adopted by reconciliation have no known cost: their payout is no profit of
          // the day (issue #8 point 2: it would defeat DAILY_LOSS_LIMIT_USDC)
          if (p.pnlUsdc !== null && p.strategy !== RECONCILED_STRATEGY)
            this.risk.recordClose(p.pnlUsdc, p.exitTimeMs ?? 0);
          sink.onPositionClosed(p);
        },
      },
      journalSeqStart,
    );
    this.desk = new OrderDesk(cfg, this.journal, this.stats);
  }

  /**
   * Takes over a position restored from the database by a restarted live trader (issue #4):
   * registers it in its window (entries per strategy count it) and, when `inFlight` is given,
   * the order whose outcome the earlier process never saw (it arrives through
   * `onVenueEvent` once the venue is queried). Journals `RESTORED`.
   * @throws {InvariantError} for a CLOSED position or a key already held.
   */
  restore(p: Position, inFlight: OrderCommand | null, nowMs: number): void {
    if (p.state === 'CLOSED' || this.byKey.has(p.key))
      throw new InvariantError(`restore: ${p.key} is ${p.state === 'CLOSED' ? 'closed' : 'already held'}`);
    this.register(this.windowState(p.window, windowKey(p.window)), p);
    this.reserveKey(p.key, p.strategy, p.window);
    if (inFlight !== null) {
      p.openOrderId = inFlight.clientOrderId;
      p.orderSentMs = inFlight.createdMs;
      this.journal.adoptSent(inFlight);
    } else if (p.state === 'EXITING') {
      // the round's last answer came before the restart: its next attempt is due now
      p.retryAtMs = nowMs;
    }
    this.journal.event(p, 'RESTORED', null, nowMs, {
      state: p.state,
      shares: p.shares,
      orderInFlight: p.openOrderId,
    });
  }

  /**
   * Marks a position key of the run as used (a live restart: keys of positions closed before it),
   * so that a new position never takes it again.
   */
  reserveKey(key: string, strategy: string, window: WindowRef): void {
    const n = positionKeySeq(key, strategy, window);
    if (n === null) return;
    const ws = this.windowState(window, windowKey(window));
    if (n > (ws.keySeq.get(strategy) ?? 0)) ws.keySeq.set(strategy, n);
  }

  /** Journals an audit row about `positionKey` (a held position or not), e.g. `RECONCILED`. */
  audit(positionKey: string, type: string, nowMs: number, data: Record<string, unknown>): void {
    this.journal.eventByKey(positionKey, type, nowMs, data);
  }

  /**
   * Reconciliation adopted the chain's size for a position (design §9): sets `shares`
   * (micro-shares) and journals `RECONCILED` with `audit`. Returns false for an unknown key.
   */
  reconcileShares(key: string, shares: number, nowMs: number, audit: Record<string, unknown>): boolean {
    const p = this.byKey.get(key);
    if (p === undefined || p.state === 'CLOSED') return false;
    const before = p.shares;
    p.shares = shares;
    this.journal.event(p, 'RECONCILED', p.state, nowMs, {
      ...audit,
      sharesBefore: before,
      sharesAfter: shares,
    });
    this.journal.position(p, nowMs);
    return true;
  }

  /**
   * Reconciliation found no tokens behind a position (design §9): CLOSED with exit reason
   * `manual`, proceeds 0 (unknown to the trader; the collateral is wherever the venue put it),
   * journaled `RECONCILED` then `CLOSED`. Returns false for an unknown key.
   */
  reconcileClose(key: string, nowMs: number, audit: Record<string, unknown>): boolean {
    const p = this.byKey.get(key);
    if (p === undefined || p.state === 'CLOSED') return false;
    this.journal.event(p, 'RECONCILED', p.state, nowMs, audit);
    if (p.state === 'PENDING') {
      // an entry that bought nothing: it ends as a failed entry, never as a trade
      this.onEntryOutcome(
        p,
        {
          kind: 'rejected',
          clientOrderId: p.openOrderId ?? `${p.key}:entry`,
          tsMs: nowMs,
          reason: 'reconciled: no tokens on chain for the unanswered entry',
        },
        nowMs,
      );
    } else {
      this.desk.closeReconciled(p, nowMs);
      this.afterExitOutcome(p, nowMs, []);
    }
    this.resolveIfEnded(p.window, nowMs, []);
    return true;
  }

  /**
   * A PENDING entry whose order the venue never answered, confirmed by the chain (issue #8
   * point 6): OPEN with `shares` (micro-shares, the chain balance the entry added), cost the
   * entry's full notional (a FOK BUY spends at most it: the P&L errs on the side of a loss), no
   * fee. Journals `RECONCILED` then `OPENED`. Returns false unless `key` is PENDING.
   */
  confirmEntry(key: string, shares: number, nowMs: number, audit: Record<string, unknown>): boolean {
    const p = this.byKey.get(key);
    if (p === undefined || p.state !== 'PENDING' || shares <= 0) return false;
    this.journal.event(p, 'RECONCILED', p.state, nowMs, { ...audit, shares });
    this.onEntryOutcome(
      p,
      {
        kind: 'filled',
        clientOrderId: p.openOrderId ?? `${p.key}:entry`,
        tsMs: nowMs,
        fills: [],
        shares,
        notional: this.desk.entryNotional,
        feeUsdc: 0,
        feeShares: 0,
      },
      nowMs,
    );
    return true;
  }

  /**
   * Flags every PENDING or EXITING position whose order has been unanswered longer than
   * POSITION_LOCK_TIMEOUT_MS (design §7, issue #8 point 6; ticks do this for their window, this
   * covers windows without ticks). Returns how many were flagged now.
   */
  checkLockTimeouts(nowMs: number): number {
    let n = 0;
    for (const p of this.byKey.values()) if (this.desk.checkLockTimeout(p, nowMs)) n += 1;
    return n;
  }

  /**
   * Reconciliation found tokens no position explains (design §9): adopts them as an OPEN
   * position of strategy `reconciled`, held to resolution (its entry price is unknown, so no exit
   * rule runs), journaled `RECONCILED`. Returns the new position.
   */
  adoptPosition(
    window: WindowRef,
    side: Side,
    tokenId: string,
    shares: number,
    nowMs: number,
    audit: Record<string, unknown>,
  ): Position {
    const ws = this.windowState(window, windowKey(window));
    const p = newPosition(
      this.nextKey(ws, RECONCILED_STRATEGY),
      RECONCILED_STRATEGY,
      window,
      side,
      tokenId,
      nowMs,
    );
    p.state = 'OPEN';
    p.shares = shares;
    p.entryTimeMs = nowMs;
    p.holdToResolution = true;
    p.fillTickSeq = 0;
    this.register(ws, p);
    this.journal.event(p, 'RECONCILED', 'PENDING', nowMs, audit);
    this.journal.position(p, nowMs);
    return p;
  }

  /**
   * Resolves a window from its on-chain payout (live, when no tick of the window arrived to
   * settle it, e.g. positions restored after its end): closes its positions at `winner`.
   */
  resolveFromChain(window: WindowRef, winner: Side, nowMs: number): OrderCommand[] {
    const out: OrderCommand[] = [];
    const ws = this.windows.get(windowKey(window));
    if (ws === undefined) return out;
    ws.chainWinner = winner;
    this.resolveWindow(ws, Math.max(nowMs, ws.endMs), out);
    return out;
  }

  /**
   * Records what redeeming paid for a position closed at resolution (issue #4): proceeds
   * (micro-USDC) replace the predicted payout, P&L is recomputed, `REDEEMED` is journaled with
   * `data` (tx hash, block) and the snapshot re-emitted. The daily loss limit learns the difference.
   */
  recordPayout(p: Position, proceeds: number, nowMs: number, data: Record<string, unknown>): void {
    const before = p.pnlUsdc ?? 0;
    p.proceedsUsdc = proceeds;
    p.exitPrice = p.shares > 0 ? Math.round((proceeds * MICROS) / p.shares) : p.exitPrice;
    p.pnlUsdc = proceeds - (p.exitFeeUsdc ?? 0) - p.costUsdc;
    if (p.pnlUsdc !== before && p.strategy !== RECONCILED_STRATEGY)
      this.risk.recordClose(p.pnlUsdc - before, nowMs);
    this.journal.event(p, 'REDEEMED', null, nowMs, { ...data, proceeds, pnl: p.pnlUsdc });
    this.journal.position(p, nowMs);
  }

  /**
   * Returns a position by key, or `undefined`. Positions of resolved windows are forgotten (their
   * trades went to the sink), so memory stays flat over long replays.
   */
  position(key: string): Position | undefined {
    return this.byKey.get(key);
  }

  /**
   * Turns flatten on (the kill switch's flatten; issue #8 point 13): same as `setFlatten(true)`.
   * Returns the exits it sends now; later ticks keep selling until every position is CLOSED.
   */
  flattenAll(nowMs: number): OrderCommand[] {
    return this.setFlatten(true, nowMs);
  }

  /**
   * Flatten mode (issue #8 point 13). While on, every tick sells each OPEN position of its window
   * (reason `manual`, held-to-resolution ones too): positions whose entry fills later, positions
   * back to OPEN after a failed round, positions past their cooldown, until each is CLOSED; a
   * position that cannot be sold is journaled `FLATTEN_HELD` with the reason (`no_bid`, `stale`,
   * `too_small`, `cooldown`) when the reason changes. No signal is acted on (entries blocked as
   * `flatten`). Turning it on with `nowMs` (ms) also sells every OPEN position now, priced from
   * its window's latest tick, and returns those commands (without `nowMs`: from the next tick).
   */
  setFlatten(on: boolean, nowMs?: number): OrderCommand[] {
    const out: OrderCommand[] = [];
    this.flattening = on;
    for (const p of this.byKey.values()) {
      if (!on) {
        p.flattenHeld = null;
        continue;
      }
      if (p.state !== 'OPEN' || nowMs === undefined) continue;
      const tick = this.lastTickOf(p);
      if (tick === null) this.noteFlattenHeld(p, 'no_bid', nowMs, null);
      else this.flattenOne(p, p.side === 'UP' ? tick.up : tick.down, nowMs, out);
    }
    return out;
  }

  /** True while flatten is on. */
  get flattenOn(): boolean {
    return this.flattening;
  }

  private get openCount(): number {
    let n = 0;
    for (const p of this.byKey.values()) if (p.state !== 'CLOSED') n += 1;
    return n;
  }

  /** Returns the positions not yet CLOSED. */
  openPositions(): Position[] {
    return [...this.byKey.values()].filter((p) => p.state !== 'CLOSED');
  }

  /**
   * Consumes a tick and returns the order commands it caused.
   * @throws {InvariantError} only on a bug (an invalid state transition).
   */
  onTick(tick: Tick): OrderCommand[] {
    const out: OrderCommand[] = [];
    const now = tick.tsMs;
    this.lastTickSeq = tick.seq;
    this.stats.ticks += 1;
    if (now >= this.nextExpiryMs) this.expireWindows(now, out);
    const wk = tick.windowKey;
    let ws = this.lastWs;
    if (ws === null || ws.key !== wk || ws.resolved) {
      if (this.resolvedKeys.has(wk) || now >= windowEndMs(tick.window)) {
        this.stats.lateTicks += 1;
        return out;
      }
      ws = this.lastWs = this.windowState(tick.window, wk);
    } else if (now >= ws.endMs) {
      this.stats.lateTicks += 1;
      return out;
    }
    ws.lastTick = tick;
    for (const p of ws.positions) this.managePosition(p, tick, out);
    for (const s of this.strategies) {
      const signals = s.onTick(tick);
      for (const sig of signals) this.onSignal(sig, ws, tick, out);
    }
    return out;
  }

  /** Applies a venue outcome at `nowMs` and returns follow-up commands (e.g. a reversal entry). */
  onVenueEvent(ev: VenueEvent, nowMs: number): OrderCommand[] {
    const out: OrderCommand[] = [];
    const key = positionKeyOfClientOrderId(ev.clientOrderId);
    const p = key === null ? undefined : this.byKey.get(key);
    if (p === undefined || p.openOrderId !== ev.clientOrderId) {
      this.stats.unknownOrderEvents += 1;
      return out;
    }
    if (p.state === 'PENDING') this.onEntryOutcome(p, ev, nowMs);
    else this.desk.onExitOutcome(p, ev, nowMs, this.lastTickOf(p), out);
    this.afterExitOutcome(p, nowMs, out);
    this.resolveIfEnded(p.window, nowMs, out);
    return out;
  }

  /**
   * Records that submitting `cmd` threw before it reached the venue: a rejected order with
   * `cause` (default `market`: a failed exit attempt; `venue_unavailable` e.g. for a journal that
   * could not be written: the exit backs off without using an attempt, issue #8 point 3), a
   * rejected entry. Returns follow-up commands.
   */
  onSubmitError(cmd: OrderCommand, err: unknown, nowMs: number, cause?: FailureCause): OrderCommand[] {
    const reason = `submit_error: ${err instanceof Error ? err.message : String(err)}`;
    if (cmd.purpose === 'exit') this.stats.exitSubmitErrors += 1;
    return this.onVenueEvent(
      {
        kind: 'rejected',
        clientOrderId: cmd.clientOrderId,
        tsMs: nowMs,
        reason,
        ...(cause !== undefined ? { cause } : {}),
      },
      nowMs,
    );
  }

  /** Resolves every window still open at the end of the input (`nowMs`, ms) and returns commands. */
  finish(nowMs: number): OrderCommand[] {
    const out: OrderCommand[] = [];
    for (const ws of [...this.windows.values()]) this.resolveWindow(ws, Math.max(nowMs, ws.endMs), out);
    return out;
  }

  private windowState(w: WindowRef, wk: string): WindowState {
    let ws = this.windows.get(wk);
    if (ws === undefined) {
      ws = {
        window: w,
        key: wk,
        endMs: windowEndMs(w),
        lastTick: null,
        positions: [],
        entries: new Map(),
        keySeq: new Map(),
        resolved: false,
        chainWinner: null,
      };
      this.windows.set(wk, ws);
      if (ws.endMs < this.nextExpiryMs) this.nextExpiryMs = ws.endMs;
    }
    return ws;
  }

  /** The next unused position key of a strategy in a window (never reused, even after a failed entry). */
  private nextKey(ws: WindowState, strategy: string): string {
    const n = (ws.keySeq.get(strategy) ?? 0) + 1;
    ws.keySeq.set(strategy, n);
    return positionKey(strategy, ws.window, n);
  }

  /** Adds a position to its window (counted in the strategy's entries) and to the key index. */
  private register(ws: WindowState, p: Position): void {
    ws.positions.push(p);
    ws.entries.set(p.strategy, (ws.entries.get(p.strategy) ?? 0) + 1);
    this.byKey.set(p.key, p);
  }

  private lastTickOf(p: Position): Tick | null {
    return this.windows.get(windowKey(p.window))?.lastTick ?? null;
  }

  private managePosition(p: Position, tick: Tick, out: OrderCommand[]): void {
    const top = p.side === 'UP' ? tick.up : tick.down;
    if (p.state === 'PENDING') {
      this.desk.checkLockTimeout(p, tick.tsMs);
      return;
    }
    if (p.state === 'EXITING') {
      this.desk.retryIfDue(p, top, tick.tsMs, out);
      this.desk.checkLockTimeout(p, tick.tsMs);
      return;
    }
    if (p.state !== 'OPEN') return;
    if (this.flattening) {
      this.flattenOne(p, top, tick.tsMs, out);
      return;
    }
    if (p.holdToResolution || tick.seq <= p.fillTickSeq) return;
    const bid = top.bid;
    if (bid === null || p.entryPrice === null || p.highWaterMark === null) return;
    runExitRules(p, bid, top, tick.tsMs, { cfg: this.cfg, journal: this.journal, desk: this.desk }, out);
  }

  /** Sells an OPEN position for flatten; journals `FLATTEN_HELD` when why it cannot changes. */
  private flattenOne(p: Position, top: TopOfBook, nowMs: number, out: OrderCommand[]): void {
    const r = this.desk.fireExit(p, 'manual', top, nowMs, out, { flatten: true });
    this.noteFlattenHeld(p, r === 'sent' ? null : r, nowMs, top.bid);
  }

  private noteFlattenHeld(p: Position, held: string | null, nowMs: number, bid: number | null): void {
    if (held === p.flattenHeld) return;
    p.flattenHeld = held;
    if (held === null) return;
    this.stats.flattenHeld += 1;
    this.journal.event(p, 'FLATTEN_HELD', null, nowMs, {
      reason: held,
      bid,
      shares: p.shares,
      ...(p.exitCooldownUntilMs !== null ? { cooldownUntilMs: p.exitCooldownUntilMs } : {}),
    });
  }

  private onSignal(sig: Signal, ws: WindowState, tick: Tick, out: OrderCommand[]): void {
    this.stats.signals += 1;
    if (this.flattening) {
      this.stats.entriesBlocked['flatten'] = (this.stats.entriesBlocked['flatten'] ?? 0) + 1;
      return;
    }
    const own = ws.positions.find((p) => p.strategy === sig.strategy && p.state !== 'CLOSED');
    if (own !== undefined && own.side === sig.side) {
      this.stats.signalsIgnored += 1;
      return;
    }
    const opposite = ws.positions.filter((p) => p.side !== sig.side && p.state !== 'CLOSED');
    if (opposite.length === 0) {
      if (
        (ws.entries.get(sig.strategy) ?? 0) > 0 ||
        this.reversals.some((r) => r.ws === ws && r.signal.side === sig.side)
      ) {
        this.stats.signalsIgnored += 1;
        return;
      }
      this.enter(sig, ws, tick, out);
      return;
    }
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
        this.blockReversal(decision, p, tick.tsMs, { signal: sig.strategy, side: sig.side, bid: top.bid });
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
        this.blockReversal('blocked_exit_not_sent', p, tick.tsMs, { signal: sig.strategy });
        return;
      }
    }
    this.reversals.push(pending);
  }

  private blockReversal(reason: string, p: Position, nowMs: number, data: Record<string, unknown>): void {
    this.stats.reversalsBlocked[reason] = (this.stats.reversalsBlocked[reason] ?? 0) + 1;
    this.journal.event(p, 'REVERSAL_BLOCKED', null, nowMs, { reason, ...data });
  }

  private afterExitOutcome(p: Position, nowMs: number, out: OrderCommand[]): void {
    for (let i = this.reversals.length - 1; i >= 0; i -= 1) {
      const r = this.reversals[i]!;
      if (!r.waiting.has(p.key) || p.state === 'EXITING') continue;
      if (p.state === 'CLOSED' && p.exitReason === 'reversal') {
        r.waiting.delete(p.key);
        if (r.waiting.size > 0) continue;
        this.reversals.splice(i, 1);
        this.stats.reversalsExecuted += 1;
        const tick = r.ws.lastTick;
        if (tick !== null && !r.ws.resolved) this.enter(r.signal, r.ws, { ...tick, tsMs: nowMs }, out, true);
      } else {
        this.reversals.splice(i, 1);
        this.blockReversal('blocked_exit_failed', p, nowMs, { signal: r.signal.strategy });
      }
    }
  }

  private enter(sig: Signal, ws: WindowState, tick: Tick, out: OrderCommand[], reversal = false): void {
    const top = sig.side === 'UP' ? tick.up : tick.down;
    if (top.ask === null) {
      this.stats.entriesNoAsk += 1;
      return;
    }
    if (top.stale === true) {
      this.stats.ordersBlockedStale += 1;
      return;
    }
    const block = this.flattening ? 'flatten' : this.risk.check(this.openCount, tick.tsMs);
    if (block !== null) {
      this.stats.entriesBlocked[block] = (this.stats.entriesBlocked[block] ?? 0) + 1;
      return;
    }
    const key = this.nextKey(ws, sig.strategy);
    const p = newPosition(key, sig.strategy, ws.window, sig.side, top.tokenId, tick.tsMs);
    this.register(ws, p);
    this.journal.event(p, 'SIGNAL', null, tick.tsMs, { note: sig.note, ask: top.ask, reversal });
    this.desk.sendEntry(p, top, tick.tsMs, out);
  }

  private onEntryOutcome(p: Position, ev: VenueEvent, nowMs: number): void {
    if (this.desk.onEntryOutcome(p, ev, nowMs, this.lastTickSeq) === 'failed') {
      const ws = this.windows.get(windowKey(p.window));
      ws?.entries.set(p.strategy, (ws.entries.get(p.strategy) ?? 1) - 1);
    }
  }

  private expireWindows(nowMs: number, out: OrderCommand[]): void {
    let next = Number.POSITIVE_INFINITY;
    for (const ws of [...this.windows.values()]) {
      if (ws.endMs <= nowMs) this.resolveWindow(ws, ws.endMs, out);
      else if (ws.endMs < next) next = ws.endMs;
    }
    this.nextExpiryMs = next;
  }

  private resolveIfEnded(w: WindowRef, nowMs: number, out: OrderCommand[]): void {
    const ws = this.windows.get(windowKey(w));
    if (ws !== undefined && ws.resolved) this.resolveWindow(ws, Math.max(ws.endMs, nowMs), out);
  }

  /** Closes what can be closed at the window end; a window with orders in flight stays until they answer. */
  private resolveWindow(ws: WindowState, nowMs: number, out: OrderCommand[]): void {
    const winner: Side | null =
      ws.chainWinner ?? (ws.lastTick === null ? null : winnerFromLastTick(ws.lastTick));
    ws.resolved = true;
    let inFlight = false;
    for (const p of ws.positions) {
      if (p.state === 'CLOSED') continue;
      if (p.openOrderId !== null || winner === null) {
        inFlight = true;
        continue;
      }
      this.desk.settle(p, payoutFor(p.side, winner), ws.endMs, nowMs);
      this.afterExitOutcome(p, nowMs, out);
    }
    if (inFlight) return;
    this.windows.delete(ws.key);
    this.resolvedKeys.set(ws.key, ws.endMs);
    if (this.resolvedKeys.size > 4096) {
      for (const [k, end] of this.resolvedKeys) if (end < nowMs - 86_400_000) this.resolvedKeys.delete(k);
    }
    for (const p of ws.positions) this.byKey.delete(p.key);
    for (const s of this.strategies) s.dropWindow(ws.key);
    this.journal.sink.onWindowResolved(ws.window, winner, nowMs);
  }
}
