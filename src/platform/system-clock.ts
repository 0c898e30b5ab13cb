/**
 * The process's wall clock (issue #10: the one place outside the pure core that reads it).
 */
import type { Clock } from '../core/clock';

/** The wall clock, for `sim` and `live` (design §2). */
export class SystemClock implements Clock {
  /** Returns `Date.now()`. */
  now(): number {
    return Date.now();
  }
}
