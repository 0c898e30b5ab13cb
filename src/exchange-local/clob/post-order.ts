/**
 * `POST /order` of the local CLOB (issue #4; probe §2, §4, §7; protocol §5.4): fault switches
 * first (HTTP error, version mismatch), then validation ({@link checkOrder}), duplicate order hash,
 * market state, balance, FOK matching (or the kill switch), the ledger change (now or after the
 * settlement delay) and the venue-shaped reply — or no reply at all for the timeout-after-fill fault.
 */
import { formatMicros } from '../../core/money';
import type { FeeModel } from '../../execution/fee-model';
import { sortedLevels } from '../books';
import type { ExchangeEngine } from '../engine';
import type { ApiIdentity } from './auth';
import { HTTP_FAULT_BODY, type ClobFaults } from './faults';
import { COLLATERAL, type Ledger, type LedgerChange } from './ledger';
import { matchFok, type WireOrderRecord, type WireTrade } from './matching';
import { checkOrder } from './order-check';

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
    const error = `not enough balance / allowance: the balance is not enough -> balance: ${held}, order amount: ${checked.makerAmount}`;
    return { status: 400, body: { error } };
  }
  const kill = s.faults.takeKill();
  const m = matchFok(
    checked,
    {
      conditionId: t.market.conditionId,
      outcome: t.side === 'UP' ? 'Up' : 'Down',
      asks: sortedLevels(t.book.asks, 'asc'),
      bids: sortedLevels(t.book.bids, 'desc'),
      fee: s.fee,
    },
    s.nowMs,
    kill,
  );
  s.orders.set(id, m.order);
  if (!m.filled) return { status: 400, body: { error: FOK_KILLED, orderID: id } };
  s.trades.push(...m.trades);
  settle(s, m.changes);
  if (s.faults.takeTimeout()) return 'held';
  if (s.faults.takeErrorAfterFill()) return { status: 500, body: HTTP_FAULT_BODY[500] };
  return {
    status: 200,
    body: {
      success: true,
      errorMsg: '',
      orderID: id,
      status: 'matched',
      makingAmount: formatMicros(m.making),
      takingAmount: formatMicros(m.taking),
      transactionsHashes: m.trades.map((tr) => tr.transaction_hash),
      tradeIDs: m.trades.map((tr) => tr.id),
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
  if (s.faults.settlementDelayMs > 0) s.defer(apply, s.faults.settlementDelayMs);
  else apply();
}
