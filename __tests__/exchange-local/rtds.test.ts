import { loadChainlinkFeed } from '../../testkit/exchange-local/rtds';
import {
  DEFAULT_RTDS_INPUT,
  startLocalExchange,
  type FeedPoint,
  type LocalExchange,
} from '../../testkit/exchange-local/server';
import { FrameCollector, SYNTH_EPOCH, syntheticRows } from '../../testkit/exchange-local/test-client';
import { SystemClock } from '../../src/platform/system-clock';
import type { SpotPrice } from '../../src/core/market-events';
import { RtdsClient } from '../../src/feed/rtds-client';
import { parseRtdsFrame } from '../../src/feed/rtds-parse';

type Obj = Record<string, unknown>;

const FEED_START = 1_784_851_200_000;
/** 120 points, one per second, with the first 70 s before the recording start once aligned. */
const points: FeedPoint[] = Array.from({ length: 120 }, (_, i) => ({
  tsMs: FEED_START + i * 1000,
  serverTsMs: FEED_START + i * 1000 + 1100,
  value: 65_000 + i / 10,
  fullAccuracy: `${65_000_000 + i * 100}000000000000000`,
}));

const SUB = {
  action: 'subscribe',
  subscriptions: [{ topic: 'crypto_prices_chainlink', type: '*', filters: '{"symbol":"btc/usd"}' }],
};

describe('local exchange RTDS', () => {
  let lx: LocalExchange;
  let c: FrameCollector;
  beforeEach(async () => {
    lx = await startLocalExchange({ input: syntheticRows(1, 20), manual: true, rtdsInput: points });
    c = await FrameCollector.connect(lx.rtdsUrl);
  });
  afterEach(async () => {
    await c.close();
    await lx.close();
  });

  it('answers PING with PONG and sends a snapshot, then updates on the playback clock', async () => {
    c.send(SUB);
    const [snapText, ...rest] = await c.barrier();
    expect(rest).toEqual([]);
    const snap = JSON.parse(snapText as string) as Obj;
    expect(snap).toMatchObject({ topic: 'crypto_prices', type: 'subscribe' });
    const payload = snap['payload'] as { symbol: string; data: { timestamp: number; value: number }[] };
    expect(payload.symbol).toBe('btc/usd');
    // the feed's first point is aligned to the recording's first row (the window start)
    expect(payload.data).toEqual([{ timestamp: SYNTH_EPOCH * 1000, value: 65_000 }]);

    lx.step(4); // clock → start + 3 s
    const ups = (await c.barrier()).map((f) => JSON.parse(f) as Obj);
    expect(ups).toHaveLength(3);
    expect(ups[0]).toEqual({
      topic: 'crypto_prices_chainlink',
      type: 'update',
      timestamp: SYNTH_EPOCH * 1000 + 2100,
      connection_id: expect.any(String) as unknown,
      payload: {
        symbol: 'btc/usd',
        timestamp: SYNTH_EPOCH * 1000 + 1000,
        value: 65_000.1,
        full_accuracy_value: '65000100000000000000000',
      },
    });
    expect(lx.stats().rtds.updatesSent).toBe(3);
  });

  it('ignores other symbols and stops after unsubscribe', async () => {
    c.send({
      action: 'subscribe',
      subscriptions: [{ topic: 'crypto_prices_chainlink', type: '*', filters: '{"symbol":"eth/usd"}' }],
    });
    lx.step(3);
    expect(await c.barrier()).toEqual([]);
    c.send(SUB);
    expect(await c.barrier()).toHaveLength(1);
    c.send({ ...SUB, action: 'unsubscribe' });
    await c.barrier();
    lx.step(3);
    expect(await c.barrier()).toEqual([]);
  });

  it('loads the shared Chainlink CSV', async () => {
    const feed = await loadChainlinkFeed(DEFAULT_RTDS_INPUT);
    expect(feed.length).toBe(78_515);
    expect(feed[0]).toEqual({
      tsMs: 1_784_851_200_000,
      serverTsMs: 1_784_851_201_160,
      value: 65048.078902260626,
      fullAccuracy: '65048078902260626000000',
    });
  });
});

/** The RTDS client against the local exchange (issue #9: RTDS reconnects are tested). */
describe('RtdsClient reconnects', () => {
  const opened: Array<{ close(): Promise<void> }> = [];
  afterEach(async () => {
    for (const o of opened.splice(0).reverse()) await o.close();
  });

  async function waitFor(cond: () => boolean): Promise<void> {
    for (let i = 0; i < 3000 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
    if (!cond()) throw new Error('timed out waiting');
  }

  function client(url: string, staleMs: number): { rtds: RtdsClient; prices: SpotPrice[] } {
    const prices: SpotPrice[] = [];
    const rtds = new RtdsClient({
      url,
      symbols: ['btc/usd'],
      clock: new SystemClock(),
      random: () => 0,
      parse: parseRtdsFrame,
      onPrices: (ps) => prices.push(...ps),
      pingIntervalMs: 3_600_000,
      staleMs,
      backoff: { baseMs: 10, maxMs: 40 },
    });
    opened.push({ close: () => rtds.stop() });
    rtds.start();
    return { rtds, prices };
  }

  it('reconnects when the server goes away and resubscribes when it is back on the same port', async () => {
    const first = await startLocalExchange({ input: syntheticRows(1, 20), manual: true, rtdsInput: points });
    const port = Number(new URL(first.url).port);
    const { rtds, prices } = client(first.rtdsUrl, 3_600_000);
    await waitFor(() => prices.length === 1); // the subscribe snapshot
    await first.close();
    await waitFor(() => rtds.connection.reconnects >= 3); // refused while the server is down
    expect(rtds.connection.connects).toBe(1);
    const second = await startLocalExchange({
      input: syntheticRows(1, 20),
      manual: true,
      rtdsInput: points,
      ports: { http: port },
    });
    opened.push(second);
    await waitFor(() => rtds.connection.connects === 2 && second.stats().rtds.snapshotsSent === 1);
    await waitFor(() => prices.length === 2); // the new server's snapshot: it was resubscribed
    second.step(4);
    await waitFor(() => prices.length === 5); // and updates flow again
    expect(prices.slice(2).map((p) => p.topic)).toEqual(Array(3).fill('crypto_prices_chainlink'));
    expect(rtds.counters.silentReconnects).toBe(0);
  });

  it('a feed silent for staleMs is dropped and resubscribed (the topic is known to stop, §4)', async () => {
    const lx = await startLocalExchange({ input: syntheticRows(1, 20), manual: true, rtdsInput: points });
    opened.push(lx);
    const { rtds, prices } = client(lx.rtdsUrl, 200);
    await waitFor(() => prices.length === 1);
    // nothing moves (manual playback): the silence watchdog reconnects, and the server sees a new subscribe
    await waitFor(() => rtds.counters.silentReconnects >= 1 && rtds.connection.connects >= 2);
    await waitFor(() => lx.stats().rtds.snapshotsSent >= 2);
    expect(lx.stats().rtds.connections).toBeGreaterThanOrEqual(2);
    const before = prices.length;
    lx.step(3);
    await waitFor(() => prices.length >= before + 2);
  });
});
