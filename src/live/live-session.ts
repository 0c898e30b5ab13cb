/**
 * The live trading loop (issue #4, design §7, §9): the engine (the same LiveTrader as replay and
 * sim) fed the collector's ticks, its orders sent to a real venue (the CLOB) whose outcomes come
 * back asynchronously. Around the engine this edge adds what real money needs, each job in its
 * own module (issue #10):
 * - write-ahead (`write-ahead.ts`): the journal is stored before any order leaves, and each signed
 *   attempt before it is posted (`beforePost`), so a process killed at any point can be resumed;
 * - restart (`restore-plan.ts`): a resumed run's records become a plan — open positions with the
 *   order each had in flight (settled by querying the venue, never re-sent), keys, redeems;
 * - reconciliation (`reconcile-pass.ts`) at start and every `RECONCILE_INTERVAL_MS`: open
 *   positions vs the wallet's ERC-1155 balances; each discrepancy adopted with an audit row;
 * - stuck orders (`stuck-orders.ts`): unknown outcomes polled every `LIVE_POLL_MS`; a position
 *   past `POSITION_LOCK_TIMEOUT_MS` whose order the venue cannot answer is settled from the chain;
 * - the redeem queue (`redeem-queue.ts`); the markets and their checks (`market-registry.ts`).
 * Amounts: micro-shares / micro-USDC (numbers in the trader, bigints at the chain edge).
 */
import type { Clock, VirtualClock } from '../core/clock';
import { positionKeyOfClientOrderId, windowKey, windowSlug } from '../core/ids';
import type { Logger } from '../platform/logger';
import type { Side, Tick, VenueEvent, WindowRef } from '../core/types';
import { windowEndMs } from '../core/types';
import type { Config } from '../config/schema';
import type { Discrepancy } from '../chain/reconcile';
import type { Repository } from '../persistence/repository';
import { Engine } from '../engine/engine';
import { RecordingSink } from '../engine/recording-sink';
import type { Strategy } from '../strategy/strategy';
import { TimeoutError as CallTimeoutError, withTimeout } from '../platform/with-timeout';
import type { LiveTrader } from '../trader/live-trader';
import { windowOfRecord } from '../trader/position';
import type { TraderSink } from '../trader/trader-sink';
import { newLiveStats, type LiveStats } from './live-stats';
import { MarketRegistry } from './market-registry';
import { FillTimes } from './fill-times';
import type { LiveChain, LiveMarket, LiveVenue } from './ports';
import { reconcilePass, type ReconcileDeps } from './reconcile-pass';
import { RedeemQueue } from './redeem-queue';
import { planRestore } from './restore-plan';
import { settleStuck, type StuckOrderDeps } from './stuck-orders';
import { WriteAheadJournal } from './write-ahead';

export type { LiveChain, LiveMarket, LiveVenue } from './ports';
export type { LiveStats } from './live-stats';

/** Options of a {@link LiveSession}. */
export interface LiveSessionOptions {
  readonly config: Config;
  readonly strategies: readonly Strategy[];
  readonly venue: LiveVenue;
  readonly chain: LiveChain;
  readonly repo: Repository;
  readonly runId: number;
  /** Wall clock (settlement grace, poll periods). */
  readonly wall: Clock;
  /**
   * The trader's clock (the latest tick's time, venue time), built before the venue so the
   * venue stamps its orders with it; it starts at the venue's time before the first tick.
   */
  readonly clock: VirtualClock;
  /** Each token's latest fill, wall time (reconciliation's settlement grace). */
  readonly times: FillTimes;
  readonly log: Logger;
  /** The windows the collector tracks (chain ids of the markets in play). */
  readonly markets: () => readonly LiveMarket[];
  /** Highest journal seq stored for the run (a resumed run), default 0. */
  readonly journalSeqStart?: number;
  /**
   * Whether the trader can handle a market (issue #8 point 8: neg-risk, protocol version, position
   * ids verified against the chain): `null` = trade it, else the reason it is not traded (logged
   * once; its ticks are ignored). Default: every market is traded.
   */
  readonly checkMarket?: (m: LiveMarket) => Promise<string | null>;
  /** Bound of every chain or venue call of the maintenance work, ms (default 20_000). */
  readonly callTimeoutMs?: number;
}

/** The live loop around one engine. */
export class LiveSession {
  readonly stats: LiveStats = newLiveStats();

