/**
 * The CLOB venue (design §2, §7; issues #4, #8): an {@link ExecutionVenue} over
 * `@polymarket/clob-client-v2` 1.1.0. Each command becomes one signed FOK (see `clob-order.ts`),
 * posted with bounded, backed-off retries (p-retry) for outcomes that were not processed (425,
 * 429, version mismatch, connection refused; and a 5xx once `GET /data/order/:id` says the venue
 * has no such order; each attempt re-signed). A post that may have been processed (timeout,
 * hang-up, a 5xx for an order the venue has) is reported `unknown`, never re-sent, and settled later by
 * {@link ClobVenue.resolveUnknown} from `GET /data/order/:id` and `/data/trades`.
 *
 * Issue #8: the L2 calls (post, order and trade queries, balances) go through `ClobHttp` — the
 * client's request format with a real timeout and no post-match trade polling — and every other
 * outbound call (market info, version, credentials) is bounded by `requestTimeoutMs`; a failure
 * before the POST is `rejected` with cause `venue_unavailable`, never a hung promise. Killed and
 * rejected events carry a {@link FailureCause}; account-setup refusals carry a one-line hint
 * (`account-errors.ts`) and are reported once through `onAccountSetupError`. Client objects,
 * float prices and secrets never cross this boundary: events carry integer micros and short reasons.
 */
import { AssetType, Chain, ClobClient, type ApiKeyCreds } from '@polymarket/clob-client-v2';
import pRetry from 'p-retry';
import { createWalletClient, custom, getAddress, type LocalAccount, type WalletClient } from 'viem';
import { polygon, polygonAmoy } from 'viem/chains';
import { SystemClock, type Clock } from '../core/clock';
import { TraderError } from '../core/errors';
import type { Logger } from '../core/logger';
import { MICROS, parseMicros } from '../core/money';
import type { FailureCause, Fill, OrderCommand, VenueEvent } from '../core/types';
import { TimeoutError, withTimeout } from '../core/with-timeout';
import { accountSetupHint } from './account-errors';
import { ClobHttp, createOrDeriveCreds } from './clob-http';
import { buildFok, TICK_STRINGS, type OrderSigner } from './clob-order';
import { classifyPost, errorText, filledEvent, fillsFromTrades, type PostOutcome } from './clob-outcome';
import { parseOrderStatus } from './order-status';
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
  /** API credentials; created, or derived when they exist, with an L1 signature when absent. */
  readonly creds?: ApiKeyCreds;
  /** 0 EOA (default), 1 POLY_PROXY, 2 POLY_GNOSIS_SAFE, 3 POLY_1271 (deposit wallet; issue #8). */
  readonly signatureType?: 0 | 1 | 2 | 3;
  /** Funder (maker) address for signature types 1/2; the deposit wallet for type 3 (maker = signer). */
  readonly funder?: string;
  /** Current tick of a token, micro-USDC (from the live book); default: the client's market cache. */
  readonly tickSizeOf?: (tokenId: string) => number | undefined;
  /**
   * Bound of every outbound request, ms (default 5000): a post without an answer by then is
   * `unknown`; any other call failing by then is a `venue_unavailable` failure.
   */
  readonly requestTimeoutMs?: number;
  /**
   * After a post timed out, how much longer a `404` from `GET /data/order/:id` may still mean "in
   * flight", ms (default max(1000, requestTimeoutMs)); after it the 404 is final (never reached).
   */
  readonly inFlightGraceMs?: number;
  /** Retries of not-processed posts (default 3) and backoff bounds in ms (default 50…1000). */
  readonly retry?: { readonly retries: number; readonly minTimeoutMs: number; readonly maxTimeoutMs: number };
  readonly clock?: Clock;
  /**
   * Called with each signed attempt's order id (EIP-712 hash) before it is posted, and awaited:
   * the live trader persists it so that a restarted process can query the venue about it. When
   * it rejects, the order is not posted (outcome `rejected`).
   */
  readonly beforePost?: (clientOrderId: string, orderId: string) => Promise<void>;
  /**
   * Called once, with a one-line hint naming the setting to change, when the venue refuses the
   * account's set-up (maker not allowed, signer ≠ API key, invalid signature, no allowance…;
   * issue #8): the live runtime stops the trader with that line instead of retrying.
   */
  readonly onAccountSetupError?: (hint: string) => void;
  /** Receives one line per outcome: ids, kind, reason — never credentials. */
  readonly logger?: Logger;
}

