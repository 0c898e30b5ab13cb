import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import path from 'node:path';
import { InputError } from '../../src/core/errors';
import { marketSupport, parseGammaEventOrMarkets, parseGammaMarket } from '../../src/market/gamma';

const FIX = path.resolve(__dirname, '../../../shared/data/fixtures');
const load = (rel: string): unknown => JSON.parse(readFileSync(path.join(FIX, rel), 'utf8')) as unknown;
const market = (): Record<string, unknown> => ({
  ...(load('nautilus-trader/gamma_market.json') as Record<string, unknown>),
});

describe('parseGammaMarket', () => {
  test('nautilus BTC 5m market: window from slug, tokens by outcome label, venue params in micros', () => {
    const m = parseGammaMarket(market());
    expect(m).toEqual({
      window: { crypto: 'BTC', windowSec: 300, windowEpoch: 1773307200 },
      slug: 'btc-updown-5m-1773307200',
      conditionId: '0x78443f961b9a65869dcb39359de9960165c7e5cbad0904eac7f29cd77872a63b',
      upTokenId: '104239898038807136052399800151408521467737075933964991162589336683346093173875',
      downTokenId: expect.stringMatching(/^71183960810705820955071415844881728181970340514894896943812046/),
      startMs: Date.parse('2026-03-12T09:20:00Z'),
      endMs: Date.parse('2026-03-12T09:25:00Z'),
      tickSize: 10_000,
      minOrderSize: 5_000_000,
      negRisk: false,
      protocolVersion: 'v1',
      active: true,
      closed: false,
    });
  });

  test('TWAP-era market and the brunoomoniz /markets?slug= array', () => {
    const twap = parseGammaMarket(load('nautilus-trader/gamma_market_crypto_twap.json'));
    expect(twap.window).toEqual({ crypto: 'BTC', windowSec: 300, windowEpoch: 1787414400 });
    const list = parseGammaEventOrMarkets(load('brunoomoniz-btc5m/gamma_market.json'));
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({
      slug: 'btc-updown-5m-1789697400',
      endMs: Date.parse('2026-09-18T02:15:00Z'),
    });
    expect(list[0]!.upTokenId.startsWith('31479336418831605188')).toBe(true);
  });

  test('outcome order is read, not assumed: ["Down","Up"] swaps the tokens', () => {
    const m = market();
    m.outcomes = '["down", "UP"]';
    const info = parseGammaMarket(m);
    expect(info.upTokenId).toMatch(/^7118/);
    expect(info.downTokenId).toMatch(/^1042/);
  });

  test('events response: markets[] of every event', () => {
    const ev = { id: '1', slug: 'btc-updown-5m-1773307200', markets: [market()] };
    expect(parseGammaEventOrMarkets([ev])).toHaveLength(1);
    expect(parseGammaEventOrMarkets(ev)).toHaveLength(1);
    expect(parseGammaEventOrMarkets([])).toEqual([]);
    expect(() => parseGammaEventOrMarkets([{ markets: [{}] }])).toThrow(
      /item 0 market 0: Gamma market: missing slug/,
    );
  });

  test.each<[string, (m: Record<string, unknown>) => void, RegExp]>([
    ['not JSON outcomes', (m) => (m.outcomes = '[Up, Down]'), /outcomes is not valid JSON/],
    ['Yes/No outcomes', (m) => (m.outcomes = '["Yes", "No"]'), /not one Up and one Down/],
    ['three outcomes', (m) => (m.outcomes = '["Up", "Down", "Up"]'), /not one Up and one Down/],
    ['one token', (m) => (m.clobTokenIds = '["1"]'), /two distinct decimal token ids/],
    ['hex token', (m) => (m.clobTokenIds = '["0x1", "2"]'), /two distinct decimal token ids/],
    ['same tokens', (m) => (m.clobTokenIds = '["1", "1"]'), /two distinct/],
    ['missing tokens', (m) => delete m.clobTokenIds, /missing outcomes or clobTokenIds/],
    ['price > 1', (m) => (m.outcomePrices = '["1.2", "0"]'), /outcomePrices/],
    ['numbers list', (m) => (m.outcomePrices = '[0.5, 0.5]'), /not a list of strings/],
    ['bad tick', (m) => (m.orderPriceMinTickSize = 0.02), /not a venue tick/],
    ['bad slug', (m) => (m.slug = 'will-it-rain'), /not a supported Up\/Down window/],
    ['start mismatch', (m) => (m.eventStartTime = '2026-03-12T09:25:00Z'), /disagrees with the slug/],
    ['end mismatch', (m) => (m.endDate = '2026-03-12T09:30:00Z'), /window end/],
    ['bad date', (m) => (m.endDate = 'tomorrow'), /not an ISO date/],
    ['bad condition', (m) => (m.conditionId = '0x12'), /conditionId/],
    ['non-boolean', (m) => (m.closed = 'false'), /closed is not a boolean/],
    ['negative min size', (m) => (m.orderMinSize = -5), /orderMinSize/],
  ])('%s → InputError', (_name, mutate, message) => {
    const m = market();
    mutate(m);
    expect(() => parseGammaMarket(m)).toThrow(InputError);
    expect(() => parseGammaMarket(m)).toThrow(message);
  });

  test('not an object', () => {
    expect(() => parseGammaMarket(null)).toThrow('Gamma market: not an object');
    expect(() => parseGammaEventOrMarkets('x')).toThrow(/item 0: not an object/);
  });

  test('1h market with a yearless slug is dated by eventStartTime', () => {
    const m = market();
    m.slug = 'bitcoin-up-or-down-november-13-9pm-et';
    m.eventStartTime = '2025-11-14T02:00:00Z';
    m.endDate = '2025-11-14T03:00:00Z';
    expect(parseGammaMarket(m).window).toEqual({
      crypto: 'BTC',
      windowSec: 3600,
      windowEpoch: Date.UTC(2025, 10, 14, 2) / 1000,
    });
  });
});

