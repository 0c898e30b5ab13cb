/**
 * Gamma API and CLOB REST reads the collector needs (issue #3, polymarket-protocol.md §2.1, §5.2):
 * market lookup by slug and one token's book. Uses Node's `fetch` with a timeout; HTTP and
 * parse failures become `InputError`s for the caller to count and retry on its next poll.
 */
import { InputError } from '../core/errors';
import type { MarketEvent } from '../feed/market-events';
import { parseMarketFrame } from '../feed/market-parse';
import { parseGammaEventOrMarkets } from './gamma';
import type { MarketInfo } from './market-info';

/** Where the venue's HTTP APIs are. */
export interface HttpEndpoints {
  /** Gamma base URL, e.g. `https://gamma-api.polymarket.com` or a local exchange. */
  readonly gammaUrl: string;
  /** CLOB REST base URL, e.g. `https://clob.polymarket.com`. */
  readonly clobUrl: string;
  /** Request timeout, ms (default 5000). */
  readonly timeoutMs?: number;
}

async function getJson(url: string, timeoutMs: number): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    throw new InputError(`GET ${url} failed: ${(err as Error).message}`, { cause: err });
  }
  const text = await res.text();
  if (!res.ok) throw new InputError(`GET ${url}: HTTP ${res.status} ${text.slice(0, 200)}`);
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new InputError(`GET ${url}: not JSON`, { cause: err });
  }
}

/**
 * Looks up the market of a window slug through `GET /events?slug=` (falling back to
 * `GET /markets?slug=`); returns null when Gamma does not know the slug yet.
 * @throws {InputError} on a network, HTTP or validation failure (outcome order is checked).
 */
export async function fetchMarketBySlug(http: HttpEndpoints, slug: string): Promise<MarketInfo | null> {
  const timeout = http.timeoutMs ?? 5000;
  const q = encodeURIComponent(slug);
  for (const path of [`/events?slug=${q}`, `/markets?slug=${q}`]) {
    const found = parseGammaEventOrMarkets(await getJson(`${http.gammaUrl}${path}`, timeout)).filter(
      (m) => m.slug === slug,
    );
    if (found.length > 0) return found[0]!;
  }
  return null;
}

/**
 * Fetches one token's book with `GET /book?token_id=` as a `book` event (levels best first), with
 * the JSON text it was parsed from (recorded so a replay sees the same snapshot). A book without a
 * `timestamp` is stamped `nowMs` (the caller's clock: venue time when it has one).
 * @throws {InputError} on a network or HTTP failure, or when the payload is not a valid book.
 */
export async function fetchBook(
  http: HttpEndpoints,
  tokenId: string,
  nowMs: number,
): Promise<{ event: MarketEvent; text: string }> {
  const body = await getJson(
    `${http.clobUrl}/book?token_id=${encodeURIComponent(tokenId)}`,
    http.timeoutMs ?? 5000,
  );
  // some REST books carry no timestamp (fixtures/brunoomoniz-btc5m/clob_book.json)
  const withTs =
    body !== null && typeof body === 'object' && !('timestamp' in body)
      ? { ...body, timestamp: String(nowMs) }
      : body;
  const text = JSON.stringify(withTs);
  const parsed = parseMarketFrame(text);
  const book = parsed.events.find((e) => e.kind === 'book' && e.tokenId === tokenId);
  if (book === undefined)
    throw new InputError(`GET /book for ${tokenId}: ${parsed.rejected.join('; ') || 'no book'}`);
  return { event: book, text };
}
