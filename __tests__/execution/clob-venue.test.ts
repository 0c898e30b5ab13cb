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
import { REDACT_PATHS } from '../../src/platform/logger';
import { COLLATERAL } from '../../testkit/exchange-local/clob/ledger';
import { startLocalExchange, type LocalExchange } from '../../testkit/exchange-local/server';
import { syntheticRows } from '../../testkit/exchange-local/test-client';
import { TraderError } from '../../src/core/errors';
import { ClobVenue, type ClobVenueOptions } from '../../src/execution/clob-venue';
import { waitFor } from '../helpers/wait-for';

let lx: LocalExchange;
let venue: ClobVenue;
let opts: ClobVenueOptions;
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
  opts = {
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
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A second venue on the same wallet (its credentials are derived this time). */
async function another(extra: Partial<ClobVenueOptions> = {}): Promise<{ v: ClobVenue; got: VenueEvent[] }> {
  const v = await ClobVenue.create({ ...opts, ...extra });
  const got: VenueEvent[] = [];
  v.setListener((e) => got.push(e));
  return { v, got };
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
    expect(ev).toMatchObject({ kind: 'rejected', cause: 'venue_unavailable' });
    expect(ev.kind === 'rejected' && ev.reason).toMatch(/after 4 attempts/);
  });

  it('reports decision-to-post and round-trip latencies of each POST (issue #13 histograms)', async () => {
    const seen: { kind: string; ms: number }[] = [];
    let now = 0;
    const { v, got } = await another({
      onLatency: (kind, ms) => seen.push({ kind, ms }),
      monotonic: () => (now += 1), // each reading 1 ms after the last: deterministic figures
    });
    lx.clob.faults.httpErrorNext(500, 1); // two POSTs: one retried, one filled
    v.submit(buy());
    await v.idle();
    expect(got.at(-1)).toMatchObject({ kind: 'filled' });
    expect(seen.map((s) => s.kind)).toEqual([
      'decision_to_post',
      'round_trip',
      'decision_to_post',
      'round_trip',
    ]);
    expect(seen.every((s) => s.ms > 0)).toBe(true);
    // the retry's decision-to-post counts from the submit: it includes the first attempt
    expect(seen[2]!.ms).toBeGreaterThan(seen[0]!.ms);
  });

  it('re-signs after order_version_mismatch and fills', async () => {
    lx.clob.faults.versionMismatchNext(1);
    expect(await run(buy())).toMatchObject({ kind: 'filled' });
    expect(venue.orderIdsOf(events[0]!.clientOrderId)).toHaveLength(2);
  });

  it('reports the kill switch as killed, with the venue text', async () => {
    lx.clob.faults.killNext();
    const ev = await run(buy());
    expect(ev).toMatchObject({ kind: 'killed', cause: 'market' });
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
    // long enough that the balance cannot have moved when it is read right after the fill
    lx.clob.faults.settlementDelayMs = 2_000;
    const ev = await run(buy());
    if (ev.kind !== 'filled') throw new Error(ev.kind);
    const address = privateKeyToAccount(pk).address;
    expect(lx.clob.ledger.balance(address, up)).toBe(0);
    const held = ev.shares - ev.feeShares;
    await waitFor(() => lx.clob.ledger.balance(address, up) === held, 10_000, { what: 'the settlement' });
    const sell = { ...buy(390_000), side: 'SELL' as const, shares: Math.floor(held / 10_000) * 10_000 };
    delete (sell as { notional?: number }).notional;
    expect(await run(sell)).toMatchObject({ kind: 'filled' });
    expect(venue.balance(up)).toBe(held);
  });

  it('a sell while part of the balance still settles is rejected, never sold short (no orphaned shares)', async () => {
    const address = privateKeyToAccount(pk).address;
    const first = await run(buy());
    if (first.kind !== 'filled') throw new Error(first.kind);
    lx.clob.faults.settlementDelayMs = 2_000;
    const second = await run(buy());
    if (second.kind !== 'filled') throw new Error(second.kind);
    const held = first.shares - first.feeShares + second.shares - second.feeShares;
    expect(lx.clob.ledger.balance(address, up)).toBe(first.shares - first.feeShares);
    const sell = { ...buy(390_000), side: 'SELL' as const, shares: Math.floor(held / 10_000) * 10_000 };
    delete (sell as { notional?: number }).notional;
    const early = await run(sell);
    expect(early).toMatchObject({ kind: 'rejected', cause: 'settlement_pending' });
    expect(early.kind === 'rejected' && early.reason).toMatch(/settlement pending/);
    await waitFor(() => lx.clob.ledger.balance(address, up) === held, 10_000, { what: 'the settlement' });
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
    expect(err).toBeInstanceOf(TraderError);
    expect((err as TraderError).action).toBe('config');
    expect((err as Error).message).toMatch(/could not create or derive/);
    expect((err as Error).message).not.toContain(pk.slice(2));
  });
});

