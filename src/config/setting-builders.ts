/**
 * The scalar setting builders (issue #9 strict parsing) shared by the environment and the JSON
 * config file readers of `schema.ts`.
 */
import { z } from 'zod';

/**
 * Strict scalar parsing (issue #9). From the environment a number is a plain decimal string
 * (`5`, `-1`, `0.25`, spaces around allowed); `0x5`, `0b1`, `0o7`, `1e3`, `Infinity` are refused,
 * not coerced. In the JSON config file a number is a JSON number and a boolean is JSON
 * `true`/`false`: strings, `null`, `[]`, `{}` are refused there, never read as 0 or 1. A
 * boolean from the environment is one of `true false 1 0`. Every refusal is one line: the
 * setting, what it expects (with its range) and what it got.
 */
const DECIMAL = /^-?\d+(\.\d+)?$/;
/** `v` as JSON (or its string form) for refusal messages. */
export const shown = (v: unknown): string => JSON.stringify(v) ?? String(v);

/** Where a value comes from: the environment (strings) or the JSON config file (JSON types). */
export type Source = 'env' | 'file';

/** Bounds of a number setting; `gt`/`lt` exclude the bound, `gte`/`lte` include it. */
export interface Bounds {
  readonly gt?: number;
  readonly gte?: number;
  readonly lt?: number;
  readonly lte?: number;
}

/** ` in (0, 1)`, ` ≥ 1000`, or `` for no bounds. */
function range(b: Bounds): string {
  const lo = b.gt ?? b.gte;
  const hi = b.lt ?? b.lte;
  if (lo !== undefined && hi !== undefined)
    return ` in ${b.gt === undefined ? '[' : '('}${lo}, ${hi}${b.lt === undefined ? ']' : ')'}`;
  if (lo !== undefined) return ` ${b.gt === undefined ? '≥' : '>'} ${lo}`;
  if (hi !== undefined) return ` ${b.lt === undefined ? '≤' : '<'} ${hi}`;
  return '';
}

/** The scalar builders for values from `src`. */
export function scalars(src: Source) {
  /** A plain decimal string from the environment becomes its number; anything else fails as it is. */
  const toNumber = (v: unknown): unknown =>
    src === 'env' && typeof v === 'string' && DECIMAL.test(v.trim()) ? Number(v.trim()) : v;
  const numeric = (kind: string, whole: boolean, b: Bounds) => {
    const expected = `expected ${kind}${range(b)}`;
    let n = z.number({
      error: (iss) =>
        `${expected}${src === 'file' && typeof iss.input === 'string' ? ' (a JSON number, not a string)' : ''}, got ${shown(iss.input)}`,
    });
    if (whole) n = n.int();
    if (b.gt !== undefined) n = n.gt(b.gt);
    if (b.gte !== undefined) n = n.gte(b.gte);
    if (b.lt !== undefined) n = n.lt(b.lt);
    if (b.lte !== undefined) n = n.lte(b.lte);
    return z.preprocess(toNumber, n);
  };
  return {
    /** A decimal number within `b`. */
    num: (b: Bounds = {}) => numeric('a decimal number', false, b),
    /** A whole number within `b`. */
    int: (b: Bounds = {}) => numeric('a whole number', true, b),
    /** A fraction of a price in [0, 10]. */
    pct: (b: Bounds = { gte: 0 }) => numeric('a decimal number', false, { lte: 10, ...b }),
    /** A duration in whole milliseconds, ≥ 0 unless `b` says otherwise. */
    ms: (b: Bounds = { gte: 0 }) => numeric('a whole number of ms', true, b),
    bool:
      src === 'env'
        ? z.union(
            [z.boolean(), z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1')],
            { error: (iss) => `expected true or false, got ${shown(iss.input)}` },
          )
        : z.boolean({ error: (iss) => `expected JSON true or false, got ${shown(iss.input)}` }),
  };
}
