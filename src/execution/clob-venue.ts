/**
 * The CLOB venue (design §2, §7; issue #4): an {@link ExecutionVenue} over
 * `@polymarket/clob-client-v2` 1.1.0. Each command becomes one signed FOK (see `clob-order.ts`),
 * posted with bounded, backed-off retries (p-retry) for outcomes that were not processed (425,
 * 429, version mismatch, connection refused; and a 5xx once `GET /data/order/:id` says the venue
 * has no such order; each attempt re-signed). A post that may have been processed (timeout,
 * hang-up, a 5xx for an order the venue has) is reported `unknown`, never re-sent, and settled later by
 * {@link ClobVenue.resolveUnknown} from `GET /data/order/:id` and `/data/trades`. Client objects,
 * float prices and secrets never cross this boundary: events carry integer micros and short reasons.
 */
import { AssetType, Chain, ClobClient, OrderType, type ApiKeyCreds } from '@polymarket/clob-client-v2';
import pRetry from 'p-retry';
import { createWalletClient, custom, getAddress, type LocalAccount } from 'viem';
import { polygon, polygonAmoy } from 'viem/chains';
import { SystemClock, type Clock } from '../core/clock';
import { TraderError } from '../core/errors';
import type { Logger } from '../core/logger';
import { MICROS, parseMicros } from '../core/money';
import type { Fill, OrderCommand, VenueEvent } from '../core/types';
import { buildFok, TICK_STRINGS, type OrderSigner } from './clob-order';
import { classifyPost, errorText, filledEvent, fillsFromTrades, type PostOutcome } from './clob-outcome';
import { BUY_NOTIONAL_STEP, SELL_SHARE_STEP } from './pricing';
import type { ExecutionVenue } from './venue';

/** Options of {@link ClobVenue.create}. */
export interface ClobVenueOptions {
  /** CLOB base URL, e.g. `http://127.0.0.1:8080`. */
  readonly host: string;
  /** 137 (Polygon) or 80002 (Amoy): the only chains the client signs for (probe §6). */
  readonly chainId: 137 | 80002;
  /** Signing key as a viem local account (the private key stays inside it). */
  readonly account: LocalAccount;
  /** API credentials; derived with an L1 signature when absent. */
  readonly creds?: ApiKeyCreds;
  /** 0 EOA (default), 1 POLY_PROXY, 2 POLY_GNOSIS_SAFE. */
  readonly signatureType?: 0 | 1 | 2;
  /** Funder (maker) address for signature types 1/2. */
  readonly funder?: string;
  /** Current tick of a token, micro-USDC (from the live book); default: the client's market cache. */
  readonly tickSizeOf?: (tokenId: string) => number | undefined;
  /** How long a post may take before its outcome is `unknown`, ms (default 5000). */
  readonly requestTimeoutMs?: number;
  /** Retries of not-processed posts (default 3) and backoff bounds in ms (default 50…1000). */
  readonly retry?: { readonly retries: number; readonly minTimeoutMs: number; readonly maxTimeoutMs: number };
  readonly clock?: Clock;
  /**
   * Called with each signed attempt's order id (EIP-712 hash) before it is posted, and awaited:
   * the live trader persists it so that a restarted process can query the venue about it. When
   * it rejects, the order is not posted (outcome `rejected`).
   */
  readonly beforePost?: (clientOrderId: string, orderId: string) => Promise<void>;
  /** Receives one line per outcome: ids, kind, reason — never credentials. */
  readonly logger?: Logger;
}

class RetryableError extends TraderError {
  override name = 'RetryableError';
  constructor(message: string) {
    super(message, 'retryable');
  }
}

/** CLOB-backed FOK venue. */
export class ClobVenue implements ExecutionVenue {
  readonly name = 'clob';
  private listener: (ev: VenueEvent) => void = () => undefined;
  private readonly seen = new Set<string>();
  private readonly sentIds = new Map<string, string[]>();
  private readonly unknown = new Map<string, OrderCommand>();
  private readonly pendingCmd = new Map<string, OrderCommand>();
  private readonly inflight = new Set<Promise<void>>();
  private readonly balances = new Map<string, number>();
  private version: number | undefined;
  private readonly clock: Clock;

  private constructor(
    private readonly client: ClobClient,
    private readonly signer: OrderSigner,
    private readonly opts: ClobVenueOptions,
  ) {
    this.clock = opts.clock ?? new SystemClock();
  }