describe('order status spellings (issue #8 point 1)', () => {
  it.each(['MATCHED', 'ORDER_STATUS_MATCHED', 'matched'] as const)(
    'a POST reply spelt %s → filled',
    async (sp) => {
      lx.clob.faults.statusSpellingNext(sp);
      expect(await run(buy())).toMatchObject({ kind: 'filled' });
      expect(lx.clob.faults.stats.spellingsServed[sp]).toBe(1);
    },
  );

  it.each(['MATCHED', 'ORDER_STATUS_MATCHED', 'matched', 'associate_trades_null'] as const)(
    'after a lost answer, an order record spelt %s resolves filled with its trades',
    async (sp) => {
      lx.clob.faults.statusSpellingNext(sp);
      lx.clob.faults.timeoutAfterFillNext(1, 1_000);
      const cmd = buy();
      expect(await run(cmd)).toMatchObject({ kind: 'unknown' });
      const ev = await venue.resolveUnknown(cmd.clientOrderId);
      if (ev?.kind !== 'filled') throw new Error(`expected filled, got ${JSON.stringify(ev)}`);
      expect(ev.fills.length).toBeGreaterThan(0);
      expect(ev.shares).toBeGreaterThan(0);
      expect(ev.fills.every((f) => f.price > 0)).toBe(true);
      expect(lx.clob.faults.stats.spellingsServed[sp]).toBeGreaterThan(0);
    },
  );

  it.each(['LIVE', 'DELAYED'] as const)(
    'a %s answer stays unknown while the order is pending, then resolves filled',
    async (sp) => {
      lx.clob.faults.delayedMatchMs = 400;
      lx.clob.faults.statusSpellingNext(sp);
      const cmd = buy();
      expect(await run(cmd)).toMatchObject({ kind: 'unknown' });
      expect(await venue.resolveUnknown(cmd.clientOrderId)).toBeNull();
      expect(venue.unknownOrders()).toEqual([cmd.clientOrderId]);
      await sleep(450);
      expect(await venue.resolveUnknown(cmd.clientOrderId)).toMatchObject({ kind: 'filled' });
      expect(lx.clob.faults.stats.delayedMatches).toBe(1);
      expect(lx.clob.faults.stats.statusSpellings).toBe(1);
    },
  );

  it('a delayed order the book cannot fill resolves killed', async () => {
    lx.clob.faults.delayedMatchMs = 100;
    lx.clob.faults.statusSpellingNext('DELAYED');
    const cmd = buy();
    expect(await run(cmd)).toMatchObject({ kind: 'unknown' });
    lx.clob.faults.killNext();
    await sleep(150);
    expect(await venue.resolveUnknown(cmd.clientOrderId)).toMatchObject({ kind: 'killed', cause: 'market' });
  });

  it('a 404 while the POST is still in flight stays unknown; the order then fills', async () => {
    lx.clob.faults.answerDelayNext(700);
    const cmd = buy();
    expect(await run(cmd)).toMatchObject({ kind: 'unknown' });
    expect(await venue.resolveUnknown(cmd.clientOrderId)).toBeNull();
    await sleep(600);
    expect(await venue.resolveUnknown(cmd.clientOrderId)).toMatchObject({ kind: 'filled' });
    expect(lx.clob.faults.stats.answerDelays).toBe(1);
  });

  it('a 404 once the in-flight window has passed is final: rejected, never reached the venue', async () => {
    const { v, got } = await another({ inFlightGraceMs: 50 });
    lx.clob.faults.answerDelayNext(5_000);
    const cmd = buy();
    v.submit(cmd);
    await v.idle();
    expect(got[0]).toMatchObject({ kind: 'unknown' });
    await sleep(100);
    expect(await v.resolveUnknown(cmd.clientOrderId)).toMatchObject({
      kind: 'rejected',
      cause: 'venue_unavailable',
    });
  });

  it('a matched reply with tradeIDs and no hashes is filled at once (no post-match trade polling)', async () => {
    lx.clob.faults.noTxHashNext(1);
    // the client's own post-match wait (30 s, probe §4.4) would outlast requestTimeoutMs: unknown
    const ev = await run(buy());
    expect(ev).toMatchObject({ kind: 'filled' });
    expect(ev.kind === 'filled' && ev.fills.every((f) => f.price > 0 && f.shares > 0)).toBe(true);
    expect(lx.clob.faults.stats.unsettledTrades).toBe(1);
  });
});

