/**
 * What an order-status answer of the venue means for a FOK (issue #8 point 1): the order status
 * vocabulary of polymarket-protocol.md §3.7 (`LIVE`, `MATCHED`, `DELAYED`, `UNMATCHED`,
 * `CANCELED`) and §5.4 (`live`, `matched`, `delayed`, `unmatched`) in every spelling seen in the
 * wild — upper or lower case, an `ORDER_STATUS_` prefix, `CANCELLED`, `associate_trades: null`,
 * `size_matched` as the only sign of a fill. Pure functions; amounts in micro-shares.
 *
 * The rule is "never rejected by guesswork": only a cancel with nothing matched is `killed`, only
 * an answer with something matched is `filled`, and everything else stays `pending` (the order is
 * polled again). A 404 is `not_found`; whether that is final is the caller's call (the POST's own
 * answer must have come back or its timeout window passed).
 */
import { parseMicros } from '../core/money';

/** The parsed meaning of one `GET /data/order/:id` (or `POST /order` status) answer. */
export type ParsedOrderStatus =
  | {
      /** Something matched (FOK partial fills count as filled with what matched). */
      readonly kind: 'filled';
      /** Trade ids from `associate_trades`; empty when the venue did not list them (look them up). */
      readonly tradeIds: readonly string[];
      /** `size_matched`, micro-shares (0 when absent). */
      readonly matchedShares: number;
      /** The normalised status, e.g. `MATCHED`. */
      readonly status: string;
    }
  | { readonly kind: 'killed'; readonly status: string }
  | {
      /** Not final yet (`LIVE`, `DELAYED`, `UNMATCHED`, an unknown word): poll again. */
      readonly kind: 'pending';
      readonly status: string;
    }
  | { readonly kind: 'not_found' }
  | {
      /** The venue could not be asked (an error other than 404, a malformed body): ask again. */
      readonly kind: 'unreadable';
      readonly reason: string;
    };

const CANCELLED = new Set(['CANCELED', 'CANCELLED', 'CANCELED_MARKET_RESOLVED', 'INVALID', 'KILLED']);
const PENDING = new Set(['LIVE', 'DELAYED', 'UNMATCHED', 'OPEN', 'PENDING']);

/**
 * Normalises a status word: trimmed, upper case, without the `ORDER_STATUS_` / `STATUS_` prefix,
 * `CANCELLED` spelt `CANCELED` (protocol §3.7, §5.4). Returns `''` for a non-string.
 */
export function normalizeOrderStatus(raw: unknown): string {
  if (typeof raw !== 'string') return '';
  const s = raw
    .trim()
    .toUpperCase()
    .replace(/^ORDER_STATUS_/, '')
    .replace(/^STATUS_/, '');
  return s === 'CANCELLED' ? 'CANCELED' : s;
}

/** Parses a decimal share amount (`"5"`, `"5.25"`, a number) into micro-shares; 0 when absent or bad. */
function sharesOf(raw: unknown): number {
  if (typeof raw === 'number' && Number.isFinite(raw) && raw > 0) return Math.round(raw * 1_000_000);
  if (typeof raw !== 'string') return 0;
  try {
    return Math.max(0, parseMicros(raw.trim()) ?? 0);
  } catch {
    return 0;
  }
}

/**
 * Classifies the body of `GET /data/order/:id` as the CLOB client returns it: the OpenOrder
 * (protocol §5.6), or `{error, status}` for an HTTP error, or `null`/empty for no order.
 */
export function parseOrderStatus(raw: unknown): ParsedOrderStatus {
  if (raw === null || raw === undefined || raw === '') return { kind: 'not_found' };
  if (typeof raw !== 'object' || Array.isArray(raw))
    return { kind: 'unreadable', reason: 'order answer is not an object' };
  const o = raw as Record<string, unknown>;
  if ('error' in o) {
    if (o.status === 404) return { kind: 'not_found' };
    const status = typeof o.status === 'number' ? `${o.status} ` : '';
    return { kind: 'unreadable', reason: `${status}${String(JSON.stringify(o.error)).slice(0, 200)}` };
  }
  if (Object.keys(o).length === 0) return { kind: 'not_found' };
  const status = normalizeOrderStatus(o.status);
  const tradeIds = Array.isArray(o.associate_trades)
    ? o.associate_trades.filter((t) => typeof t === 'string' && t !== '').map(String)
    : [];
  const matchedShares = sharesOf(o.size_matched);
  const somethingMatched = matchedShares > 0 || tradeIds.length > 0;
  if (status === 'MATCHED') {
    // MATCHED with neither trades nor a matched size tells nothing yet: poll again
    return somethingMatched
      ? { kind: 'filled', tradeIds, matchedShares, status }
      : { kind: 'pending', status };
  }
  if (CANCELLED.has(status)) {
    // a FOK partial (venue-side) is a fill of what matched; a cancel with nothing matched is the kill
    return somethingMatched
      ? { kind: 'filled', tradeIds, matchedShares, status }
      : { kind: 'killed', status };
  }
  if (PENDING.has(status)) return { kind: 'pending', status };
  // an unknown word is never a rejection (nor a fill while it may still change): poll again
  return { kind: 'pending', status: status || 'UNKNOWN' };
}