describe('protocol version and marketSupport (issue #8 point 8)', () => {
  test('captured payloads carry no version (= v1), negRisk false: every one is supported', () => {
    const fixtures = [
      parseGammaMarket(market()),
      parseGammaMarket(load('nautilus-trader/gamma_market_crypto_twap.json')),
      ...parseGammaEventOrMarkets(load('brunoomoniz-btc5m/gamma_market.json')),
    ];
    // 292 live BTC 5m market objects of 2026-07-24 (ligengxin96 sample, `raw` = the Gamma object).
    const lines = gunzipSync(
      readFileSync(path.join(FIX, '../ligengxin96-btc5m-chainlink/BTC-5m-markets-2026-07-24.jsonl.gz')),
    )
      .toString('utf8')
      .split('\n')
      .filter((l) => l.trim() !== '');
    const live = lines.map((l) => parseGammaMarket((JSON.parse(l) as { raw: unknown }).raw));
    expect(live.length).toBeGreaterThan(200);
    for (const m of [...fixtures, ...live]) {
      expect(m.protocolVersion).toBe('v1');
      expect(m.negRisk).toBe(false);
      expect(marketSupport(m)).toEqual({ ok: true });
    }
  });

  test.each<[unknown, string]>([
    ['v1', 'v1'],
    ['v2', 'v2'],
    ['V2', 'v2'],
    [' 2 ', 'v2'],
    [2, 'v2'],
    [null, 'v1'],
    ['', 'v1'],
    ['Beta', 'beta'],
    ['v2.1', 'v2.1'],
  ])('version %p parses as %s', (version, expected) => {
    const m = market();
    m.version = version;
    expect(parseGammaMarket(m).protocolVersion).toBe(expected);
  });

  test.each<[unknown]>([[true], [{ v: 2 }], ['   '], ['x'.repeat(40)]])(
    'version %p is refused at the boundary',
    (v) => {
      const m = market();
      m.version = v;
      expect(() => parseGammaMarket(m)).toThrow(/version .* is not a protocol version/);
    },
  );

  test('Protocol-V2 and neg-risk markets are not traded, each with a one-line reason naming the market', () => {
    const v2 = market();
    v2.version = 'v2';
    const a = marketSupport(parseGammaMarket(v2));
    expect(a.ok).toBe(false);
    if (!a.ok) {
      expect(a.reason).toMatch(/^market btc-updown-5m-1773307200 is protocol v2 .*not traded/);
      expect(a.reason).not.toContain('\n');
    }
    const nr = market();
    nr.negRisk = true;
    const b = marketSupport(parseGammaMarket(nr));
    expect(b.ok).toBe(false);
    if (!b.ok) expect(b.reason).toMatch(/^market btc-updown-5m-1773307200 is neg-risk/);
    // A synthetic MarketInfo without the field counts as v1.
    expect(marketSupport({ slug: 's', negRisk: false })).toEqual({ ok: true });
    expect(marketSupport({ slug: 's', negRisk: false, protocolVersion: 'v3' }).ok).toBe(false);
    const odd = market();
    odd.version = 'beta';
    expect(marketSupport(parseGammaMarket(odd)).ok).toBe(false);
  });
});
