/**
 * Policy sets (issue #12): which exit policies a strategy runs, built from JSON config.
 *
 * A set is `{ "name": "…", "policies": { <family>: { params } , … } }`. The families and their
 * parameters are those of `exit-policies.md` (one block each; an absent block is off, a block
 * whose master switch is `false` is off too, "off = absent", §1.3 rule 8):
 * - `trail_exit` → `trail_exit` + `scale_out` (§3), `profit_lock` (§4), `volatility_trail` (§4),
 *   `step_lock` (§5), `time_exit` (§5.2 + issue #12 point 7), `dynamic_target` → `target_trail` +
 *   `dynamic_target` (§6), `expiry_trail` (issue #12 point 8);
 * - `trailing_stop` (`true`/`false`): the default trail (design §5). When not given it runs unless
 *   a trailing family is built, which takes its place (§1.4).
 * `stop_loss` and `window_expiry` (design §5) are always part of a set.
 *
 * `EXIT_POLICIES` (a JSON text or a path to a JSON file) gives either one set for every strategy or
 * `{ "strategies": { "<strategy>": set, "*": set } }` (`*`: the others; absent: the default set).
 */
import { z } from 'zod';
import { buildDynamicTarget, dynamicTargetSchema, profileStopLossPct } from './policies/dynamic-target';
import { buildExpiryTrail, expiryTrailSchema } from './policies/expiry-trail';
import { buildProfitLock, profitLockSchema } from './policies/profit-lock';
import { buildStepLock, stepLockSchema } from './policies/step-lock';
import { buildTimeExit, timeExitSchema } from './policies/time-exit';
import { buildTrailExit, trailExitSchema } from './policies/trail-exit';
import { buildVolatilityTrail, volatilityTrailSchema } from './policies/volatility-trail';
import { POLICY_ORDER, type BuiltPolicy, type PolicyName } from './policy';

/** A strategy's exit policies, built. */
export interface ExitPolicySet {
  /** Set name (reports, `replay --compare` folders). */
  readonly name: string;
  /**
   * The optional policies, in {@link POLICY_ORDER} (the default rules `stop_loss`,
   * `trailing_stop` and `window_expiry` are run by the runner itself).
   */
  readonly policies: readonly BuiltPolicy[];
  /** How many of `policies` rank before `trailing_stop` (the protective ones, run before it). */
  readonly beforeTrailing: number;
  /** True when the default trailing take-profit runs (design §5). */
  readonly trailingStop: boolean;
  /** Stop-loss fraction replacing STOP_LOSS_PCT (§6.2 `USE_PROFILE_STOP_LOSS`), or null. */
  readonly stopLossPct: number | null;
  /** True when a policy reads the market features (the trader then keeps the estimator). */
  readonly needsFeatures: boolean;
}

/** The default set (design §5): stop loss, trailing take-profit with floor, window expiry. */
export const DEFAULT_POLICY_SET: ExitPolicySet = {
  name: 'default',
  policies: [],
  beforeTrailing: 0,
  trailingStop: true,
  stopLossPct: null,
  needsFeatures: false,
};

/** Schema of one policy set (JSON). */
export const policySetSchema = z
  .object({
    name: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'a set name is 1–64 letters, digits, `_`, `.` or `-`')
      .optional(),
    policies: z
      .object({
        trailing_stop: z.boolean().optional(),
        trail_exit: trailExitSchema.optional(),
        profit_lock: profitLockSchema.optional(),
        volatility_trail: volatilityTrailSchema.optional(),
        step_lock: stepLockSchema.optional(),
        dynamic_target: dynamicTargetSchema.optional(),
        time_exit: timeExitSchema.optional(),
        expiry_trail: expiryTrailSchema.optional(),
      })
      .strict()
      .default({}),
  })
  .strict();

/** A policy set as written in JSON (before building). */
export type PolicySetInput = z.input<typeof policySetSchema>;

