/**
 * One contract suite for every ExecutionVenue (STYLE rule 11): the simulated venue and the CLOB
 * venue against the local exchange see the same books and must report the same outcomes.
 * Fresh wallets per run; no fixed key.
 */
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { OrderBook } from '../../src/book/order-book';
import { VirtualClock } from '../../src/core/clock';
import type { OrderCommand, VenueEvent } from '../../src/core/types';
import { COLLATERAL } from '../../testkit/exchange-local/clob/ledger';
import { startLocalExchange, type LocalExchange } from '../../testkit/exchange-local/server';
import { syntheticRows } from '../../testkit/exchange-local/test-client';
import { ClobVenue } from '../../src/execution/clob-venue';
import type { FeeModel } from '../../src/execution/fee-model';
import { fillBuy } from '../../src/execution/fill-model';
import { SimVenue } from '../../src/execution/sim-venue';
import type { ExecutionVenue } from '../../src/execution/venue';

const FEE: FeeModel = { rate: 0.072, exponent: 1 };

interface Harness {
  readonly venue: ExecutionVenue;
  readonly events: VenueEvent[];
  readonly lx: LocalExchange;
  /** Waits until every submitted order has its event. */
  flush(): Promise<void>;
  /** Makes the next order's answer never arrive after its fill (CLOB only). */
  readonly induceUnknown?: () => void;
  readonly resolveUnknown?: (id: string) => Promise<VenueEvent | null>;
  close(): Promise<void>;
}

async function exchange(): Promise<LocalExchange> {
  return startLocalExchange({
    input: syntheticRows(2, 20),
    manual: true,
    rtdsInput: null,
    clob: { fee: FEE },
  });
}

async function simHarness(): Promise<Harness> {
  const lx = await exchange();
  const venue = new SimVenue({
    bookOf: (id) => {
      const b = lx.books(id);
      if (b === null) return undefined;
      const book = new OrderBook(id);
      book.setLevels(b.bids, b.asks);
      return book;
    },
    clock: new VirtualClock(0),
    latencyMs: 0,
    fee: FEE,
    minNotional: 1_000_000,
  });
  const events: VenueEvent[] = [];
  venue.setListener((e) => events.push(e));
  return { venue, events, lx, flush: () => Promise.resolve(), close: () => lx.close() };
}

async function clobHarness(): Promise<Harness> {
  const lx = await exchange();
  const account = privateKeyToAccount(generatePrivateKey());
  lx.clob.ledger.apply([{ owner: account.address, asset: COLLATERAL, delta: 1_000_000_000 }]);
  const venue = await ClobVenue.create({
    host: lx.url,
    chainId: 137,
    account,
    requestTimeoutMs: 300,
    retry: { retries: 3, minTimeoutMs: 5, maxTimeoutMs: 20 },
  });
  const events: VenueEvent[] = [];
  venue.setListener((e) => events.push(e));
  return {
    venue,
    events,
    lx,
    flush: () => venue.idle(),
    induceUnknown: () => lx.clob.faults.timeoutAfterFillNext(1, 500),
    resolveUnknown: (id) => venue.resolveUnknown(id),
    close: () => lx.close(),
  };
}

describe.each([
  ['SimVenue', simHarness],
  ['ClobVenue + local exchange', clobHarness],
])('ExecutionVenue contract: %s', (_name, make) => {
  let h: Harness;
  let up: string;
  beforeEach(async () => {
    h = await make();
    up = h.lx.markets()[0]?.upTokenId ?? '';
  });
  afterEach(async () => {
    await h.close();
  });

  const cmd = (id: string, side: 'BUY' | 'SELL', limitPrice: number, amount: number): OrderCommand => ({
    clientOrderId: id,
    positionKey: 'p',
    purpose: side === 'BUY' ? 'entry' : 'exit',
    tokenId: up,
    window: h.lx.markets()[0]!.window,
    side,
    tif: 'FOK',
    limitPrice,
    ...(side === 'BUY' ? { notional: amount } : { shares: amount }),
    createdMs: 0,
  });
  const last = (): VenueEvent => h.events[h.events.length - 1]!;

  it('fills a FOK BUY at the makers’ prices, then a FOK SELL of the held shares', async () => {
    const asks = h.lx.books(up)!.asks;
    const oracle = fillBuy(asks, 420_000, 5_000_000, FEE);
    h.venue.submit(cmd('b1', 'BUY', 420_000, 5_000_000));
    await h.flush();
    const ev = last();
    expect(ev.kind).toBe('filled');
    if (ev.kind !== 'filled' || oracle.kind !== 'filled') throw new Error('not filled');
    expect({
      shares: ev.shares,
      notional: ev.notional,
      feeUsdc: ev.feeUsdc,
      feeShares: ev.feeShares,
    }).toEqual({
      shares: oracle.shares,
      notional: oracle.notional,
      feeUsdc: oracle.feeUsdc,
      feeShares: oracle.feeShares,
    });
    expect(ev.fills.map((f) => [f.price, f.shares])).toEqual(oracle.fills.map((f) => [f.price, f.shares]));
    const held = Math.floor((ev.shares - ev.feeShares) / 10_000) * 10_000;
    h.venue.submit(cmd('s1', 'SELL', 390_000, held));
    await h.flush();
    expect(last()).toMatchObject({ kind: 'filled', clientOrderId: 's1', shares: held });
  });

  it('kills a FOK the book cannot fill at the limit', async () => {
    h.venue.submit(cmd('k1', 'BUY', 410_000, 200_000_000)); // $200 at ≤ 0.41: 200 shares there
    await h.flush();
    expect(last()).toMatchObject({ kind: 'killed', clientOrderId: 'k1' });
  });

  it('rejects below the minimum notional and off the tick grid', async () => {
    h.venue.submit(cmd('r1', 'BUY', 420_000, 500_000));
    await h.flush();
    h.venue.submit(cmd('r2', 'BUY', 415_000, 5_000_000));
    await h.flush();
    h.venue.submit(cmd('r3', 'SELL', 390_000, 5_000_000)); // nothing held
    await h.flush();
    expect(h.events.map((e) => [e.clientOrderId, e.kind])).toEqual([
      ['r1', 'rejected'],
      ['r2', 'rejected'],
      ['r3', 'rejected'],
    ]);
  });

  it('never fills a duplicate client order id twice', async () => {
    h.venue.submit(cmd('d1', 'BUY', 420_000, 5_000_000));
    h.venue.submit(cmd('d1', 'BUY', 420_000, 5_000_000));
    await h.flush();
    const kinds = h.events.map((e) => e.kind).sort();
    expect(kinds).toEqual(['filled', 'rejected']);
  });

  it('resolves an unknown outcome by querying, without re-sending', async () => {
    if (h.induceUnknown === undefined || h.resolveUnknown === undefined) {
      expect(h.events.some((e) => e.kind === 'unknown')).toBe(false); // the simulated venue never loses an answer
      return;
    }
    h.induceUnknown();
    const posts = h.lx.clob.orderPosts;
    h.venue.submit(cmd('u1', 'BUY', 420_000, 5_000_000));
    await h.flush();
    expect(last()).toMatchObject({ kind: 'unknown', clientOrderId: 'u1' });
    const ev = await h.resolveUnknown('u1');
    expect(ev).toMatchObject({ kind: 'filled', clientOrderId: 'u1' });
    expect(last()).toBe(ev);
    expect(h.lx.clob.orderPosts - posts).toBe(1);
  });
});
