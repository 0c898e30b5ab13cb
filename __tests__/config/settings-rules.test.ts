/**
 * Strict settings (issue #9): every wrong value a person types is refused with one line naming
 * the setting and what it expects, from the environment and from the config file alike; blank
 * environment values mean "unset → default".
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../src/core/errors';
import { DEFAULT_STRATEGIES } from '../../src/config/strategies';
import { loadConfig, strategyWindowRefusals } from '../../src/config/schema';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'settings-rules-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The error line of loading `file` (JSON) or `env`, or null when it loads. */
function refusal(o: { env?: Record<string, string>; file?: unknown }): string | null {
  let configPath: string | undefined;
  if (o.file !== undefined) {
    configPath = join(dir, `c${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(configPath, JSON.stringify(o.file));
  }
  try {
    loadConfig({ env: o.env ?? {}, configPath });
    return null;
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    const msg = (err as Error).message;
    expect(msg).not.toContain('\n');
    return msg;
  }
}

describe('numbers and booleans are what they say (environment)', () => {
  it.each([
    [
      'STOP_LOSS_PCT',
      '0x5',
      /^invalid setting: STOP_LOSS_PCT: expected a decimal number in \(0, 1\), got "0x5"$/,
    ],
    ['STOP_LOSS_PCT', '1e-1', /STOP_LOSS_PCT: expected a decimal number in \(0, 1\), got "1e-1"/],
    ['STOP_LOSS_PCT', '.5', /STOP_LOSS_PCT: expected a decimal number in \(0, 1\), got ".5"/],
    ['STOP_LOSS_PCT', '0,5', /STOP_LOSS_PCT: expected a decimal number in \(0, 1\), got "0,5"/],
    ['MAX_EXIT_ROUNDS', '0b1', /MAX_EXIT_ROUNDS: expected a whole number in \[1, 20\], got "0b1"/],
    ['MAX_EXIT_ROUNDS', '0o7', /MAX_EXIT_ROUNDS: expected a whole number in \[1, 20\], got "0o7"/],
    ['MAX_EXIT_ROUNDS', '2.5', /MAX_EXIT_ROUNDS: expected a whole number in \[1, 20\], got 2.5/],
    ['STALE_BOOK_MS', '1e4', /STALE_BOOK_MS: expected a whole number of ms ≥ 1000, got "1e4"/],
    ['POSITION_SIZE_USDC', 'five', /POSITION_SIZE_USDC: expected a decimal number > 0, got "five"/],
    ['POSITION_SIZE_USDC', 'Infinity', /POSITION_SIZE_USDC: expected a decimal number > 0, got "Infinity"/],
    ['PERSIST_TICKS', 'yes', /PERSIST_TICKS: expected true or false, got "yes"/],
    ['CHAIN_ID', '0x89', /CHAIN_ID: expected a whole number > 0, got "0x89"/],
    [
      'COLLECT_INTERVALS',
      '15m,7m',
      /COLLECT_INTERVALS: expected window lengths from 5m, 15m, 1h, 4h, comma-separated, got "15m,7m"/,
    ],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL: .*expected one of/],
  ])('%s=%j is refused', (key, value, re) => {
    expect(refusal({ env: { [key]: value } })).toMatch(re);
  });

  it.each([['STOP_LOSS_PCT'], ['STALE_BOOK_MS'], ['PERSIST_TICKS']])(
    'a blank %s means unset: the default',
    (key) => {
      const defaults = loadConfig({ env: {} });
      for (const blank of ['', ' ', '\t']) {
        const c = loadConfig({ env: { [key]: blank } });
        expect(c[key as keyof typeof c]).toEqual(defaults[key as keyof typeof defaults]);
      }
    },
  );

  it('plain decimals with spaces around are read', () => {
    expect(loadConfig({ env: { STOP_LOSS_PCT: ' 0.3 ' } }).STOP_LOSS_PCT).toBe(0.3);
  });
});

describe('numbers and booleans are what they say (config file)', () => {
  it.each([
    [{ STOP_LOSS_PCT: null }, /STOP_LOSS_PCT: expected a decimal number in \(0, 1\), got null/],
    [{ STOP_LOSS_PCT: [] }, /STOP_LOSS_PCT: expected a decimal number in \(0, 1\), got \[\]/],
    [{ FEE_RATE: false }, /FEE_RATE: expected a decimal number in \[0, 1\], got false/],
    [{ MAX_EXIT_ROUNDS: true }, /MAX_EXIT_ROUNDS: expected a whole number in \[1, 20\], got true/],
    [{ MAX_EXIT_ROUNDS: {} }, /MAX_EXIT_ROUNDS: expected a whole number in \[1, 20\], got \{\}/],
    [{ PERSIST_TICKS: 1 }, /PERSIST_TICKS: expected JSON true or false, got 1/],
    [{ PERSIST_TICKS: null }, /PERSIST_TICKS: expected JSON true or false, got null/],
    [{ PERSIST_TICKS: 'true' }, /PERSIST_TICKS: expected JSON true or false, got "true"/],
    [
      { STOP_LOSS_PCT: '0x5' },
      /STOP_LOSS_PCT: expected a decimal number in \(0, 1\) \(a JSON number, not a string\), got "0x5"/,
    ],
    [{ STOP_LOSS_PCT: '0.3' }, /STOP_LOSS_PCT: .*\(a JSON number, not a string\), got "0.3"/],
    [{ STALE_BOOK_MS: 0 }, /STALE_BOOK_MS: expected a whole number of ms ≥ 1000, got 0/],
    [{ TRAILING_STOP_PCT: 1 }, /TRAILING_STOP_PCT: expected a decimal number in \(0, 1\), got 1/],
    [{ COLLECT_INTERVALS: '' }, /COLLECT_INTERVALS: expected window lengths .*, got ""/],
    [{ NOT_A_SETTING: 1 }, /NOT_A_SETTING/],
  ])('%j is refused', (file, re) => {
    expect(refusal({ file })).toMatch(re);
  });

  it('several bad settings are named in one line', () => {
    const msg = refusal({ file: { STOP_LOSS_PCT: null, FEE_RATE: 'x' } });
    expect(msg).toMatch(/STOP_LOSS_PCT/);
    expect(msg).toMatch(/FEE_RATE/);
  });
});

describe('ranges that make no sense are refused', () => {
  it.each([
    ['STALE_BOOK_MS', '0', 'a whole number of ms ≥ 1000'],
    ['STALE_BOOK_MS', '999', 'a whole number of ms ≥ 1000'],
    ['POSITION_LOCK_TIMEOUT_MS', '0', 'a whole number of ms ≥ 1000'],
    ['DISCOVERY_INTERVAL_MS', '0', 'a whole number of ms ≥ 100'],
    ['WS_PING_INTERVAL_MS', '0', 'a whole number of ms ≥ 100'],
    ['RECONNECT_BASE_MS', '0', 'a whole number of ms ≥ 1'],
    ['RECONCILE_INTERVAL_MS', '0', 'a whole number of ms ≥ 100'],
    ['CLOB_REQUEST_TIMEOUT_MS', '0', 'a whole number of ms ≥ 100'],
    ['LIVE_POLL_MS', '0', 'a whole number of ms ≥ 50'],
    ['VENUE_BACKOFF_MS', '0', 'a whole number of ms ≥ 1'],
    ['STOP_LOSS_PCT', '0', 'a decimal number in (0, 1)'],
    ['STOP_LOSS_PCT', '1', 'a decimal number in (0, 1)'],
    ['TRAILING_STOP_PCT', '0', 'a decimal number in (0, 1)'],
    ['TRAILING_STOP_PCT', '1', 'a decimal number in (0, 1)'],
    ['TRAILING_ACTIVATION_PCT', '0', 'a decimal number in (0, 10]'],
    ['UPDATE_HWM_THRESHOLD', '1', 'a decimal number in [0, 1)'],
    ['FEE_RATE', '1.5', 'a decimal number in [0, 1]'],
    ['MAX_OPEN_POSITIONS', '-1', 'a whole number ≥ 0'],
    ['SIGNATURE_TYPE', '4', 'a whole number in [0, 3]'],
    ['MAX_EXIT_ATTEMPTS', '0', 'a whole number in [1, 20]'],
    ['RECONNECT_MAX_MS', '0', 'a whole number of ms ≥ 1'],
    ['MAX_POSITION_USDC', '0', 'a decimal number > 0'],
    ['ENTRY_PRICE_BUFFER', '0.6', 'a decimal number in [0, 0.5]'],
  ])('%s=%s is refused (env and file): expected %s', (key, value, expected) => {
    const line = `${key}: expected ${expected}, got ${value}`;
    expect(refusal({ env: { [key]: value } })).toBe(`invalid setting: ${line}`);
    expect(refusal({ file: { [key]: Number(value) } })).toContain(line);
  });

  it.each([
    // 0 means "off" or "none" for these (README "Environment variables")
    ['MAX_OPEN_POSITIONS', '0'],
    ['DAILY_LOSS_LIMIT_USDC', '0'],
    ['EXIT_BEFORE_END_MS', '0'],
    ['SIM_LATENCY_MS', '0'],
    ['EXIT_RETRY_DELAY_MS', '0'],
    ['EXIT_COOLDOWN_MS', '0'],
    ['SETTLEMENT_GRACE_MS', '0'],
    ['REORDER_WINDOW_MS', '0'],
    ['SUBSCRIBE_AHEAD_MS', '0'],
    ['UNSUBSCRIBE_AFTER_MS', '0'],
    ['FEE_RATE', '0'],
    ['MIN_PROFIT_FLOOR_PCT', '0'],
  ])('%s=%s is allowed (0 = off / none)', (key, value) => {
    expect(refusal({ env: { [key]: value } })).toBeNull();
    expect(refusal({ file: { [key]: Number(value) } })).toBeNull();
  });

  it('cross-field: the back-off cap below its start, and the profit floor at the activation', () => {
    expect(refusal({ env: { VENUE_BACKOFF_MS: '5000', VENUE_BACKOFF_MAX_MS: '1000' } })).toMatch(
      /VENUE_BACKOFF_MAX_MS must be at least VENUE_BACKOFF_MS/,
    );
    expect(refusal({ env: { MIN_PROFIT_FLOOR_PCT: '0.2', TRAILING_ACTIVATION_PCT: '0.2' } })).toMatch(
      /MIN_PROFIT_FLOOR_PCT must be below TRAILING_ACTIVATION_PCT/,
    );
    expect(refusal({ file: { RECONNECT_BASE_MS: 5000, RECONNECT_MAX_MS: 1000 } })).toMatch(
      /RECONNECT_MAX_MS must be at least RECONNECT_BASE_MS/,
    );
  });
});

describe('strategies that could never enter are refused', () => {
  const base = DEFAULT_STRATEGIES[0]!;
  it.each([
    [{ minPrice: 0.8, maxPrice: 0.3 }, /minPrice \(0.8\) is above maxPrice \(0.3\)/],
    [{ startAfterSec: 14_000, stopBeforeEndSec: 400 }, /leave no entry period in a 4h window/],
    [{ lookbackMs: 14_400_000 }, /lookbackMs \(14400000\) is not shorter than a 4h window/],
  ])('any command: %j', (over, re) => {
    expect(refusal({ file: { strategies: [{ ...base, ...over }] } })).toMatch(re);
  });

  it.each([
    [{ startAfterSec: 600, stopBeforeEndSec: 300 }, '15m', /no entry period in a 900 s window/],
    [{ startAfterSec: 200, stopBeforeEndSec: 100 }, '5m,15m', /in a 300 s window/],
    [{ lookbackMs: 900_000 }, '15m', /lookbackMs \(900000\) is not shorter than a 900 s window/],
  ])('trade: %j on %s', (over, intervals, re) => {
    const cfg = loadConfig({ env: { COLLECT_INTERVALS: intervals } });
    const lines = strategyWindowRefusals({ ...cfg, strategies: [{ ...base, ...over }] });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(re);
  });

  it('the default strategies fit 15m, 1h and 4h windows; momentum waits 300 s, the whole of a 5m window', () => {
    for (const iv of ['15m', '1h', '4h'])
      expect(strategyWindowRefusals(loadConfig({ env: { COLLECT_INTERVALS: iv } }))).toEqual([]);
    expect(strategyWindowRefusals(loadConfig({ env: { COLLECT_INTERVALS: '5m' } }))).toEqual([
      expect.stringMatching(/^strategy momentum: startAfterSec \(300\)/),
    ]);
    // collect does not trade: 5m loads
    expect(refusal({ env: { COLLECT_INTERVALS: '5m' } })).toBeNull();
  });
});

describe('the defaults', () => {
  it('load, and a secret never appears in an error line', () => {
    expect(refusal({})).toBeNull();
    const key = `0x${'ab'.repeat(32)}`;
    const msg = refusal({ env: { PRIVATE_KEY: key, STOP_LOSS_PCT: 'x' } });
    expect(msg).not.toContain(key.slice(2));
    const typed = refusal({ file: { PRIVATE_KEY: 1234567890123, CLOB_API_SECRET: ['s3cr3t-value'] } });
    expect(typed).toMatch(/PRIVATE_KEY/);
    expect(typed).not.toContain('1234567890123');
    expect(typed).not.toContain('s3cr3t-value');
  });

  it('a config file that is not JSON is named without quoting it (the parser quotes secrets)', () => {
    const key = 'ab'.repeat(32);
    for (const text of [`{"PRIVATE_KEY": x${key}}`, `{\n"CLOB_API_SECRET": "${key}",\n x}`]) {
      const path = join(dir, 'broken.json');
      writeFileSync(path, text);
      let msg = '';
      try {
        loadConfig({ env: {}, configPath: path });
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        expect((err as Error).cause).toBeUndefined();
        msg = (err as Error).message;
      }
      expect(msg).toMatch(/^config file .*broken\.json is not valid JSON/);
      expect(msg).not.toContain(key.slice(0, 8));
    }
  });

  it('every line of .env.example, given as the environment, loads the defaults', () => {
    const text = readFileSync(join(__dirname, '..', '..', '.env.example'), 'utf8');
    const env = Object.fromEntries([...text.matchAll(/^([A-Z_]+)=(.*)$/gm)].map((m) => [m[1]!, m[2]!]));
    expect(Object.keys(env).length).toBeGreaterThan(40);
    expect(loadConfig({ env })).toEqual(loadConfig({ env: {} }));
  });

  it('are the values `npm start` has always run with (issue #2, #8)', () => {
    expect(loadConfig({ env: {} })).toMatchObject({
      POSITION_SIZE_USDC: 5,
      STOP_LOSS_PCT: 0.25,
      TRAILING_ACTIVATION_PCT: 0.15,
      TRAILING_STOP_PCT: 0.1,
      MIN_PROFIT_FLOOR_PCT: 0.05,
      STALE_BOOK_MS: 30_000,
      POSITION_LOCK_TIMEOUT_MS: 30_000,
      EXIT_BEFORE_END_MS: 0,
      SIM_LATENCY_MS: 0,
      REORDER_WINDOW_MS: 300_000,
      COLLECT_INTERVALS: '15m',
      PERSIST_TICKS: true,
    });
  });
});
