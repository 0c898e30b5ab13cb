/**
 * Virtual playback clock over a recording (issue #3). Manual mode advances one recorded row per
 * `step()`; play mode maps wall time onto recording time at `speed` (1 = real time, 60 = a
 * 15-minute window in 15 s). The clock starts at the first row's time and never goes back.
 */
import type { TickRow } from '../../src/core/types';

/** Longest wall-clock wait between clock updates while playing, ms (keeps RTDS flowing in gaps). */
export const MAX_TIMER_MS = 250;

/** Options of a {@link Playback}. */
export interface PlaybackOptions {
  readonly rows: readonly TickRow[];
  /** Recording ms per wall ms; > 0. */
  readonly speed: number;
  /** Called for each row as the clock passes it. */
  readonly onRow: (row: TickRow) => void;
  /** Called after the clock moved (after the rows up to it were applied). */
  readonly onClock: (clockMs: number) => void;
  /** Wall clock, ms (injectable for tests). */
  readonly wallNow?: () => number;
}

/** The playback cursor and clock. */
export class Playback {
  private cursorIdx = 0;
  private clock: number;
  private speedX: number;
  private playing = false;
  private timer: NodeJS.Timeout | null = null;
  private anchorWall = 0;
  private anchorClock = 0;
  private readonly wallNow: () => number;

  /** Creates a paused playback positioned before the first row. */
  constructor(private readonly opts: PlaybackOptions) {
    this.clock = opts.rows[0]?.tsMs ?? 0;
    this.speedX = checkSpeed(opts.speed);
    this.wallNow = opts.wallNow ?? Date.now;
  }

  /** Current playback time, ms since the epoch. */
  get clockMs(): number {
    return this.clock;
  }

  /** Rows applied so far. */
  get cursor(): number {
    return this.cursorIdx;
  }

  /** Whether every row has been applied. */
  get done(): boolean {
    return this.cursorIdx >= this.opts.rows.length;
  }

  /** Whether the clock is running on wall time. */
  get isPlaying(): boolean {
    return this.playing;
  }

  /** Current speed. */
  get speed(): number {
    return this.speedX;
  }

  /** Applies the next `n` rows (default 1), moving the clock to the last one; returns how many were applied. */
  step(n = 1): number {
    let applied = 0;
    while (applied < n && !this.done) {
      const row = this.opts.rows[this.cursorIdx++] as TickRow;
      if (row.tsMs > this.clock) this.clock = row.tsMs;
      this.opts.onRow(row);
      applied++;
    }
    if (applied > 0) {
      this.reanchor();
      this.opts.onClock(this.clock);
    }
    return applied;
  }

  /** Starts (or keeps) advancing on wall time. */
  play(): void {
    if (this.playing) return;
    this.playing = true;
    this.reanchor();
    this.schedule();
  }

  /** Stops advancing; the clock keeps its value. */
  pause(): void {
    this.playing = false;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  /**
   * Changes the speed (recording ms per wall ms) without a jump of the clock.
   * @throws {RangeError} when `x` is not a positive finite number.
   */
  setSpeed(x: number): void {
    this.speedX = checkSpeed(x);
    this.reanchor();
    if (this.playing) {
      if (this.timer !== null) clearTimeout(this.timer);
      this.schedule();
    }
  }

  private reanchor(): void {
    this.anchorWall = this.wallNow();
    this.anchorClock = this.clock;
  }

  private schedule(): void {
    const next = this.opts.rows[this.cursorIdx];
    const dueWall = next === undefined ? MAX_TIMER_MS : (next.tsMs - this.clock) / this.speedX;
    const delay = Math.max(0, Math.min(MAX_TIMER_MS, Math.ceil(dueWall)));
    this.timer = setTimeout(() => this.tick(), delay);
  }

  private tick(): void {
    this.timer = null;
    if (!this.playing) return;
    const target = this.anchorClock + (this.wallNow() - this.anchorWall) * this.speedX;
    while (!this.done) {
      const row = this.opts.rows[this.cursorIdx] as TickRow;
      if (row.tsMs > target) break;
      this.cursorIdx++;
      this.opts.onRow(row);
    }
    const last = this.opts.rows[this.opts.rows.length - 1];
    const cap = last === undefined ? target : Math.max(last.tsMs, this.clock);
    this.clock = Math.max(this.clock, Math.floor(Math.min(target, cap)));
    this.opts.onClock(this.clock);
    if (this.done && this.clock >= cap) {
      this.playing = false;
      return;
    }
    this.schedule();
  }
}

function checkSpeed(x: number): number {
  if (!Number.isFinite(x) || x <= 0) throw new RangeError(`speed must be a positive number, got ${x}`);
  return x;
}
