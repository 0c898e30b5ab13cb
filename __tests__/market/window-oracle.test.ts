import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { settlesOnChainlink, WindowOracle } from '../../src/market/window-oracle';

const DIR = resolve(__dirname, '../../../shared/data/ligengxin96-btc5m-chainlink');

describe('window settlement from the Chainlink feed (real data, 2026-07-24)', () => {
  it('reproduces the official outcome of the markets the feed covers', () => {
    const oracle = new WindowOracle(48 * 3_600_000, 0);
    const csv = gunzipSync(readFileSync(`${DIR}/BTCUSD-prices-2026-07-24.csv.gz`))
      .toString()
      .split('\n')
      .slice(1);
    for (const line of csv) {
      if (line === '') continue;
      const [ts, value, e18] = line.split(',');
      oracle.add({ tsMs: Number(ts), value: Number(value), valueE18: e18 ?? null });
    }
    const markets = gunzipSync(readFileSync(`${DIR}/BTC-5m-markets-2026-07-24.jsonl.gz`))
      .toString()
      .split('\n')
      .filter((l) => l !== '')
      .map(
        (l) =>
          JSON.parse(l) as { slug: string; start_sec: number; end_sec: number; outcome_prices: string[] },
      );
    let checked = 0;
    let agree = 0;
    for (const m of new Map(markets.map((x) => [x.slug, x])).values()) {
      // maxAge 0: only markets with a tick exactly at both the start and the end second
      const r = oracle.expectedWinner(m.start_sec * 1000, m.end_sec * 1000);
      if (r === null) continue;
      checked += 1;
      if (r.winner === (m.outcome_prices[0] === '1' ? 'UP' : 'DOWN')) agree += 1;
    }
    expect(checked).toBeGreaterThan(200);
    expect(agree).toBe(checked);
  });

  it('takes the latest price within maxAge, else none', () => {
    const o = new WindowOracle(3_600_000, 5_000);
    o.add({ tsMs: 1_000, value: 10, valueE18: '10000000000000000000' });
    o.add({ tsMs: 3_000, value: 11, valueE18: null });
    o.add({ tsMs: 2_000, value: 12, valueE18: null });
    expect(o.priceAt(2_500)).toMatchObject({ tsMs: 2_000, value: 12 });
    expect(o.priceAt(9_000)).toBeNull();
    expect(o.priceAt(500)).toBeNull();
    expect(o.expectedWinner(1_000, 3_000)).toMatchObject({ winner: 'UP' });
  });
});

describe('which windows the Chainlink oracle settles', () => {
  it('5m, 15m and 4h, not the 1h windows (Binance candle, protocol doc §2.2)', () => {
    expect([300, 900, 3600, 14_400].map(settlesOnChainlink)).toEqual([true, true, false, true]);
  });
});
