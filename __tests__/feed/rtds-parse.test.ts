import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseRtdsFrame } from '../../src/feed/rtds-parse';

const FIX = path.resolve(__dirname, '../../../shared/data/fixtures');
const raw = (rel: string): string => readFileSync(path.join(FIX, rel), 'utf8');

describe('parseRtdsFrame', () => {
  test('Chainlink update: float value plus exact ×1e18 string', () => {
    expect(parseRtdsFrame(raw('brunoomoniz-btc5m/ws_update_frame.json'))).toEqual({
      prices: [
        {
          topic: 'crypto_prices_chainlink',
          symbol: 'btc/usd',
          tsMs: 1789698805000,
          value: 76904.86308162566,
          valueE18: '76904863081625670000000',
        },
      ],
      rejected: [],
      pong: false,
    });
  });

  test('Binance update: full_accuracy_value is a plain decimal, so no valueE18', () => {
    const r = parseRtdsFrame(raw('nautilus-trader/rtds_crypto_prices_update.json'));
    expect(r.prices).toEqual([
      { topic: 'crypto_prices', symbol: 'btcusdt', tsMs: 1780730269000, value: 61035.86, valueE18: null },
    ]);
  });

  test('TWAP-60 update is accepted with its topic', () => {
    const r = parseRtdsFrame(raw('nautilus-trader/rtds_crypto_twap_sixty_update.json'));
    expect(r.prices[0]).toMatchObject({
      topic: 'crypto_prices_twap_sixty',
      valueE18: '64997810000000000000000',
    });
  });

  test('subscribe snapshots: points in order; Chainlink snapshot labelled crypto_prices is routed by symbol', () => {
    const b = parseRtdsFrame(raw('nautilus-trader/rtds_crypto_prices_subscribe.json'));
    expect(b.prices.map((p) => [p.topic, p.tsMs, p.value])).toEqual([
      ['crypto_prices', 1780726209000, 61164.12],
      ['crypto_prices', 1780726210000, 61161.07],
      ['crypto_prices', 1780726211000, 61150.89],
    ]);
    const c = parseRtdsFrame(raw('brunoomoniz-btc5m/ws_frame.json'));
    expect(c.prices).toHaveLength(5);
    expect(c.prices.every((p) => p.topic === 'crypto_prices_chainlink' && p.symbol === 'btc/usd')).toBe(true);
  });

  test('pong, bad JSON, other topics, bad points and disagreeing exact values are reported', () => {
    expect(parseRtdsFrame('PONG').pong).toBe(true);
    expect(parseRtdsFrame('pong').pong).toBe(true);
    expect(parseRtdsFrame('{').rejected).toEqual(['invalid JSON']);
    expect(parseRtdsFrame('{"topic":"activity","payload":{"symbol":"x"}}').rejected).toEqual([
      'frame: unsupported topic activity',
    ]);
    const r = parseRtdsFrame(
      JSON.stringify([
        { topic: 'crypto_prices', payload: { symbol: 'ETHUSDT', timestamp: 5, value: 'NaN' } },
        {
          topic: 'crypto_prices_chainlink',
          payload: {
            symbol: 'eth/usd',
            timestamp: 5,
            value: 2000,
            full_accuracy_value: '3000000000000000000000',
          },
        },
        {
          payload: {
            symbol: 'btc/usd',
            data: [{ timestamp: 1, value: 2 }, null, { timestamp: -1, value: 2 }],
          },
        },
        { topic: 'crypto_prices' },
      ]),
    );
    expect(r.prices).toEqual([
      { topic: 'crypto_prices_chainlink', symbol: 'btc/usd', tsMs: 1, value: 2, valueE18: null },
    ]);
    expect(r.rejected).toEqual([
      '[0]: value invalid',
      '[1]: full_accuracy_value disagrees with value',
      '[2].data[1]: not an object',
      '[2].data[2]: timestamp invalid',
      '[3]: no payload',
    ]);
  });
});
