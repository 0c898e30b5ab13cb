import { parseMicros } from '../../src/core/money';
import { startLocalExchange, type LocalExchange } from '../../testkit/exchange-local/server';
import { syntheticRows } from '../../testkit/exchange-local/test-client';

async function getJson(url: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url);
  return { status: res.status, body: await res.json() };
}

type Obj = Record<string, unknown>;

describe('local exchange REST and Gamma', () => {
  let lx: LocalExchange;
  beforeAll(async () => {
    lx = await startLocalExchange({ input: syntheticRows(2, 20), manual: true, rtdsInput: null });
    lx.step(4);
  });
  afterAll(async () => {
    await lx.close();
  });

  it('GET /book returns the current book in the REST shape (best last)', async () => {
    const m = lx.markets()[0];
    const id = m?.upTokenId ?? '';
    const { status, body } = await getJson(`${lx.url}/book?token_id=${id}`);
    expect(status).toBe(200);
    const b = body as Obj;
    expect(Object.keys(b).sort()).toEqual(
      [
        'asks',
        'asset_id',
        'bids',
        'hash',
        'last_trade_price',
        'market',
        'min_order_size',
        'neg_risk',
        'tick_size',
        'timestamp',
      ].sort(),
    );
    expect(b['market']).toBe(m?.conditionId);
    expect(b['neg_risk']).toBe(false);
    expect(b['tick_size']).toBe('0.01');
    const lv = (xs: unknown) =>
      (xs as { price: string; size: string }[]).map((l) => ({
        price: parseMicros(l.price),
        size: parseMicros(l.size),
      }));
    const bids = lv(b['bids']);
    const asks = lv(b['asks']);
    expect(bids.map((x) => x.price)).toEqual(
      [...bids.map((x) => x.price)].sort((x, y) => (x ?? 0) - (y ?? 0)),
    );
    expect(asks.map((x) => x.price)).toEqual(
      [...asks.map((x) => x.price)].sort((x, y) => (y ?? 0) - (x ?? 0)),
    );
    const expected = lx.books(id);
    expect([...bids].reverse()).toEqual(expected?.bids);
    expect([...asks].reverse()).toEqual(expected?.asks);
    expect(bids[bids.length - 1]?.price).toBe(430_000);
  });

  it('GET /book errors: 404 unknown, 400 invalid', async () => {
    expect(await getJson(`${lx.url}/book?token_id=123`)).toEqual({
      status: 404,
      body: { error: 'No orderbook exists for the requested token id' },
    });
    expect((await getJson(`${lx.url}/book`)).status).toBe(400);
    expect((await getJson(`${lx.url}/nope`)).status).toBe(404);
  });

  it('GET /time returns playback seconds', async () => {
    expect(await getJson(`${lx.url}/time`)).toEqual({ status: 200, body: 1_766_745_003 });
  });

  it('Gamma /markets and /events by slug with double-encoded fields', async () => {
    const m = lx.markets()[0];
    const slug = m?.slug ?? '';
    const markets = (await getJson(`${lx.url}/markets?slug=${slug}`)).body as Obj[];
    expect(markets).toHaveLength(1);
    const gm = markets[0] as Obj;
    expect(gm['slug']).toBe(slug);
    expect(gm['conditionId']).toBe(m?.conditionId);
    expect(JSON.parse(gm['outcomes'] as string)).toEqual(['Up', 'Down']);
    expect(JSON.parse(gm['clobTokenIds'] as string)).toEqual([m?.upTokenId, m?.downTokenId]);
    const prices = JSON.parse(gm['outcomePrices'] as string) as string[];
    expect(prices).toHaveLength(2);
    expect(gm['eventStartTime']).toBe('2025-12-26T10:30:00Z');
    expect(gm['endDate']).toBe('2025-12-26T10:45:00Z');
    expect(typeof gm['startDate']).toBe('string');
    expect(gm['orderPriceMinTickSize']).toBe(0.01);
    expect(gm['orderMinSize']).toBe(5);
    expect(gm).toMatchObject({ negRisk: false, active: true, closed: false, acceptingOrders: true });

    const events = (await getJson(`${lx.url}/events?slug=${slug},${lx.markets()[1]?.slug ?? ''}`))
      .body as Obj[];
    expect(events.map((e) => e['slug'])).toEqual([slug, lx.markets()[1]?.slug]);
    expect(((events[0] as Obj)['markets'] as Obj[])[0]).toEqual(gm);
    expect((events[0] as Obj)['title']).toBe('Bitcoin Up or Down - December 26, 5:30AM-5:45AM ET');
    expect((await getJson(`${lx.url}/events?slug=btc-updown-15m-1`)).body).toEqual([]);
    expect((await getJson(`${lx.url}/markets/slug/${slug}`)).body).toEqual(gm);
    expect((await getJson(`${lx.url}/events/slug/nope`)).status).toBe(404);
  });

  it('swapOutcomeOrder lists Down first with the token ids swapped', async () => {
    const sw = await startLocalExchange({
      input: syntheticRows(1, 3),
      manual: true,
      rtdsInput: null,
      swapOutcomeOrder: true,
    });
    try {
      const m = sw.markets()[0];
      const [gm] = (await getJson(`${sw.url}/markets?slug=${m?.slug ?? ''}`)).body as Obj[];
      expect(JSON.parse(gm?.['outcomes'] as string)).toEqual(['Down', 'Up']);
      expect(JSON.parse(gm?.['clobTokenIds'] as string)).toEqual([m?.downTokenId, m?.upTokenId]);
    } finally {
      await sw.close();
    }
  });
});
