/**
 * The engine (issue #10): one way for a tick to become an order, whatever drives it — replay,
 * `trade --mode sim`, `trade --mode live` and (next) the paper twin. It owns a clock, a trader,
 * a venue, the journal buffer and one dispatch queue; it does no I/O of its own.
 *
 * Per tick (`advance` then `decide`, design §2): the clock moves to the tick's time (never back);
 * orders that arrived before it are executed first (simulated latency runs as timers on the
 * clock, scheduled through the venue port), then the trader decides on the tick, then orders that
 * arrive exactly at the tick's time are executed. Venue outcomes go back to the trader in the
 * order they came, and the commands they cause are dispatched the same way.
 *
 * Dispatch is synchronous (replay, sim), unless a `writeAhead` gate is given (live): the engine
 * then hands each batch of commands to the gate, which stores the journal first and submits them
 * through {@link Engine.submit} when it is written.
 *
 * Engines share no mutable state: several can run side by side on one tick stream (each with its
 * own strategies, trader, venue, clock and journal).
 */
import { VirtualClock } from '../core/clock';
import type { FailureCause, OrderCommand, Tick, VenueEvent } from '../core/types';
import type { Config } from '../config/schema';
import type { ExecutionVenue } from '../execution/venue';
import type { Strategy } from '../strategy/strategy';
import { LiveTrader } from '../trader/live-trader';
import type { TraderSink } from '../trader/trader-sink';
import type { RecordingSink } from './recording-sink';

/** Where a gate hands the commands it let through. */
export interface CommandOutlet {
  /** Hands one command to the venue (a command the venue cannot take is a failed attempt). */
  submit(cmd: OrderCommand): void;
  /** A command that could not be sent: the trader's failed attempt (`cause` as the venue's). */
  fail(cmd: OrderCommand, err: unknown, cause?: FailureCause): void;
}

/**
 * Takes a batch of commands before they reach the venue (the live write-ahead journal): it must
 * call `out.submit` for each, in order, once the journal holds them, or `out.fail`.
 */
export type WriteAheadGate = (cmds: readonly OrderCommand[], out: CommandOutlet) => void;

/** Options of an {@link Engine}. */
export interface EngineOptions {
  readonly config: Config;
  /** The strategies of this engine (stateful: never shared between engines). */
  readonly strategies: readonly Strategy[];
  /** The journal buffer (positions, orders, fills, events, windows, ticks). */
  readonly journal: RecordingSink;
  /** The venue, built on the engine's clock (its timers carry simulated latency). */
  readonly venue: (clock: VirtualClock) => ExecutionVenue;
  /** What the trader reports to (default the journal; live adds its own reactions). */
  readonly sink?: TraderSink;
  /**
   * The engine's clock (live: built first, so the venue's orders are stamped with it); default a
   * new one at `startMs`.
   */
  readonly clock?: VirtualClock;
  /** The clock's time before the first tick, ms (default 0; ignored with `clock`). */
  readonly startMs?: number;
  /** Highest journal seq already stored (a resumed live run), default 0. */
  readonly journalSeqStart?: number;
  /** Live: the write-ahead gate between the trader and the venue (default none: synchronous). */
  readonly writeAhead?: WriteAheadGate;
  /** Sees each venue outcome before the trader does (live: fill times for reconciliation). */
  readonly beforeEvent?: (ev: VenueEvent) => void;
}

/** Clock + trader + venue + journal + one dispatch queue. */
export class Engine {
  readonly clock: VirtualClock;
  readonly trader: LiveTrader;
  readonly journal: RecordingSink;
  readonly venue: ExecutionVenue;
  private readonly events: VenueEvent[] = [];
  private readonly queue: OrderCommand[] = [];
  /** True while the queue is being drained or timers run (outcomes are queued, not re-entered). */
  private busy = false;
  private readonly gate: WriteAheadGate | null;
  private readonly beforeEvent: ((ev: VenueEvent) => void) | null;
  private readonly outlet: CommandOutlet = {
    submit: (cmd) => this.submit(cmd),
    fail: (cmd, err, cause) => this.submitFailed(cmd, err, cause),
  };

