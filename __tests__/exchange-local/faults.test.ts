import { ClobClient, OrderType, Side } from '@polymarket/clob-client-v2';
import { createWalletClient, custom } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { polygon } from 'viem/chains';
import type { OrderCommand, VenueEvent } from '../../src/core/types';
import { COLLATERAL } from '../../testkit/exchange-local/clob/ledger';
import { startLocalExchange, type LocalExchange } from '../../testkit/exchange-local/server';
import { ClobVenue } from '../../src/execution/clob-venue';
import {
  applyFrames,
  FrameCollector,
  levelsOf,
  objectsOf,
  syntheticRows,
  type AppliedBook,
} from '../../testkit/exchange-local/test-client';
import { waitFor } from '../helpers/wait-for';

type Obj = Record<string, unknown>;

async function open(): Promise<{ lx: LocalExchange; c: FrameCollector; up: string; down: string }> {
  const lx = await startLocalExchange({ input: syntheticRows(1, 20), manual: true, rtdsInput: null });
  const c = await FrameCollector.connect(lx.marketWsUrl);
  const m = lx.markets()[0];
  const up = m?.upTokenId ?? '';
  const down = m?.downTokenId ?? '';
  c.send({ type: 'market', assets_ids: [up, down], custom_feature_enabled: true });
  await c.barrier();
  return { lx, c, up, down };
}

/** Frames one step produces without faults (for comparison). */
async function cleanStep(rows: number): Promise<string[]> {
  const { lx, c } = await open();
  try {
    lx.step(rows);
    return await c.barrier();
  } finally {
    await c.close();
    await lx.close();
  }
}

describe('local exchange fault switches', () => {
  let ctx: Awaited<ReturnType<typeof open>>;
  beforeEach(async () => {
    ctx = await open();
  });
  afterEach(async () => {
    await ctx.c.close();
    await ctx.lx.close();
  });

  it('dropConnections terminates market sockets and counts them', async () => {
    expect(ctx.lx.faults.dropConnections()).toBe(1);
    await ctx.c.waitFor(() => ctx.c.closed);
    expect(ctx.lx.stats().faults.dropped).toBe(1);
    expect(ctx.lx.stats().marketWs.open).toBe(0);
  });

  it('silence withholds a token while PING still works', async () => {
    ctx.lx.faults.silence(ctx.up, null);
    ctx.lx.step(3);
    const frames = await ctx.c.barrier();
    expect(frames.length).toBeGreaterThan(0);
    expect(frames.some((f) => f.includes(ctx.up))).toBe(false);
    expect(frames.some((f) => f.includes(ctx.down))).toBe(true);
    expect(ctx.lx.stats().faults.silenced).toBeGreaterThan(0);
    ctx.lx.faults.unsilence(ctx.up);
    ctx.lx.step(1);
    expect((await ctx.c.barrier()).some((f) => f.includes(ctx.up))).toBe(true);
  });

  it('duplicateFrames sends frames twice; the book still matches', async () => {
    const clean = await cleanStep(2);
    const books = new Map<string, AppliedBook>();
    applyFrames(books, [ctx.c.frames[0] as string]);
    ctx.lx.faults.duplicateFrames(2);
    ctx.lx.step(2);
    const frames = await ctx.c.barrier();
    expect(frames).toEqual([clean[0], clean[0], clean[1], clean[1], ...clean.slice(2)]);
    expect(ctx.lx.stats().faults.duplicated).toBe(2);
    applyFrames(books, frames);
    expect(levelsOf(books.get(ctx.up) as AppliedBook)).toEqual(ctx.lx.books(ctx.up));
  });

  it('reorderFrames swaps pairs of the next frames', async () => {
    const clean = await cleanStep(2);
    expect(clean.length).toBeGreaterThanOrEqual(3);
    ctx.lx.faults.reorderFrames(2);
    ctx.lx.step(2);
    const frames = await ctx.c.barrier();
    expect(frames).toEqual([clean[1], clean[0], ...clean.slice(2)]);
    expect(ctx.lx.stats().faults.reorderedPairs).toBe(1);
  });

  it('malformedFrames injects garbage, truncated and wrong-typed frames', async () => {
    const clean = await cleanStep(2);
    ctx.lx.faults.malformedFrames(3);
    ctx.lx.step(2);
    const frames = await ctx.c.barrier();
    expect(frames).toHaveLength(clean.length + 3);
    const bad = frames.filter((f) => !clean.includes(f));
    expect(bad).toHaveLength(3);
    expect(objectsOf(bad[0] as string)).toBeNull();
    expect(objectsOf(bad[1] as string)).toBeNull();
    const wrong = (objectsOf(bad[2] as string) ?? [])[0] as Obj;
    expect(typeof wrong['price_changes']).toBe('string');
    expect(ctx.lx.stats().faults.malformed).toBe(3);
  });

  it('tickSizeChange forces a tick_size_change and rebuilds the book on the new grid', async () => {
    const books = new Map<string, AppliedBook>();
    applyFrames(books, [ctx.c.frames[0] as string]);
    expect(ctx.lx.faults.tickSizeChange(ctx.up)).toBe(true);
    expect(ctx.lx.faults.tickSizeChange('42')).toBe(false);
    const frames = await ctx.c.barrier();
    const tsc = frames.flatMap((f) => objectsOf(f) ?? []).find((o) => o['event_type'] === 'tick_size_change');
    expect(tsc).toMatchObject({ asset_id: ctx.up, old_tick_size: '0.01', new_tick_size: '0.001' });
    applyFrames(books, frames);
    expect(ctx.lx.books(ctx.up)?.tickSize).toBe(1_000);
    expect(levelsOf(books.get(ctx.up) as AppliedBook)).toEqual(ctx.lx.books(ctx.up));
    expect(ctx.lx.stats().faults.tickSizeChanges).toBe(1);
  });

  it('POST /_control/fault drives the same switches', async () => {
    const post = async (path: string, body: unknown) => {
      const res = await fetch(`${ctx.lx.url}${path}`, { method: 'POST', body: JSON.stringify(body) });
      return { status: res.status, body: (await res.json()) as Obj };
    };
    expect((await post('/_control/fault', { fault: 'duplicate', n: 1 })).status).toBe(200);
    expect((await post('/_control/fault', { fault: 'explode' })).status).toBe(400);
    expect((await post('/_control/playback', { action: 'step', rows: 2 })).status).toBe(200);
    await ctx.c.barrier();
    const stats = (await (await fetch(`${ctx.lx.url}/_control/stats`)).json()) as Obj;
    expect(stats['rowsApplied']).toBe(2);
    expect(ctx.lx.stats().faults.duplicated).toBe(1);
    await post('/_control/fault', { fault: 'drop' });
    await ctx.c.waitFor(() => ctx.c.closed);
  });
});