  /** Orders whose outcome is unknown now (metrics, issue #13). */
  get unknownOrderCount(): number {
    return this.o.venue.unknownOrders().length;
  }
  readonly engine: Engine;
  readonly trader: LiveTrader;
  readonly sink: RecordingSink;
  /** The trader's clock: the latest tick's time (venue time). */
  readonly clock: VirtualClock;
  private readonly markets: MarketRegistry;
  private readonly redeem: RedeemQueue;
  private readonly journal: WriteAheadJournal;
  private readonly reconcileDeps: ReconcileDeps;
  private readonly stuckDeps: StuckOrderDeps;
  private stopped = false;

  /** Wires the engine, its journal and the venue listener; makes no request. */
  constructor(private readonly o: LiveSessionOptions) {
    this.clock = o.clock;
    const sink = new RecordingSink((w) => {
      const m = this.markets.of(w);
      return { up: m?.upTokenId ?? '', down: m?.downTokenId ?? '' };
    }, false);
    this.sink = sink;
    const bounded = <T>(what: string, p: Promise<T>): Promise<T> => this.bounded(what, p);
    this.markets = new MarketRegistry({
      journal: sink,
      log: o.log,
      markets: o.markets,
      ...(o.checkMarket === undefined ? {} : { checkMarket: o.checkMarket }),
      bounded,
      onRefused: () => (this.stats.marketsRefused += 1),
      onSettled: () => (this.stats.settledWindows += 1),
    });
    this.journal = new WriteAheadJournal({
      journal: sink,
      repo: o.repo,
      runId: o.runId,
      log: o.log,
      onFlushError: () => (this.stats.flushErrors += 1),
    });
    const tee: TraderSink = {
      onPositionEvent: (e) => sink.onPositionEvent(e),
      onPosition: (p) => sink.onPosition(p),
      onOrder: (r) => sink.onOrder(r),
      onFill: (f) => sink.onFill(f),
      onWindowResolved: (w, winner) => {
        sink.onWindowResolved(w, winner);
        this.markets.settle(w);
        this.redeem.onWindowResolved(w);
      },
      onPositionClosed: (p) => {
        sink.onPositionClosed(p);
        if (p.exitReason === 'window_expiry' && p.shares > 0) this.redeem.add(p.window, p);
        else if (p.proceedsUsdc !== null && p.proceedsUsdc > 0) this.redeem.countSale(p.tokenId, p.window);
      },
    };
    this.engine = new Engine({
      config: o.config,
      strategies: o.strategies,
      journal: sink,
      sink: tee,
      clock: o.clock,
      venue: () => o.venue,
      journalSeqStart: o.journalSeqStart ?? 0,
      writeAhead: this.journal.gate,
      beforeEvent: (ev) => this.noteFill(ev),
    });
    this.trader = this.engine.trader;
    const common = {
      chain: o.chain,
      trader: this.trader,
      clock: this.clock,
      wall: o.wall,
      times: o.times,
      stats: this.stats,
      graceMs: o.config.SETTLEMENT_GRACE_MS,
      bounded,
    };
    this.redeem = new RedeemQueue({ ...common, markets: this.markets, log: o.log });
    this.reconcileDeps = { ...common, markets: this.markets, redeem: this.redeem, log: o.log };
    this.stuckDeps = {
      ...common,
      venue: o.venue,
      redeem: this.redeem,
      onVenueEvent: (ev) => this.engine.onVenueEvent(ev),
    };
  }

  /**
   * Registers a window's chain ids (the collector's markets, or stored windows on restart) and
   * starts its market check (`checkMarket`); ticks of the window are ignored until it passes,
   * unless positions are open in it.
   */
  addMarket(m: LiveMarket): void {
    this.markets.add(m);
  }

  /** Waits for the market checks in progress (start-up, tests). */
  marketsChecked(): Promise<void> {
    return this.markets.checked();
  }

