import { startLocalExchange, type LocalExchange } from '../../testkit/exchange-local/server';
import {
  applyFrames,
  FrameCollector,
  levelsOf,
  objectsOf,
  syntheticRows,
  type AppliedBook,
} from '../../testkit/exchange-local/test-client';

describe('local exchange market channel', () => {
  let lx: LocalExchange;
  let client: FrameCollector;

  beforeEach(async () => {
    lx = await startLocalExchange({ input: syntheticRows(2, 20), manual: true, rtdsInput: null });
    client = await FrameCollector.connect(lx.marketWsUrl);
  });
  afterEach(async () => {
    await client.close();
    await lx.close();
  });

  const firstMarket = (): { up: string; down: string } => {
    const m = lx.markets()[0];
    if (m === undefined) throw new Error('no market');
    return { up: m.upTokenId, down: m.downTokenId };
  };

  it('lists one market per window with synthetic ids', () => {
    const ms = lx.markets();
    expect(ms.map((m) => m.slug)).toEqual(['btc-updown-15m-1766745000', 'btc-updown-15m-1766745900']);
    expect(ms[0]?.conditionId).toMatch(/^0x[0-9a-f]{64}$/);
    expect(ms[0]?.upTokenId).toMatch(/^\d+$/);
    expect(ms[0]?.endMs).toBe(1_766_745_900_000);
  });

  it('sends a book array on subscribe and price_changes that rebuild books() exactly', async () => {
    const { up, down } = firstMarket();
    client.send({ type: 'market', assets_ids: [up, down], custom_feature_enabled: true });
    const snap = await client.barrier();
    expect(snap).toHaveLength(1);
    const arr: unknown = JSON.parse(snap[0] as string);
    expect(Array.isArray(arr)).toBe(true);
    const objs = objectsOf(snap[0] as string) ?? [];
    expect(objs.map((o) => o['event_type'])).toEqual(['book', 'book']);
    expect(new Set(objs.map((o) => o['asset_id']))).toEqual(new Set([up, down]));
    const b0 = objs[0] as Record<string, unknown>;
    expect(typeof b0['hash']).toBe('string');
    expect(b0['timestamp']).toMatch(/^\d{13}$/);
    expect(b0['tick_size']).toBe('0.01');
    expect((b0['bids'] as unknown[]).length).toBeGreaterThan(1);

    const books = new Map<string, AppliedBook>();
    applyFrames(books, snap);
    const seen = new Set<string>();
    for (let i = 0; i < 20; i++) {
      expect(lx.step()).toBe(1);
      const frames = await client.barrier();
      for (const f of frames) for (const o of objectsOf(f) ?? []) seen.add(String(o['event_type']));
      applyFrames(books, frames);
      for (const id of [up, down]) {
        const mine = books.get(id);
        expect(mine).toBeDefined();
        expect(levelsOf(mine as AppliedBook)).toEqual(lx.books(id));
      }
    }
    expect(seen).toEqual(new Set(['price_change', 'best_bid_ask', 'last_trade_price', 'tick_size_change']));
  });

  it('price_change frames follow the current schema and best levels match the book', async () => {
    const { up, down } = firstMarket();
    client.send({ type: 'market', assets_ids: [up, down] });
    await client.barrier();
    lx.step(3);
    const frames = await client.barrier();
    const pcs = frames.flatMap((f) => objectsOf(f) ?? []).filter((o) => o['event_type'] === 'price_change');
    expect(pcs.length).toBeGreaterThan(0);
    const pc = pcs[pcs.length - 1] as Record<string, unknown>;
    expect(pc['market']).toBe(lx.markets()[0]?.conditionId);
    expect(pc['timestamp']).toBe(String(1_766_745_002_000));
    const entries = pc['price_changes'] as Record<string, unknown>[];
    for (const e of entries) {
      expect(Object.keys(e).sort()).toEqual([
        'asset_id',
        'best_ask',
        'best_bid',
        'hash',
        'price',
        'side',
        'size',
      ]);
      expect(['BUY', 'SELL']).toContain(e['side']);
    }
    const lastUp = [...entries].reverse().find((e) => e['asset_id'] === up);
    expect(lastUp?.['best_bid']).toBe('0.42');
    // without custom_feature_enabled no best_bid_ask
    expect(frames.some((f) => f.includes('"best_bid_ask"'))).toBe(false);
  });

  it('answers PING with PONG and ignores unknown tokens and junk', async () => {
    client.send('not json');
    client.send({ type: 'market', assets_ids: ['123', 'nope'] });
    expect(await client.barrier()).toEqual([]);
    lx.step(5);
    expect(await client.barrier()).toEqual([]);
    expect(client.frames.filter((f) => f === 'PONG')).toHaveLength(2);
  });

  it('supports operation subscribe / unsubscribe on a live socket', async () => {
    const { up, down } = firstMarket();
    client.send({ type: 'market', assets_ids: [up] });
    await client.barrier();
    client.send({ operation: 'subscribe', assets_ids: [down] });
    const snap = await client.barrier();
    expect((objectsOf(snap[0] ?? '') ?? []).map((o) => o['asset_id'])).toEqual([down]);
    client.send({ operation: 'unsubscribe', assets_ids: [up, down] });
    await client.barrier();
    lx.step(4);
    expect(await client.barrier()).toEqual([]);
  });

  it('streams a window only while the clock is inside it', async () => {
    const second = lx.markets()[1];
    client.send({ type: 'market', assets_ids: [second?.upTokenId, second?.downTokenId] });
    expect(await client.barrier()).toHaveLength(1);
    lx.step(20);
    expect(await client.barrier()).toEqual([]);
    lx.step(3);
    expect((await client.barrier()).length).toBeGreaterThan(0);
  });
});
