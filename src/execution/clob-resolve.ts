/**
 * What the venue says about an order whose POST outcome was never seen (design §7; issue #8
 * point 1; protocol §3.7, §5.4): each signed attempt is queried (`GET /data/order/:id`), never
 * re-sent. Filled when one matched (its fills looked up), killed when cancelled with nothing
 * matched, never reached the venue when every attempt is a final 404, else still open.
 */
import type { Fill } from '../core/types';
import type { ClobHttp } from './clob-http';
import { parseOrderStatus } from './order-status';

/** The venue's answer about a command: a fill, a kill, never received, or still open (`null`). */
export type QueriedOutcome =
  | { readonly kind: 'filled'; readonly fills: Fill[] }
  | { readonly kind: 'killed' }
  | { readonly kind: 'not_received' }
  | null;

/** What the query reads. */
export interface OutcomeQuery {
  readonly http: ClobHttp;
  /** Fills of a matched order (`null` while not readable: the outcome stays open). */
  fillsOf(orderId: string, raw: unknown, tradeIds: readonly string[]): Promise<Fill[] | null>;
  /** Whether a 404 for this attempt is final (its POST answered, or the grace passed). */
  notFoundIsFinal(orderId: string): boolean;
}

/**
 * Queries the venue about the attempts `orderIds` of one command, in order; `null` while the
 * outcome is open (`LIVE`/`DELAYED`, a 404 in flight, unreadable, the venue not answering).
 * Never throws.
 */
export async function queryOutcome(q: OutcomeQuery, orderIds: readonly string[]): Promise<QueriedOutcome> {
  let cancelled = false;
  let open = false;
  for (const id of orderIds) {
    let raw: unknown;
    try {
      raw = await q.http.getOrder(id);
    } catch {
      return null;
    }
    const st = parseOrderStatus(raw);
    if (st.kind === 'filled') {
      const fills = await q.fillsOf(id, raw, st.tradeIds);
      return fills === null ? null : { kind: 'filled', fills };
    }
    if (st.kind === 'killed') cancelled = true;
    else if (st.kind === 'pending' || st.kind === 'unreadable' || !q.notFoundIsFinal(id)) open = true;
  }
  if (open) return null;
  return cancelled ? { kind: 'killed' } : { kind: 'not_received' };
}

/** True only when the venue answers that it has no such order (404); any doubt → false. */
export async function venueLacks(http: ClobHttp, orderId: string): Promise<boolean> {
  try {
    return parseOrderStatus(await http.getOrder(orderId)).kind === 'not_found';
  } catch {
    return false;
  }
}
