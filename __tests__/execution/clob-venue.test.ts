/**
 * ClobVenue-only behaviour against the local exchange's CLOB fault switches (issue #4):
 * retried 425/429/500, version mismatch, kill switch, timeout after a fill, delayed settlement,
 * fine-tick exact signing, secrets never in reasons or log lines. (Signing latency is a bench figure:
 * `npm run bench`, `tick_to_signed_fok_ms` — no test asserts on wall time.)
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import type { OrderCommand, VenueEvent } from '../../src/core/types';
import { REDACT_PATHS } from '../../src/core/logger';
import { COLLATERAL } from '../../src/exchange-local/clob/ledger';
import { startLocalExchange, type LocalExchange } from '../../src/exchange-local/server';
import { syntheticRows } from '../../src/exchange-local/test-client';
import { ClobVenue, type ClobVenueOptions } from '../../src/execution/clob-venue';

let lx: LocalExchange;
let venue: ClobVenue;
let events: VenueEvent[];
let logLines: string[];
let pk: `0x${string}`;
let up: string;
let seq = 0;

beforeEach(async () => {
  lx = await startLocalExchange({ input: syntheticRows(2, 20), manual: true, rtdsInput: null });
  pk = generatePrivateKey();
  const account = privateKeyToAccount(pk);
  lx.clob.ledger.apply([{ owner: account.address, asset: COLLATERAL, delta: 1_000_000_000 }]);
  logLines = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      logLines.push(chunk.toString());
      cb();
    },
  });
  const logger = pino({ level: 'debug', redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, sink);
  const opts: ClobVenueOptions = {
    host: lx.url,
    chainId: 137,
    account,
    requestTimeoutMs: 300,
    retry: { retries: 3, minTimeoutMs: 5, maxTimeoutMs: 20 },
    logger,
  };
  venue = await ClobVenue.create(opts);
  events = [];
  venue.setListener((e) => events.push(e));
  up = lx.markets()[0]?.upTokenId ?? '';
});
afterEach(async () => {
  await lx.close();
});

const buy = (limitPrice = 420_000, notional = 5_000_000, tokenId = up): OrderCommand => ({
  clientOrderId: `c${(seq += 1)}`,
  positionKey: 'p',
  purpose: 'entry',
  tokenId,
  window: lx.markets()[0]!.window,
  side: 'BUY',
  tif: 'FOK',
  limitPrice,
  notional,
  createdMs: 0,
});
async function run(cmd: OrderCommand): Promise<VenueEvent> {
  venue.submit(cmd);
  await venue.idle();
  return events[events.length - 1]!;
}

describe('ClobVenue fault handling', () => {
  it.each([425, 429, 500] as const)('retries %i and then fills', async (status) => {
    lx.clob.faults.httpErrorNext(status, 2);
    const before = lx.clob.orderPosts;
    expect(await run(buy())).toMatchObject({ kind: 'filled' });
    expect(lx.clob.orderPosts - before).toBe(3);
  });

  it('gives up after the bounded retries and reports rejected', async () => {
    lx.clob.faults.httpErrorNext(500, 10);
    const ev = await run(buy());
    expect(ev).toMatchObject({ kind: 'rejected' });
    expect(ev.kind === 'rejected' && ev.reason).toMatch(/after 4 attempts/);
  });

  it('re-signs after order_version_mismatch and fills', async () => {
    lx.clob.faults.versionMismatchNext(1);
    expect(await run(buy())).toMatchObject({ kind: 'filled' });
    expect(venue.orderIdsOf(events[0]!.clientOrderId)).toHaveLength(2);
  });

  it('reports the kill switch as killed, with the venue text', async () => {
    lx.clob.faults.killNext();
    const ev = await run(buy());
    expect(ev).toMatchObject({ kind: 'killed' });
    expect(ev.kind === 'killed' && ev.reason).toMatch(/FOK orders are fully filled or killed/);
  });

  it('timeout after a fill → unknown, resolveUnknown → filled, no second order', async () => {
    lx.clob.faults.timeoutAfterFillNext(1, 1_000);
    const before = lx.clob.orderPosts;
    const cmd = buy();
    expect(await run(cmd)).toMatchObject({ kind: 'unknown' });
    expect(venue.unknownOrders()).toEqual([cmd.clientOrderId]);
    const ev = await venue.resolveUnknown(cmd.clientOrderId);
    expect(ev).toMatchObject({ kind: 'filled', clientOrderId: cmd.clientOrderId });
    expect(venue.unknownOrders()).toEqual([]);
    expect(lx.clob.orderPosts - before).toBe(1);
  });

  it('a 500 after the order was processed → unknown, never re-sent; resolveUnknown → filled', async () => {
    lx.clob.faults.errorAfterFillNext(1);
    const before = lx.clob.orderPosts;
    const cmd = buy();
    const ev = await run(cmd);
    expect(ev).toMatchObject({ kind: 'unknown' });
    expect(lx.clob.orderPosts - before).toBe(1);
    expect(await venue.resolveUnknown(cmd.clientOrderId)).toMatchObject({ kind: 'filled' });
    expect(lx.clob.orderPosts - before).toBe(1);
  });

  it('delayed settlement: the balance lags the fill, a sell after it settles goes through', async () => {
    lx.clob.faults.settlementDelayMs = 200;
    const ev = await run(buy());
    if (ev.kind !== 'filled') throw new Error(ev.kind);
    const address = privateKeyToAccount(pk).address;
    expect(lx.clob.ledger.balance(address, up)).toBe(0);
    await new Promise((r) => setTimeout(r, 250));
    const held = ev.shares - ev.feeShares;
    expect(lx.clob.ledger.balance(address, up)).toBe(held);
    const sell = { ...buy(390_000), side: 'SELL' as const, shares: Math.floor(held / 10_000) * 10_000 };
    delete (sell as { notional?: number }).notional;
    expect(await run(sell)).toMatchObject({ kind: 'filled' });
    expect(venue.balance(up)).toBe(held);
  });

  it('a sell while part of the balance still settles is rejected, never sold short (no orphaned shares)', async () => {
    const address = privateKeyToAccount(pk).address;
    const first = await run(buy());
    if (first.kind !== 'filled') throw new Error(first.kind);
    lx.clob.faults.settlementDelayMs = 300;
    const second = await run(buy());
    if (second.kind !== 'filled') throw new Error(second.kind);
    const held = first.shares - first.feeShares + second.shares - second.feeShares;
    expect(lx.clob.ledger.balance(address, up)).toBe(first.shares - first.feeShares);
    const sell = { ...buy(390_000), side: 'SELL' as const, shares: Math.floor(held / 10_000) * 10_000 };
    delete (sell as { notional?: number }).notional;
    const early = await run(sell);
    expect(early).toMatchObject({ kind: 'rejected' });
    expect(early.kind === 'rejected' && early.reason).toMatch(/settlement pending/);
    await new Promise((r) => setTimeout(r, 350));
    const later = await run({ ...sell, clientOrderId: `${sell.clientOrderId}b` });
    expect(later).toMatchObject({ kind: 'filled', shares: sell.shares });
  });

  it('signs exact amounts on a 0.001 tick (client market orders would carry a 5-dp taker)', async () => {
    lx.step(11); // rows 10–12 put the up bid at 0.97: tick 0.001
    const book = lx.books(up)!;
    expect(book.tickSize).toBe(1_000);
    const ask = book.asks[0]!.price;
    const v2 = await ClobVenue.create({
      host: lx.url,
      chainId: 137,
      account: privateKeyToAccount(pk),
      tickSizeOf: () => 1_000,
    });
    const got: VenueEvent[] = [];
    v2.setListener((e) => got.push(e));
    v2.submit({ ...buy(ask + 3_000, 5_000_000), clientOrderId: 'fine' });
    await v2.idle();
    expect(got[0]).toMatchObject({ kind: 'filled' });
  });

  it('POST /_control/fault drives the CLOB switches', async () => {
    const res = await fetch(`${lx.url}/_control/fault`, {
      method: 'POST',
      body: JSON.stringify({ fault: 'fokKill', n: 1 }),
    });
    expect(res.status).toBe(200);
    expect(await run(buy())).toMatchObject({ kind: 'killed' });
  });

  it('never puts the private key or API secret in reasons or log lines', async () => {
    lx.clob.faults.httpErrorNext(500, 10);
    await run(buy());
    await run(buy(415_000));
    await run(buy(420_000, 500_000));
    const creds = (venue as unknown as { client: { creds: { secret: string; passphrase: string } } }).client
      .creds;
    const text = JSON.stringify(events) + logLines.join('\n');
    expect(logLines.length).toBeGreaterThan(0);
    for (const secret of [pk, pk.slice(2), creds.secret, creds.passphrase])
      expect(text).not.toContain(secret);
    const err = await ClobVenue.create({
      host: 'http://127.0.0.1:1',
      chainId: 137,
      account: privateKeyToAccount(pk),
    }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/could not create or derive/);
    expect((err as Error).message).not.toContain(pk.slice(2));
  });
});
