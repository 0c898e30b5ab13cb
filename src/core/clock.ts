/** A source of the current time in integer milliseconds since the epoch (UTC). */
export interface Clock {
  /** Returns the current time in ms. */
  now(): number;
}

/** The wall clock, for `sim` and `live` (design §2). */
export class SystemClock implements Clock {
  /** Returns `Date.now()`. */
  now(): number {
    return Date.now();
  }
}

/**
 * A clock advanced by the replay to each event's timestamp (design §2). It never moves backwards.
 */
export class VirtualClock implements Clock {
  private t: number;

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
}
