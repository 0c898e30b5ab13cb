/**
 * Shared pieces of the exit policies' config blocks and builders (issue #12): number fields
 * refused with one line naming their range, booleans, USDC → micro-USDC, and the widening of a
 * typed policy to the contract's {@link PolicyFn}.
 */
import { z } from 'zod';
import type { PolicyFn, PolicyState } from '../policy';

/** Bounds of a number field; `gt`/`lt` exclude the bound, `gte`/`lte` include it. */
export interface Bounds {
  readonly gt?: number;
  readonly gte?: number;
  readonly lt?: number;
  readonly lte?: number;
}

/** `v` as JSON for refusal messages. */
export const shown = (v: unknown): string => JSON.stringify(v) ?? String(v);

/**
 * A finite number (whole when `whole`) within `b`, refused with one line naming the range:
 * `expected a decimal number in (0, 1), got 1.5` (the set's parser puts the field's path first).
 */
export function boundedNumber(b: Bounds, whole = false) {
  const lo = b.gt ?? b.gte;
  const hi = b.lt ?? b.lte;
  const range =
    lo !== undefined && hi !== undefined
      ? ` in ${b.gt === undefined ? '[' : '('}${lo}, ${hi}${b.lt === undefined ? ']' : ')'}`
      : lo !== undefined
        ? ` ${b.gt === undefined ? '≥' : '>'} ${lo}`
        : '';
  const error = (iss: { input?: unknown }): string =>
    `expected ${whole ? 'a whole number' : 'a decimal number'}${range}, got ${shown(iss.input)}`;
  let n = z.number({ error });
  if (whole) n = n.int({ error });
  if (b.gt !== undefined) n = n.gt(b.gt, { error });
  if (b.gte !== undefined) n = n.gte(b.gte, { error });
  if (b.lt !== undefined) n = n.lt(b.lt, { error });
  if (b.lte !== undefined) n = n.lte(b.lte, { error });
  return n;
}

/** A JSON boolean (a master switch), refused with one line. */
export const flag = () =>
  z.boolean({ error: (iss) => `expected JSON true or false, got ${shown(iss.input)}` });

/** USDC per share → micro-USDC per share, rounded once (exit-policies.md §1.1). */
export const micro = (usdc: number): number => Math.round(usdc * 1e6);

/**
 * A typed policy as the contract's `PolicyFn`: the state it is given back is the one it returned
 * (restored from the journal as written), so it is taken to be its own type.
 */
export function widen<S extends PolicyState>(fn: PolicyFn<S>): PolicyFn {
  return (pos, tick, nowMs, state) => fn(pos, tick, nowMs, state as S | null);
}
