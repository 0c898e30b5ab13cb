/**
 * The venue's clock as seen through `GET /time` (unix seconds), for window discovery against a
 * venue whose time is not ours — a local exchange replaying recorded days at a speed factor
 * (issue #3). Polls, and extrapolates between polls at the observed rate. Wall time comes from
 * `wall` (an input).
 */
import type { Clock } from '../core/clock';

/** A clock that follows a venue's `/time`. */
export class VenueClock implements Clock {
  private lastWall = 0;
  private lastVenue = 0;
  private rate = 1;
  private timer: NodeJS.Timeout | null = null;

  /** Creates the clock; `start` must be awaited before `now` is meaningful. */
  constructor(
    private readonly timeUrl: string,
    private readonly wall: Clock,
    private readonly pollMs = 1000,
  ) {}

  /** Reads `/time` once and keeps polling every `pollMs`. @throws when the first read fails. */
  async start(): Promise<void> {
    await this.poll();
    this.timer = setInterval(() => void this.poll().catch(() => undefined), this.pollMs);
    this.timer.unref();
  }

  /** Stops polling. */
  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** Venue time in ms, extrapolated from the last poll. */
  now(): number {
    return Math.round(this.lastVenue + (this.wall.now() - this.lastWall) * this.rate);
  }

  private async poll(): Promise<void> {
    const res = await fetch(this.timeUrl, { signal: AbortSignal.timeout(2000) });
    const venueMs = Number(await res.text()) * 1000;
    if (!Number.isFinite(venueMs)) throw new Error(`bad /time answer from ${this.timeUrl}`);
    const wallMs = this.wall.now();
    if (this.lastWall > 0 && wallMs > this.lastWall) {
      this.rate = Math.max(0, (venueMs - this.lastVenue) / (wallMs - this.lastWall));
    }
    this.lastWall = wallMs;
    this.lastVenue = venueMs;
  }
}