  /** Wires the trader, the journal and the venue's listener; sends nothing. */
  constructor(o: EngineOptions) {
    this.clock = o.clock ?? new VirtualClock(o.startMs ?? 0);
    this.journal = o.journal;
    this.trader = new LiveTrader(o.config, o.strategies, o.sink ?? o.journal, o.journalSeqStart ?? 0);
    this.venue = o.venue(this.clock);
    this.gate = o.writeAhead ?? null;
    this.beforeEvent = o.beforeEvent ?? null;
    this.venue.setListener((ev) => this.onVenueEvent(ev));
  }

  /**
   * Moves the clock to `tsMs` (never back) and executes the orders that arrived before it.
   * Returns the clock's time, ms.
   */
  advance(tsMs: number): number {
    const clock = this.clock;
    clock.advanceTo(tsMs);
    const ts = clock.now();
    if (clock.pendingTimers > 0) this.runTimers(ts, false);
    return ts;
  }

  /**
   * The trader decides on `tick` (the clock already at its time, see {@link advance}); its orders
   * are dispatched, then orders arriving at the tick's time are executed.
   */
  decide(tick: Tick): void {
    const cmds = this.trader.onTick(tick);
    if (cmds.length > 0 || this.events.length > 0) this.dispatch(cmds);
    const clock = this.clock;
    if (clock.pendingTimers > 0) this.runTimers(clock.now(), true);
  }

  /** {@link advance} to the tick's time, then {@link decide}. */
  onTick(tick: Tick): void {
    this.advance(tick.tsMs);
    this.decide(tick);
  }

  /** A venue outcome (from the venue's listener, or settled by the live loop after a restart). */
  onVenueEvent(ev: VenueEvent): void {
    this.beforeEvent?.(ev);
    this.events.push(ev);
    if (!this.busy) this.drain();
  }

  /** Sends commands made outside a tick (flatten, a window resolved from the chain). */
  dispatch(cmds: readonly OrderCommand[]): void {
    if (this.gate !== null) {
      if (cmds.length > 0) this.gate(cmds, this.outlet);
      if (this.events.length > 0 && !this.busy) this.drain();
      return;
    }
    for (const c of cmds) this.queue.push(c);
    if (!this.busy) this.drain();
  }

  /**
   * Hands one command to the venue now (the write-ahead gate calls this once the journal holds
   * it). A command the venue cannot take is a failed attempt for the trader.
   */
  submit(cmd: OrderCommand): void {
    try {
      this.venue.submit(cmd);
    } catch (err) {
      this.dispatch(this.trader.onSubmitError(cmd, err, this.clock.now()));
    }
  }

  /** A command that could not be sent (the journal was not written): the trader's failed attempt. */
  submitFailed(cmd: OrderCommand, err: unknown, cause?: FailureCause): void {
    this.dispatch(this.trader.onSubmitError(cmd, err, this.clock.now(), cause));
  }

  /** Kill switch flatten: sells every open position now. */
  flatten(): void {
    this.dispatch(this.trader.flattenAll(this.clock.now()));
  }

  /**
   * Ends a replay at `endMs`: executes every order still travelling, then resolves every
   * remaining window (with `endedOnly`, those ended by `endMs`: a paper twin's stop, issue #11).
   */
  finish(endMs: number, endedOnly = false): void {
    if (this.clock.pendingTimers > 0) this.runTimers(Number.MAX_SAFE_INTEGER, true);
    this.dispatch(this.trader.finish(endMs, endedOnly));
  }

  private runTimers(ms: number, inclusive: boolean): void {
    const was = this.busy;
    this.busy = true;
    try {
      this.clock.runDue(ms, inclusive);
    } finally {
      this.busy = was;
    }
    if (!was) this.drain();
  }

  /** Outcomes first (in order), then one command; until both are empty. */
  private drain(): void {
    this.busy = true;
    try {
      const q = this.queue;
      const events = this.events;
      while (q.length > 0 || events.length > 0) {
        while (events.length > 0) {
          const cmds = this.trader.onVenueEvent(events.shift()!, this.clock.now());
          if (cmds.length === 0) continue;
          if (this.gate !== null) this.gate(cmds, this.outlet);
          else for (const c of cmds) q.push(c);
        }
        const cmd = q.shift();
        if (cmd !== undefined) this.submit(cmd);
      }
    } finally {
      this.busy = false;
    }
  }
}
