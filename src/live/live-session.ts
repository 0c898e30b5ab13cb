/**
 * The live trading loop (issue #4, design §7, §9): the same LiveTrader as replay and sim, fed the
 * collector's ticks, its orders sent to a real venue (the CLOB) whose outcomes come back
 * asynchronously. Around the deterministic core this edge adds what real money needs:
 * - write-ahead: the journal is flushed before any order leaves, and each signed attempt is stored
 *   before it is posted (`beforePost`), so a process killed at any point can be resumed;
 * - restart: a resumed run's open positions are restored, orders whose outcome was never seen are
 *   settled by querying the venue (never re-sent), then the chain is reconciled;
 * - reconciliation at start and every `RECONCILE_INTERVAL_MS`: open positions vs the wallet's
 *   ERC-1155 balances; each discrepancy is reported, adopted (RECONCILED audit row) and counted;
 *   tokens with an order in flight or a fill younger than `SETTLEMENT_GRACE_MS` are left alone;
 * - unknown outcomes polled every `LIVE_POLL_MS`; an EXITING position past
 *   `POSITION_LOCK_TIMEOUT_MS` whose order the venue cannot answer is settled from the chain;
 * - windows resolved on chain are redeemed (`redeemPositions`), the payout recorded on each
 *   position (`REDEEMED`).
 * Amounts: micro-shares / micro-USDC (numbers in the trader, bigints at the chain edge).
 */
import { VirtualClock, type Clock } from '../core/clock';
import { positionKeyOfClientOrderId, windowKey, windowSlug } from '../core/ids';
import type { Logger } from '../core/logger';
import type { OrderCommand, Side, Tick, VenueEvent, WindowRef } from '../core/types';
import { windowEndMs } from '../core/types';
import type { Config } from '../config/schema';
import type { ExecutionVenue } from '../execution/venue';
import type { PayoutState } from '../chain/balances';
import { canonicalTokenId } from '../chain/balances';
import { auditData, DEFAULT_DUST_MICROS, reconcile, type Discrepancy } from '../chain/reconcile';
import type { RedeemResult } from '../chain/redeem';
import type { OrderRecord } from '../persistence/records';
import type { Repository } from '../persistence/repository';
import { RecordingSink } from '../replay/recording-sink';
import type { Strategy } from '../strategy/strategy';
import { TimeoutError as CallTimeoutError, withTimeout } from '../core/with-timeout';
import { LiveTrader } from '../trader/live-trader';
import { positionFromRecord, windowOfRecord, type Position } from '../trader/position';
import type { TraderSink } from '../trader/trader-sink';

/** The venue as the live loop needs it (`ClobVenue` fits). */
export interface LiveVenue extends ExecutionVenue {
  /** True while any command awaits its outcome. */
  readonly busy: boolean;
  unknownOrders(): string[];
  /** Settles an unknown outcome by querying the venue; `null` while it cannot be asked. */
  resolveUnknown(clientOrderId: string): Promise<VenueEvent | null>;
  /** `signedMs`: wall time each attempt was signed (a 404 for a recent one may be in flight). */
  adoptUnknown(cmd: OrderCommand, orderIds: readonly string[], signedMs?: readonly number[]): void;
  forgetUnknown(clientOrderId: string): void;
  idle(): Promise<void>;
}

/** The chain as the live loop needs it (a `ChainReader` plus the wallet's redeem). */
export interface LiveChain {
  /** The funder address holding the tokens (polymarket-protocol.md §7.2). */
  readonly owner: string;
  outcomeBalances(owner: string, tokenIds: readonly string[]): Promise<Map<string, bigint>>;
  payout(conditionId: string): Promise<PayoutState>;
  /** Redeems both positions of a condition; `null` when this wallet cannot (proxy/Safe funder). */
  readonly redeem: ((conditionId: string) => Promise<RedeemResult>) | null;
}

/** A window's chain ids (and, from Gamma, what protocol it trades on: issue #8 point 8). */
export interface LiveMarket {
  readonly window: WindowRef;
  readonly conditionId: string;
  readonly upTokenId: string;
  readonly downTokenId: string;
  /** Gamma `negRisk` (absent = false). */
  readonly negRisk?: boolean;
  /** Gamma `version` (`v1` when absent; `v2` = Protocol-V2, polymarket-protocol.md §10). */
  readonly protocolVersion?: string;
  /** The market's slug, for log lines. */
  readonly slug?: string;
}

