/** A source of the current time in integer milliseconds since the epoch (UTC). */
export interface Clock {
  /** Returns the current time in ms. */
  now(): number;
}

/**
 * Runs a callback at a virtual time (issue #10: the simulated venue's latency is scheduled on
 * the engine's clock, not pumped by the driver). The callback gets the time it was due, ms.
 */
export interface Scheduler {
  /** Runs `run(dueMs)` once the driver moves time to `dueMs` (see {@link VirtualClock.runDue}). */
  schedule(dueMs: number, run: (dueMs: number) => void): void;
}

interface Timer {
  readonly dueMs: number;
  readonly run: (dueMs: number) => void;
}

/**
 * A clock advanced by its driver to each event's timestamp (design §2), with timers. It never
 * moves backwards. Timers run only when the driver asks ({@link runDue}), in due order (ties in
 * the order they were scheduled), so a run is deterministic.
 */
export class VirtualClock implements Clock, Scheduler {
  private t: number;
  private readonly timers: Timer[] = [];

  /** Creates a clock at `startMs` (ms since epoch). */
  constructor(startMs = 0) {
    this.t = startMs;
  }

  /** Returns the last time set. */
  now(): number {
    return this.t;
  }

  /** Moves the clock to `ms` if that is later than now; earlier values are ignored. */
  advanceTo(ms: number): void {
    if (ms > this.t) this.t = ms;
  }

  /** See {@link Scheduler.schedule}. Timers due at the same time run in the order scheduled. */
  schedule(dueMs: number, run: (dueMs: number) => void): void {
    const q = this.timers;
    let i = q.length;
    while (i > 0 && q[i - 1]!.dueMs > dueMs) i -= 1;
    if (i === q.length) q.push({ dueMs, run });
    else q.splice(i, 0, { dueMs, run });
  }

  /** Timers waiting. */
  get pendingTimers(): number {
    return this.timers.length;
  }

  /**
   * Runs the timers due before `ms` (`inclusive` false) or at/before it (`inclusive` true), each
   * with its due time; timers they schedule run too when due by then. Does not move the clock.
   */
  runDue(ms: number, inclusive: boolean): void {
    const q = this.timers;
    while (q.length > 0) {
      const next = q[0]!;
      if (next.dueMs > ms || (!inclusive && next.dueMs === ms)) return;
      q.shift();
      next.run(next.dueMs);
    }
  }
}
