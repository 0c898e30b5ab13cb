/**
 * Strategy configuration: a list of named instances of the reference strategy types, each with
 * its parameters (prices in USDC per share 0–1, times in ms or seconds as named). Tuned through
 * config, not code branches (issue #2).
 */
import { z } from 'zod';

const price = z.number().min(0).max(1);

/** Entry timing and price band shared by the reference strategies. */
const common = {
  /** Unique instance name, used in position keys. Letters, digits and '-' only. */
  name: z.string().regex(/^[A-Za-z0-9-]+$/, 'letters, digits and - only (it is part of position keys)'),
  /** Lowest ask at which an entry is allowed, USDC. */
  minPrice: price,
  /** Highest ask at which an entry is allowed, USDC. */
  maxPrice: price,
  /** Widest bid-ask spread at which an entry is allowed, USDC. */
  maxSpread: price,
  /** No entry in the first seconds of a window. */
  startAfterSec: z.number().int().min(0),
  /** No entry in the last seconds of a window. */
  stopBeforeEndSec: z.number().int().min(0),
};

/** Momentum on the mid: buy a token whose mid rose by `minMove` or more over `lookbackMs`. */
export const momentumSchema = z
  .object({
    type: z.literal('momentum'),
    lookbackMs: z.number().int().positive(),
    minMove: price.positive(),
    ...common,
  })
  .strict();

/**
 * Crash-rebound: buy a token whose mid fell by `minDrop` or more from its high of the last
 * `lookbackMs`, once it has rebounded by `minRebound` from the low since that high.
 */
export const crashReboundSchema = z
  .object({
    type: z.literal('crash_rebound'),
    lookbackMs: z.number().int().positive(),
    minDrop: price.positive(),
    minRebound: price.positive(),
    ...common,
  })
  .strict();

/** One configured strategy instance. */
export const strategyConfigSchema = z.discriminatedUnion('type', [momentumSchema, crashReboundSchema]);
/** One configured strategy instance. */
export type StrategyConfig = z.infer<typeof strategyConfigSchema>;
/** Momentum parameters. */
export type MomentumConfig = z.infer<typeof momentumSchema>;
/** Crash-rebound parameters. */
export type CrashReboundConfig = z.infer<typeof crashReboundSchema>;

/** The default strategies (tuned on the shared BTC 15m recordings; see README). */
export const DEFAULT_STRATEGIES: readonly StrategyConfig[] = [
  {
    type: 'momentum',
    name: 'momentum',
    lookbackMs: 30_000,
    minMove: 0.06,
    minPrice: 0.25,
    maxPrice: 0.9,
    maxSpread: 0.03,
    startAfterSec: 300,
    stopBeforeEndSec: 60,
  },
  {
    type: 'crash_rebound',
    name: 'crash-rebound',
    lookbackMs: 60_000,
    minDrop: 0.1,
    minRebound: 0.03,
    minPrice: 0.15,
    maxPrice: 0.7,
    maxSpread: 0.03,
    startAfterSec: 30,
    stopBeforeEndSec: 120,
  },
];
