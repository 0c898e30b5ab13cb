/**
 * The L2-signed CLOB calls of the venue, each with a real request timeout (issue #8 points 1, 6).
 *
 * Why not `client.postOrder` (clob-v2-local-probe.md §4.4, §4.5): its axios has no timeout, and
 * after a `matched` reply with `tradeIDs` but no `transactionsHashes` it polls `/data/trades` for
 * up to 30 s — a race against our timeout then reported an ordinary fill as unknown. So the venue
 * keeps the official client's request format — the body from its exported `orderToJsonV2`, the
 * headers from its exported `createL2Headers` (HMAC over the exact body string sent), the same
 * paths and query parameters — and sends it with `fetch` and an `AbortSignal`, classifying the
 * reply at once. Replies are shaped as the client shapes them (probe §4.1: `{...body, status}` on
 * an HTTP error, `{error}` on a network error) so one classifier serves both.
 */
import {
  createL1Headers,
  createL2Headers,
  type Chain,
  orderToJsonV2,
  OrderType,
  type ApiKeyCreds,
  type SignedOrder,
} from '@polymarket/clob-client-v2';
import type { WalletClient } from 'viem';
import { TimeoutError } from '../platform/with-timeout';

/** What {@link ClobHttp} needs. */
export interface ClobHttpOptions {
  /** CLOB base URL without a trailing slash. */
  readonly host: string;
  /** The signer as the client has it (its address goes in `POLY_ADDRESS`). */
  readonly signer: WalletClient;
  readonly creds: ApiKeyCreds;
  /** Bound of every request, ms. */
  readonly timeoutMs: number;
}

/** A reply as the client would return it: the body, or `{error, status?}`. */
export type ClientShaped = Record<string, unknown>;

const NETWORK_CODES =
  /ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|EPIPE|UND_ERR_\w+/;
const END_CURSOR = 'LTE=';
const MAX_PAGES = 20;

/** L2-signed requests with a timeout, in the official client's format. */
export class ClobHttp {
  constructor(private readonly o: ClobHttpOptions) {}

  /**
   * Posts a signed FOK (`POST /order`, body = `orderToJsonV2(order, apiKey, FOK)`).
   * @returns the client-shaped reply; `{error:"connect ECONNREFUSED …"}` when nothing was sent.
   * @throws {TimeoutError} when no answer came within the timeout (the order may have been processed).
   */
  async postOrder(order: SignedOrder): Promise<ClientShaped> {
    const payload = orderToJsonV2(
      order as Parameters<typeof orderToJsonV2>[0],
      this.o.creds.key,
      OrderType.FOK,
    );
    return this.request('POST', '/order', undefined, JSON.stringify(payload));
  }

  /**
   * `GET /data/order/<id>` (protocol §5.6): the OpenOrder, `{error, status}`, or a bare JSON value
   * such as `null` for no order.
   * @throws {TimeoutError} on timeout.
   */
  async getOrder(orderId: string): Promise<unknown> {
    const r = await this.request('GET', `/data/order/${orderId}`);
    return Object.keys(r).length === 1 && 'value' in r ? r.value : r;
  }

  /**
   * `GET /data/trades` with `params`, every page (at most 20).
   * @throws {TimeoutError} on timeout; {@link Error} on an error answer or a malformed page.
   */
  async getTrades(params: Readonly<Record<string, string>>): Promise<unknown[]> {
    const out: unknown[] = [];
    let cursor = 'MA==';
    for (let i = 0; i < MAX_PAGES && cursor !== END_CURSOR; i++) {
      const r = await this.request('GET', '/data/trades', { ...params, next_cursor: cursor });
      if ('error' in r || !Array.isArray(r.data)) throw new Error(`trades query failed: ${shortError(r)}`);
      out.push(...(r.data as unknown[]));
      cursor = typeof r.next_cursor === 'string' && r.next_cursor !== '' ? r.next_cursor : END_CURSOR;
    }
    return out;
  }

  /**
   * `GET /balance-allowance` or, with `update`, `GET /balance-allowance/update` (probe §1.1: a GET),
   * for `params` plus the client's `signature_type`.
   * @throws {TimeoutError} on timeout.
   */
  async balanceAllowance(
    params: Readonly<Record<string, string>>,
    signatureType: number,
    update = false,
  ): Promise<ClientShaped> {
    const path = update ? '/balance-allowance/update' : '/balance-allowance';
    return this.request('GET', path, { ...params, signature_type: String(signatureType) });
  }