/** Counters of the live loop (also the run summary's `live` block). */
export interface LiveStats {
  reconcilePasses: number;
  reconcileErrors: number;
  /** Discrepancies found, by kind. */
  discrepancies: { missing: number; extra: number; size_mismatch: number };
  adopted: number;
  closedByReconcile: number;
  resized: number;
  reviews: number;
  /** Tokens skipped by a pass (order in flight or fill within the settlement grace). */
  skippedBusy: number;
  restored: number;
  unknownResolved: number;
  stuckSettledFromChain: number;
  /** Positions whose window was redeemed with a payout > 0. */
  redeemed: number;
  redeemPayoutMicros: number;
  redeemErrors: number;
  /** Windows resolved from the chain because no tick settled them. */
  chainResolved: number;
  flushErrors: number;
  /** Windows whose tokens are settled (resolved, redeemed or left to the wallet): never reconciled again. */
  settledWindows: number;
  /** Windows resolved while the funder still held tokens this trader cannot redeem (proxy/Safe). */
  unredeemable: number;
  /** Markets not traded because this trader cannot handle them (neg-risk, protocol, position ids). */
  marketsRefused: number;
  /** Maintenance calls (venue or chain) that hit their timeout. */
  timeouts: number;
  /** PENDING entries past the lock timeout settled from the chain (no tokens: never filled). */
  stuckEntriesSettled: number;
}

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
  /** The trader's time before the first tick (the venue's clock), ms. */
  readonly startMs: number;
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

interface RedeemEntry {
  readonly conditionId: string;
  readonly window: WindowRef;
  readonly positions: Position[];
}

const newStats = (): LiveStats => ({
  reconcilePasses: 0,
  reconcileErrors: 0,
  discrepancies: { missing: 0, extra: 0, size_mismatch: 0 },
  adopted: 0,
  closedByReconcile: 0,
  resized: 0,
  reviews: 0,
  skippedBusy: 0,
  restored: 0,
  unknownResolved: 0,
  stuckSettledFromChain: 0,
  redeemed: 0,
  redeemPayoutMicros: 0,
  redeemErrors: 0,
  chainResolved: 0,
  flushErrors: 0,
  settledWindows: 0,
  unredeemable: 0,
  marketsRefused: 0,
  timeouts: 0,
  stuckEntriesSettled: 0,
});

/** The live loop around one LiveTrader. */
export class LiveSession {
  readonly stats: LiveStats = newStats();
  readonly trader: LiveTrader;
  readonly sink: RecordingSink;
  /** The trader's clock: the latest tick's time (venue time). */
  readonly clock: VirtualClock;
  private readonly markets = new Map<string, LiveMarket>();
  private readonly tokenIndex = new Map<string, { market: LiveMarket; side: Side }>();
  /** Canonical token id → wall time of its latest fill. */
  private readonly lastFillWall = new Map<string, number>();
  private readonly redeemQueue = new Map<string, RedeemEntry>();
  /**
   * Positions closed by a sale per canonical token id: each may leave dust below the venue's
   * 0.01-share precision on chain (design §7), which reconciliation must not call `extra`.
   */
  private readonly salesByToken = new Map<string, number>();
  /** Windows with dust left by sales: redeemed at resolution like held positions. */
  private readonly dustWindows = new Set<string>();
  /**
   * Windows whose outcome is settled (issue #8 point 2): resolved (closed at expiry or on chain)
   * and handed to the redeem queue or left to the wallet. Their tokens are tracked once here and
   * never reconciled again, so a funder that cannot redeem is not adopted the same tokens on every
   * pass (closed at cost 0, paid out again and again).
   */
  private readonly settledWindows = new Set<string>();
  /** Market checks by window key: in progress, traded (`null`) or refused (the reason). */
  private readonly marketCheck = new Map<string, Promise<void> | string | null>();
  /** Client order id → wall time its latest attempt was signed (settlement grace of entries). */
  private readonly signedWall = new Map<string, number>();
  /** Serialises journal flushes and order sends (write-ahead). */
  private io: Promise<void> = Promise.resolve();
  private stopped = false;

  /** Wires the trader, its sink and the venue listener; makes no request. */
  constructor(private readonly o: LiveSessionOptions) {
    this.clock = new VirtualClock(o.startMs);
    this.sink = new RecordingSink((w) => {
      const m = this.markets.get(windowKey(w));
      return { up: m?.upTokenId ?? '', down: m?.downTokenId ?? '' };
    }, false);
    const sink = this.sink;
    const tee: TraderSink = {
      onPositionEvent: (e) => sink.onPositionEvent(e),
      onPosition: (p) => sink.onPosition(p),
      onOrder: (r) => sink.onOrder(r),
      onFill: (f) => sink.onFill(f),
      onWindowResolved: (w, winner) => {
        sink.onWindowResolved(w, winner);
        this.settleWindow(w);
        if (this.dustWindows.delete(windowKey(w))) this.queueRedeem(w);
      },
      onPositionClosed: (p) => {
        sink.onPositionClosed(p);
        if (p.exitReason === 'window_expiry' && p.shares > 0) this.queueRedeem(p.window, p);
        else if (p.proceedsUsdc !== null && p.proceedsUsdc > 0) this.countSale(p.tokenId, p.window);
      },
    };
    this.trader = new LiveTrader(o.config, o.strategies, tee, o.journalSeqStart ?? 0);
    o.venue.setListener((ev) => this.onVenueEvent(ev));
  }

