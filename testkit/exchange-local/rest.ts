/**
 * CLOB REST subset of the local exchange (issue #3; polymarket-protocol.md §5.2): `GET /` (`"OK"`),
 * `GET /time` (playback time, unix seconds, bare number), `GET /book?token_id=` (bids ascending,
 * asks descending: best LAST), `GET /tick-size`, `GET /neg-risk`. Errors are `{"error": "…"}`.
 */
import { formatMicros } from '../../src/core/money';
import type { ExchangeEngine } from './engine';
import { restBook } from './frames';
import type { JsonReply } from './gamma';

/** What the REST handlers read. */
export interface RestContext {
  readonly engine: ExchangeEngine;
  readonly clockMs: () => number;
}

/** Answers a CLOB REST GET, or returns `null` when the path is not one of them. */
export function handleRest(url: URL, ctx: RestContext): JsonReply | null {
  const path = url.pathname.replace(/\/+$/, '') || '/';
  if (path === '/') return { status: 200, body: 'OK' };
  if (path === '/time') return { status: 200, body: Math.floor(ctx.clockMs() / 1000) };
  if (path !== '/book' && path !== '/tick-size' && path !== '/neg-risk') return null;
  const tokenId = url.searchParams.get('token_id') ?? '';
  if (!/^\d+$/.test(tokenId)) return { status: 400, body: { error: 'Invalid token id' } };
  const t = ctx.engine.token(tokenId);
  if (t === undefined)
    return { status: 404, body: { error: 'No orderbook exists for the requested token id' } };
  if (path === '/book') return { status: 200, body: restBook(t) };
  if (path === '/tick-size')
    return { status: 200, body: { minimum_tick_size: Number(formatMicros(t.tick)) } };
  return { status: 200, body: { neg_risk: false } };
}
