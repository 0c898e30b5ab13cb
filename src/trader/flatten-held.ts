/**
 * `FLATTEN_HELD` journaling of flatten mode (issue #8 point 13): a position that cannot be sold
 * while flatten is on is journaled with the reason (`no_bid`, `stale`, `too_small`, `cooldown`)
 * each time that reason changes, not on every tick.
 */
import type { Position } from './position';
import type { TraderStats } from './trader-stats';
import type { Journal } from './trader-sink';

/**
 * Journals `FLATTEN_HELD` (issue #8 point 13) when why a position cannot be flattened changes
 * (`held` null: it could be sold). `bid` micro-USDC or null.
 */
export function noteFlattenHeld(
  journal: Journal,
  stats: TraderStats,
  p: Position,
  held: string | null,
  nowMs: number,
  bid: number | null,
): void {
  if (held === p.flattenHeld) return;
  p.flattenHeld = held;
  if (held === null) return;
  stats.flattenHeld += 1;
  journal.event(p, 'FLATTEN_HELD', null, nowMs, {
    reason: held,
    bid,
    shares: p.shares,
    ...(p.exitCooldownUntilMs !== null ? { cooldownUntilMs: p.exitCooldownUntilMs } : {}),
  });
}
