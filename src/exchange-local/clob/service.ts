/**
 * The CLOB trading REST of the local exchange (issue #4), mounted on its HTTP server next to the
 * market-data REST: what `@polymarket/clob-client-v2` 1.1.0 calls (clob-v2-local-probe.md §1.3, §7):
 * `/version`, `/markets-by-token/:id`, `/clob-markets/:cid`, `/fee-rate`, L1 key create/derive,
 * `POST /order` (FOK, verified and matched), `/data/order/:id`, `/data/trades`, `/data/orders`,
 * `/balance-allowance` (+`/update`), the cancel DELETEs, and CLOB faults on `POST /_control/fault`.
 * Balances live behind a {@link Ledger}. `/time`, `/book`, `/tick-size`, `/neg-risk` stay in `rest.ts`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { formatMicros } from '../../core/money';
import type { FeeModel } from '../../execution/fee-model';
import type { MarketListing } from '../catalog';
import type { ExchangeEngine } from '../engine';
import { deriveCreds, verifyL1, verifyL2, type ApiCreds, type ApiIdentity } from './auth';
import { applyClobFault, ClobFaultCommandSchema, ClobFaults, CLOB_FAULT_NAMES } from './faults';
import { COLLATERAL, MemoryLedger, type Ledger } from './ledger';
import type { WireOrderRecord, WireTrade } from './matching';
import { postOrder, type PostOrderState } from './post-order';

/** Options of the local CLOB. */
export interface LocalClobOptions {
  /** Chain id orders and L1 auth are signed for (default 137; the client supports 137 / 80002 only). */
  readonly chainId?: number;
  /** Protocol version served by `/version` (default 2). */
  readonly version?: number;
  /** Taker fee model of every market (default rate 0.072, exponent 1; protocol §6.7). */
  readonly fee?: FeeModel;
  /** Minimum marketable notional, micro-USDC (default 1 USDC). */
  readonly minNotional?: number;
  /** Balance store (default a fresh {@link MemoryLedger}). */
  readonly ledger?: Ledger;
  /** Seed of the deterministic API credentials (default random per exchange). */
  readonly credSeed?: string;
}

type Reply = { status: number; body: unknown };
const PAGE_END = 'LTE=';
const V2_EXCHANGE = '0xE111180000d2663C0091e4f400237545B87B996B';
const CLOB_PATH =
  /^\/(version|fee-rate|markets-by-token\/.+|clob-markets\/.+|auth\/.+|orders?|data\/.+|balance-allowance(\/update)?|cancel-all|cancel-market-orders)$/;
/** Any spender allowance: the local CLOB has no approvals to check. */
const MAX_ALLOWANCE = ((1n << 256n) - 1n).toString();

/** The local CLOB: state, faults and the HTTP handler. */
export class LocalClob {
  /** Fault switches. */
  readonly faults = new ClobFaults();
  /** Balances. */
  readonly ledger: Ledger;
  readonly chainId: number;
  /** Served protocol version. */
  version: number;
  private readonly fee: FeeModel;
  private readonly minNotional: number;
  private readonly seed: string;
  private readonly keys = new Map<string, ApiCreds & { address: string }>();
  private readonly created = new Set<string>();
  private readonly orders = new Map<string, WireOrderRecord>();
  private readonly trades: WireTrade[] = [];
  private readonly funders = new Map<string, string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Number of `POST /order` requests received (for "no second order sent" checks). */
  orderPosts = 0;

  private readonly byCondition: ReadonlyMap<string, MarketListing>;
  private readonly engine: ExchangeEngine;

  /** Creates the CLOB over the exchange's books, markets and playback clock. */
  constructor(
    private readonly ctx: {
      engine: ExchangeEngine;
      markets: readonly MarketListing[];
      clockMs: () => number;
    },
    opts: LocalClobOptions = {},
  ) {
    this.engine = ctx.engine;
    this.byCondition = new Map(ctx.markets.map((m) => [m.conditionId, m] as const));
    this.chainId = opts.chainId ?? 137;
    this.version = opts.version ?? 2;
    this.fee = opts.fee ?? { rate: 0.072, exponent: 1 };
    this.minNotional = opts.minNotional ?? 1_000_000;
    this.ledger = opts.ledger ?? new MemoryLedger();
    this.seed = opts.credSeed ?? randomBytes(32).toString('hex');
  }

  /** Declares that orders signed by `signer` trade for `funder` (signature types 1/2). */
  registerFunder(signer: string, funder: string): void {
    this.funders.set(signer.toLowerCase(), funder);
  }

  /** Returns whether this handler owns the request (the body is needed for `/_control/fault`). */
  handles(method: string, path: string, body: string): boolean {
    if (path === '/_control/fault') {
      try {
        const f = (JSON.parse(body) as { fault?: unknown }).fault;
        return method === 'POST' && typeof f === 'string' && CLOB_FAULT_NAMES.has(f);
      } catch {
        return false;
      }
    }
    return CLOB_PATH.test(path);
  }

