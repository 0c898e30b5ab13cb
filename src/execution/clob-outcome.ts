/**
 * Classification of what the CLOB client returns into what the venue must do
 * (clob-v2-local-probe.md §4; polymarket-protocol.md §5.4, §5.7; STYLE rule 5): filled, killed
 * (FOK not filled), rejected (the venue refused the order), retry (nothing was processed: 425,
 * 429, 5xx, version mismatch, connection refused) or unknown (the request may have been
 * processed: socket hang-up, reset, timeout). Client objects and float strings stop here: the
 * results carry integer micros and plain strings only.
 */
import { MICROS, parseMicros as parse } from '../core/money';
import type { Fill, OrderCommand, VenueEvent } from '../core/types';
import { takerFeeUsdc, type FeeModel } from './fee-model';

/** What the venue makes of one `POST /order` result. */
export type PostOutcome =
  | {
      readonly kind: 'filled';
      readonly orderId: string;
      readonly tradeIds: readonly string[];
      /** What the order gave (BUY: micro-USDC; SELL: micro-shares). */
      readonly making: number;
      /** What it got (BUY: micro-shares; SELL: micro-USDC). */
      readonly taking: number;
    }
  | {
      readonly kind: 'killed' | 'rejected' | 'retry' | 'unknown';
      readonly reason: string;
      readonly refreshVersion?: boolean;
    };

const FOK_NOT_FILLED = [
  /fully filled or killed/i,
  /FOK orders are filled or killed/i,
  /no orders found to match/i,
  /no match/i,
];
const NOT_SENT = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH/;
const MAX_REASON = 300;

/** Returns a short, single-line reason from a client error value (string or object). */
export function errorText(err: unknown): string {
  const text = typeof err === 'string' ? err : (JSON.stringify(err) ?? String(err));
  return text.replace(/\s+/g, ' ').slice(0, MAX_REASON);
}

/** Classifies the value `postOrder` resolved to. */
export function classifyPost(res: unknown): PostOutcome {
  const r = (res ?? {}) as Record<string, unknown>;
  if ('error' in r) {
    const reason = errorText(r.error);
    const status = typeof r.status === 'number' ? r.status : undefined;
    if (status === undefined) return { kind: NOT_SENT.test(reason) ? 'retry' : 'unknown', reason };
    if (status === 425 || status === 429 || status >= 500)
      return { kind: 'retry', reason: `${status} ${reason}` };
    if (reason.includes('order_version_mismatch')) return { kind: 'retry', reason, refreshVersion: true };
    if (FOK_NOT_FILLED.some((re) => re.test(reason))) return { kind: 'killed', reason };
    return { kind: 'rejected', reason };
  }
  if (r.success !== true) return { kind: 'rejected', reason: errorText(r.errorMsg ?? 'order not accepted') };
  const orderId = typeof r.orderID === 'string' ? r.orderID : '';
  const status = String(r.status ?? '').toLowerCase();
  if (status !== 'matched') return { kind: 'unknown', reason: `order ${orderId} status ${status}` };
  const making = parse(String(r.makingAmount ?? '')) ?? 0;
  const taking = parse(String(r.takingAmount ?? '')) ?? 0;
  const tradeIds = Array.isArray(r.tradeIDs) ? r.tradeIDs.map(String) : [];
  if (making <= 0 || taking <= 0)
    return { kind: 'unknown', reason: `order ${orderId} matched without amounts` };
  return { kind: 'filled', orderId, tradeIds, making, taking };
}

/**
 * Converts trades (`GET /data/trades` items) into fills: price micro-USDC, shares micro-shares.
 * Returns `null` when a trade is malformed.
 */
export function fillsFromTrades(trades: readonly unknown[]): Fill[] | null {
  const fills: Fill[] = [];
  for (const t of trades) {
    const r = (t ?? {}) as Record<string, unknown>;
    const price = typeof r.price === 'string' ? parse(r.price) : null;
    const shares = typeof r.size === 'string' ? parse(r.size) : null;
    if (typeof r.id !== 'string' || price === null || shares === null) return null;
    fills.push({ tradeId: r.id, price, shares });
  }
  return fills;
}

/**
 * Builds the `filled` event of a command from its fills (micros) and the market's fee model
 * (polymarket-protocol.md §6.7: per fill, taken in shares on BUY, in USDC on SELL). `totals`
 * (from the order reply) override the sums of the fills.
 */
export function filledEvent(
  cmd: OrderCommand,
  fills: readonly Fill[],
  fee: FeeModel,
  tsMs: number,
  totals?: { shares: number; notional: number },
): VenueEvent {
  const real = fills.filter((f) => f.shares > 0);
  const shares = totals?.shares ?? real.reduce((a, f) => a + f.shares, 0);
  const notional =
    totals?.notional ?? real.reduce((a, f) => a + Math.floor((f.shares * f.price) / MICROS), 0);
  const feeUsdc = real.reduce((a, f) => a + takerFeeUsdc(f.shares, f.price, fee), 0);
  const feeShares =
    cmd.side === 'SELL' || feeUsdc === 0 || notional === 0
      ? 0
      : Math.min(shares, Math.round((feeUsdc * shares) / notional));
  return {
    kind: 'filled',
    clientOrderId: cmd.clientOrderId,
    tsMs,
    fills,
    shares,
    notional,
    feeUsdc,
    feeShares,
  };
}
