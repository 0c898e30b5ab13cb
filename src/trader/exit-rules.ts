/**
 * Runs a position's exit policies on one tick (design §5, issue #12; exit-policies.md §1.4) and
 * applies the decision: journals each state change with its inputs, snapshots the position when
 * its exit state moved (so a restart resumes the same stops), and starts an exit round — of the
 * whole position or, for a partial decision, of part of it — through the order desk.
 *
 * Order on a tick (the first decision wins; later policies are not called on that tick):
 * 1. `stop_loss` (design §5.1; the set may replace STOP_LOSS_PCT, §6.2);
 * 2. the default HWM update (design §5.2) — always tracked, it is also the trade's reported peak;
 * 3. the optional policies ranked before `trailing_stop` (`profit_lock`, `step_lock`);
 * 4. `trailing_stop` (design §5.3–5.4) when the set runs it;
 * 5. the other optional policies in `POLICY_ORDER`; a policy that holds the position to
 *    resolution (`holdToEnd`) ends the chain;
 * 6. `window_expiry`: sell before the end (design §5.5, EXIT_BEFORE_END_MS).
 * With the default set this is exactly the order of design §5 (issue #12: `trades.jsonl` stays
 * byte-identical). Prices in micro-USDC, times in ms.
 */
import type { OrderCommand, Tick, TopOfBook } from '../core/types';
import { windowEndMs } from '../core/types';
import { FeatureEstimator } from './exits/features';
import { type BuiltPolicy, type PolicyPosition, type PolicyState, type PolicyTick } from './exits/policy';
import { DEFAULT_POLICIES, type ExitPolicySet, type PolicySetResolver } from './exits/policy-set';
import { stopLossFires } from './exits/stop-loss';
import type { ExitThresholds } from './exits/thresholds';
import { nextHighWaterMark, trailingActivates, trailingStopPrice } from './exits/trailing';
import { sellBeforeEndDue } from './exits/window-expiry';
import type { OrderDesk } from './order-desk';
import { trailingActive, type Position } from './position';
import type { Journal } from './trader-sink';

/** What the runner needs besides the position and the tick. */
export interface ExitRuleContext {
  readonly cfg: ExitThresholds & { readonly EXIT_BEFORE_END_MS: number };
  readonly journal: Journal;
  readonly desk: OrderDesk;
  /** Each strategy's policy set (default: the default set for all). */
  readonly policies?: PolicySetResolver | undefined;
}

/** Shallow equality of two flat policy states. */
function sameState(a: PolicyState | undefined, b: PolicyState): boolean {
  if (a === b) return true;
  if (a === undefined) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if (a[k] !== b[k]) return false;
  return true;
}

/**
 * The exit-policy runner of one trader: resolves each strategy's set once, keeps the market-feature
 * estimators (one per token, fed every tick of its window) only when a set reads them.
 */
export class ExitRules {
  private readonly sets = new Map<string, ExitPolicySet>();
  private readonly resolve: PolicySetResolver;
  /** Feature estimators by token id (only when some set needs them). */
  private readonly features = new Map<string, FeatureEstimator>();
  /** First spot seen per window key (`windowStartSpot`). */
  private readonly startSpot = new Map<string, number | null>();
  private readonly needFeatures: boolean;

  /** Creates the runner for `strategies` (names); `ctx.policies` defaults to the default set. */
  constructor(
    private readonly ctx: ExitRuleContext,
    strategies: readonly string[],
  ) {
    this.resolve = ctx.policies ?? DEFAULT_POLICIES;
    this.needFeatures = strategies.some((s) => this.setOf(s).needsFeatures);
  }

  /** The set strategy `name` runs. */
  setOf(name: string): ExitPolicySet {
    let s = this.sets.get(name);
    if (s === undefined) {
      s = this.resolve(name);
      this.sets.set(name, s);
    }
    return s;
  }

  /** Feeds the market features with a tick of a followed window (every tick, position or not). */
  observe(tick: Tick): void {
    if (!this.startSpot.has(tick.windowKey)) this.startSpot.set(tick.windowKey, tick.spot);
    if (!this.needFeatures) return;
    for (const top of [tick.up, tick.down]) {
      let f = this.features.get(top.tokenId);
      if (f === undefined) {
        f = new FeatureEstimator();
        this.features.set(top.tokenId, f);
      }
      f.observe(tick.tsMs, top.bid, top.ask);
    }
  }

  /** Forgets a resolved window's features (flat memory over long replays). */
  dropWindow(windowKey: string, tokenIds: readonly string[]): void {
    this.startSpot.delete(windowKey);
    for (const t of tokenIds) this.features.delete(t);
  }