  /**
   * Registers a window's chain ids (the collector's markets, or stored windows on restart) and
   * starts its market check (`checkMarket`); ticks of the window are ignored until it passes,
   * unless positions are open in it.
   */
  addMarket(m: LiveMarket): void {
    const key = windowKey(m.window);
    if (this.markets.has(key)) return;
    this.markets.set(key, m);
    // the journal's window rows carry the chain ids (issue #9: a window resolved before a crash
    // was stored with a synthetic condition id, and the restarted trader could not redeem it)
    this.sink.window({
      window: m.window,
      slug: windowSlug(m.window),
      conditionId: m.conditionId,
      upTokenId: m.upTokenId,
      downTokenId: m.downTokenId,
      startMs: m.window.windowEpoch * 1000,
      endMs: windowEndMs(m.window),
      tickSize: null,
      minOrderSize: null,
      negRisk: m.negRisk ?? false,
      active: true,
      closed: false,
    });
    this.tokenIndex.set(canonicalTokenId(m.upTokenId), { market: m, side: 'UP' });
    this.tokenIndex.set(canonicalTokenId(m.downTokenId), { market: m, side: 'DOWN' });
    const check = this.o.checkMarket;
    if (check === undefined) {
      this.marketCheck.set(key, null);
      return;
    }
    const run = this.bounded('market check', check(m))
      .then((reason) => {
        this.marketCheck.set(key, reason);
        if (reason !== null) {
          this.stats.marketsRefused += 1;
          this.o.log.warn({ window: key, conditionId: m.conditionId, reason }, 'market not traded');
        }
      })
      .catch((err: unknown) => {
        // checked again at the next poll
        this.marketCheck.delete(key);
        this.markets.delete(key);
        this.o.log.warn({ window: key, err: (err as Error).message }, 'market check failed; retried');
      });
    this.marketCheck.set(key, run);
  }

  /** Waits for the market checks in progress (start-up, tests). */
  async marketsChecked(): Promise<void> {
    await Promise.all([...this.marketCheck.values()].filter((v) => v instanceof Promise));
  }

  /** Notes the wall time an attempt of `clientOrderId` was signed (the venue's `beforePost`). */
  noteSigned(clientOrderId: string, wallMs: number): void {
    this.signedWall.set(clientOrderId, wallMs);
  }

