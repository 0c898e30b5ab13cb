/**
 * Classification of what the CLOB client returns into what the venue must do
 * (clob-v2-local-probe.md §4; polymarket-protocol.md §5.4, §5.7; STYLE rule 5): filled, killed
 * (FOK not filled), rejected (the venue refused the order), retry (nothing was processed: 425,
 * 429, 5xx, version mismatch, connection refused) or unknown (the request may have been
 * processed: socket hang-up, reset, timeout), each with its failure cause (issue #8: `market`,
 * `venue_unavailable`, `rate_limited`). Client objects and float strings stop here: the results
 * carry integer micros and plain strings only.
 */
import { TraderError } from '../core/errors';
import { MICROS, parseMicros as parse } from '../core/money';
import type { FailureCause, Fill, OrderCommand, VenueEvent } from '../core/types';
import { takerFeeUsdc, type FeeModel } from './fee-model';
import { normalizeOrderStatus } from './order-status';

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
      /** Why it did not fill (issue #8; absent = `market`). */
      readonly cause?: FailureCause;
      /** The venue's error text, for account-setup recognition. */
      readonly venueText?: string;
    };

const FOK_NOT_FILLED = [
  /fully filled or killed/i,
  /FOK orders are filled or killed/i,
  /no orders found to match/i,
  /no match/i,
  /there are no matching orders/i,
];
/** The venue is not taking orders now (protocol §5.7: 503 paused/cancel-only, post-only period). */
const VENUE_CLOSED = [
  /trading is currently disabled/i,
  /trading is currently cancel-only/i,
  /cancel[- ]only/i,
  /post[- ]only (period|mode)/i,
  /only post[- ]only orders/i,
  /invalid post-only order/i,
  /service not ready/i,
];
const NOT_SENT = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH/;
const MAX_REASON = 300;

/** Returns a short, single-line reason from a client error value (string or object). */
export function errorText(err: unknown): string {
  const text = typeof err === 'string' ? err : (JSON.stringify(err) ?? String(err));
  return text.replace(/\s+/g, ' ').slice(0, MAX_REASON);
}

/** The cause of an HTTP error answer to `POST /order` by status (protocol §5.7). */
function statusCause(status: number): FailureCause {
  return status === 429 ? 'rate_limited' : 'venue_unavailable';
}

/**
 * Classifies the value `postOrder` resolved to (client-shaped: the body, `{error, status}` or a
 * network `{error}`). `status` words are read in any spelling (see `order-status.ts`).
 */
export function classifyPost(res: unknown): PostOutcome {
  const r = (res ?? {}) as Record<string, unknown>;
  if ('error' in r) {
    const reason = errorText(r.error);
    const status = typeof r.status === 'number' ? r.status : undefined;
    if (status === undefined)
      return NOT_SENT.test(reason)
        ? { kind: 'retry', reason, cause: 'venue_unavailable' }
        : { kind: 'unknown', reason };
    if (status === 425 || status === 429 || status >= 500)
      return { kind: 'retry', reason: `${status} ${reason}`, cause: statusCause(status), venueText: reason };
    if (reason.includes('order_version_mismatch'))
      return { kind: 'retry', reason, refreshVersion: true, cause: 'venue_unavailable' };
    if (FOK_NOT_FILLED.some((re) => re.test(reason))) return { kind: 'killed', reason, cause: 'market' };
    if (VENUE_CLOSED.some((re) => re.test(reason)))
      return { kind: 'rejected', reason, cause: 'venue_unavailable', venueText: reason };
    return { kind: 'rejected', reason, venueText: reason };
  }
  if (r.success !== true) {
    const reason = errorText(r.errorMsg ?? 'order not accepted');
    return { kind: 'rejected', reason, venueText: reason };
  }
  const orderId = typeof r.orderID === 'string' ? r.orderID : '';
  const status = normalizeOrderStatus(r.status);
  if (status !== 'MATCHED') return { kind: 'unknown', reason: `order ${orderId} status ${status || 'none'}` };
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

/** An outcome that is not a fill, before it becomes a {@link VenueEvent} (`retry` → `rejected`). */
export type NonFill = {
  kind: 'killed' | 'rejected' | 'unknown' | 'retry';
  reason: string;
  cause?: FailureCause;
};

/** The venue event of a non-fill of `cmd` at `tsMs` (ms; the trader's clock). */
export function nonFillEvent(cmd: OrderCommand, o: NonFill, tsMs: number): VenueEvent {
  if (o.kind === 'unknown')
    return { kind: 'unknown', clientOrderId: cmd.clientOrderId, tsMs, reason: o.reason };
  return {
    kind: o.kind === 'retry' ? 'rejected' : o.kind,
    clientOrderId: cmd.clientOrderId,
    tsMs,
    reason: o.reason,
    ...(o.cause === undefined ? {} : { cause: o.cause }),
  };
}

/** A post that was not processed (425, 429, version mismatch, refused connection): retried. */
export class RetryableError extends TraderError {
  override name = 'RetryableError';
  constructor(
    message: string,
    readonly failure: FailureCause,
  ) {
    super(message, 'retryable');
  }
}