/** Policies that take the place of the default `trailing_stop` (§1.4). */
const TRAILS: ReadonlySet<PolicyName> = new Set([
  'trail_exit',
  'volatility_trail',
  'step_lock',
  'target_trail',
  'expiry_trail',
]);

/**
 * Builds a set from its parsed JSON (`policySetSchema` output); `fallbackName` names an unnamed set.
 */
export function buildPolicySet(input: z.output<typeof policySetSchema>, fallbackName: string): ExitPolicySet {
  const f = input.policies;
  const built: BuiltPolicy[] = [
    ...(f.trail_exit ? buildTrailExit(f.trail_exit) : []),
    ...(f.profit_lock ? buildProfitLock(f.profit_lock) : []),
    ...(f.volatility_trail ? buildVolatilityTrail(f.volatility_trail) : []),
    ...(f.step_lock ? buildStepLock(f.step_lock) : []),
    ...(f.dynamic_target ? buildDynamicTarget(f.dynamic_target) : []),
    ...(f.time_exit ? buildTimeExit(f.time_exit) : []),
    ...(f.expiry_trail ? buildExpiryTrail(f.expiry_trail) : []),
  ];
  const rank = (n: PolicyName): number => POLICY_ORDER.indexOf(n);
  built.sort((a, b) => rank(a.name) - rank(b.name));
  const trailingStop = f.trailing_stop ?? !built.some((b) => TRAILS.has(b.name));
  const dynamicOn = f.dynamic_target !== undefined && built.some((b) => b.name === 'dynamic_target');
  return {
    name: input.name ?? fallbackName,
    policies: built,
    beforeTrailing: built.filter((b) => rank(b.name) < rank('trailing_stop')).length,
    trailingStop,
    stopLossPct: dynamicOn ? profileStopLossPct(f.dynamic_target!) : null,
    needsFeatures: built.some((b) => b.needsFeatures),
  };
}

/** Formats a zod error as `path: message` lines (for config errors users read). */
export function formatIssues(err: z.ZodError, prefix: string): string {
  return err.issues
    .map((i) => `${prefix}${i.path.length > 0 ? '.' + i.path.join('.') : ''}: ${i.message}`)
    .join('; ');
}

/**
 * Parses one set from JSON data.
 * @throws {RangeError} naming each bad field and the accepted range.
 */
export function parsePolicySet(data: unknown, fallbackName: string): ExitPolicySet {
  const r = policySetSchema.safeParse(data);
  if (!r.success) throw new RangeError(formatIssues(r.error, `exit policy set ${fallbackName}`));
  return buildPolicySet(r.data, fallbackName);
}

/** Which set each strategy runs. */
export type PolicySetResolver = (strategy: string) => ExitPolicySet;

/** The resolver of the default configuration: every strategy runs {@link DEFAULT_POLICY_SET}. */
export const DEFAULT_POLICIES: PolicySetResolver = () => DEFAULT_POLICY_SET;

/**
 * Builds the per-strategy resolver from `EXIT_POLICIES` data (already JSON-parsed): one set for
 * every strategy, or `{ "strategies": { name | "*": set } }`.
 * @throws {RangeError} on a bad set (naming the strategy and field).
 */
export function policyResolver(data: unknown): PolicySetResolver {
  if (data === null || data === undefined) return DEFAULT_POLICIES;
  if (typeof data === 'object' && 'strategies' in data) {
    const map = (data as { strategies: unknown }).strategies;
    if (typeof map !== 'object' || map === null || Array.isArray(map))
      throw new RangeError('EXIT_POLICIES.strategies must be an object of strategy name → policy set');
    const sets = new Map<string, ExitPolicySet>();
    for (const [k, v] of Object.entries(map)) sets.set(k, parsePolicySet(v, k === '*' ? 'custom' : k));
    const other = sets.get('*') ?? DEFAULT_POLICY_SET;
    return (strategy) => sets.get(strategy) ?? other;
  }
  const one = parsePolicySet(data, 'custom');
  return () => one;
}