  /**
   * Restores a resumed run (issue #4 restart): its not-CLOSED positions with the order each had
   * in flight (adopted by the venue as unknown when attempts were stored; treated as never sent
   * otherwise), and redeem checks for positions closed at resolution. Returns the count restored.
   */
  async restore(): Promise<number> {
    const { repo, runId } = this.o;
    const [positions, orders, attempts] = await Promise.all([
      repo.loadPositions(runId),
      repo.loadOrders(runId),
      repo.loadOrderAttempts(runId),
    ]);
    const slugs = [...new Set(positions.map((p) => windowSlug(windowOfRecord(p))))];
    for (const w of slugs.length > 0 ? await repo.loadWindows(slugs) : []) {
      if (w.conditionId === '' || w.upTokenId === '') continue;
      this.addMarket({
        window: { crypto: w.crypto, windowSec: w.windowSec, windowEpoch: w.windowEpoch },
        conditionId: w.conditionId,
        upTokenId: w.upTokenId,
        downTokenId: w.downTokenId,
      });
    }
    const redeemed = new Set<string>();
    if (positions.some((p) => p.state === 'CLOSED' && p.exitReason === 'window_expiry'))
      for (const e of await repo.loadPositionEvents(runId))
        if (e.type === 'REDEEMED') redeemed.add(e.positionKey);
    const ordersOf = new Map<string, OrderRecord[]>();
    for (const r of orders) ordersOf.set(r.positionKey, [...(ordersOf.get(r.positionKey) ?? []), r]);
    const idsOf = new Map<string, string[]>();
    const signedOf = new Map<string, number[]>();
    for (const a of attempts) {
      idsOf.set(a.clientOrderId, [...(idsOf.get(a.clientOrderId) ?? []), a.venueOrderId]);
      signedOf.set(a.clientOrderId, [...(signedOf.get(a.clientOrderId) ?? []), a.signedMs]);
      this.signedWall.set(a.clientOrderId, Math.max(a.signedMs, this.signedWall.get(a.clientOrderId) ?? 0));
    }
    // settlement grace survives a restart (issue #8 point 11): a filled order's token counts as
    // filled when its last attempt was signed (wall time, stored before the POST)
    for (const r of orders) {
      const at = this.signedWall.get(r.clientOrderId);
      if (r.status !== 'filled' || at === undefined) continue;
      const id = canonicalTokenId(r.tokenId);
      this.lastFillWall.set(id, Math.max(at, this.lastFillWall.get(id) ?? 0));
    }
    const now = this.clock.now();
    // the daily loss limit survives a restart (issue #8 point 9): today's realised P&L from the journal
    this.trader.risk.seedClosed(
      positions
        .filter((p) => p.state === 'CLOSED' && p.pnlUsdc !== null && p.exitTimeMs !== null)
        .map((p) => ({ pnlMicros: p.pnlUsdc ?? 0, exitTimeMs: p.exitTimeMs ?? 0 })),
      now,
    );
    const neverSent: OrderCommand[] = [];
    for (const rec of positions) {
      const own = ordersOf.get(rec.positionKey) ?? [];
      if (rec.state === 'CLOSED') {
        const w = windowOfRecord(rec);
        if (windowEndMs(w) > now) this.trader.reserveKey(rec.positionKey, rec.strategy, w);
        else this.settleWindow(w);
        if (rec.exitReason === 'window_expiry' && rec.shares > 0) {
          if (!redeemed.has(rec.positionKey)) this.queueRedeem(w, positionFromRecord(rec));
        } else if ((rec.proceedsUsdc ?? 0) > 0) {
          this.countSale(rec.tokenId, w);
          if (windowEndMs(w) <= now) this.queueRedeem(w);
        }
        continue;
      }
      const p = positionFromRecord(rec);
      setExitRounds(p, own);
      const open = own.filter((r) => r.status === 'pending' || r.status === 'unknown').pop();
      const cmd = open === undefined ? null : commandOf(open, p);
      this.trader.restore(p, cmd, now);
      this.stats.restored += 1;
      if (cmd === null) {
        // EXITING between attempts: the next tick retries (a fresh attempt id)
        if (p.state === 'EXITING') p.retryAtMs = 0;
        continue;
      }
      const ids = idsOf.get(cmd.clientOrderId) ?? [];
      if (ids.length === 0) neverSent.push(cmd);
      else this.o.venue.adoptUnknown(cmd, ids, signedOf.get(cmd.clientOrderId) ?? []);
    }
    for (const cmd of neverSent) {
      this.onVenueEvent({
        kind: 'rejected',
        clientOrderId: cmd.clientOrderId,
        tsMs: now,
        reason: 'never posted (no signed attempt stored before the restart)',
      });
    }
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
    if (tick.tsMs > this.clock.now()) this.clock.advanceTo(tick.tsMs);
    if (!this.marketTraded(tick.window) && !this.hasPositionIn(tick.window)) return;
    this.send(this.trader.onTick(tick));
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
    this.send(this.trader.flattenAll(this.clock.now()));
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
    for (const m of this.o.markets()) this.addMarket(m);
    await this.guard('unknown orders', () => this.resolveUnknowns());
    // ticks flag only their own window's orders: a quiet window's are flagged here
    this.trader.checkLockTimeouts(this.clock.now());
    await this.guard('stuck orders', () => this.settleStuck());
    await this.flush();
  }

  /** Window lane: resolves ended windows no tick settled and redeems resolved windows. */
  async pollWindows(): Promise<void> {
    await this.guard('chain resolution', () => this.resolveEndedWindows());
    await this.guard('redeem', () => this.redeemResolved());
    await this.flush();
  }

