/**
 * `expiry_trail`: a tick-denominated trail that narrows toward the window end, with hold to
 * resolution near 1 (issue #12 point 8; not in `../shared/docs/exit-policies.md`, so its rules are
 * specified here in the spec's style). Prices, stops and distances are integer micro-USDC per share;
 * times ms; `r` (seconds to the window end) is `(windowEndMs − nowMs) / 1000`, unrounded.
 *
 * Rules (each applies the shared rules of spec §1.3: ratchet with clamps, fire at `bid ≤ stop`):
 * 1. **Activation.** Inactive until `bid ≥ entry + ACTIVATION` (`ACTIVATION_USDC` × 10^6);
 *    then `hwm = bid` (`EXPIRY_TRAIL_ACTIVATED {bid, entry}`). Active: `hwm = max(hwm, bid)`.
 * 2. **Distance.** `SCHEDULE` lists `{secondsToEnd, ticks}` from the farthest to the nearest end;
 *    the distance in ticks is the `ticks` of the LAST entry with `secondsToEnd ≥ r` (the first
 *    entry's when none has), and the distance is `ticks × tk`, `tk` the held token's tick size on
 *    this tick (10 000, or 1 000 above 0.96 / below 0.04; spec §1.1). So near the extremes a tick is
 *    0.001 and the trail is ten times tighter.
 * 3. **Stop.** Every active tick (not only on a new HWM, so a narrowing distance takes effect):
 *    `stop = ratchetStop(stop, hwm − ticks × tk)`; the ratchet never lowers it, so the schedule
 *    and the tick size can only tighten the stop. Fires (full) when `bid ≤ stop`
 *    (`EXPIRY_TRAIL_FIRED {bid, stop, hwm, ticks, tk, secondsToEnd}`).
 * 4. **Hold to resolution.** When `HOLD_DISTANCE > 0`, `r ≤ HOLD_WINDOW_S` and
 *    `bid ≥ 1 000 000 − HOLD_DISTANCE`, the token is all but certain to resolve to 1, and selling it
 *    would give up the rest at a discount: the policy returns `holdToEnd: true` and no decision
 *    (the composer then runs no later policy, so `time_exit` and `window_expiry` do not sell it).
 *    The hold beats this trail's own stop. Rules 1–3 still update `hwm` and `stop` while holding
 *    (tracking only), so the trail is current when the hold ends. `HOLD_TO_RESOLUTION {bid,
 *    secondsToEnd}` is logged when a hold starts; when the bid falls below the threshold the hold
 *    ends (`HOLD_RELEASED {bid, threshold, secondsToEnd}`) and rule 3 may fire on that same tick.
 *    Policies before this one in the composer order (`stop_loss`, the other trails) still run first.
 *
 * Worked example (defaults; entry 0.50, 15-minute window, tk 0.01; HWM and stop in micro-USDC):
 *
 * | tick | r (s) | bid  | ticks | active             | HWM     | stop                    | decision |
 * |------|-------|------|-------|--------------------|---------|-------------------------|----------|
 * | 1    | 840   | 0.52 | 6     | no                 | –       | –                       | –        |
 * | 2    | 700   | 0.55 | 6     | yes (`ACTIVATED`)  | 550 000 | 490 000                 | –        |
 * | 3    | 500   | 0.60 | 5     | yes                | 600 000 | 550 000                 | –        |
 * | 4    | 250   | 0.62 | 4     | yes                | 620 000 | 580 000                 | –        |
 * | 5    | 100   | 0.62 | 3     | yes                | 620 000 | 590 000 (narrowing)     | –        |
 * | 6    | 50    | 0.61 | 2     | yes                | 620 000 | 600 000 (clamp 600 000) | –        |
 * | 7    | 30    | 0.60 | 2     | yes                | 620 000 | 600 000                 | full, `expiry_trail` |
 *
 * Tick 6: candidate 620 000 − 20 000 = 600 000 = bid − tk. Tick 7: candidate 600 000 clamped to
 * 590 000, the ratchet keeps 600 000, and 600 000 ≤ 600 000 fires.
 */