  private async request(
    method: 'GET' | 'POST',
    path: string,
    query?: Readonly<Record<string, string>>,
    body?: string,
  ): Promise<ClientShaped> {
    const headers = await createL2Headers(this.o.signer, this.o.creds, {
      method,
      requestPath: path,
      ...(body === undefined ? {} : { body }),
    });
    return send(this.o.host, method, path, headers, this.o.timeoutMs, query, body);
  }
}

/**
 * Creates API credentials, or derives them when the venue will not create them — the client's
 * `createOrDeriveApiKey` (probe §1.1: `POST /auth/api-key`, then `GET /auth/derive-api-key` only
 * when the create answer has no `apiKey`), with the client's L1 headers and a timeout per request.
 * @returns the credentials, or the venue's last error text and HTTP status (never a secret).
 * @throws {TimeoutError} when a request does not answer in time.
 */
export async function createOrDeriveCreds(
  host: string,
  signer: WalletClient,
  chainId: number,
  timeoutMs: number,
): Promise<{ creds: ApiKeyCreds } | { error: string; status?: number }> {
  let last: ClientShaped = {};
  for (const [method, path] of [
    ['POST', '/auth/api-key'],
    ['GET', '/auth/derive-api-key'],
  ] as const) {
    const headers = await createL1Headers(signer, chainId as Chain);
    last = await send(host, method, path, headers, timeoutMs);
    const { apiKey, secret, passphrase } = last;
    if (
      typeof apiKey === 'string' &&
      apiKey !== '' &&
      typeof secret === 'string' &&
      typeof passphrase === 'string'
    )
      return { creds: { key: apiKey, secret, passphrase } };
  }
  const error = 'error' in last ? errorString(last.error) : 'no API key in the answer';
  return typeof last.status === 'number' ? { error, status: last.status } : { error };
}

async function send(
  host: string,
  method: 'GET' | 'POST',
  path: string,
  polyHeaders: Readonly<Record<string, string | number | boolean>>,
  timeoutMs: number,
  query?: Readonly<Record<string, string>>,
  body?: string,
): Promise<ClientShaped> {
  const qs = query === undefined ? '' : `?${new URLSearchParams(query as Record<string, string>).toString()}`;
  const signal = AbortSignal.timeout(timeoutMs);
  let res: Response;
  let text: string;
  try {
    res = await fetch(`${host}${path}${qs}`, {
      method,
      headers: {
        ...Object.fromEntries(Object.entries(polyHeaders).map(([k, v]) => [k, String(v)])),
        'User-Agent': '@polymarket/clob-client',
        Accept: '*/*',
        'Content-Type': 'application/json',
      },
      ...(body === undefined ? {} : { body }),
      signal,
    });
    text = await res.text();
  } catch (err) {
    if (signal.aborted) throw new TimeoutError(`${method} ${path}`, timeoutMs);
    return { error: networkText(err) };
  }
  let parsed: unknown = text;
  try {
    parsed = text === '' ? '' : JSON.parse(text);
  } catch {
    // a text body (e.g. 425 "Too Early") stays a string, as the client keeps it
  }
  const isObject = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed);
  if (res.ok) return isObject ? (parsed as ClientShaped) : { value: parsed };
  if (isObject && 'error' in (parsed as ClientShaped))
    return { ...(parsed as ClientShaped), status: res.status };
  return { error: parsed === '' ? res.statusText : parsed, status: res.status };
}

function errorString(e: unknown): string {
  return typeof e === 'string' ? e : String(JSON.stringify(e));
}

/** The network error's own text, e.g. `connect ECONNREFUSED 127.0.0.1:1` (as axios reports it). */
function networkText(err: unknown): string {
  const cause = (err as { cause?: { message?: unknown; code?: unknown } }).cause;
  const parts = [cause?.message, cause?.code, (err as Error).message].filter(
    (x): x is string => typeof x === 'string' && x !== '',
  );
  const coded = parts.find((p) => NETWORK_CODES.test(p));
  return coded ?? parts[0] ?? 'network error';
}

function shortError(r: ClientShaped): string {
  const e = 'error' in r ? r.error : r;
  return String(JSON.stringify(e)).slice(0, 200);
}
