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
import { Chain, ClobClient } from '@polymarket/clob-client-v2';
import pRetry from 'p-retry';
import { getAddress } from 'viem';
import { type Clock } from '../core/clock';
import { SystemClock } from '../platform/system-clock';
import { systemRandom } from '../platform/random';
import { TraderError } from '../core/errors';
import { MICROS, parseMicros } from '../core/money';
import type { Fill, OrderCommand, VenueEvent } from '../core/types';
import { TimeoutError, withTimeout } from '../platform/with-timeout';
import { ClobAccount, type CollateralView } from './clob-account';
import { AttemptBook } from './clob-attempts';
import { FillLookup } from './clob-fills';
import { ClobHttp } from './clob-http';
import { DEFAULT_TIMEOUT_MS, type ClobVenueOptions } from './clob-venue-options';
import { buildFok, TICK_STRINGS, type BuiltOrder, type OrderSigner } from './clob-order';
import {
  classifyPost,
  errorText,
  filledEvent,
  nonFillEvent,
  RetryableError,
  type NonFill,
  type PostOutcome,
} from './clob-outcome';
import { buildFailureCause, obtainCreds, signingWallet } from './clob-setup';
import { queryOutcome, venueLacks } from './clob-resolve';
import { OrderSigningKey } from './order-signing';
import { BUY_NOTIONAL_STEP, SELL_SHARE_STEP } from './pricing';
import type { ExecutionVenue } from './venue';

export type { CollateralView } from './clob-account';
export type { ClobVenueOptions } from './clob-venue-options';

/** CLOB-backed FOK venue. */
export class ClobVenue implements ExecutionVenue {
  readonly name = 'clob';
  private listener: (ev: VenueEvent) => void = () => undefined;
  /** In-flight and unknown orders: their one owner. */
  private readonly book = new AttemptBook();
  private readonly inflight = new Set<Promise<void>>();
  private readonly fills: FillLookup;
  private readonly account: ClobAccount;
  private readonly key: OrderSigningKey;
  private version: number | undefined;
  private readonly clock: Clock;
  private readonly wall: Clock;
  private readonly timeoutMs: number;
  /** When each command in flight left the trader (monotonic ms), for `onLatency`. */
  private readonly submittedAt = new Map<string, number>();
  private readonly monotonic: () => number;

  private constructor(
    private readonly client: ClobClient,
    private readonly http: ClobHttp,
    private readonly signer: OrderSigner,
    private readonly opts: ClobVenueOptions,
  ) {
    this.clock = opts.clock ?? new SystemClock();
    this.wall = opts.wall ?? new SystemClock();
    this.timeoutMs = opts.requestTimeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.monotonic = opts.monotonic ?? (() => performance.now());
    // a fresh process (a restart) has not loaded the market's fee schedule yet
    const loadMarket = (tokenId: string) =>
      withTimeout(this.client.getFeeExponent(tokenId), this.timeoutMs, 'market info');
    this.fills = new FillLookup(http, loadMarket);
    this.account = new ClobAccount(http, signer.signatureType, opts.onAccountSetupError);
    this.key = new OrderSigningKey(signer.account);
  }

