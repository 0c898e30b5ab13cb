/**
 * One reconciliation pass of the live loop (design §9; issue #8 point 2; issue #10: applying
 * the discrepancies has its own module): open positions vs the wallet's ERC-1155 balances of their
 * tokens and of every market in play. Tokens with an order in flight, a fill younger than
 * `SETTLEMENT_GRACE_MS` or a redeem pending are skipped; each discrepancy is adopted from the
 * chain with a RECONCILED audit row and counted. Amounts: micro-shares.
 */
import type { Clock } from '../core/clock';
import { windowEndMs } from '../core/types';
import { canonicalTokenId } from '../chain/balances';
import { auditData, reconcile, type Discrepancy } from '../chain/reconcile';
import type { Logger } from '../platform/logger';
import type { LiveTrader } from '../trader/live-trader';
import type { LiveStats } from './live-stats';
import type { MarketRegistry } from './market-registry';
import type { FillTimes } from './fill-times';
import type { LiveChain } from './ports';
import type { RedeemQueue } from './redeem-queue';

/** What a pass works with. */
export interface ReconcileDeps {
  readonly chain: LiveChain;
  readonly trader: LiveTrader;
  readonly markets: MarketRegistry;
  readonly redeem: RedeemQueue;
  readonly times: FillTimes;
  /** The trader's clock (venue time) and the wall clock. */
  readonly clock: Clock;
  readonly wall: Clock;
  readonly stats: LiveStats;
  readonly log: Logger;
  /** `SETTLEMENT_GRACE_MS`. */
  readonly graceMs: number;
  readonly bounded: <T>(what: string, p: Promise<T>) => Promise<T>;
}

/**
 * Runs one pass; returns the discrepancies found (already applied).
 * @throws the chain reader's classified error (nothing is changed then).
 */
export async function reconcilePass(d: ReconcileDeps): Promise<Discrepancy[]> {
  d.markets.addCurrent();
  const startedWall = d.wall.now();
  const tokens = new Set<string>();
  for (const p of d.trader.openPositions()) tokens.add(canonicalTokenId(p.tokenId));
  for (const id of d.markets.unsettledTokens()) tokens.add(id);
  if (tokens.size === 0) return [];
  const balances = await d.bounded(
    'reconciliation balances',
    d.chain.outcomeBalances(d.chain.owner, [...tokens]),
  );
  d.stats.reconcilePasses += 1;
  const busy = busyTokens(d, startedWall);
  const chain = new Map<string, bigint>();
  for (const [id, v] of balances) {
    if (busy.has(id)) d.stats.skippedBusy += 1;
    else chain.set(id, v);
  }
  const positions = d.trader
    .openPositions()
    .filter((p) => !busy.has(canonicalTokenId(p.tokenId)))
    .map((p) => ({ positionKey: p.key, tokenId: p.tokenId, shares: p.shares, state: p.state }));
  const found = reconcile(positions, chain, { salesByToken: d.redeem.sales });
  const now = d.clock.now();
  for (const x of found) applyDiscrepancy(d, x, now);
  return found;
}

/** Tokens a pass must not judge: orders in flight, recent fills, windows awaiting redeem. */
function busyTokens(d: ReconcileDeps, startedWall: number): Set<string> {
  const busy = new Set<string>();
  for (const p of d.trader.openPositions()) if (p.openOrderId !== null) busy.add(canonicalTokenId(p.tokenId));
  for (const id of d.times.recentFills(startedWall, d.wall.now(), d.graceMs)) busy.add(id);
  for (const id of d.redeem.busyTokens()) busy.add(id);
  return busy;
}

/** Adopts one discrepancy from the chain (design §9), with its audit row; counted in `stats`. */
export function applyDiscrepancy(d: ReconcileDeps, x: Discrepancy, now: number): void {
  const { trader, stats } = d;
  stats.discrepancies[x.kind] += 1;
  const audit = { ...auditData(x), owner: d.chain.owner };
  d.log.warn(audit, 'reconciliation: discrepancy adopted from the chain');
  const dec = x.decision;
  switch (dec.action) {
    case 'set_shares': {
      const shares = Number(dec.sharesMicros);
      if (trader.correct({ kind: 'shares', key: dec.positionKey, shares, audit }, now).applied)
        stats.resized += 1;
      return;
    }
    case 'close':
      for (const k of dec.positionKeys)
        if (trader.correct({ kind: 'close', key: k, audit }, now).applied) stats.closedByReconcile += 1;
      return;
    case 'adopt': {
      const t = d.markets.token(x.tokenId);
      if (t !== undefined && windowEndMs(t.market.window) <= now) {
        // tokens of an ended window are never adopted (issue #8 point 2): nothing can be traded
        // there; they are redeemed once resolved (or left to the wallet), and the window is settled
        d.markets.settle(t.market.window);
        trader.audit(`reconcile_${x.tokenId}`, 'RECONCILED', now, { ...audit, note: 'ended window: redeem' });
        d.redeem.add(t.market.window);
        return;
      }
      if (t === undefined) {
        stats.reviews += 1;
        trader.audit(`reconcile_${x.tokenId}`, 'RECONCILED', now, {
          ...audit,
          note: 'token of no known window: review',
        });
        return;
      }
      const { window } = t.market;
      trader.correct(
        { kind: 'adopt', window, side: t.side, tokenId: x.tokenId, shares: Number(dec.sharesMicros), audit },
        now,
      );
      // held to resolution: closed at the window end, then redeemed like any held position
      stats.adopted += 1;
      return;
    }
    case 'redeem': {
      const t = d.markets.token(x.tokenId);
      trader.audit(`reconcile_${x.tokenId}`, 'RECONCILED', now, audit);
      if (t !== undefined) d.redeem.add(t.market.window);
      return;
    }
    case 'review':
      stats.reviews += 1;
      for (const k of dec.positionKeys) trader.audit(k, 'RECONCILED', now, audit);
      return;
  }
}
