import { settlementMid } from '../../book/order-book';
import type { Side, Tick } from '../../core/types';
import { windowEndMs, type WindowRef } from '../../core/types';

/**
 * Winner of a window from its last recorded tick (issue #2): the side whose last mid is higher,
 * a missing book side's mid counting as its other price, a token with no prices at all as 0;
 * a tie goes to UP (the venue resolves UP when end ≥ start, design §1).
 */
export function winnerFromLastTick(last: Pick<Tick, 'up' | 'down'>): Side {
  const up = settlementMid(last.up) ?? 0;
  const down = settlementMid(last.down) ?? 0;
  return up >= down ? 'UP' : 'DOWN';
}

/** Payout per share of `side` in micro-USDC: 1_000_000 for the winner, 0 otherwise. */
export function payoutFor(side: Side, winner: Side): number {
  return side === winner ? 1_000_000 : 0;
}

/**
 * True when an OPEN position must be sold before the end (`EXIT_BEFORE_END_MS > 0`, design §5.5):
 * `nowMs ≥ end − exitBeforeEndMs`.
 */
export function sellBeforeEndDue(w: WindowRef, nowMs: number, exitBeforeEndMs: number): boolean {
  return exitBeforeEndMs > 0 && nowMs >= windowEndMs(w) - exitBeforeEndMs;
}
