/**
 * Settling stuck orders (design §7; issue #8 point 6; issue #10): a position past
 * `POSITION_LOCK_TIMEOUT_MS` whose order the venue cannot answer is settled from the chain.
 * Amounts: micro-shares; times: venue ms for the trader, wall ms for the grace.
 */
import type { Clock } from '../core/clock';
import type { VenueEvent } from '../core/types';
import { canonicalTokenId } from '../chain/balances';
import { DEFAULT_DUST_MICROS } from '../chain/reconcile';
import type { LiveTrader } from '../trader/live-trader';
import type { Position } from '../trader/position';
import type { LiveStats } from './live-stats';
import type { FillTimes } from './fill-times';
import type { LiveChain, LiveVenue } from './ports';
import type { RedeemQueue } from './redeem-queue';

/** What the settling works with. */
export interface StuckOrderDeps {
  readonly venue: LiveVenue;
  readonly chain: LiveChain;
  readonly trader: LiveTrader;
  /** The trader's clock (venue time) and the wall clock. */
  readonly clock: Clock;
  readonly wall: Clock;
  readonly times: FillTimes;
  readonly redeem: RedeemQueue;
  readonly stats: LiveStats;
  /** `SETTLEMENT_GRACE_MS`. */
  readonly graceMs: number;
  /** Hands a settled outcome to the engine. */
  readonly onVenueEvent: (ev: VenueEvent) => void;
  readonly bounded: <T>(what: string, p: Promise<T>) => Promise<T>;
}

/**
 * Settles the stuck orders from the chain. An exit: no tokens left (after the settlement grace)
 * → the sell went through: CLOSED by reconciliation; tokens all there → the order is treated as
 * rejected (the round goes on); anything between waits for the reconciliation pass. An entry:
 * see {@link settleStuckEntry}.
 * @throws the chain reader's error (nothing is changed then).
 */
export async function settleStuck(d: StuckOrderDeps): Promise<void> {
  const unknown = new Set(d.venue.unknownOrders());
  const stuck = d.trader
    .openPositions()
    .filter((p) => p.lockTimedOut && p.openOrderId !== null && unknown.has(p.openOrderId));
  if (stuck.length === 0) return;
  const balances = await d.bounded(
    'stuck order balances',
    d.chain.outcomeBalances(
      d.chain.owner,
      stuck.map((p) => p.tokenId),
    ),
  );
  const now = d.clock.now();
  const wall = d.wall.now();
  for (const p of stuck) {
    const id = p.openOrderId;
    if (id === null) continue;
    if (p.state === 'PENDING') {
      settleStuckEntry(d, p, id, balances, wall, now);
      continue;
    }
    const held = balances.get(canonicalTokenId(p.tokenId)) ?? 0n;
    const lastFill = d.times.lastFillAt(canonicalTokenId(p.tokenId));
    if (held <= DEFAULT_DUST_MICROS && wall - lastFill >= d.graceMs) {
      d.venue.forgetUnknown(id);
      const audit = {
        kind: 'missing',
        reason: 'exit order unanswered past POSITION_LOCK_TIMEOUT_MS; no tokens on chain',
        orderId: id,
        owner: d.chain.owner,
      };
      d.trader.correct({ kind: 'close', key: p.key, audit }, now);
      d.stats.stuckSettledFromChain += 1;
    } else if (held >= BigInt(p.shares) && wall - d.venue.signedAt(id) >= d.graceMs) {
      // the chain lags the venue's fill (settlement): only after the grace since the exit was
      // signed does "every share still held" mean it never filled (else it would be sold twice)
      d.venue.forgetUnknown(id);
      d.stats.stuckSettledFromChain += 1;
      d.onVenueEvent({
        kind: 'rejected',
        clientOrderId: id,
        tsMs: now,
        reason: 'unanswered past POSITION_LOCK_TIMEOUT_MS; the chain still holds every share',
        // not the market's answer: no attempt or round is used, the exit is sent again
        cause: 'venue_unavailable',
      });
    }
  }
}

/**
 * A PENDING entry past the lock timeout whose order the venue cannot answer (issue #8 point 6),
 * once the settlement grace has passed since it was signed: the chain decides. No tokens beyond
 * what other positions and sale dust explain → it never filled: a failed entry (no trade).
 * Tokens there → it filled: OPEN with those shares (cost = the entry's notional).
 */
function settleStuckEntry(
  d: StuckOrderDeps,
  p: Position,
  id: string,
  balances: ReadonlyMap<string, bigint>,
  wall: number,
  now: number,
): void {
  const token = canonicalTokenId(p.tokenId);
  if (wall - d.venue.signedAt(id) < d.graceMs) return;
  let others = 0n;
  for (const q of d.trader.openPositions())
    if (q.key !== p.key && canonicalTokenId(q.tokenId) === token) others += BigInt(q.shares);
  const held = balances.get(token) ?? 0n;
  const mine = held - others;
  const dust = DEFAULT_DUST_MICROS + BigInt(d.redeem.salesOf(token)) * DEFAULT_DUST_MICROS;
  const audit = { orderId: id, owner: d.chain.owner, chainMicros: held.toString() };
  d.venue.forgetUnknown(id);
  d.stats.stuckEntriesSettled += 1;
  if (mine <= dust) {
    const why = 'entry unanswered past POSITION_LOCK_TIMEOUT_MS and the settlement grace; no tokens on chain';
    d.trader.correct({ kind: 'close', key: p.key, audit: { ...audit, kind: 'missing', reason: why } }, now);
  } else {
    const why = 'entry unanswered past POSITION_LOCK_TIMEOUT_MS; its tokens are on chain';
    const c = {
      kind: 'confirm_entry',
      key: p.key,
      shares: Number(mine),
      audit: { ...audit, kind: 'extra', reason: why },
    } as const;
    d.trader.correct(c, now);
  }
}
