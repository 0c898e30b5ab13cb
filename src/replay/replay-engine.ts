/**
 * The replay driver: recorded rows → virtual clock → books → LiveTrader → simulated venue, the same
 * core code as sim and live (design §1–2). Synchronous per row (`step`), so it can be benchmarked
 * and tested without a database; `run` adds periodic flushes to a repository.
 */
import type { VirtualClock } from '../core/clock';
import { MICROS } from '../core/money';
import type { Tick, TickRow } from '../core/types';
import type { OrderBook } from '../book/order-book';
import { BookStore } from '../book/book-store';
import type { Config } from '../config/schema';
import { SimVenue } from '../execution/sim-venue';
import type { ExecutionVenue } from '../execution/venue';
import type { Repository } from '../persistence/repository';
import { createStrategies } from '../strategy/factory';
import type { Strategy } from '../strategy/strategy';
import type { LiveTrader } from '../trader/live-trader';
import { Engine } from '../engine/engine';
import { RecordingSink } from '../engine/recording-sink';

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
  /** Highest journal seq already stored for the run (a resumed paper twin, issue #11); default 0. */
  readonly journalSeqStart?: number;
}

/** Drives one replay: rows → books → the {@link Engine}. */
export class ReplayEngine {
  readonly books = new BookStore();
  readonly engine: Engine;
  /** Rows consumed. */
  rows = 0;
  /** Called with every tick after the trader saw it (the dashboard and the report; issue #13). */
  onTick: ((tick: Tick) => void) | null = null;
  private lastTs = 0;

  /** Wires the pipeline. */
  constructor(opts: ReplayEngineOptions) {
    const cfg = opts.config;
    const journal = new RecordingSink((w) => {
      const t = this.books.window(w);
      return { up: t.up.tokenId, down: t.down.tokenId };
    }, opts.persistTicks ?? cfg.PERSIST_TICKS);
    this.engine = new Engine({
      config: cfg,
      strategies: opts.strategies ?? createStrategies(cfg.strategies),
      journal,
      ...(opts.journalSeqStart === undefined ? {} : { journalSeqStart: opts.journalSeqStart }),
      venue: (clock) =>
        opts.venue?.(this.books, clock) ??
        new SimVenue({
          bookOf: opts.bookOf ?? ((id) => this.books.find(id)),
          clock,
          latencyMs: cfg.SIM_LATENCY_MS,
          fee: { rate: cfg.FEE_RATE, exponent: cfg.FEE_EXPONENT },
          minNotional: Math.round(cfg.MIN_ORDER_NOTIONAL_USDC * MICROS),
        }),
    });
    journal.onResolved = (w) => this.books.dropWindow(w);
  }

  /** The engine's clock (the replayed time). */
  get clock(): VirtualClock {
    return this.engine.clock;
  }

  /** The engine's trader. */
  get trader(): LiveTrader {
    return this.engine.trader;
  }

  /** The engine's journal buffer. */
  get sink(): RecordingSink {
    return this.engine.journal;
  }

  /** The engine's venue. */
  get venue(): ExecutionVenue {
    return this.engine.venue;
  }

  /** Processes one row (rows must come in non-decreasing `tsMs`; earlier ones are clamped). */
  step(row: TickRow): void {
    this.rows += 1;
    this.lastTs = this.engine.advance(row.tsMs);
    const tick = this.books.applyRow(row);
    this.engine.journal.tick(row, tick.windowKey);
    this.engine.decide(tick);
    this.onTick?.(tick);
  }

  /**
   * Processes a tick built elsewhere (the recorded live feed, `trade --mode sim`: `FeedProcessor`
   * owns the books, and the venue must have been given `bookOf`). Ticks must come in
   * non-decreasing `tsMs`.
   */
  stepTick(tick: Tick): void {
    this.rows += 1;
    this.lastTs = this.engine.advance(tick.tsMs);
    this.engine.decide(tick);
    this.onTick?.(tick);
  }

  /** Sells every open position now (kill switch flatten) through the venue. */
  flatten(): void {
    this.engine.flatten();
  }

  /**
   * Ends the replay: executes in-flight simulated orders, resolves every remaining window — with
   * `endedOnly`, only windows ended by the last tick (a live recording or a paper twin's stop:
   * a window still running has no outcome yet; issue #11).
   */
  finish(endedOnly = false): void {
    this.engine.finish(this.lastTs, endedOnly);
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
      /** Paces the rows (`replay --speed`): resolves when the row at `tsMs` is due, `null` = now. */
      pace?: (tsMs: number) => Promise<void> | null;
    },
  ): Promise<void> {
    const every = opts.flushEvery ?? 5000;
    let flushedAt = 0;
    const batches = isRowArray(rows) ? chunks(rows, every) : rows;
    for await (const batch of batches) {
      if (opts.pace === undefined) for (const row of batch) this.step(row);
      else
        for (const row of batch) {
          const due = opts.pace(row.tsMs);
          if (due !== null) await due;
          this.step(row);
        }
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
}

function isRowArray(
  rows: readonly TickRow[] | AsyncIterable<readonly TickRow[]>,
): rows is readonly TickRow[] {
  return Array.isArray(rows);
}

function* chunks<T>(rows: readonly T[], size: number): Generator<readonly T[]> {
  for (let i = 0; i < rows.length; i += size) yield rows.slice(i, i + size);
}
