/**
 * The replay driver: recorded rows → virtual clock → books → LiveTrader → simulated venue, the same
 * core code as sim and live (design §1–2). Synchronous per row (`step`), so it can be benchmarked
 * and tested without a database; `run` adds periodic flushes to a repository.
 */
import { VirtualClock } from '../core/clock';
import { MICROS } from '../core/money';
import type { OrderCommand, Tick, TickRow, VenueEvent } from '../core/types';
import type { OrderBook } from '../book/order-book';
import { BookStore } from '../book/book-store';
import type { Config } from '../config/schema';
import { SimVenue } from '../execution/sim-venue';
import type { ExecutionVenue } from '../execution/venue';
import type { Repository } from '../persistence/repository';
import { createStrategies } from '../strategy/factory';
import type { Strategy } from '../strategy/strategy';
import { LiveTrader } from '../trader/live-trader';
import { RecordingSink } from './recording-sink';

/** Options of a replay. */
export interface ReplayEngineOptions {
  readonly config: Config;
  /** Strategy instances (default: from `config.strategies`). */
  readonly strategies?: readonly Strategy[];
  /** A venue to use instead of the simulated one (tests inject failing venues). */
  readonly venue?: (books: BookStore, clock: VirtualClock) => ExecutionVenue;
  /** Buffer ticks for persistence (default: `config.PERSIST_TICKS`). */
  readonly persistTicks?: boolean;
  /** Where the simulated venue finds books (default: the engine's row-fed BookStore). */
  readonly bookOf?: (tokenId: string) => OrderBook | undefined;
}

/** Drives one replay. */
export class ReplayEngine {
  readonly clock = new VirtualClock(0);
  readonly books = new BookStore();
  readonly trader: LiveTrader;
  readonly sink: RecordingSink;
  readonly venue: ExecutionVenue;
  /** Rows consumed. */
  rows = 0;
  private lastTs = 0;
  private readonly events: VenueEvent[] = [];
  private readonly commands: OrderCommand[] = [];
  private readonly sim: SimVenue | null;

  /** Wires the pipeline. */
  constructor(opts: ReplayEngineOptions) {
    const cfg = opts.config;
    this.sink = new RecordingSink((w) => {
      const t = this.books.window(w);
      return { up: t.up.tokenId, down: t.down.tokenId };
    }, opts.persistTicks ?? cfg.PERSIST_TICKS);
    this.trader = new LiveTrader(cfg, opts.strategies ?? createStrategies(cfg.strategies), this.sink);
    this.venue =
      opts.venue?.(this.books, this.clock) ??
      new SimVenue({
        bookOf: opts.bookOf ?? ((id) => this.books.find(id)),
        clock: this.clock,
        latencyMs: cfg.SIM_LATENCY_MS,
        fee: { rate: cfg.FEE_RATE, exponent: cfg.FEE_EXPONENT },
        minNotional: Math.round(cfg.MIN_ORDER_NOTIONAL_USDC * MICROS),
      });
    this.venue.setListener((ev) => this.events.push(ev));
    this.sink.onResolved = (w) => this.books.dropWindow(w);
    this.sim = this.venue instanceof SimVenue ? this.venue : null;
  }

  /** Processes one row (rows must come in non-decreasing `tsMs`; earlier ones are clamped). */
  step(row: TickRow): void {
    const ts = this.advance(row.tsMs);
    const tick = this.books.applyRow(row);
    this.sink.tick(row, tick.windowKey);
    this.decide(tick, ts);
  }

  /**
   * Processes a tick built elsewhere (the recorded live feed: `FeedProcessor` owns the books, and
   * the venue must have been given `bookOf`). Ticks must come in non-decreasing `tsMs`.
   */
  stepTick(tick: Tick): void {
    this.decide(tick, this.advance(tick.tsMs));
  }

  /** Counts a row, moves the clock, and lets orders that arrived before `tsMs` fill. */
  private advance(tsMs: number): number {
    this.rows += 1;
    const ts = tsMs > this.lastTs ? tsMs : this.lastTs;
    this.lastTs = ts;
    this.clock.advanceTo(ts);
    const sim = this.sim;
    if (sim !== null && sim.pending > 0) {
      sim.processDue(ts, false);
      this.dispatch(NO_COMMANDS);
    }
    return ts;
  }

  private decide(tick: Tick, ts: number): void {
    const sim = this.sim;
    const cmds = this.trader.onTick(tick);
    if (cmds.length > 0 || this.events.length > 0) this.dispatch(cmds);
    if (sim !== null && sim.pending > 0) {
      sim.processDue(ts, true);
      this.dispatch(NO_COMMANDS);
    }
  }

  /** Sells every open position now (kill switch flatten) through the venue. */
  flatten(): void {
    this.dispatch(this.trader.flattenAll(this.clock.now()));
  }

  /** Ends the replay: flushes in-flight simulated orders, resolves every remaining window. */
  finish(): void {
    const sim = this.sim;
    if (sim !== null) {
      sim.processDue(Number.MAX_SAFE_INTEGER, true);
      this.dispatch([]);
    }
    this.dispatch(this.trader.finish(this.lastTs));
  }

  /**
   * Runs every row (an array, or batches streamed from `streamInput`), flushing the sink to `repo`
   * once at least `flushEvery` rows have passed since the last flush (no repository: buffers are
   * dropped), then finishes and flushes. `onProgress` gets the rows done.
   */
  async run(
    rows: readonly TickRow[] | AsyncIterable<readonly TickRow[]>,
    opts: {
      repo: Repository | null;
      runId: number;
      flushEvery?: number;
      onProgress?: (done: number) => void;
    },
  ): Promise<void> {
    const every = opts.flushEvery ?? 5000;
    let flushedAt = 0;
    const batches = isRowArray(rows) ? chunks(rows, every) : rows;
    for await (const batch of batches) {
      for (const row of batch) this.step(row);
      if (this.rows - flushedAt >= every) {
        flushedAt = this.rows;
        await this.flush(opts.repo, opts.runId);
        opts.onProgress?.(this.rows);
      }
    }
    this.finish();
    await this.flush(opts.repo, opts.runId);
    opts.onProgress?.(this.rows);
  }

  /** Writes the buffered records to `repo` (or drops them when there is none). */
  async flush(repo: Repository | null, runId: number): Promise<void> {
    if (repo === null) this.sink.discard();
    else await this.sink.flush(repo, runId);
  }

  private dispatch(cmds: readonly OrderCommand[]): void {
    const q = this.commands;
    for (const c of cmds) q.push(c);
    while (q.length > 0 || this.events.length > 0) {
      while (this.events.length > 0) {
        const ev = this.events.shift()!;
        for (const c of this.trader.onVenueEvent(ev, this.clock.now())) q.push(c);
      }
      const cmd = q.shift();
      if (cmd === undefined) continue;
      try {
        this.venue.submit(cmd);
      } catch (err) {
        for (const c of this.trader.onSubmitError(cmd, err, this.clock.now())) q.push(c);
      }
    }
  }
}

function isRowArray(
  rows: readonly TickRow[] | AsyncIterable<readonly TickRow[]>,
): rows is readonly TickRow[] {
  return Array.isArray(rows);
}

function* chunks<T>(rows: readonly T[], size: number): Generator<readonly T[]> {
  for (let i = 0; i < rows.length; i += size) yield rows.slice(i, i + size);
}

const NO_COMMANDS: readonly OrderCommand[] = [];