  /**
   * Creates the venue; derives API credentials over L1 when `creds` is absent (one request).
   * @throws {TraderError} (`config`) when credentials cannot be derived — the message names the
   * host and HTTP status only.
   */
  static async create(opts: ClobVenueOptions): Promise<ClobVenue> {
    const wallet = createWalletClient({
      account: opts.account,
      chain: opts.chainId === 137 ? polygon : polygonAmoy,
      // Local signing only: any RPC use is a bug, so the transport refuses.
      transport: custom({ request: () => Promise.reject(new Error('no RPC in the CLOB venue')) }),
    });
    const base = {
      host: opts.host,
      chain: opts.chainId as Chain,
      signer: wallet,
      signatureType: opts.signatureType ?? 0,
    };
    const withFunder = opts.funder === undefined ? base : { ...base, funderAddress: opts.funder };
    let creds = opts.creds;
    if (creds === undefined) {
      const got: Partial<ApiKeyCreds> & { status?: number } = await new ClobClient(withFunder).deriveApiKey();
      if (typeof got.key !== 'string' || typeof got.secret !== 'string' || typeof got.passphrase !== 'string')
        throw new TraderError(
          `could not derive CLOB API credentials from ${opts.host} (status ${got.status ?? 'none'})`,
          'config',
        );
      creds = { key: got.key, secret: got.secret, passphrase: got.passphrase };
    }
    const client = new ClobClient({ ...withFunder, creds });
    const maker = getAddress(opts.funder ?? opts.account.address);
    return new ClobVenue(
      client,
      { account: opts.account, chainId: opts.chainId, signatureType: base.signatureType, maker },
      opts,
    );
  }

  /** See {@link ExecutionVenue.setListener}. */
  setListener(listener: (ev: VenueEvent) => void): void {
    this.listener = listener;
  }

