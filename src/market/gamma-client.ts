/**
 * Gamma API and CLOB REST reads the collector needs (issue #3, polymarket-protocol.md §2.1, §5.2):
 * market lookup by slug and one token's book. Uses Node's `fetch` with a timeout; HTTP and
 * parse failures become `InputError`s for the caller to count and retry on its next poll.
 */
import { InputError } from '../core/errors';
import type { MarketEvent } from '../core/market-events';
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
  return parseRestBook(body, tokenId, nowMs);
}

/**
 * Pure part of {@link fetchBook}: a decoded `GET /book` body → the token's `book` event and the
 * JSON text it was parsed from (polymarket-protocol.md §5.2). A body without `timestamp` is stamped
 * `nowMs` (ms). Never throws anything but `InputError`.
 * @throws {InputError} when the body is not a valid book of `tokenId`.
 */
export function parseRestBook(
  body: unknown,
  tokenId: string,
  nowMs: number,
): { event: MarketEvent; text: string } {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw new InputError(`GET /book for ${tokenId}: not a book object`);
  // some REST books carry no timestamp (fixtures/brunoomoniz-btc5m/clob_book.json)
  const withTs = 'timestamp' in body ? body : { ...body, timestamp: String(nowMs) };
  let text: string;
  try {
    text = JSON.stringify(withTs);
  } catch (cause) {
    // a body nested deeper than the stack (found by the feed fuzz, issue #9) is not a book
    throw new InputError(`GET /book for ${tokenId}: not a book (${(cause as Error).message})`, { cause });
  }
  const parsed = parseMarketFrame(text);
  const book = parsed.events.find((e) => e.kind === 'book' && e.tokenId === tokenId);
  if (book === undefined)
    throw new InputError(`GET /book for ${tokenId}: ${parsed.rejected.join('; ') || 'no book'}`);
  return { event: book, text };
}
