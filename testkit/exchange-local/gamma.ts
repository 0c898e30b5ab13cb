/**
 * Gamma API of the local exchange (issue #3; polymarket-protocol.md §2): `/events?slug=…`,
 * `/markets?slug=…` (arrays; `slug` may repeat or be comma-separated), `/events/slug/<slug>` and
 * `/markets/slug/<slug>` (single objects, 404 when unknown). Market objects use the real field
 * names, with `outcomes`, `outcomePrices` and `clobTokenIds` as JSON-encoded strings. Every recorded
 * window is listed whatever the playback clock; `closed` / `acceptingOrders` follow the clock.
 * `negRisk` and `version` (`"v1"`/`"v2"`, only when set) follow the listing's flags (catalog
 * `MarketFlags`; protocol §2.3, §10; issue #8).
 */
import { formatMicros } from '../../src/core/money';
import { bestOf } from './books';
import type { MarketListing } from './catalog';
import type { ExchangeEngine } from './engine';
import { MIN_ORDER_SIZE } from './frames';

/** `closed` flips this long after `endDate` (the venue takes ~1–2 min). */
export const CLOSE_DELAY_MS = 60_000;

/** What the Gamma handlers read. */
export interface GammaContext {
  readonly engine: ExchangeEngine;
  readonly bySlug: ReadonlyMap<string, MarketListing>;
  readonly clockMs: () => number;
  /** List outcomes as `["Down","Up"]` (token ids swapped accordingly). */
  readonly swapOutcomeOrder: boolean;
}

/** An HTTP answer: status and JSON body. */
export interface JsonReply {
  readonly status: number;
  readonly body: unknown;
}

/** Answers a Gamma request, or returns `null` when the path is not a Gamma path. */
export function handleGamma(url: URL, ctx: GammaContext): JsonReply | null {
  const path = url.pathname.replace(/\/+$/, '');
  const slugs = url.searchParams
    .getAll('slug')
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  const found = slugs.flatMap((s) => {
    const m = ctx.bySlug.get(s);
    return m === undefined ? [] : [m];
  });
  if (path === '/events') return { status: 200, body: found.map((m) => gammaEvent(m, ctx)) };
  if (path === '/markets') return { status: 200, body: found.map((m) => gammaMarket(m, ctx)) };
  const single = /^\/(events|markets)\/slug\/([^/]+)$/.exec(path);
  if (single !== null) {
    const m = ctx.bySlug.get(decodeURIComponent(single[2] as string));
    if (m === undefined) return { status: 404, body: { error: 'not found' } };
    return { status: 200, body: single[1] === 'events' ? gammaEvent(m, ctx) : gammaMarket(m, ctx) };
  }
  return null;
}

/** Returns the Gamma market object of a listing at the current playback time. */
export function gammaMarket(m: MarketListing, ctx: GammaContext): Record<string, unknown> {
  const now = ctx.clockMs();
  const closed = now >= m.endMs + CLOSE_DELAY_MS;
  const upMid = midOf(ctx, m.upTokenId);
  const downMid = midOf(ctx, m.downTokenId);
  let prices = [upMid, downMid].map((p) => (p === null ? '0.5' : formatMicros(p)));
  if (closed) prices = (upMid ?? 0) >= 500_000 ? ['1', '0'] : ['0', '1'];
  const order = ctx.swapOutcomeOrder ? [1, 0] : [0, 1];
  const pick = <T>(xs: readonly T[]): T[] => order.map((i) => xs[i] as T);
  const up = ctx.engine.token(m.upTokenId);
  const tick = up === undefined ? '0.01' : formatMicros(up.tick);
  return {
    id: String(m.window.windowEpoch),
    question: titleOf(m),
    conditionId: m.conditionId,
    slug: m.slug,
    resolutionSource: 'https://data.chain.link/streams/btc-usd',
    endDate: iso(m.endMs),
    startDate: iso(m.startMs - 86_400_000),
    outcomes: JSON.stringify(pick(['Up', 'Down'])),
    outcomePrices: JSON.stringify(pick(prices)),
    active: true,
    closed,
    archived: false,
    questionID: '0x' + m.conditionId.slice(2).split('').reverse().join(''),
    enableOrderBook: true,
    orderPriceMinTickSize: Number(tick),
    orderMinSize: MIN_ORDER_SIZE,
    clobTokenIds: JSON.stringify(pick([m.upTokenId, m.downTokenId])),
    makerBaseFee: 1000,
    takerBaseFee: 1000,
    acceptingOrders: now < m.endMs,
    acceptingOrdersTimestamp: iso(m.startMs - 86_400_000),
    negRisk: m.negRisk === true,
    ...(m.protocolVersion === undefined ? {} : { version: m.protocolVersion }),
    eventStartTime: iso(m.startMs),
    feesEnabled: true,
    feeType: 'crypto_fees_v2',
    feeSchedule: { exponent: 1, rate: 0.07, takerOnly: true, rebateRate: 0.2 },
  };
}

/** Returns the Gamma event object (with its single market) of a listing. */
export function gammaEvent(m: MarketListing, ctx: GammaContext): Record<string, unknown> {
  const market = gammaMarket(m, ctx);
  return {
    id: String(m.window.windowEpoch),
    ticker: m.slug,
    slug: m.slug,
    title: titleOf(m),
    seriesSlug: seriesSlugOf(m),
    startTime: iso(m.startMs),
    startDate: iso(m.startMs - 86_400_000),
    endDate: iso(m.endMs),
    active: true,
    closed: market['closed'],
    archived: false,
    negRisk: m.negRisk === true,
    enableOrderBook: true,
    markets: [market],
  };
}

function midOf(ctx: GammaContext, tokenId: string): number | null {
  const t = ctx.engine.token(tokenId);
  if (t === undefined) return null;
  const { bid, ask } = bestOf(t.book);
  if (bid === null || ask === null) return bid ?? ask;
  return Math.round((bid + ask) / 2_000) * 1_000;
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

const COIN_NAMES: Readonly<Record<string, string>> = {
  BTC: 'Bitcoin',
  ETH: 'Ethereum',
  SOL: 'Solana',
  XRP: 'XRP',
};

function seriesSlugOf(m: MarketListing): string {
  const label = m.slug.split('-')[2] ?? '';
  return `${m.window.crypto.toLowerCase()}-up-or-down-${label}`;
}

/** Returns the venue-style title, written in US-Eastern time ("Bitcoin Up or Down - May 12, 7:00AM-7:15AM ET"). */
export function titleOf(m: MarketListing): string {
  const day = new Intl.DateTimeFormat('en-US', {
    timeZone: 'America/New_York',
    month: 'long',
    day: 'numeric',
  });
  const time = (ms: number): string =>
    new Intl.DateTimeFormat('en-US', { timeZone: 'America/New_York', hour: 'numeric', minute: '2-digit' })
      .format(new Date(ms))
      .replace(/\s/g, '');
  const coin = COIN_NAMES[m.window.crypto] ?? m.window.crypto;
  return `${coin} Up or Down - ${day.format(new Date(m.startMs))}, ${time(m.startMs)}-${time(m.endMs)} ET`;
}