/** Collateral as the venue sees it (`GET /balance-allowance`, COLLATERAL). */
export interface CollateralView {
  /** Balance, micro-USDC. */
  readonly balance: bigint;
  /** Allowance per spender address, micro-USDC (`allowances`, or `allowance` under key `""`). */
  readonly allowances: Record<string, bigint>;
}

class RetryableError extends TraderError {
  override name = 'RetryableError';
  constructor(
    message: string,
    readonly failure: FailureCause,
  ) {
    super(message, 'retryable');
  }
}

/** Failure of a call before anything was posted: no order can exist. */
class NotSentError extends TraderError {
  override name = 'NotSentError';
  constructor(message: string) {
    super(message, 'retryable');
  }
}

type NonFill = {
  kind: 'killed' | 'rejected' | 'unknown' | 'retry';
  reason: string;
  cause?: FailureCause;
};

/** What is known about one signed attempt (for the 404 rule of issue #8 point 1). */
interface AttemptInfo {
  /** Wall time the attempt was signed, ms. */
  readonly signedAtMs: number;
  /** True once the POST's own answer (or a not-sent error) came back. */
  answered: boolean;
}

const DEFAULT_TIMEOUT_MS = 5_000;

/** CLOB-backed FOK venue. */
export class ClobVenue implements ExecutionVenue {
  readonly name = 'clob';
  private listener: (ev: VenueEvent) => void = () => undefined;
  private readonly seen = new Set<string>();
  private readonly sentIds = new Map<string, string[]>();
  private readonly attempts = new Map<string, AttemptInfo>();
  private readonly unknown = new Map<string, OrderCommand>();
  private readonly pendingCmd = new Map<string, OrderCommand>();
  private readonly inflight = new Set<Promise<void>>();
  private readonly balances = new Map<string, number>();
  private version: number | undefined;
  private accountErrorSent = false;
  private readonly clock: Clock;
  private readonly timeoutMs: number;