  /** Answers one request; `body` is the raw request body. Never rejects. */
  async handle(req: IncomingMessage, res: ServerResponse, url: URL, body: string): Promise<void> {
    const method = req.method ?? 'GET';
    const path = url.pathname.replace(/\/+$/, '');
    let reply: Reply | 'held';
    try {
      reply = await this.route(req, method, path, url, body);
    } catch (err) {
      reply = { status: 500, body: { error: `local clob: ${(err as Error).message}` } };
    }
    if (reply === 'held') {
      const t = setTimeout(() => {
        this.timers.delete(t);
        req.socket.destroy();
      }, this.faults.holdMs);
      this.timers.add(t);
      return;
    }
    const text = JSON.stringify(reply.body);
    res.writeHead(reply.status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
    });
    res.end(text);
  }

  /** Cancels pending settlement and hold timers. */
  close(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private async route(
    req: IncomingMessage,
    method: string,
    path: string,
    url: URL,
    body: string,
  ): Promise<Reply | 'held'> {
    const q = url.searchParams;
    if (path === '/_control/fault') {
      const cmd = ClobFaultCommandSchema.safeParse(JSON.parse(body));
      if (!cmd.success) return { status: 400, body: { error: cmd.error.message } };
      applyClobFault(this.faults, cmd.data);
      return { status: 200, body: { ok: true, clobFaults: { ...this.faults.stats } } };
    }
    if (method === 'GET' && path === '/version') return { status: 200, body: { version: this.version } };
    if (method === 'GET' && path.startsWith('/markets-by-token/')) return this.marketByToken(path.slice(18));
    if (method === 'GET' && path.startsWith('/clob-markets/')) return this.clobMarket(path.slice(14));
    if (method === 'GET' && path === '/fee-rate')
      return { status: 200, body: { base_fee: Math.round(this.fee.rate * 10_000) } };
    if (path === '/auth/derive-api-key' || path === '/auth/api-key') return this.apiKey(req, method, path);
    const who = verifyL2(req.headers, method, path, body, this.keys);
    if (who === null) return { status: 401, body: { error: 'Unauthorized/Invalid api key' } };
    if (method === 'POST' && path === '/order') {
      this.orderPosts++;
      return postOrder(this.state(), who, body);
    }
    if (method === 'POST' && path === '/orders')
      return { status: 400, body: { error: 'batch orders are not supported locally' } };
    if (method === 'GET' && path.startsWith('/data/order/')) {
      const o = this.orders.get(path.slice(12));
      return o !== undefined && o.owner === who.apiKey
        ? { status: 200, body: o }
        : { status: 404, body: { error: 'order not found' } };
    }
    if (method === 'GET' && path === '/data/trades') return page(this.tradesFor(who, q));
    if (method === 'GET' && path === '/data/orders') return page([]);
    if (method === 'GET' && (path === '/balance-allowance' || path === '/balance-allowance/update')) {
      const owner =
        q.get('signature_type') === '0'
          ? who.address
          : (this.funders.get(who.address.toLowerCase()) ?? who.address);
      const asset = q.get('asset_type') === 'COLLATERAL' ? COLLATERAL : (q.get('token_id') ?? '');
      const balance = String(this.ledger.balance(owner, asset));
      return { status: 200, body: { balance, allowances: { [V2_EXCHANGE]: MAX_ALLOWANCE } } };
    }
    if (method === 'DELETE') return { status: 200, body: { canceled: [], not_canceled: {} } };
    return { status: 404, body: { error: 'not found' } };
  }

  private marketByToken(tokenId: string): Reply {
    const t = this.engine.token(tokenId);
    if (t === undefined) return { status: 404, body: { error: 'market not found' } };
    return {
      status: 200,
      body: { condition_id: t.market.conditionId, primary_token_id: t.market.upTokenId },
    };
  }

  private clobMarket(cid: string): Reply {
    const m = this.byCondition.get(cid);
    if (m === undefined) return { status: 404, body: { error: 'market not found' } };
    const up = this.engine.token(m.upTokenId);
    return {
      status: 200,
      body: {
        c: cid,
        t: [
          { t: m.upTokenId, o: 'Up' },
          { t: m.downTokenId, o: 'Down' },
        ],
        mts: Number(formatMicros(up?.tick ?? 10_000)),
        nr: false,
        fd: { r: this.fee.rate, e: this.fee.exponent, to: true },
        mos: 5,
      },
    };
  }

  private async apiKey(req: IncomingMessage, method: string, path: string): Promise<Reply> {
    const l1 = await verifyL1(req.headers, this.chainId);
    if (l1 === null) return { status: 401, body: { error: 'Invalid L1 Request headers' } };
    const id = `${l1.address.toLowerCase()}:${l1.nonce}`;
    if (method === 'POST' && path === '/auth/api-key') {
      if (this.created.has(id)) return { status: 400, body: { error: 'Could not create api key' } };
      this.created.add(id);
    } else if (method !== 'GET' || path !== '/auth/derive-api-key') {
      return { status: 405, body: { error: 'method not allowed' } };
    }
    const creds = deriveCreds(this.seed, l1.address, l1.nonce);
    this.keys.set(creds.apiKey, { ...creds, address: l1.address });
    return { status: 200, body: creds };
  }

  private state(): PostOrderState {
    return {
      engine: this.engine,
      nowMs: this.ctx.clockMs(),
      chainId: this.chainId,
      version: this.version,
      fee: this.fee,
      minNotional: this.minNotional,
      ledger: this.ledger,
      faults: this.faults,
      orders: this.orders,
      trades: this.trades,
      funders: this.funders,
      defer: (fn, ms) => {
        const t = setTimeout(() => {
          this.timers.delete(t);
          fn();
        }, ms);
        this.timers.add(t);
      },
    };
  }

  /** Every trade matched so far, in match order (for rehearsal checks: who sold what, how often). */
  tradeLog(): readonly WireTrade[] {
    return this.trades;
  }

  private tradesFor(who: ApiIdentity, q: URLSearchParams): WireTrade[] {
    const id = q.get('id');
    const asset = q.get('asset_id');
    const market = q.get('market');
    return this.trades.filter(
      (t) =>
        t.owner === who.apiKey &&
        (id === null || t.id === id) &&
        (asset === null || t.asset_id === asset) &&
        (market === null || t.market === market),
    );
  }
}

function page(data: unknown[]): Reply {
  return { status: 200, body: { data, next_cursor: PAGE_END, limit: 100, count: data.length } };
}