  /**
   * Creates the venue. Without `creds` it creates API credentials, or derives them when they
   * exist (the client's `createOrDeriveApiKey`, probe §1.1), each request bounded by the timeout.
   * @throws {TraderError} (`config`) when the settings cannot work (type 1–3 without a funder) or
   * credentials cannot be obtained: the message is one line naming the setting to change (or the
   * host and the venue's answer) — never a secret.
   */
  static async create(opts: ClobVenueOptions): Promise<ClobVenue> {
    const wallet = signingWallet(opts.account, opts.chainId);
    const signatureType = opts.signatureType ?? 0;
    if (signatureType !== 0 && opts.funder === undefined)
      throw new TraderError(
        `SIGNATURE_TYPE=${signatureType} needs FUNDER_ADDRESS (the proxy, Safe or deposit wallet address)`,
        'config',
      );
    const timeoutMs = opts.requestTimeoutMs ?? DEFAULT_TIMEOUT_MS;
    const creds =
      opts.creds ?? (await obtainCreds(opts.host, wallet, opts.chainId, signatureType, timeoutMs));
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
    if (!this.book.claim(cmd.clientOrderId)) {
      this.emit({
        kind: 'rejected',
        clientOrderId: cmd.clientOrderId,
        tsMs: this.clock.now(),
        reason: 'duplicate client order id',
      });
      return;
    }
    if (this.opts.onLatency !== undefined) this.submittedAt.set(cmd.clientOrderId, this.monotonic());
    const p = this.execute(cmd)
      .catch((err: unknown) =>
        this.event(cmd, { kind: 'unknown', reason: `venue error: ${errorText((err as Error).message)}` }),
      )
      .then((ev) => {
        this.submittedAt.delete(cmd.clientOrderId);
        this.emit(ev);
      });
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p));
  }

  /** Resolves when every submitted command has produced its event. */
  async idle(): Promise<void> {
    while (this.inflight.size > 0) await Promise.all([...this.inflight]);
  }

  /** Client order ids whose outcome is unknown. */
  unknownOrders(): string[] {
    return this.book.unknownIds();
  }

  /** True while a command awaits its outcome or an outcome is unknown. */
  get busy(): boolean {
    return this.inflight.size > 0 || this.book.hasUnknown;
  }

  /**
   * Takes over a command sent by an earlier process whose outcome was never seen (a live
   * restart): `orderIds` are the attempts it signed (as persisted by `beforePost`), `signedMs`
   * the wall time (ms) each was signed, when known — a 404 for an attempt signed less than the
   * timeout window ago is not final. The command is then settled with {@link resolveUnknown};
   * it is never re-sent.
   */
  adoptUnknown(cmd: OrderCommand, orderIds: readonly string[], signedMs?: readonly number[]): void {
    this.book.adopt(cmd, orderIds, signedMs);
  }

  /** Drops an unknown command the caller settled otherwise (from the chain balance); no event. */
  forgetUnknown(clientOrderId: string): void {
    this.book.settled(clientOrderId);
  }

  /** Order ids (EIP-712 digests) signed for a command, in attempt order. */
  orderIdsOf(clientOrderId: string): readonly string[] {
    return this.book.orderIdsOf(clientOrderId);
  }

  /** Wall time (ms) the latest attempt of a command was signed (0 = unknown): the venue owns it. */
  signedAt(clientOrderId: string): number {
    return this.book.latestSignedAt(clientOrderId);
  }

  /** Shares of a token at the last balance refresh, micro-shares. */
  balance(tokenId: string): number {
    return this.account.balance(tokenId);
  }

  /** See {@link ClobAccount.updateCollateral}. */
  updateCollateral(): Promise<CollateralView> {
    return this.account.updateCollateral();
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
    const cmd = this.book.unknownCommand(clientOrderId);
    if (cmd === undefined) return null;
    const grace = this.opts.inFlightGraceMs ?? Math.max(1_000, this.timeoutMs);
    const got = await queryOutcome(
      {
        http: this.http,
        fillsOf: (id, raw, tradeIds) => this.fills.ofOrder(cmd.tokenId, id, raw, tradeIds),
        notFoundIsFinal: (id) => this.book.notFoundIsFinal(id, this.wall.now(), this.timeoutMs, grace),
      },
      this.orderIdsOf(clientOrderId),
    );
    if (got === null) return null;
    if (got.kind === 'filled') return this.finish(cmd, this.filledEvent(cmd, got.fills));
    return this.finish(
      cmd,
      got.kind === 'killed'
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
    const built = await withTimeout(this.build(cmd, this.wall.now()), this.timeoutMs, 'order building');
    return { orderId: built.orderId };
  }

  private finish(cmd: OrderCommand, ev: VenueEvent): VenueEvent {
    this.book.settled(cmd.clientOrderId);
    this.emit(ev);
    return ev;
  }

  private emit(ev: VenueEvent): void {
    this.book.outcome(ev.clientOrderId, ev.kind === 'unknown');
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

  /**
   * Builds the signed FOK of `cmd` at wall time `nowMs` (market info read once per token and
   * cached by the client; the tick from the live book when known).
   * @throws {RangeError} for a price off the tick or outside [tick, 1 − tick].
   */
  private async build(cmd: OrderCommand, nowMs: number): Promise<BuiltOrder> {
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
    const negRisk = this.client.negRisk[tokenId] ?? false;
    return buildFok(this.key, this.signer, cmd, this.version, negRisk, {
      nowMs,
      random: this.opts.random ?? systemRandom,
    });
  }

  private async execute(sent: OrderCommand): Promise<VenueEvent> {
    this.book.awaiting(sent);
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
      const sized = await this.account.sizeSell(cmd, amount);
      if ('kind' in sized) return this.event(cmd, sized);
      cmd = sized.cmd;
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
    if (outcome.kind === 'rejected') {
      const fallback = { reason: outcome.reason, cause: outcome.cause ?? 'market' };
      const refusal = await this.account.refusal(cmd.side, outcome.venueText ?? '', fallback);
      return this.event(cmd, { kind: 'rejected', ...refusal });
    }
    if (outcome.kind !== 'filled') return this.event(cmd, outcome);
    const fills = (await this.fills.byTradeIds(outcome.tradeIds)) ?? [
      { tradeId: outcome.tradeIds.join('+') || outcome.orderId, price: 0, shares: 0 },
    ];
    const shares = cmd.side === 'BUY' ? outcome.taking : outcome.making;
    const notional = cmd.side === 'BUY' ? outcome.making : outcome.taking;
    return this.filledEvent(cmd, fills, { shares, notional });
  }

  private async attempt(cmd: OrderCommand): Promise<PostOutcome> {
    let built;
    try {
      built = await withTimeout(this.build(cmd, this.wall.now()), this.timeoutMs, 'order building');
    } catch (err) {
      const reason = `order not built: ${errorText((err as Error).message)}`;
      return { kind: 'rejected', reason, cause: buildFailureCause(err) };
    }
    const signedMs = this.wall.now();
    const info = this.book.signed(cmd.clientOrderId, built.orderId, signedMs);
    if (this.opts.beforePost !== undefined) {
      try {
        await this.opts.beforePost(cmd.clientOrderId, built.orderId, signedMs);
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
    const postedAt = this.monotonic();
    const decidedAt = this.submittedAt.get(cmd.clientOrderId);
    if (decidedAt !== undefined) this.opts.onLatency?.('decision_to_post', postedAt - decidedAt);
    try {
      res = await this.http.postOrder(built.order);
    } catch (err) {
      this.opts.onLatency?.('round_trip', this.monotonic() - postedAt);
      if (err instanceof TimeoutError)
        return { kind: 'unknown', reason: `no answer within ${this.timeoutMs} ms (order ${built.orderId})` };
      throw err;
    }
    this.opts.onLatency?.('round_trip', this.monotonic() - postedAt);
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
      if (/^5\d\d /.test(outcome.reason) && !(await venueLacks(this.http, built.orderId))) {
        return { kind: 'unknown', reason: `${outcome.reason}; the venue may have order ${built.orderId}` };
      }
      throw new RetryableError(outcome.reason, outcome.cause ?? 'venue_unavailable');
    }
    return outcome;
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
    return nonFillEvent(cmd, o, this.clock.now());
  }
}