  private constructor(
    private readonly client: ClobClient,
    private readonly http: ClobHttp,
    private readonly signer: OrderSigner,
    private readonly opts: ClobVenueOptions,
  ) {
    this.clock = opts.clock ?? new SystemClock();
    this.timeoutMs = opts.requestTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  /**
   * Creates the venue. Without `creds` it creates API credentials, or derives them when they
   * exist (the client's `createOrDeriveApiKey`, probe §1.1), each request bounded by the timeout.
   * @throws {TraderError} (`config`) when the settings cannot work (type 1–3 without a funder) or
   * credentials cannot be obtained: the message is one line naming the setting to change (or the
   * host and the venue's answer) — never a secret.
   */
  static async create(opts: ClobVenueOptions): Promise<ClobVenue> {
    const wallet = createWalletClient({
      account: opts.account,
      chain: opts.chainId === 137 ? polygon : polygonAmoy,
      // Local signing only: any RPC use is a bug, so the transport refuses.
      transport: custom({ request: () => Promise.reject(new Error('no RPC in the CLOB venue')) }),
    }) as WalletClient;
    const signatureType = opts.signatureType ?? 0;
    if (signatureType !== 0 && opts.funder === undefined)
      throw new TraderError(
        `SIGNATURE_TYPE=${signatureType} needs FUNDER_ADDRESS (the proxy, Safe or deposit wallet address)`,
        'config',
      );
    const timeoutMs = opts.requestTimeoutMs ?? DEFAULT_TIMEOUT_MS;
    const creds = opts.creds ?? (await obtainCreds(opts, wallet, signatureType, timeoutMs));
    const client = new ClobClient({
      host: opts.host,
      chain: opts.chainId as Chain,
      signer: wallet,
      signatureType,
      creds,
      ...(opts.funder === undefined ? {} : { funderAddress: opts.funder }),
    });
    const http = new ClobHttp({ host: opts.host.replace(/\/+$/, ''), signer: wallet, creds, timeoutMs });
    const maker = getAddress(opts.funder ?? opts.account.address);
    return new ClobVenue(
      client,
      http,
      { account: opts.account, chainId: opts.chainId, signatureType, maker },
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
   * restart): `orderIds` are the attempts it signed (as persisted by `beforePost`), `signedMs`
   * the wall time (ms) each was signed, when known — a 404 for an attempt signed less than the
   * timeout window ago is not final. The command is then settled with {@link resolveUnknown};
   * it is never re-sent.
   */
  adoptUnknown(cmd: OrderCommand, orderIds: readonly string[], signedMs?: readonly number[]): void {
    this.seen.add(cmd.clientOrderId);
    this.sentIds.set(cmd.clientOrderId, [...orderIds]);
    orderIds.forEach((id, i) => {
      const at = signedMs?.[i];
      if (at !== undefined) this.attempts.set(id, { signedAtMs: at, answered: false });
    });
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
   * Asks the venue to refresh its view of the collateral (`GET /balance-allowance/update`), then
   * reads it (`GET /balance-allowance`, COLLATERAL, the configured signature type): what the venue
   * sees for the funder (issue #8 start-up check). Each request bounded by the timeout.
   * @throws {TimeoutError} when the venue does not answer in time; {@link TraderError}
   * (`retryable`) when it answers with an error or no balance.
   */
  async updateCollateral(): Promise<CollateralView> {
    const params = { asset_type: AssetType.COLLATERAL };
    await this.http.balanceAllowance(params, this.signer.signatureType, true);
    const r = await this.http.balanceAllowance(params, this.signer.signatureType);
    const balance = bigintOf(r.balance);
    if ('error' in r || balance === null)
      throw new TraderError(`collateral not readable: ${errorText(r.error ?? r)}`, 'retryable');
    const allowances: Record<string, bigint> = {};
    if (r.allowances !== null && typeof r.allowances === 'object')
      for (const [spender, v] of Object.entries(r.allowances as Record<string, unknown>)) {
        const a = bigintOf(v);
        if (a !== null) allowances[spender] = a;
      }
    const single = bigintOf(r.allowance);
    if (single !== null) allowances[''] = single;
    return { balance, allowances };
  }

  /**
   * Settles an unknown outcome by querying the venue (never re-sending): filled when an order
   * signed for the command matched (any spelling, protocol §3.7 / §5.4; trades looked up when
   * the venue does not list them), killed when it was cancelled with nothing matched, rejected
   * when the venue has no such order and the post can no longer be in flight (its answer came
   * back, or `requestTimeoutMs` + `inFlightGraceMs` passed since it was signed). Emits and
   * returns the event, or returns `null` while the outcome is still open (`LIVE`, `DELAYED`, a
   * 404 in flight, the venue not answering). Every query is bounded by the timeout.
   */
  async resolveUnknown(clientOrderId: string): Promise<VenueEvent | null> {
    const cmd = this.unknown.get(clientOrderId);
    if (cmd === undefined) return null;
    let cancelled = false;
    let open = false;
    for (const id of this.orderIdsOf(clientOrderId)) {
      let raw: unknown;
      try {
        raw = await this.http.getOrder(id);
      } catch {
        return null;
      }
      const st = parseOrderStatus(raw);
      if (st.kind === 'filled') {
        const fills = await this.fillsOfOrder(cmd, id, raw, st.tradeIds);
        if (fills === null) return null;
        return this.finish(cmd, this.filledEvent(cmd, fills));
      }
      if (st.kind === 'killed') cancelled = true;
      else if (st.kind === 'pending' || st.kind === 'unreadable' || !this.notFoundIsFinal(id)) open = true;
    }
    if (open) return null;
    return this.finish(
      cmd,
      cancelled
        ? this.event(cmd, { kind: 'killed', reason: 'FOK not filled (resolved)', cause: 'market' })
        : this.event(cmd, {
            kind: 'rejected',
            reason: 'order not found at the venue: it never reached it (resolved)',
            cause: 'venue_unavailable',
          }),
    );
  }

  /**
   * Builds and signs the FOK of a command without sending it (warms the market cache first).
   * Exposed to measure tick → signed-order latency.
   * @throws {Error} when the order cannot be built (see `buildFok`); {@link TimeoutError} when the
   * market info does not come in time.
   */
  async sign(cmd: OrderCommand): Promise<{ orderId: string }> {
    const built = await withTimeout(this.build(cmd), this.timeoutMs, 'order building');
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
      {
        clientOrderId: ev.clientOrderId,
        kind: ev.kind,
        orderIds: this.orderIdsOf(ev.clientOrderId),
        ...((ev.kind === 'killed' || ev.kind === 'rejected') && ev.cause !== undefined
          ? { cause: ev.cause }
          : {}),
      },
      'clob order outcome',
    );
    this.listener(ev);
  }

  /** A 404 is final once the post answered, or its timeout window plus the grace has passed. */
  private notFoundIsFinal(orderId: string): boolean {
    const a = this.attempts.get(orderId);
    if (a === undefined || a.answered) return true;
    const grace = this.opts.inFlightGraceMs ?? Math.max(1_000, this.timeoutMs);
    return Date.now() - a.signedAtMs > this.timeoutMs + grace;
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
        cause: 'market',
      });
    if (cmd.side === 'SELL') {
      // sell the balance the venue measures (design §7), but only when it differs from the held
      // shares by rounding (< 0.01 share): more missing means a fill still settling, and selling
      // short would orphan the rest; the round retries instead
      try {
        await this.refreshBalance(cmd.tokenId);
      } catch (err) {
        return this.event(cmd, {
          kind: 'rejected',
          reason: `balance not read, not sent: ${errorText((err as Error).message)}`,
          cause: 'venue_unavailable',
        });
      }
      const measured = this.balances.get(cmd.tokenId);
      if (measured !== undefined && measured < amount) {
        const shares = measured - (measured % SELL_SHARE_STEP);
        if (amount - measured >= SELL_SHARE_STEP || shares <= 0)
          return this.event(cmd, {
            kind: 'rejected',
            reason: `not enough balance: the venue measures ${measured / MICROS} of ${amount / MICROS} shares (settlement pending?)`,
            cause: 'settlement_pending',
          });
        cmd = { ...cmd, shares };
      }
    }
    const r = this.opts.retry ?? { retries: 3, minTimeoutMs: 50, maxTimeoutMs: 1_000 };
    let outcome: PostOutcome;
    try {
      outcome = await pRetry(() => this.attempt(cmd), {
        retries: r.retries,
        minTimeout: r.minTimeoutMs,
        maxTimeout: r.maxTimeoutMs,
        factor: 2,
        randomize: false,
        shouldRetry: ({ error }) => error instanceof RetryableError,
      });
    } catch (err) {
      if (err instanceof RetryableError)
        return this.event(cmd, {
          kind: 'rejected',
          reason: `venue unavailable after ${r.retries + 1} attempts: ${err.message}`,
          cause: err.failure,
        });
      throw err;
    }
    if (outcome.kind === 'rejected') return this.event(cmd, await this.refusal(cmd, outcome));
    if (outcome.kind !== 'filled') return this.event(cmd, outcome);
    const fills = (await this.fetchFills(outcome.tradeIds)) ?? [
      { tradeId: outcome.tradeIds.join('+') || outcome.orderId, price: 0, shares: 0 },
    ];
    const shares = cmd.side === 'BUY' ? outcome.taking : outcome.making;
    const notional = cmd.side === 'BUY' ? outcome.making : outcome.taking;
    return this.filledEvent(cmd, fills, { shares, notional });
  }

  /**
   * The cause of a refusal the venue answered (issue #8): account set-up (one-line hint, reported
   * once), a SELL's balance refusal (settlement pending), else what `classifyPost` found.
   */
  private async refusal(
    cmd: OrderCommand,
    o: Extract<PostOutcome, { kind: 'rejected' }> | (NonFill & { venueText?: string }),
  ): Promise<NonFill> {
    const text = o.venueText ?? '';
    const balanceRefusal = /not enough balance/i.test(text);
    if (balanceRefusal && cmd.side === 'SELL') return { ...o, kind: 'rejected', cause: 'settlement_pending' };
    let allowance: bigint | undefined;
    if (balanceRefusal) {
      try {
        const c = await this.updateCollateral();
        const values = Object.values(c.allowances);
        if (values.length > 0) allowance = values.reduce((a, b) => (b > a ? b : a), 0n);
      } catch {
        // the allowance stays unknown: not called a set-up error
      }
    }
    const hint = accountSetupHint(
      text,
      this.signer.signatureType,
      allowance === undefined ? { side: cmd.side } : { side: cmd.side, allowance },
    );
    if (hint === null) return { kind: 'rejected', reason: o.reason, cause: o.cause ?? 'market' };
    if (!this.accountErrorSent) {
      this.accountErrorSent = true;
      this.opts.onAccountSetupError?.(hint);
    }
    return { kind: 'rejected', reason: hint, cause: 'account_setup' };
  }

  private async attempt(cmd: OrderCommand): Promise<PostOutcome> {
    let built;
    try {
      built = await withTimeout(this.build(cmd), this.timeoutMs, 'order building');
    } catch (err) {
      const reason = `order not built: ${errorText((err as Error).message)}`;
      return { kind: 'rejected', reason, cause: buildFailureCause(err) };
    }
    this.sentIds.set(cmd.clientOrderId, [...this.orderIdsOf(cmd.clientOrderId), built.orderId]);
    const info: AttemptInfo = { signedAtMs: Date.now(), answered: false };
    this.attempts.set(built.orderId, info);
    if (this.opts.beforePost !== undefined) {
      try {
        await this.opts.beforePost(cmd.clientOrderId, built.orderId);
      } catch (err) {
        info.answered = true; // never posted
        const why = errorText((err as Error).message);
        // issue #9: the user sees it (one line); a local failure, not the market's answer
        this.opts.logger?.error(
          { clientOrderId: cmd.clientOrderId, orderId: built.orderId, err: why },
          'order attempt not stored: order not sent',
        );
        return {
          kind: 'rejected',
          reason: `order not recorded, not sent: ${why}`,
          cause: 'venue_unavailable',
        };
      }
    }
    let res;
    try {
      res = await this.http.postOrder(built.order);
    } catch (err) {
      if (err instanceof TimeoutError)
        return { kind: 'unknown', reason: `no answer within ${this.timeoutMs} ms (order ${built.orderId})` };
      throw err;
    }
    info.answered = true;
    const outcome = classifyPost(res);
    if (outcome.kind === 'retry') {
      if (outcome.refreshVersion === true) {
        try {
          this.version = await withTimeout(this.client.getVersion(), this.timeoutMs, 'GET /version');
        } catch {
          // the retry re-reads it; a hung /version is the venue being unavailable
        }
      }
      // A 5xx may come after the order was processed: re-send only when the venue does not know
      // it (design §7: an ambiguous submit is unknown, never blindly re-sent).
      if (/^5\d\d /.test(outcome.reason) && !(await this.venueLacks(built.orderId))) {
        return { kind: 'unknown', reason: `${outcome.reason}; the venue may have order ${built.orderId}` };
      }
      throw new RetryableError(outcome.reason, outcome.cause ?? 'venue_unavailable');
    }
    return outcome;
  }

  /** True only when the venue answers that it has no such order (404); any doubt → false. */
  private async venueLacks(orderId: string): Promise<boolean> {
    try {
      return parseOrderStatus(await this.http.getOrder(orderId)).kind === 'not_found';
    } catch {
      return false;
    }
  }

  /**
   * Fills of a matched order: its listed trades, or — when `associate_trades` is null or empty
   * but something matched — the trades of its market whose `taker_order_id` (or a maker order id)
   * is the order (protocol §5.6 has no filter by order id). `null` while they cannot be read.
   */
  private async fillsOfOrder(
    cmd: OrderCommand,
    orderId: string,
    raw: unknown,
    tradeIds: readonly string[],
  ): Promise<Fill[] | null> {
    try {
      // a fresh process (a restart) has not loaded the market's fee schedule yet
      await withTimeout(this.client.getFeeExponent(cmd.tokenId), this.timeoutMs, 'market info');
    } catch {
      return null;
    }
    if (tradeIds.length > 0) return this.fetchFills(tradeIds);
    const rec = raw as Record<string, unknown>;
    const params: Record<string, string> = { asset_id: cmd.tokenId };
    if (typeof rec.market === 'string' && rec.market !== '') params.market = rec.market;
    let trades: unknown[];
    try {
      trades = await this.http.getTrades(params);
    } catch {
      return null;
    }
    const mine = trades.filter((t) => {
      const r = (t ?? {}) as Record<string, unknown>;
      if (r.taker_order_id === orderId) return true;
      return (
        Array.isArray(r.maker_orders) &&
        r.maker_orders.some((m) => (m as { order_id?: unknown })?.order_id === orderId)
      );
    });
    if (mine.length === 0) return null; // matched but its trades not visible yet: ask again later
    return fillsFromTrades(mine);
  }

  private async fetchFills(tradeIds: readonly string[]): Promise<Fill[] | null> {
    try {
      const pages = await Promise.all(tradeIds.map((id) => this.http.getTrades({ id })));
      return fillsFromTrades(pages.flat());
    } catch {
      return null;
    }
  }

  /** Refreshes the venue's view of a token balance, then reads it (each bounded). */
  private async refreshBalance(tokenId: string): Promise<void> {
    const params = { asset_type: AssetType.CONDITIONAL, token_id: tokenId };
    const type = this.signer.signatureType;
    const up = await this.http.balanceAllowance(params, type, true);
    if ('error' in up && typeof up.status !== 'number') throw new NotSentError(errorText(up.error));
    const b = await this.http.balanceAllowance(params, type);
    if ('error' in b && typeof b.status !== 'number') throw new NotSentError(errorText(b.error));
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

  private event(cmd: OrderCommand, o: NonFill): VenueEvent {
    const tsMs = this.clock.now();
    if (o.kind === 'unknown')
      return { kind: 'unknown', clientOrderId: cmd.clientOrderId, tsMs, reason: o.reason };
    const kind = o.kind === 'retry' ? 'rejected' : o.kind;
    return {
      kind,
      clientOrderId: cmd.clientOrderId,
      tsMs,
      reason: o.reason,
      ...(o.cause === undefined ? {} : { cause: o.cause }),
    };
  }
}

/** A failure to build an order: the venue not answering (timeout, network) or the order itself. */
function buildFailureCause(err: unknown): FailureCause {
  if (err instanceof TimeoutError) return 'venue_unavailable';
  const m = (err as Error).message ?? '';
  return /ECONNREFUSED|ECONNRESET|socket hang up|ENOTFOUND|EAI_AGAIN|failed to (fetch market info|resolve condition id)|timeout/i.test(
    m,
  )
    ? 'venue_unavailable'
    : 'market';
}

/** A decimal integer string (or number) as bigint; `null` otherwise. */
function bigintOf(v: unknown): bigint | null {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
  return typeof v === 'string' && /^\d+$/.test(v) ? BigInt(v) : null;
}

/** Credentials by create-or-derive (issue #8), or a `config` error with a one-line hint. */
async function obtainCreds(
  opts: ClobVenueOptions,
  wallet: WalletClient,
  signatureType: number,
  timeoutMs: number,
): Promise<ApiKeyCreds> {
  const host = opts.host.replace(/\/+$/, '');
  let got;
  try {
    got = await createOrDeriveCreds(host, wallet, opts.chainId, timeoutMs);
  } catch (err) {
    throw new TraderError(
      `could not create or derive CLOB API credentials from ${host}: ${errorText((err as Error).message)}`,
      'config',
    );
  }
  if ('creds' in got) return got.creds;
  const hint = accountSetupHint(got.error, signatureType);
  throw new TraderError(
    hint ??
      `could not create or derive CLOB API credentials from ${host} (status ${got.status ?? 'none'}: ${errorText(got.error)})`,
    'config',
  );
}