import { z } from 'zod';
import { boundedNumber, shown, widen } from './params';
import { ratchetStop, type BuiltPolicy, type PolicyEvent, type PolicyFn } from '../policy';

/** One step of the distance schedule: from `secondsToEnd` (s) on, the trail is `ticks` ticks. */
export type ScheduleStep = { readonly secondsToEnd: number; readonly ticks: number };

/**
 * The default schedule (issue #12 point 8): 6 ticks until 10 min to the end, then 5, 4 (5 min),
 * 3 (2 min), 2 (1 min) and 1 tick in the last 20 s. The first entry (4 h) covers longer windows.
 */
export const DEFAULT_EXPIRY_SCHEDULE: readonly ScheduleStep[] = Object.freeze([
  { secondsToEnd: 14_400, ticks: 6 },
  { secondsToEnd: 600, ticks: 5 },
  { secondsToEnd: 300, ticks: 4 },
  { secondsToEnd: 120, ticks: 3 },
  { secondsToEnd: 60, ticks: 2 },
  { secondsToEnd: 20, ticks: 1 },
]);

/** Schema of `SCHEDULE`: entries strict, secondsToEnd strictly decreasing, ticks non-increasing. */
const scheduleSchema = z
  .array(
    z
      .object({
        secondsToEnd: boundedNumber({ gte: 0 }, true),
        ticks: boundedNumber({ gte: 1 }, true),
      })
      .strict(),
    { error: (iss) => `expected an array of {secondsToEnd, ticks}, got ${shown(iss.input)}` },
  )
  .min(1, { error: 'expected at least one {secondsToEnd, ticks} entry' })
  .superRefine((steps, ctx) => {
    for (let i = 1; i < steps.length; i++) {
      const a = steps[i - 1]!;
      const b = steps[i]!;
      if (b.secondsToEnd >= a.secondsToEnd)
        ctx.addIssue({
          code: 'custom',
          path: [i, 'secondsToEnd'],
          message: `${b.secondsToEnd} must be below the previous entry's ${a.secondsToEnd}: list the entries from the farthest to the nearest end, each secondsToEnd once`,
        });
      if (b.ticks > a.ticks)
        ctx.addIssue({
          code: 'custom',
          path: [i, 'ticks'],
          message: `${b.ticks} must not exceed the previous entry's ${a.ticks}: the trail only narrows toward the end`,
        });
    }
  });

/**
 * Config block `expiry_trail` of a policy set (issue #12 point 8). The block's presence opts in;
 * `ENABLE_EXPIRY_TRAIL: false` leaves the policy unbuilt (off = absent, spec §1.3 rule 8).
 * - `ACTIVATION_USDC` [0, 1), default 0.05: rise above entry (USDC per share) that activates;
 * - `SCHEDULE`: `{secondsToEnd, ticks}[]`, default {@link DEFAULT_EXPIRY_SCHEDULE} (rule 2);
 * - `HOLD_WINDOW_S` whole seconds ≥ 0, default 60: how close to the end a hold may start;
 * - `HOLD_DISTANCE_USDC` [0, 0.5], default 0.03: hold when `bid ≥ 1 − this`; 0 = never hold.
 */
export const expiryTrailSchema = z
  .object({
    ENABLE_EXPIRY_TRAIL: z
      .boolean({ error: (iss) => `expected JSON true or false, got ${shown(iss.input)}` })
      .default(true),
    ACTIVATION_USDC: boundedNumber({ gte: 0, lt: 1 }).default(0.05),
    SCHEDULE: scheduleSchema.default(() => DEFAULT_EXPIRY_SCHEDULE.map((s) => ({ ...s }))),
    HOLD_WINDOW_S: boundedNumber({ gte: 0 }, true).default(60),
    HOLD_DISTANCE_USDC: boundedNumber({ gte: 0, lte: 0.5 }).default(0.03),
  })
  .strict();

/** `expiry_trail` block as written (every field optional). */
export type ExpiryTrailInput = z.input<typeof expiryTrailSchema>;
/** `expiry_trail` block after parsing (defaults filled; amounts in USDC as written). */
export type ExpiryTrailParams = z.output<typeof expiryTrailSchema>;