  /**
   * Restores a resumed run (issue #4 restart) by its plan ({@link planRestore}): its not-CLOSED
   * positions with the order each had in flight (adopted by the venue as unknown when attempts
   * were stored; treated as never sent otherwise), and redeem checks for positions closed at
   * resolution. Returns the count restored.
   * @throws the repository's error (nothing is restored then).
   */
  async restore(): Promise<number> {
    const { repo, runId } = this.o;
    const [positions, orders, attempts] = await Promise.all([
      repo.loadPositions(runId),
      repo.loadOrders(runId),
      repo.loadOrderAttempts(runId),
    ]);
    const slugs = [...new Set(positions.map((p) => windowSlug(windowOfRecord(p))))];
    const windows = slugs.length > 0 ? await repo.loadWindows(slugs) : [];
    const redeemedKeys = new Set<string>();
    if (positions.some((p) => p.state === 'CLOSED' && p.exitReason === 'window_expiry'))
      for (const e of await repo.loadPositionEvents(runId))
        if (e.type === 'REDEEMED') redeemedKeys.add(e.positionKey);
    const now = this.clock.now();
    const plan = planRestore({ positions, orders, attempts, windows, redeemedKeys }, now);
    for (const m of plan.markets) this.markets.add(m);
    for (const [token, at] of plan.lastFillWall) this.o.times.noteFill(token, at);
    // the daily loss limit survives a restart (issue #8 point 9): today's realised P&L from the journal
    this.trader.risk.seedClosed(plan.closedPnl, now);
    const neverSent: string[] = [];
    for (const step of plan.steps) {
      if (step.kind === 'closed') {
        if (step.reserve) this.trader.reserveKey(step.key, step.strategy, step.window);
        if (step.settle) this.markets.settle(step.window);
        if (step.redeemPosition !== null) this.redeem.add(step.window, step.redeemPosition);
        if (step.sale !== null) {
          this.redeem.countSale(step.sale.tokenId, step.window);
          if (step.sale.redeemWindow) this.redeem.add(step.window);
        }
        continue;
      }
      const { position: p, inFlight: cmd } = step;
      this.trader.restore(p, cmd, now);
      this.stats.restored += 1;
      if (cmd === null) {
        // EXITING between attempts: the next tick retries (a fresh attempt id)
        if (p.state === 'EXITING') p.retryAtMs = 0;
        continue;
      }
      if (step.attemptIds.length === 0) neverSent.push(cmd.clientOrderId);
      else this.o.venue.adoptUnknown(cmd, step.attemptIds, step.signedMs);
    }
    for (const clientOrderId of neverSent)
      this.engine.onVenueEvent({
        kind: 'rejected',
        clientOrderId,
        tsMs: now,
        reason: 'never posted (no signed attempt stored before the restart)',
      });
    await this.resolveUnknowns();
    await this.flush();
    return this.stats.restored;
  }

  /**
   * Feeds one tick (the collector's); sends the orders it causes. Ticks of a window whose market
   * check has not passed are ignored (no entry there), unless positions are open in it.
   */
  onTick(tick: Tick): void {
    if (this.stopped) return;
    this.engine.advance(tick.tsMs);
    if (!this.markets.traded(tick.windowKey) && !this.hasPositionIn(tick.windowKey)) return;
    this.engine.decide(tick);
  }

  /** Kill switch: no new entries while `on`. */
  setKill(on: boolean): void {
    this.trader.risk.setKill(on);
  }

  /**
   * Kill switch flatten (issue #8 point 13): the trader sells every position and keeps doing so on
   * every tick until each is closed or held with a journaled reason; entries stop.
   */
  flatten(): void {
    this.engine.flatten();
  }

  /** Ends the flatten mode (the kill-switch file was removed): exits follow their rules again. */
  stopFlatten(): void {
    this.trader.setFlatten(false);
  }

  /**
   * The periodic work (every `LIVE_POLL_MS`), as two independent lanes that never block each
   * other or reconciliation (issue #8 point 6): {@link pollOrders} and {@link pollWindows}.
   * Never throws (errors are logged and counted).
   */
  async poll(): Promise<void> {
    await Promise.all([this.pollOrders(), this.pollWindows()]);
  }

  /**
   * Order lane: registers the collector's markets, resolves unknown outcomes by querying the
   * venue, settles stuck entries and exits from the chain, flushes. Every call is bounded.
   */
  async pollOrders(): Promise<void> {
    this.markets.addCurrent();
    await this.guard('unknown orders', () => this.resolveUnknowns());
    // ticks flag only their own window's orders: a quiet window's are flagged here
    this.trader.checkLockTimeouts(this.clock.now());
    await this.guard('stuck orders', () => settleStuck(this.stuckDeps));
    await this.flush();
  }

