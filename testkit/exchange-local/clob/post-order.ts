/**
 * `POST /order` of the local CLOB (issues #4, #8; probe §2, §4, §7; protocol §5.4): the answer
 * delay (the request waits before processing), fault switches (HTTP error, version mismatch),
 * then validation ({@link checkOrder}), duplicate order hash, market state, balance, FOK matching
 * (or the kill switch; or, for a `LIVE`/`DELAYED` spelling, a `live`/`delayed` answer and the
 * match later), the ledger change (now or after the settlement delay) and the venue-shaped reply
 * in the order's status spelling — or no reply at all for the timeout-after-fill fault.
 */
import { formatMicros } from '../../../src/core/money';
import type { FeeModel } from '../../../src/execution/fee-model';
import { sortedLevels } from '../books';
import type { ExchangeEngine } from '../engine';
import type { ApiIdentity } from './auth';
import { HTTP_FAULT_BODY, type ClobFaults } from './faults';
import { COLLATERAL, type Ledger, type LedgerChange } from './ledger';
import { matchFok, type MatchMarket, type WireOrderRecord, type WireTrade } from './matching';
import { checkOrder, type CheckedOrder } from './order-check';

/** FOK kill text of the venue (protocol §5.4). */
export const FOK_KILLED = "order couldn't be fully filled. FOK orders are fully filled or killed.";

/** What `POST /order` reads and writes. */
export interface PostOrderState {
  readonly engine: ExchangeEngine;
  readonly nowMs: number;
  readonly chainId: number;
  readonly version: number;
  readonly fee: FeeModel;
  readonly minNotional: number;
  readonly ledger: Ledger;
  readonly faults: ClobFaults;
  readonly orders: Map<string, WireOrderRecord>;
  readonly trades: WireTrade[];
  readonly funders: Map<string, string>;
  /** Runs `fn` after `ms` (settlement delay); cancelled when the exchange closes. */
  readonly defer: (fn: () => void, ms: number) => void;
}

type Reply = { status: number; body: unknown };

/** Handles one order post; `'held'` = apply and never answer (timeout fault). */
export async function postOrder(s: PostOrderState, who: ApiIdentity, raw: string): Promise<Reply | 'held'> {
  const wait = s.faults.takeAnswerDelay();
  if (wait > 0) await new Promise<void>((ok) => s.defer(ok, wait));
  const http = s.faults.takeHttp();
  if (http !== undefined) return { status: http, body: HTTP_FAULT_BODY[http] };
  if (s.faults.takeMismatch()) return { status: 400, body: { error: 'order_version_mismatch' } };
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    return { status: 400, body: { error: 'Invalid order payload' } };
  }
  const tokenId = (body as { order?: { tokenId?: unknown } } | null)?.order?.tokenId;
  const t = typeof tokenId === 'string' ? s.engine.token(tokenId) : undefined;
  if (t === undefined) return { status: 400, body: { error: 'Invalid order payload: unknown token id' } };
  const checked = await checkOrder(body, who, {
    chainId: s.chainId,
    version: s.version,
    tick: t.tick,
    negRisk: false,
    minNotional: s.minNotional,
  });
  if ('error' in checked) return { status: checked.status, body: { error: checked.error } };
  const id = checked.id;
  if (s.orders.has(id)) return { status: 400, body: { error: `order ${id} is invalid. Duplicated.` } };
  if (s.nowMs >= t.market.endMs)
    return { status: 400, body: { error: `order ${id} is invalid. Market closed.` } };
  if (checked.maker.toLowerCase() !== who.address.toLowerCase())
    s.funders.set(who.address.toLowerCase(), checked.maker);
  const asset = checked.side === 'BUY' ? COLLATERAL : checked.tokenId;
  const held = s.ledger.balance(checked.maker, asset);
  if (held < checked.makerAmount) {
    // issue #8 point 12: the delayed-settlement fault fired only if a SELL met a settling balance
    if (checked.side === 'SELL' && s.faults.isSettling(checked.maker, checked.tokenId))
      s.faults.stats.pendingBalanceRefusals++;
    const error = `not enough balance / allowance: the balance is not enough -> balance: ${held}, order amount: ${checked.makerAmount}`;
    return { status: 400, body: { error } };
  }
  const market = (): MatchMarket => ({
    conditionId: t.market.conditionId,
    outcome: t.side === 'UP' ? 'Up' : 'Down',
    asks: sortedLevels(t.book.asks, 'asc'),
    bids: sortedLevels(t.book.bids, 'desc'),
    fee: s.fee,
  });
  const spelling = s.faults.takeSpelling(id);
  if (spelling === 'LIVE' || spelling === 'DELAYED') return delayedMatch(s, checked, market, spelling);
  const kill = s.faults.takeKill() || (checked.side === 'SELL' && s.faults.takeSellKill());
  const book = checked.side === 'BUY' && s.faults.takeSlip() ? slipped(market(), t.tick) : market();
  const m = matchFok(checked, book, s.nowMs, kill);
  s.orders.set(id, m.order);
  if (!m.filled) return { status: 400, body: { error: FOK_KILLED, orderID: id } };
  const trades = s.faults.takeNoTxHash()
    ? m.trades.map((tr) => ({ ...tr, status: 'MATCHED', transaction_hash: '' }))
    : m.trades;
  s.trades.push(...trades);
  settle(s, m.changes);
  if (s.faults.takeTimeout()) return 'held';
  if (s.faults.takeErrorAfterFill()) return { status: 500, body: HTTP_FAULT_BODY[500] };
  let status = 'matched';
  if (spelling === 'MATCHED' || spelling === 'matched' || spelling === 'ORDER_STATUS_MATCHED') {
    s.faults.served(spelling);
    status = spelling;
  }
  return {
    status: 200,
    body: {
      success: true,
      errorMsg: '',
      orderID: id,
      status,
      makingAmount: formatMicros(m.making),
      takingAmount: formatMicros(m.taking),
      transactionsHashes: trades.map((tr) => tr.transaction_hash).filter((h) => h !== ''),
      tradeIDs: trades.map((tr) => tr.id),
    },
  };
}