/**
 * State of `expiry_trail`: `active` (rule 1); `hwm`, the highest bid since activation, and `stop`,
 * the ratcheted trigger (micro-USDC per share; null before activation, or `stop` null while no stop
 * fits under the bid); `holding`, true while the position is held to resolution (rule 4).
 */
export type ExpiryTrailState = {
  readonly active: boolean;
  readonly hwm: number | null;
  readonly stop: number | null;
  readonly holding: boolean;
};

/**
 * The trail distance in ticks at `r` seconds to the end (rule 2): the `ticks` of the last entry of
 * `schedule` with `secondsToEnd ≥ r`, or of the first entry when none has.
 */
export function scheduledTicks(schedule: readonly ScheduleStep[], r: number): number {
  let ticks = schedule[0]?.ticks ?? 1;
  for (const step of schedule) if (step.secondsToEnd >= r) ticks = step.ticks;
  return ticks;
}

/**
 * The `expiry_trail` policy function, config bound (rules 1–4 of this file's header). Amounts are
 * converted once here: `ACTIVATION = Math.round(ACTIVATION_USDC * 1e6)`,
 * `HOLD_DISTANCE = Math.round(HOLD_DISTANCE_USDC * 1e6)` (micro-USDC per share).
 */
export function expiryTrailPolicy(params: ExpiryTrailParams): PolicyFn<ExpiryTrailState> {
  const activation = Math.round(params.ACTIVATION_USDC * 1e6);
  const holdDistance = Math.round(params.HOLD_DISTANCE_USDC * 1e6);
  const threshold = 1_000_000 - holdDistance;
  const schedule = params.SCHEDULE.map((s) => ({ ...s }));
  return (pos, tick, nowMs, state) => {
    const prev: ExpiryTrailState = state ?? { active: false, hwm: null, stop: null, holding: false };
    const { bid, tk } = tick;
    const r = (pos.windowEndMs - nowMs) / 1000;
    const events: PolicyEvent[] = [];

    // rules 1–3: track activation, HWM and stop
    let { active, hwm, stop } = prev;
    const ticks = scheduledTicks(schedule, r);
    if (!active && bid >= pos.entry + activation) {
      active = true;
      hwm = bid;
      events.push({ event: 'EXPIRY_TRAIL_ACTIVATED', data: { bid, entry: pos.entry } });
    }
    if (active) {
      hwm = hwm === null ? bid : Math.max(hwm, bid);
      stop = ratchetStop(stop, hwm - ticks * tk, bid, tk);
    }

    // rule 4: hold to resolution
    const hold = holdDistance > 0 && r <= params.HOLD_WINDOW_S && bid >= threshold;
    if (hold) {
      if (!prev.holding) events.push({ event: 'HOLD_TO_RESOLUTION', data: { bid, secondsToEnd: r } });
      return { state: { active, hwm, stop, holding: true }, decision: null, events, holdToEnd: true };
    }
    if (prev.holding) events.push({ event: 'HOLD_RELEASED', data: { bid, threshold, secondsToEnd: r } });

    const next: ExpiryTrailState = { active, hwm, stop, holding: false };
    if (stop === null || bid > stop) return { state: next, decision: null, events };
    events.push({ event: 'EXPIRY_TRAIL_FIRED', data: { bid, stop, hwm, ticks, tk, secondsToEnd: r } });
    return { state: next, decision: { reason: 'expiry_trail', size: 'full' }, events };
  };
}

/**
 * Builds `expiry_trail` from its config block (issue #12 point 8): `[]` when
 * `ENABLE_EXPIRY_TRAIL` is false (off = absent, spec §1.3 rule 8), else one policy that reads no
 * market features. The block is parsed here, so raw or parsed config both work.
 * @throws {z.ZodError} when the block is invalid (each field with its accepted range).
 */
export function buildExpiryTrail(params: ExpiryTrailInput): BuiltPolicy[] {
  const parsed = expiryTrailSchema.parse(params);
  if (!parsed.ENABLE_EXPIRY_TRAIL) return [];
  return [{ name: 'expiry_trail', fn: widen(expiryTrailPolicy(parsed)), needsFeatures: false }];
}
