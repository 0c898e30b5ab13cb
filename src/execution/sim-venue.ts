/**
 * The simulated venue (design §8): fills FOK orders against the real (recorded or live) book as it
 * is when the order arrives, after `latencyMs`. Checks what the real venue checks
 * (polymarket-protocol.md §6.2–6.5): price on the token's tick grid and within
 * `[tick, 1 − tick]`, maker amount precision (BUY notional and SELL shares in 0.01 steps), the
 * minimum marketable notional, and the held balance on SELL. Deterministic: trade ids are
 * `sim-<n>`, time comes from the injected clock.
 */
import type { Clock, Scheduler } from '../core/clock';
import { MICROS, notionalFloor } from '../core/money';
import type { OrderCommand, VenueEvent } from '../core/types';
import type { OrderBook } from '../book/order-book';
import type { FeeModel } from './fee-model';
import { fillBuy, fillSell } from './fill-model';
import { BUY_NOTIONAL_STEP, SELL_SHARE_STEP } from './pricing';
import type { ExecutionVenue } from './venue';

/** Options of the simulated venue. */
export interface SimVenueOptions {
  /** Looks up the current book of a token (`undefined` = unknown token → rejected). */
  readonly bookOf: (tokenId: string) => OrderBook | undefined;
  /**
   * The engine's clock: the time an order is sent, and (`latencyMs` > 0) the scheduler its
   * arrival runs on (issue #10: the driver does not pump the venue).
   */
  readonly clock: Clock & Scheduler;
  /** Order travel time, ms (0 = fill synchronously inside `submit`). */
  readonly latencyMs: number;
  readonly fee: FeeModel;
  /** Venue minimum for marketable orders, micro-USDC. */
  readonly minNotional: number;
}

/** Simulated FOK venue. */
export class SimVenue implements ExecutionVenue {
  readonly name = 'sim';
  private listener: (ev: VenueEvent) => void = () => undefined;
  private readonly balances = new Map<string, number>();
  private nextTrade = 0;
  private readonly seen = new Set<string>();

  /** Creates the venue. */
  constructor(private readonly opts: SimVenueOptions) {}

  /** See {@link ExecutionVenue.setListener}. */
  setListener(listener: (ev: VenueEvent) => void): void {
    this.listener = listener;
  }

  /** See {@link ExecutionVenue.submit}. */
  submit(cmd: OrderCommand): void {
    if (this.opts.latencyMs === 0) {
      this.listener(this.execute(cmd, this.opts.clock.now()));
      return;
    }
    // executed against the book as it is when the order arrives (the clock runs it then)
    this.opts.clock.schedule(this.opts.clock.now() + this.opts.latencyMs, (dueMs) =>
      this.listener(this.execute(cmd, dueMs)),
    );
  }

  /** Shares of a token held, micro-shares. */
  balance(tokenId: string): number {
    return this.balances.get(tokenId) ?? 0;
  }

  private execute(cmd: OrderCommand, tsMs: number): VenueEvent {
    const id = cmd.clientOrderId;
    const reject = (reason: string): VenueEvent => ({ kind: 'rejected', clientOrderId: id, tsMs, reason });
    if (this.seen.has(id)) return reject('duplicate client order id');
    this.seen.add(id);
    const book = this.opts.bookOf(cmd.tokenId);
    if (book === undefined) return reject('unknown token id');
    const tick = book.tickSize;
    if (cmd.limitPrice % tick !== 0 || cmd.limitPrice < tick || cmd.limitPrice > MICROS - tick) {
      return reject(`invalid price ${cmd.limitPrice / MICROS} for tick ${tick / MICROS}`);
    }
    const res = cmd.side === 'BUY' ? this.checkBuy(cmd, book) : this.checkSell(cmd, book);
    if (typeof res === 'string') return reject(res);
    if (res.kind === 'killed') return { kind: 'killed', clientOrderId: id, tsMs, reason: res.reason };
    const sign = cmd.side === 'BUY' ? 1 : -1;
    const held = sign * (res.shares - res.feeShares);
    this.balances.set(cmd.tokenId, this.balance(cmd.tokenId) + held);
    const fills = res.fills.map((f) => ({ ...f, tradeId: `sim-${(this.nextTrade += 1)}` }));
    return {
      kind: 'filled',
      clientOrderId: id,
      tsMs,
      fills,
      shares: res.shares,
      notional: res.notional,
      feeUsdc: res.feeUsdc,
      feeShares: res.feeShares,
    };
  }

  private checkBuy(cmd: OrderCommand, book: OrderBook): ReturnType<typeof fillBuy> | string {
    const notional = cmd.notional ?? 0;
    if (notional % BUY_NOTIONAL_STEP !== 0) return 'invalid amount precision: BUY notional above 2 decimals';
    if (notional < this.opts.minNotional) return `order_too_small: ${notional / MICROS} USDC`;
    return fillBuy(book.asks, cmd.limitPrice, notional, this.opts.fee);
  }

  private checkSell(cmd: OrderCommand, book: OrderBook): ReturnType<typeof fillSell> | string {
    const shares = cmd.shares ?? 0;
    if (shares <= 0 || shares % SELL_SHARE_STEP !== 0)
      return 'invalid amount precision: SELL shares above 2 decimals';
    if (notionalFloor(shares, cmd.limitPrice) < this.opts.minNotional) return 'order_too_small';
    if (shares > this.balance(cmd.tokenId)) return 'not enough balance';
    return fillSell(book.bids, cmd.limitPrice, shares, this.opts.fee);
  }
}