  /**
   * One reconciliation pass (design §9): open positions vs the wallet's balances of their tokens
   * and of every market in play. Busy tokens are skipped; each discrepancy is adopted with a
   * RECONCILED audit row and counted. Returns the discrepancies found.
   * @throws the chain reader's classified error (nothing is changed then).
   */
  async reconcileOnce(): Promise<Discrepancy[]> {
    for (const m of this.o.markets()) this.addMarket(m);
    const startedWall = this.o.wall.now();
    const tokens = new Set<string>();
    for (const p of this.trader.openPositions()) tokens.add(canonicalTokenId(p.tokenId));
    for (const [key, m] of this.markets) {
      if (this.settledWindows.has(key)) continue;
      tokens.add(canonicalTokenId(m.upTokenId));
      tokens.add(canonicalTokenId(m.downTokenId));
    }
    if (tokens.size === 0) return [];
    const balances = await this.bounded(
      'reconciliation balances',
      this.o.chain.outcomeBalances(this.o.chain.owner, [...tokens]),
    );
    this.stats.reconcilePasses += 1;
    const busy = this.busyTokens(startedWall);
    const chain = new Map<string, bigint>();
    for (const [id, v] of balances) {
      if (busy.has(id)) this.stats.skippedBusy += 1;
      else chain.set(id, v);
    }
    const positions = this.trader
      .openPositions()
      .filter((p) => !busy.has(canonicalTokenId(p.tokenId)))
      .map((p) => ({ positionKey: p.key, tokenId: p.tokenId, shares: p.shares, state: p.state }));
    const found = reconcile(positions, chain, { salesByToken: this.salesByToken });
    const now = this.clock.now();
    for (const d of found) this.apply(d, now);
    if (found.length > 0) await this.flush();
    return found;
  }

  /** Stops taking ticks, waits (bounded) for orders in flight, flushes. Positions stay as they are. */
  async stop(waitMs: number): Promise<void> {
    this.stopped = true;
    await Promise.race([this.o.venue.idle(), new Promise((r) => setTimeout(r, waitMs).unref())]);
    await this.io;
    await this.flush();
  }

  /** Resolves when the journal and every queued send have been handed over. */
  async settled(): Promise<void> {
    await this.io;
  }

  /** Conditions waiting for resolution or redeem. */
  pendingRedeems(): number {
    return this.redeemQueue.size;
  }

  /** Writes the journal buffers now (serialised with the sends). Never throws. */
  flush(): Promise<void> {
    const next = this.io.then(() => this.sink.flush(this.o.repo, this.o.runId));
    this.io = next.catch((err: unknown) => {
      this.stats.flushErrors += 1;
      this.o.log.error({ err: (err as Error).message }, 'journal write failed');
    });
    return this.io;
  }

  private onVenueEvent(ev: VenueEvent): void {
    const key = positionKeyOfClientOrderId(ev.clientOrderId);
    const p = key === null ? undefined : this.trader.position(key);
    if (ev.kind === 'filled' && p !== undefined)
      this.lastFillWall.set(canonicalTokenId(p.tokenId), this.o.wall.now());
    this.send(this.trader.onVenueEvent(ev, this.clock.now()));
  }