/**
 * A `live` / `delayed` answer (protocol §5.4): the order is recorded unmatched (its record shows
 * the pending status) and matched against the book `delayedMatchMs` later.
 */
function delayedMatch(
  s: PostOrderState,
  o: CheckedOrder,
  market: () => MatchMarket,
  spelling: 'LIVE' | 'DELAYED',
): Reply {
  s.orders.set(o.id, matchFok(o, market(), s.nowMs, true).order); // placeholder: nothing matched yet
  s.faults.setPendingMatch(o.id, true);
  s.faults.served(spelling);
  s.defer(() => {
    const m = matchFok(o, market(), s.nowMs, s.faults.takeKill());
    s.orders.set(o.id, m.order);
    if (m.filled) {
      s.trades.push(...m.trades);
      settle(s, m.changes);
    }
    s.faults.setPendingMatch(o.id, false);
  }, s.faults.delayedMatchMs);
  return {
    status: 200,
    body: {
      success: true,
      errorMsg: spelling === 'DELAYED' ? 'order match delayed due to market conditions' : '',
      orderID: o.id,
      status: spelling.toLowerCase(),
      makingAmount: '',
      takingAmount: '',
      transactionsHashes: [],
      tradeIDs: [],
    },
  };
}

function settle(s: PostOrderState, changes: readonly LedgerChange[]): void {
  const apply = (): void => {
    try {
      s.ledger.apply(changes);
    } catch {
      // A lagging settlement can meet a balance already spent; the fill stands, the ledger does not move.
    }
  };
  if (s.faults.settlementDelayMs <= 0) return apply();
  for (const c of changes) s.faults.noteSettling(c.owner, c.asset, 1);
  s.defer(() => {
    for (const c of changes) s.faults.noteSettling(c.owner, c.asset, -1);
    apply();
  }, s.faults.settlementDelayMs);
}

/** The book a BUY meets after the slip fault: every ask one tick (micro-USDC) higher (issue #11). */
function slipped(m: MatchMarket, tick: number): MatchMarket {
  return {
    ...m,
    asks: m.asks.map((l) => ({ price: Math.min(l.price + tick, 1_000_000 - tick), size: l.size })),
  };
}
