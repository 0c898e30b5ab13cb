/**
 * Paces a replay to `speed` × recorded time (issue #13, `replay --speed`), so a user can watch
 * recorded windows trade on the dashboard. A gap in the recording longer than `maxWaitMs` of wall
 * time (the days between two files) is skipped: pacing restarts from the next row. Rows before
 * `fromMs` (`--pace-from`) are not paced: the trader sees them at full speed, the user watches
 * from there.
 */

/** Paces recorded times against the wall clock. */
export class Pacer {
  private t0: number | null = null;
  private w0 = 0;

  /**
   * @param speed recorded ms per wall ms (> 0; 1 = real time).
   * @param maxWaitMs longest single wait, wall ms (default 5000): longer gaps are skipped.
   * @param wallNow the wall clock, ms (default `performance.now`).
   * @param fromMs recorded time pacing starts at, ms (default: the first row).
   * @throws {RangeError} when `speed` is not a positive finite number.
   */
  constructor(
    private readonly speed: number,
    private readonly maxWaitMs = 5000,
    private readonly wallNow: () => number = () => performance.now(),
    private readonly fromMs = -Infinity,
  ) {
    if (!(Number.isFinite(speed) && speed > 0)) throw new RangeError(`speed must be > 0, got ${speed}`);
  }

  /** Resolves when the row at recorded time `tsMs` is due; `null` when it is due now. */
  wait(tsMs: number): Promise<void> | null {
    if (tsMs < this.fromMs) return null;
    const now = this.wallNow();
    if (this.t0 === null) {
      this.t0 = tsMs;
      this.w0 = now;
      return null;
    }
    const ahead = this.w0 + (tsMs - this.t0) / this.speed - now;
    if (ahead > this.maxWaitMs) {
      this.t0 = tsMs; // a gap in the recording: start again from here
      this.w0 = now;
      return null;
    }
    return ahead >= 2 ? new Promise((resolve) => setTimeout(resolve, ahead)) : null;
  }
}