  /** Write-ahead: the journal (orders as `pending`) is stored before the commands go out. */
  private send(cmds: readonly OrderCommand[]): void {
    if (cmds.length === 0) return;
    const next = this.io.then(async () => {
      try {
        await this.sink.flush(this.o.repo, this.o.runId);
      } catch (err) {
        this.stats.flushErrors += 1;
        this.o.log.error({ err: (err as Error).message }, 'journal write failed: orders not sent');
        const now = this.clock.now();
        for (const c of cmds)
          this.send(this.trader.onSubmitError(c, new Error('journal not written'), now, 'venue_unavailable'));
        return;
      }
      for (const c of cmds) {
        try {
          this.o.venue.submit(c);
        } catch (err) {
          this.send(this.trader.onSubmitError(c, err, this.clock.now()));
        }
      }
    });
    this.io = next.catch((err: unknown) => {
      this.o.log.error({ err: (err as Error).message }, 'order send failed');
    });
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

  /**
   * Whether a window's market passed its check (every market does without `checkMarket`). A
   * window first seen in a tick is registered from the collector's markets and checked.
   */
  private marketTraded(w: WindowRef): boolean {
    if (this.o.checkMarket === undefined) return true;
    const key = windowKey(w);
    if (!this.marketCheck.has(key)) {
      const m = this.o.markets().find((x) => windowKey(x.window) === key);
      if (m !== undefined) this.addMarket(m);
    }
    return this.marketCheck.get(key) === null;
  }

  /** Whether a position not CLOSED is in `w`. */
  private hasPositionIn(w: WindowRef): boolean {
    const key = windowKey(w);
    return this.trader.openPositions().some((p) => windowKey(p.window) === key);
  }

  /** Marks a window's outcome settled: its tokens are never reconciled again (issue #8 point 2). */
  private settleWindow(w: WindowRef): void {
    const key = windowKey(w);
    if (this.settledWindows.has(key)) return;
    this.settledWindows.add(key);
    this.stats.settledWindows += 1;
  }

  /**
   * An EXITING position past the lock timeout whose order the venue cannot answer (design §7):
   * the chain decides. No tokens left (after the settlement grace) → the sell went through:
   * CLOSED by reconciliation. Tokens all there → the order is treated as rejected (the round
   * goes on). Anything between waits for the reconciliation pass.
   */
  private async settleStuck(): Promise<void> {
    const unknown = new Set(this.o.venue.unknownOrders());
    const stuck = this.trader
      .openPositions()
      .filter((p) => p.lockTimedOut && p.openOrderId !== null && unknown.has(p.openOrderId));
    if (stuck.length === 0) return;
    const balances = await this.bounded(
      'stuck order balances',
      this.o.chain.outcomeBalances(
        this.o.chain.owner,
        stuck.map((p) => p.tokenId),
      ),
    );
    const now = this.clock.now();
    const wall = this.o.wall.now();
    for (const p of stuck) {
      const id = p.openOrderId;
      if (id === null) continue;
      if (p.state === 'PENDING') {
        this.settleStuckEntry(p, id, balances, wall, now);
        continue;
      }
      const held = balances.get(canonicalTokenId(p.tokenId)) ?? 0n;
      const lastFill = this.lastFillWall.get(canonicalTokenId(p.tokenId)) ?? 0;
      if (held <= DEFAULT_DUST_MICROS && wall - lastFill >= this.o.config.SETTLEMENT_GRACE_MS) {
        this.o.venue.forgetUnknown(id);
        this.trader.reconcileClose(p.key, now, {
          kind: 'missing',
          reason: 'exit order unanswered past POSITION_LOCK_TIMEOUT_MS; no tokens on chain',
          orderId: id,
          owner: this.o.chain.owner,
        });
        this.stats.stuckSettledFromChain += 1;
      } else if (held >= BigInt(p.shares)) {
        this.o.venue.forgetUnknown(id);
        this.stats.stuckSettledFromChain += 1;
        this.onVenueEvent({
          kind: 'rejected',
          clientOrderId: id,
          tsMs: now,
          reason: 'unanswered past POSITION_LOCK_TIMEOUT_MS; the chain still holds every share',
          // not the market's answer: no attempt or round is used, the exit is sent again
          cause: 'venue_unavailable',
        });
      }
    }
  }

  /**
   * A PENDING entry past the lock timeout whose order the venue cannot answer (issue #8 point 6),
   * once the settlement grace has passed since it was signed: the chain decides. No tokens beyond
   * what other positions and sale dust explain → it never filled: a failed entry (no trade).
   * Tokens there → it filled: OPEN with those shares (`confirmEntry`, cost = the entry's notional).
   */
  private settleStuckEntry(
    p: Position,
    id: string,
    balances: ReadonlyMap<string, bigint>,
    wall: number,
    now: number,
  ): void {
    const token = canonicalTokenId(p.tokenId);
    const signed = this.signedWall.get(id) ?? 0;
    if (wall - signed < this.o.config.SETTLEMENT_GRACE_MS) return;
    let others = 0n;
    for (const q of this.trader.openPositions())
      if (q.key !== p.key && canonicalTokenId(q.tokenId) === token) others += BigInt(q.shares);
    const held = balances.get(token) ?? 0n;
    const mine = held - others;
    const dust = DEFAULT_DUST_MICROS + BigInt(this.salesByToken.get(token) ?? 0) * DEFAULT_DUST_MICROS;
    const audit = { orderId: id, owner: this.o.chain.owner, chainMicros: held.toString() };
    this.o.venue.forgetUnknown(id);
    this.stats.stuckEntriesSettled += 1;
    if (mine <= dust)
      this.trader.reconcileClose(p.key, now, {
        ...audit,
        kind: 'missing',
        reason: 'entry unanswered past POSITION_LOCK_TIMEOUT_MS and the settlement grace; no tokens on chain',
      });
    else
      this.trader.confirmEntry(p.key, Number(mine), now, {
        ...audit,
        kind: 'extra',
        reason: 'entry unanswered past POSITION_LOCK_TIMEOUT_MS; its tokens are on chain',
      });
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
      this.send(this.trader.resolveFromChain(w, winner, now));
    }
  }

  private countSale(tokenId: string, w: WindowRef): void {
    const id = canonicalTokenId(tokenId);
    this.salesByToken.set(id, (this.salesByToken.get(id) ?? 0) + 1);
    this.dustWindows.add(windowKey(w));
  }