  /** Window lane: resolves ended windows no tick settled and redeems resolved windows. */
  async pollWindows(): Promise<void> {
    await this.guard('chain resolution', () => this.resolveEndedWindows());
    await this.guard('redeem', () => this.redeem.redeemResolved());
    await this.flush();
  }

  /**
   * One reconciliation pass (design §9, `reconcile-pass.ts`). Returns the discrepancies found
   * (adopted, with their audit rows flushed).
   * @throws the chain reader's classified error (nothing is changed then).
   */
  async reconcileOnce(): Promise<Discrepancy[]> {
    const found = await reconcilePass(this.reconcileDeps);
    if (found.length > 0) await this.flush();
    return found;
  }

  /**
   * Stops taking ticks, waits (bounded by `waitMs`, ms) for the sends queued behind a journal
   * write and then for the orders in flight, flushes. Positions stay as they are. The queued
   * sends are awaited first: asking the venue whether it is idle before they reached it let a
   * stop exit with an entry in flight (stop 15's CI).
   */
  async stop(waitMs: number): Promise<void> {
    this.stopped = true;
    const deadline = new Promise((r) => setTimeout(r, waitMs).unref());
    await Promise.race([this.journal.settled(), deadline]);
    await Promise.race([this.o.venue.idle(), deadline]);
    await this.journal.settled();
    await this.flush();
  }

  /** Resolves when the journal and every queued send have been handed over. */
  settled(): Promise<void> {
    return this.journal.settled();
  }

  /** Conditions waiting for resolution or redeem. */
  pendingRedeems = (): number => this.redeem.size;

  /** Writes the journal buffers now (serialised with the sends). Never throws. */
  flush(): Promise<void> {
    return this.journal.flush();
  }

  /** A fill's wall time (reconciliation leaves its token alone for the settlement grace). */
  private noteFill(ev: VenueEvent): void {
    if (ev.kind !== 'filled') return;
    const key = positionKeyOfClientOrderId(ev.clientOrderId);
    const p = key === null ? undefined : this.trader.position(key);
    if (p !== undefined) this.o.times.noteFill(p.tokenId, this.o.wall.now());
  }

  private async guard(what: string, job: () => Promise<void>): Promise<void> {
    try {
      await job();
    } catch (err) {
      this.o.log.warn({ err: (err as Error).message, what }, 'live poll step failed; retried next poll');
    }
  }

  private async resolveUnknowns(): Promise<void> {
    for (const id of this.o.venue.unknownOrders()) {
      const ev = await this.bounded('unknown order query', this.o.venue.resolveUnknown(id));
      if (ev !== null) this.stats.unknownResolved += 1;
    }
  }

  /**
   * Bounds a maintenance call (issue #8 point 6): rejects with a classified timeout after
   * `callTimeoutMs`, so one hung request never blocks the lane for good. Counted in `timeouts`.
   */
  private bounded<T>(what: string, p: Promise<T>): Promise<T> {
    const ms = this.o.callTimeoutMs ?? 20_000;
    return withTimeout(p, ms, what).catch((err: unknown) => {
      if (err instanceof CallTimeoutError) this.stats.timeouts += 1;
      throw err;
    });
  }

  /** Whether a position not CLOSED is in the window of key `key` (`windowKey`). */
  private hasPositionIn(key: string): boolean {
    return this.trader.openPositions().some((p) => windowKey(p.window) === key);
  }

  /** Positions still open in windows that ended with no tick to settle them: the chain's payout decides. */
  private async resolveEndedWindows(): Promise<void> {
    const now = this.clock.now();
    const ended = new Map<string, WindowRef>();
    for (const p of this.trader.openPositions())
      if (p.openOrderId === null && windowEndMs(p.window) < now) ended.set(windowKey(p.window), p.window);
    for (const [key, w] of ended) {
      const m = this.markets.get(key);
      if (m === undefined) continue;
      const state = await this.bounded('payout', this.o.chain.payout(m.conditionId));
      if (!state.resolved) continue;
      const winner: Side = (state.numerators[0] ?? 0n) > 0n ? 'UP' : 'DOWN';
      this.stats.chainResolved += 1;
      this.engine.dispatch(this.trader.correct({ kind: 'chain_winner', window: w, winner }, now).commands);
    }
  }
}
