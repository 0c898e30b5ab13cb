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
import { positionKeyOfClientOrderId } from '../core/ids';
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
import { ExitRules } from './exit-rules';
import { policyResolver } from './exits/policy-set';
import type { ExitThresholds } from './exits/thresholds';
import { payoutFor, winnerFromLastTick } from './exits/window-expiry';
import { newTraderStats, type TraderStats } from './trader-stats';
import { Journal, NULL_SINK, type TraderSink } from './trader-sink';
import { OrderDesk, type DeskConfig } from './order-desk';
import { riskAwareSink, RiskLimits, type RiskLimitConfig } from './risk-limits';
import { noteFlattenHeld } from './flatten-held';
import { Corrector, type Correction, type CorrectionResult } from './corrections';
import { PositionBook, type WindowState } from './position-book';
import { Reversals } from './reversals';

/** Settings the trader reads (a subset of `Config`, units as in `.env.example`). */
export interface TraderConfig extends ExitThresholds, DeskConfig, RiskLimitConfig {
  readonly EXIT_BEFORE_END_MS: number;
  /** EXIT_POLICIES as JSON data (issue #12; `exits/policy-set.ts`); absent or null = the default set. */
  readonly exitPolicyData?: unknown;
}

export { RECONCILED_STRATEGY } from './corrections';