describe('failure causes and account set-up (issue #8)', () => {
  it.each([
    [425, 'venue_unavailable'],
    [429, 'rate_limited'],
    [500, 'venue_unavailable'],
  ] as const)('after the retries give up on %i: rejected with cause %s', async (status, cause) => {
    lx.clob.faults.httpErrorNext(status, 10);
    expect(await run(buy())).toMatchObject({ kind: 'rejected', cause });
  });

  it('maker not allowed → account_setup with one line naming the setting, reported once', async () => {
    lx.clob.setStrict({ depositWalletOnly: true });
    const hints: string[] = [];
    const { v, got } = await another({ onAccountSetupError: (h) => hints.push(h) });
    v.submit(buy());
    v.submit(buy(430_000));
    await v.idle();
    expect(got).toHaveLength(2);
    for (const ev of got) {
      expect(ev).toMatchObject({ kind: 'rejected', cause: 'account_setup' });
      expect(ev.kind === 'rejected' && ev.reason).toMatch(/SIGNATURE_TYPE=3/);
    }
    expect(hints).toHaveLength(1);
    expect(hints[0]).toMatch(/FUNDER_ADDRESS/);
    expect(hints[0]).not.toContain('\n');
  });

  it('credentials: created for a wallet without a key, derived the next time', async () => {
    const fresh = privateKeyToAccount(generatePrivateKey());
    lx.clob.ledger.apply([{ owner: fresh.address, asset: COLLATERAL, delta: 100_000_000 }]);
    const first = await ClobVenue.create({ ...opts, account: fresh });
    const got: VenueEvent[] = [];
    first.setListener((e) => got.push(e));
    first.submit(buy());
    await first.idle();
    expect(got[0]).toMatchObject({ kind: 'filled' });
    // the key exists now: the next start derives it (create is refused, derive answers)
    const second = await ClobVenue.create({ ...opts, account: fresh });
    expect(second).toBeInstanceOf(ClobVenue);
  });

  it('credentials that cannot be obtained → config error with a one-line hint', async () => {
    // L1 headers signed for another chain: the venue answers "Invalid L1 Request headers"
    const err = await ClobVenue.create({ ...opts, chainId: 80002 }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TraderError);
    expect((err as TraderError).action).toBe('config');
    expect((err as Error).message).toMatch(/PRIVATE_KEY.*CHAIN_ID/);
    expect((err as Error).message).not.toContain(pk.slice(2));
  });

  it('updateCollateral reads what the venue sees for the funder', async () => {
    const c = await venue.updateCollateral();
    expect(c.balance).toBe(1_000_000_000n);
    expect(Object.values(c.allowances).length).toBeGreaterThan(0);
  });

  it('signature types 1–3 without a funder are refused at creation', async () => {
    await expect(ClobVenue.create({ ...opts, signatureType: 3 })).rejects.toThrow(/FUNDER_ADDRESS/);
  });
});
