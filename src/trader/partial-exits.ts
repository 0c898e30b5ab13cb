/**
 * Partial exits (issue #12; exit-policies.md §1.3 rule 6): a round that sells part of an OPEN
 * position. A filled part leaves the position OPEN with the rest and the same entry price; a part
 * the market keeps failing, or one that became too small to sell, is abandoned after
 * MAX_EXIT_ATTEMPTS failed rounds (at once when too small) and never sends the position to
 * reconciliation. Units: micro-shares, micro-USDC, ms.
 */
import { MICROS } from '../core/money';
import type { VenueEvent } from '../core/types';
import type { PolicyName } from './exits/policy';
import { partialTotals, type Position } from './position';
import { assertTransition } from './position-machine';
import type { Journal } from './trader-sink';

/** Ends the current round of `p` back in OPEN (shared by a filled and a failed part). */
function backToOpen(p: Position): PolicyName {
  const reason = p.exitReason as PolicyName;
  p.retryAtMs = null;
  p.venueBackoffMs = 0;
  p.roundFailures = 0;
  p.exitPartShares = null;
  p.state = assertTransition(p.state, 'OPEN', p.key);
  p.exitReason = null;
  p.triggerBid = null;
  p.exitingSinceMs = null;
  return reason;
}

/**
 * Applies the fill of a partial exit round (`ev` filled, `ev.shares` < `p.shares`): records the
 * part (its pro-rata entry cost), reduces the shares held, marks the reason done, and returns the
 * position to OPEN. Journals `PARTIAL_FILLED` (EXITING → OPEN) and a snapshot.
 */
export function applyPartialFill(
  journal: Journal,
  p: Position,
  ev: Extract<VenueEvent, { kind: 'filled' }>,
  nowMs: number,
): void {
  const before = p.shares;
  const cost = Math.round(((p.costUsdc - partialTotals(p).cost) * ev.shares) / before);
  const exitPrice = Math.round((ev.notional * MICROS) / ev.shares);
  const triggerBid = p.triggerBid;
  const attempts = p.roundAttempts;
  const reason = backToOpen(p);
  p.partials.push({
    reason,
    exitTimeMs: ev.tsMs,
    shares: ev.shares,
    exitPrice,
    proceedsUsdc: ev.notional,
    exitFeeUsdc: ev.feeUsdc,
    costUsdc: cost,
    triggerBid,
    exitAttempts: attempts,
  });
  p.shares = before - ev.shares;
  if (!p.partialsDone.includes(reason)) p.partialsDone.push(reason);
  p.partialFailedRounds = 0;
  journal.event(p, 'PARTIAL_FILLED', 'EXITING', nowMs, {
    reason,
    shares: ev.shares,
    remaining: p.shares,
    exitPrice,
    proceeds: ev.notional,
    fee: ev.feeUsdc,
    cost,
  });
  journal.position(p, nowMs);
}

/**
 * Ends a failed partial round: back to OPEN (the policy fires again while its condition holds).
 * After `maxFailedRounds` failed rounds, or at once when the part became too small to sell, the
 * part is abandoned (`PARTIAL_ABANDONED`, reason added to `partialsDone`).
 */
export function failPartialRound(
  journal: Journal,
  p: Position,
  nowMs: number,
  why: 'market' | 'too_small',
  maxFailedRounds: number,
): void {
  const reason = backToOpen(p);
  p.partialFailedRounds += 1;
  journal.event(p, 'EXIT_ROUND_FAILED', 'EXITING', nowMs, {
    reason,
    partial: true,
    failedRounds: p.partialFailedRounds,
    ...(why === 'too_small' ? { tooSmall: true } : {}),
  });
  if (why === 'too_small' || p.partialFailedRounds >= maxFailedRounds) {
    if (!p.partialsDone.includes(reason)) p.partialsDone.push(reason);
    journal.event(p, 'PARTIAL_ABANDONED', null, nowMs, { reason, why, failedRounds: p.partialFailedRounds });
    p.partialFailedRounds = 0;
  }
  journal.position(p, nowMs);
}