/** The trader. */
export class LiveTrader {
  /** Counters (read-only for callers). */
  readonly stats: TraderStats = newTraderStats();
  /** Windows and positions. */
  private readonly book = new PositionBook();
  private readonly reversals: Reversals;
  private readonly desk: OrderDesk;
  private lastTickSeq = 0;
  /** The window of the previous tick (ticks of one window usually come in runs). */
  private lastWs: WindowState | null = null;
  private readonly journal: Journal;
  /** Entry limits and the kill switch (issue #4). */
  readonly risk: RiskLimits;
  /** Flatten mode (issue #8 point 13): every OPEN position is sold, no new entry. */
  private flattening = false;
  private readonly corrector: Corrector;
  private readonly exits: ExitRules;

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
    this.journal = new Journal(riskAwareSink(sink, this.risk), journalSeqStart);
    this.desk = new OrderDesk(cfg, this.journal, this.stats);
    this.reversals = new Reversals(cfg, this.journal, this.desk, this.stats);
    const ctx = { cfg, journal: this.journal, desk: this.desk, policies: policyResolver(cfg.exitPolicyData) };
    this.exits = new ExitRules(
      ctx,
      strategies.map((s) => s.name),
    );
    this.corrector = new Corrector({
      book: this.book,
      journal: this.journal,
      desk: this.desk,
      risk: this.risk,
      entryOutcome: (p, ev, nowMs) => this.onEntryOutcome(p, ev, nowMs),
      afterExitOutcome: (p, nowMs, out) => this.afterExitOutcome(p, nowMs, out),
      resolveIfEnded: (w, nowMs, out) => this.resolveIfEnded(w, nowMs, out),
      resolveWindow: (ws, nowMs, out) => this.resolveWindow(ws, nowMs, out),
    });
  }

  /**
   * Takes over a position restored from the database by a restarted live trader (issue #4):
   * registers it in its window (entries per strategy count it) and, when `inFlight` is given,
   * the order whose outcome the earlier process never saw (it arrives through
   * `onVenueEvent` once the venue is queried). Journals `RESTORED`.
   * @throws {InvariantError} for a CLOSED position or a key already held.
   */
  restore(p: Position, inFlight: OrderCommand | null, nowMs: number): void {
    if (p.state === 'CLOSED' || this.book.has(p.key))
      throw new InvariantError(`restore: ${p.key} is ${p.state === 'CLOSED' ? 'closed' : 'already held'}`);
    this.book.register(this.book.windowState(p.window), p);
    this.book.reserveKey(p.key, p.strategy, p.window);
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
    this.book.reserveKey(key, strategy, window);
  }

  /** Journals an audit row about `positionKey` (a held position or not), e.g. `RECONCILED`. */
  audit(positionKey: string, type: string, nowMs: number, data: Record<string, unknown>): void {
    this.journal.eventByKey(positionKey, type, nowMs, data);
  }

  /**
   * Applies a correction at `nowMs` (ms): see {@link Correction} for each kind (design §9,
   * issues #4, #8, #10). Returns whether it applied, the position it changed or adopted, and the
   * orders it caused. Never throws for an unknown key or a position in another state: it does
   * not apply.
   */
  correct(c: Correction, nowMs: number): CorrectionResult {
    return this.corrector.apply(c, nowMs);
  }

  /**
   * Flags every PENDING or EXITING position whose order has been unanswered longer than
   * POSITION_LOCK_TIMEOUT_MS (design §7, issue #8 point 6; ticks do this for their window, this
   * covers windows without ticks). Returns how many were flagged now.
   */
  checkLockTimeouts(nowMs: number): number {
    let n = 0;
    for (const p of this.book.positions()) if (this.desk.checkLockTimeout(p, nowMs)) n += 1;
    return n;
  }

  /**
   * Returns a position by key, or `undefined`. Positions of resolved windows are forgotten (their
   * trades went to the sink), so memory stays flat over long replays.
   */
  position(key: string): Position | undefined {
    return this.book.get(key);
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
    for (const p of this.book.positions()) {
      if (!on) {
        p.flattenHeld = null;
        continue;
      }
      if (p.state !== 'OPEN' || nowMs === undefined) continue;
      const tick = this.book.lastTickOf(p);
      if (tick === null) noteFlattenHeld(this.journal, this.stats, p, 'no_bid', nowMs, null);
      else this.flattenOne(p, p.side === 'UP' ? tick.up : tick.down, nowMs, out);
    }
    return out;
  }

  /** True while flatten is on. */
  get flattenOn(): boolean {
    return this.flattening;
  }

  /** Returns the positions not yet CLOSED. */
  openPositions(): Position[] {
    return [...this.book.positions()].filter((p) => p.state !== 'CLOSED');
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
    if (now >= this.book.nextExpiryMs) this.expireWindows(now, out);
    const wk = tick.windowKey;
    let ws = this.lastWs;
    if (ws === null || ws.key !== wk || ws.resolved) {
      if (this.book.wasResolved(wk) || now >= windowEndMs(tick.window)) {
        this.stats.lateTicks += 1;
        return out;
      }
      ws = this.lastWs = this.book.windowState(tick.window, wk);
    } else if (now >= ws.endMs) {
      this.stats.lateTicks += 1;
      return out;
    }
    ws.lastTick = tick;
    this.exits.observe(tick);
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
    const p = key === null ? undefined : this.book.get(key);
    if (p === undefined || p.openOrderId !== ev.clientOrderId) {
      this.stats.unknownOrderEvents += 1;
      return out;
    }
    if (p.state === 'PENDING') this.onEntryOutcome(p, ev, nowMs);
    else this.desk.onExitOutcome(p, ev, nowMs, this.book.lastTickOf(p), out);
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

  /**
   * Resolves every window still open at the end of the input (`nowMs`, ms) — with `endedOnly`,
   * those whose end has passed (a paper twin's stop, issue #11) — and returns commands.
   */
  finish(nowMs: number, endedOnly = false): OrderCommand[] {
    const out: OrderCommand[] = [];
    for (const ws of this.book.openWindows())
      if (!endedOnly || ws.endMs <= nowMs) this.resolveWindow(ws, Math.max(nowMs, ws.endMs), out);
    return out;
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
    this.exits.run(p, bid, top, tick, out);
  }

  /** Sells an OPEN position for flatten; journals `FLATTEN_HELD` when why it cannot changes. */
  private flattenOne(p: Position, top: TopOfBook, nowMs: number, out: OrderCommand[]): void {
    const r = this.desk.fireExit(p, 'manual', top, nowMs, out, { flatten: true });
    noteFlattenHeld(this.journal, this.stats, p, r === 'sent' ? null : r, nowMs, top.bid);
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
      if ((ws.entries.get(sig.strategy) ?? 0) > 0 || this.reversals.waiting(ws, sig.side)) {
        this.stats.signalsIgnored += 1;
        return;
      }
      this.enter(sig, ws, tick, out);
      return;
    }
    this.reversals.start(sig, ws, tick, opposite, out);
  }

  private afterExitOutcome(p: Position, nowMs: number, out: OrderCommand[]): void {
    this.reversals.afterExit(p, nowMs, (sig, ws, tick) => this.enter(sig, ws, tick, out, true));
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
    const block = this.flattening ? 'flatten' : this.risk.check(this.book.openCount(), tick.tsMs);
    if (block !== null) {
      this.stats.entriesBlocked[block] = (this.stats.entriesBlocked[block] ?? 0) + 1;
      return;
    }
    const key = this.book.nextKey(ws, sig.strategy);
    const p = newPosition(key, sig.strategy, ws.window, sig.side, top.tokenId, tick.tsMs);
    this.book.register(ws, p);
    this.journal.event(p, 'SIGNAL', null, tick.tsMs, { note: sig.note, ask: top.ask, reversal });
    this.desk.sendEntry(p, top, tick.tsMs, out);
  }

  private onEntryOutcome(p: Position, ev: VenueEvent, nowMs: number): void {
    if (this.desk.onEntryOutcome(p, ev, nowMs, this.lastTickSeq) === 'failed') {
      const ws = this.book.find(p.window);
      ws?.entries.set(p.strategy, (ws.entries.get(p.strategy) ?? 1) - 1);
    }
  }

  private expireWindows(nowMs: number, out: OrderCommand[]): void {
    let next = Number.POSITIVE_INFINITY;
    for (const ws of this.book.openWindows()) {
      if (ws.endMs <= nowMs) this.resolveWindow(ws, ws.endMs, out);
      else if (ws.endMs < next) next = ws.endMs;
    }
    this.book.nextExpiryMs = next;
  }

  private resolveIfEnded(w: WindowRef, nowMs: number, out: OrderCommand[]): void {
    const ws = this.book.find(w);
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
    this.book.forget(ws, nowMs);
    for (const s of this.strategies) s.dropWindow(ws.key);
    const t = ws.lastTick;
    this.exits.dropWindow(ws.key, t === null ? [] : [t.up.tokenId, t.down.tokenId]);
    this.journal.sink.onWindowResolved(ws.window, winner, nowMs);
  }
}