  /**
   * Queues the redeem of a window (after its resolution on chain), with `p` when given: the
   * position whose payout is recorded. Without `p` (dust of sales, tokens found by
   * reconciliation) nothing is recorded on a position.
   */
  private queueRedeem(w: WindowRef, p?: Position): void {
    const m = this.markets.get(windowKey(w));
    if (m === undefined) {
      this.o.log.warn(
        { window: windowKey(w) },
        'redeem: the window has no known condition id; redeem it by hand',
      );
      return;
    }
    let e = this.redeemQueue.get(m.conditionId);
    if (e === undefined) {
      e = { conditionId: m.conditionId, window: w, positions: [] };
      this.redeemQueue.set(m.conditionId, e);
    }
    if (p !== undefined && !e.positions.some((q) => q.key === p.key)) e.positions.push(p);
  }

  /**
   * Redeems every queued condition the chain has resolved and records on each position what the
   * redeem transaction paid (issue #8 point 7): the payout read from the receipt's
   * `PayoutRedemption` event, shared among the window's positions by their predicted payouts
   * (0 when the transaction paid 0, whatever was predicted). A funder this trader cannot redeem for
   * (proxy/Safe) is told once per window; its tokens stay with the wallet and the window is settled.
   */
  private async redeemResolved(): Promise<void> {
    for (const e of [...this.redeemQueue.values()]) {
      const state = await this.bounded('payout', this.o.chain.payout(e.conditionId));
      if (!state.resolved) continue;
      this.settleWindow(e.window);
      const redeem = this.o.chain.redeem;
      const m = this.markets.get(windowKey(e.window));
      if (redeem === null) {
        this.redeemQueue.delete(e.conditionId);
        this.stats.unredeemable += 1;
        this.o.log.warn(
          { conditionId: e.conditionId, window: windowKey(e.window) },
          'resolved: this funder type redeems through its wallet (the Polymarket UI); the tokens are left there',
        );
        continue;
      }
      const held =
        m === undefined
          ? new Map<string, bigint>()
          : await this.bounded(
              'redeem balances',
              this.o.chain.outcomeBalances(this.o.chain.owner, [m.upTokenId, m.downTokenId]),
            );
      let total = 0n;
      for (const v of held.values()) total += v;
      let result: RedeemResult | null = null;
      if (total > 0n) {
        try {
          result = await redeem(e.conditionId);
        } catch (err) {
          this.stats.redeemErrors += 1;
          this.o.log.warn(
            { conditionId: e.conditionId, err: (err as Error).message },
            'redeem failed; retried next poll',
          );
          continue;
        }
      }
      this.redeemQueue.delete(e.conditionId);
      if (m !== undefined) {
        this.salesByToken.delete(canonicalTokenId(m.upTokenId));
        this.salesByToken.delete(canonicalTokenId(m.downTokenId));
      }
      const now = this.clock.now();
      const predicted = e.positions.map((p) => {
        const num = state.numerators[p.side === 'UP' ? 0 : 1] ?? 0n;
        return (BigInt(p.shares) * num) / state.denominator;
      });
      const predictedTotal = predicted.reduce((a, b) => a + b, 0n);
      // no token of the window left: it was redeemed already (issue #9: a process killed between
      // the redeem transaction and its record, or a redeem by hand); the resolved payout of the
      // positions' shares went to the wallet, so it is recorded (without a transaction hash)
      const already = result === null && m !== undefined && predictedTotal > 0n;
      if (already)
        this.o.log.warn(
          { conditionId: e.conditionId, payoutMicros: predictedTotal.toString() },
          'resolved window already redeemed (before a restart, or by hand): its resolved payout is recorded',
        );
      const paid = result?.payoutMicros ?? (already ? predictedTotal : 0n);
      if (paid !== predictedTotal)
        this.o.log.warn(
          { conditionId: e.conditionId, predicted: predictedTotal.toString(), paid: paid.toString() },
          'redeem paid other than predicted; the payout read from the receipt is recorded',
        );
      e.positions.forEach((p, i) => {
        const share = predicted[i] ?? 0n;
        // what the receipt paid, shared by predicted payout; never more than this position's shares are worth
        const proceeds = predictedTotal === 0n ? 0 : Number((paid * share) / predictedTotal);
        this.trader.recordPayout(p, Math.min(proceeds, Number(share)), now, {
          conditionId: e.conditionId,
          txHash: result?.txHash ?? null,
          blockNumber: result?.blockNumber ?? null,
          windowPayoutMicros: paid.toString(),
          predictedMicros: share.toString(),
          ...(already ? { alreadyRedeemed: true } : {}),
        });
        if (proceeds > 0 && result !== null) this.stats.redeemed += 1;
      });
      this.stats.redeemPayoutMicros += Number(result?.payoutMicros ?? 0n);
      this.o.log.info(
        { conditionId: e.conditionId, txHash: result?.txHash ?? null, payoutMicros: String(paid) },
        'redeemed',
      );
    }
  }

