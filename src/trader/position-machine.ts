/**
 * The position state machine as a table (design §1, STYLE rule 3):
 * PENDING → OPEN (entry filled) | CLOSED (entry killed/rejected: removed, never a trade);
 * OPEN → EXITING (an exit rule fired) | CLOSED (resolved at the window end);
 * EXITING → OPEN (an exit round failed) | CLOSED (exit filled, or resolved at the window end);
 * CLOSED is final.
 */
import { InvariantError } from '../core/errors';
import type { PositionState } from '../core/types';

/** Allowed transitions: from → the states it may move to. */
export const TRANSITIONS: Readonly<Record<PositionState, readonly PositionState[]>> = Object.freeze({
  PENDING: ['OPEN', 'CLOSED'],
  OPEN: ['EXITING', 'CLOSED'],
  EXITING: ['OPEN', 'CLOSED'],
  CLOSED: [],
});

/** True when `from → to` is in the table. */
export function canTransition(from: PositionState, to: PositionState): boolean {
  return TRANSITIONS[from].includes(to);
}

/**
 * Returns `to` when `from → to` is allowed.
 * @throws {InvariantError} naming both states (and the position key) when it is not.
 */
export function assertTransition(from: PositionState, to: PositionState, positionKey: string): PositionState {
  if (!canTransition(from, to)) {
    throw new InvariantError(`invalid position transition ${from} → ${to} (${positionKey})`);
  }
  return to;
}