  /**
   * Runs the rules for `p` (state OPEN, entry filled, not held to resolution) at `bid`, the best
   * bid of its token in `top`. Pushes any exit command to `out`.
   */
  run(p: Position, bid: number, top: TopOfBook, tick: Tick, out: OrderCommand[]): void {
    const entry = p.entryPrice;
    if (entry === null || p.highWaterMark === null) return;
    const { cfg, journal, desk } = this.ctx;
    const nowMs = tick.tsMs;
    const set = this.setOf(p.strategy);
    if (stopLossFires(entry, bid, set.stopLossPct ?? cfg.STOP_LOSS_PCT)) {
      desk.fireExit(p, 'stop_loss', top, nowMs, out, { stopPrice: null, highWaterMark: p.highWaterMark });
      return;
    }
    let moved = false;
    const newHwm = nextHighWaterMark(p.highWaterMark, bid, cfg.UPDATE_HWM_THRESHOLD);
    if (newHwm !== null) {
      p.highWaterMark = newHwm;
      moved = true;
      journal.event(p, 'HWM_UPDATE', null, nowMs, { bid, highWaterMark: p.highWaterMark });
    }
    const extra = set.policies;
    let i = 0;
    let done = false;
    let hold = false;
    if (extra.length > 0) {
      const pos = this.policyPosition(p, entry, tick);
      const ptick = this.policyTick(top, bid, tick);
      const step = (b: BuiltPolicy): void => {
        const r = b.fn(pos, ptick, nowMs, p.policyState[b.name] ?? null);
        if (!sameState(p.policyState[b.name], r.state)) {
          p.policyState[b.name] = r.state;
          moved = true;
        }
        for (const e of r.events) journal.event(p, e.event, null, nowMs, { policy: b.name, ...e.data });
        if (r.decision !== null) {
          const part = r.decision.size === 'part' ? r.decision.shares : null;
          desk.fireExit(p, r.decision.reason, top, nowMs, out, { policy: b.name, bid, state: r.state }, part);
          done = true;
        } else if (r.holdToEnd === true) hold = true;
      };
      for (; i < set.beforeTrailing && !done; i++) step(extra[i]!);
      if (!done && set.trailingStop) done = this.trailingStop(p, entry, bid, top, nowMs, out);
      for (; i < extra.length && !done && !hold; i++) step(extra[i]!);
    } else if (set.trailingStop) {
      done = this.trailingStop(p, entry, bid, top, nowMs, out);
    }
    // the exit state moved: snapshot it so a restart resumes the same stops (issue #12); a round
    // that started snapshots the position itself (write-ahead with its order)
    if ((moved || p.trailingActivatedAtMs === nowMs) && p.state === 'OPEN') journal.position(p, nowMs);
    if (done || hold) return;
    if (sellBeforeEndDue(p.window, nowMs, cfg.EXIT_BEFORE_END_MS)) {
      desk.fireExit(p, 'window_expiry', top, nowMs, out, { exitBeforeEndMs: cfg.EXIT_BEFORE_END_MS });
    }
  }

  /** The default trailing take-profit (design §5.3–5.4); returns true when it fired. */
  private trailingStop(
    p: Position,
    entry: number,
    bid: number,
    top: TopOfBook,
    nowMs: number,
    out: OrderCommand[],
  ): boolean {
    const cfg = this.ctx.cfg;
    const active = trailingActive(p);
    const activatedNow = !active && trailingActivates(entry, bid, cfg.TRAILING_ACTIVATION_PCT);
    if (!active && !activatedNow) return false;
    const stop = trailingStopPrice(entry, p.highWaterMark!, cfg.TRAILING_STOP_PCT, cfg.MIN_PROFIT_FLOOR_PCT);
    if (activatedNow) {
      p.trailingActivatedAtMs = nowMs;
      this.ctx.journal.event(p, 'TRAILING_ACTIVATED', null, nowMs, { bid, entryPrice: entry, stop });
    }
    if (bid > stop) return false;
    this.ctx.desk.fireExit(p, 'trailing_stop', top, nowMs, out, {
      stopPrice: stop,
      highWaterMark: p.highWaterMark,
    });
    return true;
  }

  private policyPosition(p: Position, entry: number, tick: Tick): PolicyPosition {
    return {
      key: p.key,
      crypto: p.window.crypto,
      side: p.side,
      entry,
      shares: p.shares,
      openedAtMs: p.entryTimeMs ?? p.createdMs,
      windowSec: p.window.windowSec,
      windowEndMs: windowEndMs(p.window),
      windowStartSpot: this.startSpot.get(tick.windowKey) ?? null,
      partialsDone: p.partialsDone,
    };
  }

  private policyTick(top: TopOfBook, bid: number, tick: Tick): PolicyTick {
    const f = this.features.get(top.tokenId)?.read();
    return {
      tsMs: tick.tsMs,
      bid,
      ask: top.ask,
      tk: top.tickSize,
      spot: tick.spot,
      vol: f?.vol ?? null,
      atr: f?.atr ?? null,
      bandWidth: f?.bandWidth ?? null,
      bandWidthAvg: f?.bandWidthAvg ?? null,
    };
  }
}