  /** Tokens a pass must not judge: orders in flight, recent fills, windows awaiting redeem. */
  private busyTokens(startedWall: number): Set<string> {
    const busy = new Set<string>();
    const wall = this.o.wall.now();
    for (const p of this.trader.openPositions())
      if (p.openOrderId !== null) busy.add(canonicalTokenId(p.tokenId));
    for (const [id, at] of this.lastFillWall) {
      if (at >= startedWall || wall - at < this.o.config.SETTLEMENT_GRACE_MS) busy.add(id);
      else if (wall - at > 10 * this.o.config.SETTLEMENT_GRACE_MS + 3_600_000) this.lastFillWall.delete(id);
    }
    for (const e of this.redeemQueue.values()) {
      const m = this.markets.get(windowKey(e.window));
      if (m === undefined) continue;
      busy.add(canonicalTokenId(m.upTokenId));
      busy.add(canonicalTokenId(m.downTokenId));
    }
    return busy;
  }

  private apply(d: Discrepancy, now: number): void {
    this.stats.discrepancies[d.kind] += 1;
    const audit = { ...auditData(d), owner: this.o.chain.owner };
    this.o.log.warn(audit, 'reconciliation: discrepancy adopted from the chain');
    const dec = d.decision;
    switch (dec.action) {
      case 'set_shares':
        if (this.trader.reconcileShares(dec.positionKey, Number(dec.sharesMicros), now, audit))
          this.stats.resized += 1;
        return;
      case 'close':
        for (const k of dec.positionKeys)
          if (this.trader.reconcileClose(k, now, audit)) this.stats.closedByReconcile += 1;
        return;
      case 'adopt': {
        const t = this.tokenIndex.get(d.tokenId);
        if (t !== undefined && windowEndMs(t.market.window) <= now) {
          // tokens of an ended window are never adopted (issue #8 point 2): nothing can be traded
          // there; they are redeemed once resolved (or left to the wallet), and the window is settled
          this.settleWindow(t.market.window);
          this.trader.audit(`reconcile_${d.tokenId}`, 'RECONCILED', now, {
            ...audit,
            note: 'ended window: redeem',
          });
          this.queueRedeem(t.market.window);
          return;
        }
        if (t === undefined) {
          this.stats.reviews += 1;
          this.trader.audit(`reconcile_${d.tokenId}`, 'RECONCILED', now, {
            ...audit,
            note: 'token of no known window: review',
          });
          return;
        }
        this.trader.adoptPosition(t.market.window, t.side, d.tokenId, Number(dec.sharesMicros), now, audit);
        // held to resolution: closed at the window end, then redeemed like any held position
        this.stats.adopted += 1;
        return;
      }
      case 'redeem': {
        const t = this.tokenIndex.get(d.tokenId);
        this.trader.audit(`reconcile_${d.tokenId}`, 'RECONCILED', now, audit);
        if (t !== undefined) this.queueRedeem(t.market.window);
        return;
      }
      case 'review':
        this.stats.reviews += 1;
        for (const k of dec.positionKeys) this.trader.audit(k, 'RECONCILED', now, audit);
        return;
    }
  }
}

/** Continues the exit-order numbering of a restored position (client order ids never repeat). */
function setExitRounds(p: Position, orders: readonly OrderRecord[]): void {
  for (const r of orders) {
    const m = /:exit:(\d+)\.(\d+)$/.exec(r.clientOrderId);
    if (m === null) continue;
    const round = Number(m[1]);
    const attempt = Number(m[2]);
    if (round > p.exitRounds) {
      p.exitRounds = round;
      p.roundAttempts = attempt;
    } else if (round === p.exitRounds && attempt > p.roundAttempts) p.roundAttempts = attempt;
  }
  if (p.state !== 'EXITING') p.roundAttempts = 0;
}

/** The command behind a stored order (to settle its outcome after a restart). */
function commandOf(r: OrderRecord, p: Position): OrderCommand {
  return {
    clientOrderId: r.clientOrderId,
    positionKey: r.positionKey,
    purpose: r.purpose,
    tokenId: r.tokenId,
    window: p.window,
    side: r.side,
    tif: 'FOK',
    limitPrice: r.limitPrice,
    ...(r.notional === null ? {} : { notional: r.notional }),
    ...(r.shares === null ? {} : { shares: r.shares }),
    createdMs: r.createdMs,
  };
}
