/**
 * Outcomes of orders in flight (design §7; issue #10: carved out of the order desk): an entry's
 * outcome (filled → OPEN, killed/rejected → CLOSED without a trade, unknown → still PENDING) and
 * the lock timeout of an order unanswered too long (issue #8 point 6). Deterministic: times are
 * arguments.
 */
import { MICROS } from '../core/money';
import type { VenueEvent } from '../core/types';
import type { Position } from './position';
import { assertTransition } from './position-machine';
import type { TraderStats } from './trader-stats';
import type { Journal } from './trader-sink';

/** What an entry outcome did to its position. */
export type EntryOutcome = 'filled' | 'failed' | 'unknown';

/**
 * Applies an entry order's outcome: filled → OPEN with the average price, the shares held (net
 * of the fee taken in shares) and the HWM at entry; exit rules then run from the tick after
 * `lastTickSeq`. Killed/rejected → CLOSED without a trade (returns `failed`). Unknown → stays
 * PENDING with the order in flight.
 */
export function applyEntryOutcome(
  journal: Journal,
  stats: TraderStats,
  p: Position,
  ev: VenueEvent,
  nowMs: number,
  lastTickSeq: number,
): EntryOutcome {
  journal.orderOutcome(ev, nowMs);
  if (ev.kind === 'unknown') {
    stats.entriesUnknown += 1;
    journal.event(p, 'ENTRY_UNKNOWN', null, nowMs, { reason: ev.reason });
    return 'unknown';
  }
  p.openOrderId = null;
  p.orderSentMs = null;
  p.lockTimedOut = false;
  if (ev.kind === 'filled') {
    p.state = assertTransition(p.state, 'OPEN', p.key);
    p.entryTimeMs = ev.tsMs;
    p.costUsdc = ev.notional;
    p.entryFeeUsdc = ev.feeUsdc;
    p.shares = ev.shares - ev.feeShares;
    p.entryPrice = Math.round((ev.notional * MICROS) / ev.shares);
    p.highWaterMark = p.entryPrice;
    p.fillTickSeq = lastTickSeq;
    stats.entriesFilled += 1;
    journal.event(p, 'OPENED', 'PENDING', nowMs, {
      entryPrice: p.entryPrice,
      shares: p.shares,
      fee: ev.feeUsdc,
    });
    journal.position(p, nowMs);
    return 'filled';
  }
  p.state = assertTransition(p.state, 'CLOSED', p.key);
  if (ev.kind === 'killed') stats.entriesKilled += 1;
  else stats.entriesRejected += 1;
  journal.event(p, 'ENTRY_FAILED', 'PENDING', nowMs, {
    kind: ev.kind,
    reason: ev.reason,
    ...(ev.cause !== undefined ? { cause: ev.cause } : {}),
  });
  journal.position(p, nowMs);
  return 'failed';
}

/**
 * Flags a PENDING or EXITING position whose order has gone unanswered for longer than
 * `POSITION_LOCK_TIMEOUT_MS` since it was sent (design §7; entries too, issue #8 point 6):
 * journaled once as `LOCK_TIMEOUT` and counted; the live session settles it from the venue and
 * the chain (issue #4). Returns true when it flagged the position now.
 */
export function checkLockTimeout(
  journal: Journal,
  stats: TraderStats,
  p: Position,
  nowMs: number,
  timeoutMs: number,
): boolean {
  if (p.openOrderId === null || p.lockTimedOut || p.state === 'CLOSED' || p.state === 'OPEN') return false;
  const since = p.orderSentMs ?? (p.state === 'PENDING' ? p.createdMs : p.exitingSinceMs);
  if (since === null || nowMs - since <= timeoutMs) return false;
  p.lockTimedOut = true;
  stats.lockTimeouts += 1;
  journal.event(p, 'LOCK_TIMEOUT', null, nowMs, {
    orderId: p.openOrderId,
    purpose: p.state === 'PENDING' ? 'entry' : 'exit',
    sentMs: since,
    ...(p.exitingSinceMs !== null ? { exitingSinceMs: p.exitingSinceMs } : {}),
  });
  return true;
}