/** The CLOB switches of issue #8 (status spellings, answer delay, no hashes) and precise stats (point 12). */
describe('local CLOB fault switches (issue #8)', () => {
  let lx: LocalExchange;
  let venue: ClobVenue;
  let events: VenueEvent[];
  let client: ClobClient;
  let up: string;
  let seq = 0;
  beforeEach(async () => {
    lx = await startLocalExchange({ input: syntheticRows(2, 20), manual: true, rtdsInput: null });
    const pk = generatePrivateKey();
    const account = privateKeyToAccount(pk);
    lx.clob.ledger.apply([{ owner: account.address, asset: COLLATERAL, delta: 1_000_000_000 }]);
    venue = await ClobVenue.create({ host: lx.url, chainId: 137, account, requestTimeoutMs: 500 });
    events = [];
    venue.setListener((e) => events.push(e));
    const signer = createWalletClient({
      account,
      chain: polygon,
      transport: custom({ request: () => Promise.reject(new Error('no rpc')) }),
    });
    const creds = await new ClobClient({ host: lx.url, chain: 137, signer }).createOrDeriveApiKey();
    client = new ClobClient({ host: lx.url, chain: 137, signer, creds });
    up = lx.markets()[0]!.upTokenId;
  });
  afterEach(async () => {
    await lx.close();
  });

  const buy = (): OrderCommand => ({
    clientOrderId: `f${(seq += 1)}`,
    positionKey: 'p',
    purpose: 'entry',
    tokenId: up,
    window: lx.markets()[0]!.window,
    side: 'BUY',
    tif: 'FOK',
    limitPrice: 420_000,
    notional: 5_000_000,
    createdMs: 0,
  });
  async function run(cmd: OrderCommand): Promise<VenueEvent> {
    venue.submit(cmd);
    await venue.idle();
    return events[events.length - 1]!;
  }
  async function control(body: unknown): Promise<Record<string, unknown>> {
    const res = await fetch(`${lx.url}/_control/fault`, { method: 'POST', body: JSON.stringify(body) });
    expect(res.status).toBe(200);
    return (await res.json()) as Record<string, unknown>;
  }

  it('statusSpelling answers the POST and the order record in the spelling, and counts it', async () => {
    await control({ fault: 'statusSpelling', spelling: 'ORDER_STATUS_MATCHED' });
    const cmd = buy();
    expect(await run(cmd)).toMatchObject({ kind: 'filled' });
    const id = venue.orderIdsOf(cmd.clientOrderId)[0]!;
    expect(((await client.getOrder(id)) as unknown as { status: string }).status).toBe(
      'ORDER_STATUS_MATCHED',
    );
    await control({ fault: 'statusSpelling', spelling: 'CANCELLED' });
    await control({ fault: 'fokKill' });
    const killed = buy();
    expect(await run(killed)).toMatchObject({ kind: 'killed' });
    const rec = (await client.getOrder(venue.orderIdsOf(killed.clientOrderId)[0]!)) as unknown as Record<
      string,
      unknown
    >;
    expect(rec).toMatchObject({ status: 'CANCELLED', associate_trades: null });
    expect(lx.clob.faults.stats.statusSpellings).toBe(2);
    expect(lx.clob.faults.stats.spellingsServed).toEqual({ ORDER_STATUS_MATCHED: 2, CANCELLED: 1 });
  });

  it('a delayed answer: status "delayed", the record DELAYED until the match is applied', async () => {
    await control({ fault: 'statusSpelling', spelling: 'DELAYED', matchAfterMs: 200 });
    const res = (await client.createAndPostMarketOrder(
      { tokenID: up, amount: 5, side: Side.BUY, price: 0.42 },
      undefined,
      OrderType.FOK,
    )) as unknown as Record<string, unknown>;
    expect(res).toMatchObject({ success: true, status: 'delayed' });
    const id = String(res.orderID);
    expect(await client.getOrder(id)).toMatchObject({ status: 'DELAYED', associate_trades: null });
    await waitFor(
      async () => ((await client.getOrder(id)) as unknown as { status?: string }).status === 'MATCHED',
      10_000,
      { what: 'the delayed match' },
    );
    expect(lx.clob.faults.stats.delayedMatches).toBe(1);
  });

  it('answerDelay holds the request before processing it (the order is unknown meanwhile)', async () => {
    await control({ fault: 'answerDelay', ms: 1_000 });
    const before = lx.clob.tradeLog().length;
    const pending = client.createAndPostMarketOrder({ tokenID: up, amount: 5, side: Side.BUY, price: 0.42 });
    // the request arrived and is held: nothing processed yet
    await waitFor(() => lx.clob.faults.stats.answerDelays === 1, 10_000, { what: 'the held request' });
    expect(lx.clob.tradeLog().length).toBe(before);
    await pending;
    expect(lx.clob.tradeLog().length).toBeGreaterThan(before);
  });

  it('noTxHash: trade ids but no hashes in the reply, trades never get one', async () => {
    await control({ fault: 'noTxHash' });
    const ev = await run(buy());
    expect(ev).toMatchObject({ kind: 'filled' });
    expect(lx.clob.tradeLog().every((t) => t.transaction_hash === '')).toBe(true);
  });

  it('errorsAfterFill counts only an order that filled and then got the 500', async () => {
    lx.clob.faults.errorAfterFillNext(1);
    lx.clob.faults.killNext(1);
    expect(await run(buy())).toMatchObject({ kind: 'killed' });
    expect(lx.clob.faults.stats.errorsAfterFill).toBe(0);
    expect(await run(buy())).toMatchObject({ kind: 'unknown' });
    expect(lx.clob.faults.stats.errorsAfterFill).toBe(1);
  });

  it('pending-balance counters count only a SELL that met a settling balance', async () => {
    lx.clob.faults.settlementDelayMs = 400;
    expect(await run(buy())).toMatchObject({ kind: 'filled' });
    // the venue's own pre-check reads the unsettled balance and does not post
    const sell = { ...buy(), side: 'SELL' as const, limitPrice: 390_000, shares: 5_000_000 };
    delete (sell as { notional?: number }).notional;
    expect(await run(sell)).toMatchObject({ kind: 'rejected', cause: 'settlement_pending' });
    expect(lx.clob.faults.stats.pendingBalanceReads).toBe(1);
    // a SELL posted as is meets the settling balance at the exchange
    const r = (await client.createAndPostMarketOrder(
      { tokenID: up, amount: 5, side: Side.SELL, price: 0.39 },
      undefined,
      OrderType.FOK,
    )) as unknown as Record<string, unknown>;
    expect(String(r.error)).toMatch(/not enough balance/);
    expect(lx.clob.faults.stats.pendingBalanceRefusals).toBe(1);
    // a SELL of a token with nothing settling is refused without counting
    const down = lx.markets()[0]!.downTokenId;
    await client.createAndPostMarketOrder({ tokenID: down, amount: 5, side: Side.SELL, price: 0.39 });
    expect(lx.clob.faults.stats.pendingBalanceRefusals).toBe(1);
  });
});
