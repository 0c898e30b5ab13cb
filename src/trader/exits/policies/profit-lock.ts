/**
 * `profit_lock`: the guaranteed profit lock (seed 001, exit-policies.md §4.2). Once the bid reaches
 * `entry + LOCK_TRIGGER` the stop is set at `clampStop(entry + LOCK_OFFSET_TICKS × t)` and is never
 * lowered; it fires (full) when `bid ≤ stop`. It composes with any trail and guarantees the trigger
 * level, not the exit: a bid that gaps through the lock sells lower.
 *
 * `t` is the larger of the triggering tick's `tk` and the grid tick at the entry price (0.01
 * between 0.04 and 0.96): the spec says "that tick's tk", but a lock triggered above 0.96 (tk
 * 0.001) one 0.001 tick over an entry on the 0.01 grid sits between two prices the bid can take
 * there, so the next bid down is the entry itself and the sale lands below it (found by
 * `replay --compare` on the shared data: entry 0.87, lock 0.871, sold at 0.8695). On the entry's
 * grid the lock is a price the bid can stop at. Prices micro-USDC per share.
 */
import { z } from 'zod';
import { ratchetStop, tickSizeAt, type BuiltPolicy, type PolicyEvent, type PolicyFn } from '../policy';
import { boundedNumber, flag, micro, widen } from './params';

/**
 * Config block `profit_lock` (spec §4.2 table). The block's presence opts in;
 * `ENABLE_GUARANTEED_PROFIT_LOCK: false` leaves it unbuilt (off = absent, §1.3 rule 8).
 * - `LOCK_TRIGGER_USDC` (0, 1), default 0.10: rise above entry that locks;
 * - `LOCK_OFFSET_TICKS` whole ≥ 1, default 1: the lock's distance above entry, in ticks.
 */
export const profitLockSchema = z
  .object({
    ENABLE_GUARANTEED_PROFIT_LOCK: flag().default(true),
    LOCK_TRIGGER_USDC: boundedNumber({ gt: 0, lt: 1 }).default(0.1),
    LOCK_OFFSET_TICKS: boundedNumber({ gte: 1 }, true).default(1),
  })
  .strict();

/** `profit_lock` block as written. */
export type ProfitLockInput = z.input<typeof profitLockSchema>;
/** `profit_lock` block after parsing. */
export type ProfitLockParams = z.output<typeof profitLockSchema>;

/** State: `locked` once triggered, `stop` the lock stop (micro-USDC, null before). */
export type ProfitLockState = Readonly<{ locked: boolean; stop: number | null }>;

/**
 * The `profit_lock` policy, config bound (spec §4.2): a pure {@link PolicyFn} over
 * {@link ProfitLockState}. Events: `PROFIT_LOCKED {bid, stop, entry, trigger}` when it locks,
 * `PROFIT_LOCK_FIRED {bid, stop, entry, trigger, state}` with its full decision (micro-USDC).
 */
export function profitLockPolicy(params: ProfitLockParams): PolicyFn<ProfitLockState> {
  const trigger = micro(params.LOCK_TRIGGER_USDC);
  return (pos, tick, _nowMs, state) => {
    const { bid, tk } = tick;
    const events: PolicyEvent[] = [];
    let next: ProfitLockState = state === null ? { locked: false, stop: null } : { ...state };
    if (!next.locked && bid >= pos.entry + trigger) {
      const t = Math.max(tk, tickSizeAt(pos.entry));
      const stop = ratchetStop(null, pos.entry + params.LOCK_OFFSET_TICKS * t, bid, tk);
      if (stop !== null) {
        next = { locked: true, stop };
        events.push({ event: 'PROFIT_LOCKED', data: { bid, stop, entry: pos.entry, trigger } });
      }
    }
    if (next.stop !== null && bid <= next.stop) {
      events.push({
        event: 'PROFIT_LOCK_FIRED',
        data: { bid, stop: next.stop, entry: pos.entry, trigger, state: next },
      });
      return { state: next, decision: { reason: 'profit_lock', size: 'full' }, events };
    }
    return { state: next, decision: null, events };
  };
}

/** Builds `profit_lock` from its block: `[]` when switched off. @throws {ZodError} on a bad block. */
export function buildProfitLock(params: ProfitLockInput): BuiltPolicy[] {
  const p = profitLockSchema.parse(params);
  if (!p.ENABLE_GUARANTEED_PROFIT_LOCK) return [];
  return [{ name: 'profit_lock', fn: widen(profitLockPolicy(p)), needsFeatures: false }];
}