  /** See {@link ExecutionVenue.submit}. The outcome arrives asynchronously; see {@link idle}. */
  submit(cmd: OrderCommand): void {
    if (this.seen.has(cmd.clientOrderId)) {
      this.emit({
        kind: 'rejected',
        clientOrderId: cmd.clientOrderId,
        tsMs: this.clock.now(),
        reason: 'duplicate client order id',
      });
      return;
    }
    this.seen.add(cmd.clientOrderId);
    const p = this.execute(cmd)
      .catch((err: unknown) =>
        this.event(cmd, { kind: 'unknown', reason: `venue error: ${errorText((err as Error).message)}` }),
      )
      .then((ev) => this.emit(ev));
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p));
  }

  /** Resolves when every submitted command has produced its event. */
  async idle(): Promise<void> {
    while (this.inflight.size > 0) await Promise.all([...this.inflight]);
  }

  /** Client order ids whose outcome is unknown. */
  unknownOrders(): string[] {
    return [...this.unknown.keys()];
  }

  /** True while a command awaits its outcome or an outcome is unknown. */
  get busy(): boolean {
    return this.inflight.size > 0 || this.unknown.size > 0;
  }

  /**
   * Takes over a command sent by an earlier process whose outcome was never seen (a live
   * restart): `orderIds` are the attempts it signed (as persisted by `beforePost`). The command
   * is then settled with {@link resolveUnknown}; it is never re-sent.
   */
  adoptUnknown(cmd: OrderCommand, orderIds: readonly string[]): void {
    this.seen.add(cmd.clientOrderId);
    this.sentIds.set(cmd.clientOrderId, [...orderIds]);
    this.unknown.set(cmd.clientOrderId, cmd);
  }

  /** Drops an unknown command the caller settled otherwise (from the chain balance); no event. */
  forgetUnknown(clientOrderId: string): void {
    this.unknown.delete(clientOrderId);
  }

  /** Order ids (EIP-712 digests) signed for a command, in attempt order. */
  orderIdsOf(clientOrderId: string): readonly string[] {
    return this.sentIds.get(clientOrderId) ?? [];
  }

  /** Shares of a token at the last balance refresh, micro-shares. */
  balance(tokenId: string): number {
    return this.balances.get(tokenId) ?? 0;
  }

  /**
   * Settles an unknown outcome by querying the venue (never re-sending): filled when an order
   * signed for the command matched, killed when it was cancelled, rejected when the venue has no
   * such order. Emits and returns the event, or returns `null` while the venue cannot be asked.
   */
  async resolveUnknown(clientOrderId: string): Promise<VenueEvent | null> {
    const cmd = this.unknown.get(clientOrderId);
    if (cmd === undefined) return null;
    let cancelled = false;
    for (const id of this.orderIdsOf(clientOrderId)) {
      const o = (await this.client.getOrder(id)) as unknown as Record<string, unknown>;
      if ('error' in o && o.status !== 404) return null;
      if (o.status === 'MATCHED' && Array.isArray(o.associate_trades)) {
        // a fresh process (a restart) has not loaded the market's fee schedule yet
        await this.client.getFeeExponent(cmd.tokenId);
        const fills = await this.fetchFills(o.associate_trades.map(String));
        if (fills === null) return null;
        return this.finish(cmd, this.filledEvent(cmd, fills));
      }
      if (o.status === 'CANCELED') cancelled = true;
    }
    const reason = cancelled ? 'FOK not filled (resolved)' : 'order not found at the venue (resolved)';
    return this.finish(cmd, this.event(cmd, { kind: cancelled ? 'killed' : 'rejected', reason }));
  }

  /**
   * Builds and signs the FOK of a command without sending it (warms the market cache first).
   * Exposed to measure tick → signed-order latency.
   * @throws {Error} when the order cannot be built (see `buildFok`).
   */
  async sign(cmd: OrderCommand): Promise<{ orderId: string }> {
    const built = await this.build(cmd);
    return { orderId: built.orderId };
  }

  private finish(cmd: OrderCommand, ev: VenueEvent): VenueEvent {
    this.unknown.delete(cmd.clientOrderId);
    this.emit(ev);
    return ev;
  }

  private emit(ev: VenueEvent): void {
    if (ev.kind === 'unknown') {
      const cmd = this.pendingCmd.get(ev.clientOrderId);
      if (cmd !== undefined) this.unknown.set(ev.clientOrderId, cmd);
    }
    this.pendingCmd.delete(ev.clientOrderId);
    this.opts.logger?.info(
      { clientOrderId: ev.clientOrderId, kind: ev.kind, orderIds: this.orderIdsOf(ev.clientOrderId) },
      'clob order outcome',
    );
    this.listener(ev);
  }

  private async build(cmd: OrderCommand) {
    const tokenId = cmd.tokenId;
    await this.client.getFeeExponent(tokenId); // markets-by-token + clob-markets, cached per client
    this.version ??= await this.client.getVersion();
    const tick =
      this.opts.tickSizeOf?.(tokenId) ?? parseMicros(this.client.tickSizes[tokenId] ?? '') ?? 10_000;
    const tickStr = TICK_STRINGS.get(tick);
    if (tickStr !== undefined) this.client.tickSizes[tokenId] = tickStr;
    const p = cmd.limitPrice;
    if (tickStr === undefined || p % tick !== 0 || p < tick || p > MICROS - tick)
      throw new RangeError(`invalid price ${p / MICROS} for tick ${tick / MICROS}`);
    return buildFok(this.client, this.signer, cmd, tick, this.version, this.client.negRisk[tokenId] ?? false);
  }

  private async execute(sent: OrderCommand): Promise<VenueEvent> {
    this.pendingCmd.set(sent.clientOrderId, sent);
    let cmd = sent;
    const amount = cmd.side === 'BUY' ? (cmd.notional ?? 0) : (cmd.shares ?? 0);
    const step = cmd.side === 'BUY' ? BUY_NOTIONAL_STEP : SELL_SHARE_STEP;
    if (amount <= 0 || amount % step !== 0)
      return this.event(cmd, {
        kind: 'rejected',
        reason: `invalid amount precision: ${cmd.side} amount above 2 decimals`,
      });
    if (cmd.side === 'SELL') {
      // sell the balance the venue measures (design §7), but only when it differs from the held
      // shares by rounding (< 0.01 share): more missing means a fill still settling, and selling
      // short would orphan the rest; the round retries instead
      await this.refreshBalance(cmd.tokenId);
      const measured = this.balances.get(cmd.tokenId);
      if (measured !== undefined && measured < amount) {
        const shares = measured - (measured % SELL_SHARE_STEP);
        if (amount - measured >= SELL_SHARE_STEP || shares <= 0)
          return this.event(cmd, {
            kind: 'rejected',
            reason: `not enough balance: the venue measures ${measured / MICROS} of ${amount / MICROS} shares (settlement pending?)`,
          });
        cmd = { ...cmd, shares };
      }
    }
    const r = this.opts.retry ?? { retries: 3, minTimeoutMs: 50, maxTimeoutMs: 1_000 };
    try {
      const outcome = await pRetry(() => this.attempt(cmd), {
        retries: r.retries,
        minTimeout: r.minTimeoutMs,
        maxTimeout: r.maxTimeoutMs,
        factor: 2,
        randomize: false,
        shouldRetry: ({ error }) => error instanceof RetryableError,
      });
      if (outcome.kind !== 'filled') return this.event(cmd, outcome);
      const fills = (await this.fetchFills(outcome.tradeIds)) ?? [
        { tradeId: outcome.tradeIds.join('+') || outcome.orderId, price: 0, shares: 0 },
      ];
      const shares = cmd.side === 'BUY' ? outcome.taking : outcome.making;
      const notional = cmd.side === 'BUY' ? outcome.making : outcome.taking;
      return this.filledEvent(cmd, fills, { shares, notional });
    } catch (err) {
      if (err instanceof RetryableError)
        return this.event(cmd, {
          kind: 'rejected',
          reason: `venue unavailable after ${r.retries + 1} attempts: ${err.message}`,
        });
      throw err;
    }
  }

  private async attempt(cmd: OrderCommand): Promise<PostOutcome> {
    let built;
    try {
      built = await this.build(cmd);
    } catch (err) {
      return { kind: 'rejected', reason: `order not built: ${errorText((err as Error).message)}` };
    }
    this.sentIds.set(cmd.clientOrderId, [...this.orderIdsOf(cmd.clientOrderId), built.orderId]);
    if (this.opts.beforePost !== undefined) {
      try {
        await this.opts.beforePost(cmd.clientOrderId, built.orderId);
      } catch (err) {
        return {
          kind: 'rejected',
          reason: `order not recorded, not sent: ${errorText((err as Error).message)}`,
        };
      }
    }
    const timeoutMs = this.opts.requestTimeoutMs ?? 5_000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((ok) => (timer = setTimeout(() => ok('timeout'), timeoutMs)));
    const res = await Promise.race([this.client.postOrder(built.order, OrderType.FOK), timeout]);
    clearTimeout(timer);
    if (res === 'timeout')
      return { kind: 'unknown', reason: `no answer within ${timeoutMs} ms (order ${built.orderId})` };
    const outcome = classifyPost(res);
    if (outcome.kind === 'retry') {
      if (outcome.refreshVersion === true) this.version = await this.client.getVersion();
      // A 5xx may come after the order was processed: re-send only when the venue does not know
      // it (design §7: an ambiguous submit is unknown, never blindly re-sent).
      if (/^5\d\d /.test(outcome.reason) && !(await this.venueLacks(built.orderId))) {
        return { kind: 'unknown', reason: `${outcome.reason}; the venue may have order ${built.orderId}` };
      }
      throw new RetryableError(outcome.reason);
    }
    return outcome;
  }

  /** True only when the venue answers that it has no such order (404); any doubt → false. */
  private async venueLacks(orderId: string): Promise<boolean> {
    try {
      const o = (await this.client.getOrder(orderId)) as unknown as Record<string, unknown>;
      return 'error' in o && o.status === 404;
    } catch {
      return false;
    }
  }

  private async fetchFills(tradeIds: readonly string[]): Promise<Fill[] | null> {
    try {
      const pages = await Promise.all(tradeIds.map((id) => this.client.getTrades({ id }, true)));
      return fillsFromTrades(pages.flat());
    } catch {
      return null;
    }
  }

  private async refreshBalance(tokenId: string): Promise<void> {
    const params = { asset_type: AssetType.CONDITIONAL, token_id: tokenId };
    await this.client.updateBalanceAllowance(params);
    const b = (await this.client.getBalanceAllowance(params)) as unknown as Record<string, unknown>;
    const v = typeof b.balance === 'string' && /^\d+$/.test(b.balance) ? Number(b.balance) : undefined;
    if (v !== undefined) this.balances.set(tokenId, v);
  }

  private filledEvent(
    cmd: OrderCommand,
    fills: readonly Fill[],
    totals?: { shares: number; notional: number },
  ): VenueEvent {
    const fee = this.client.feeInfos[cmd.tokenId] ?? { rate: 0, exponent: 0 };
    return filledEvent(cmd, fills, fee, this.clock.now(), totals);
  }

  private event(
    cmd: OrderCommand,
    o: { kind: 'killed' | 'rejected' | 'unknown' | 'retry'; reason: string },
  ): VenueEvent {
    const kind = o.kind === 'retry' ? 'rejected' : o.kind;
    return { kind, clientOrderId: cmd.clientOrderId, tsMs: this.clock.now(), reason: o.reason };
  }
}
