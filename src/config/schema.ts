/**
 * Configuration: parsed once with zod from environment variables and an optional JSON file,
 * cross-checked, frozen (STYLE.md rule 9). Nothing else reads `process.env`.
 * Defaults and their sources: design.md §5 (exit constants), §7 (orders), issue #2 (sizes,
 * fees, latency), polymarket-protocol.md §6.5 (1 USDC minimum) and §6.7 (fee curve).
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from '../core/errors';
import { INTERVALS, intervalSec, type Interval } from '../market/windows';
import { strategyConfigSchema, DEFAULT_STRATEGIES, type StrategyConfig } from './strategies';

/**
 * Strict scalar parsing (issue #9). From the environment a number is a plain decimal string
 * (`5`, `-1`, `0.25`, spaces around allowed); `0x5`, `0b1`, `0o7`, `1e3`, `Infinity` are refused,
 * not coerced. In the JSON config file a number is a JSON number and a boolean is JSON
 * `true`/`false`: strings, `null`, `[]`, `{}` are refused there, never read as 0 or 1. A
 * boolean from the environment is one of `true false 1 0`. Every refusal is one line: the
 * setting, what it expects (with its range) and what it got.
 */
const DECIMAL = /^-?\d+(\.\d+)?$/;
const shown = (v: unknown): string => JSON.stringify(v) ?? String(v);

/** Where a value comes from: the environment (strings) or the JSON config file (JSON types). */
type Source = 'env' | 'file';

/** Bounds of a number setting; `gt`/`lt` exclude the bound, `gte`/`lte` include it. */
interface Bounds {
  readonly gt?: number;
  readonly gte?: number;
  readonly lt?: number;
  readonly lte?: number;
}

/** ` in (0, 1)`, ` ≥ 1000`, or `` for no bounds. */
function range(b: Bounds): string {
  const lo = b.gt ?? b.gte;
  const hi = b.lt ?? b.lte;
  if (lo !== undefined && hi !== undefined)
    return ` in ${b.gt === undefined ? '[' : '('}${lo}, ${hi}${b.lt === undefined ? ']' : ')'}`;
  if (lo !== undefined) return ` ${b.gt === undefined ? '≥' : '>'} ${lo}`;
  if (hi !== undefined) return ` ${b.lt === undefined ? '≤' : '<'} ${hi}`;
  return '';
}

/** The scalar builders for values from `src`. */
function scalars(src: Source) {
  /** A plain decimal string from the environment becomes its number; anything else fails as it is. */
  const toNumber = (v: unknown): unknown =>
    src === 'env' && typeof v === 'string' && DECIMAL.test(v.trim()) ? Number(v.trim()) : v;
  const numeric = (kind: string, whole: boolean, b: Bounds) => {
    const expected = `expected ${kind}${range(b)}`;
    let n = z.number({
      error: (iss) =>
        `${expected}${src === 'file' && typeof iss.input === 'string' ? ' (a JSON number, not a string)' : ''}, got ${shown(iss.input)}`,
    });
    if (whole) n = n.int();
    if (b.gt !== undefined) n = n.gt(b.gt);
    if (b.gte !== undefined) n = n.gte(b.gte);
    if (b.lt !== undefined) n = n.lt(b.lt);
    if (b.lte !== undefined) n = n.lte(b.lte);
    return z.preprocess(toNumber, n);
  };
  return {
    /** A decimal number within `b`. */
    num: (b: Bounds = {}) => numeric('a decimal number', false, b),
    /** A whole number within `b`. */
    int: (b: Bounds = {}) => numeric('a whole number', true, b),
    /** A fraction of a price in [0, 10]. */
    pct: (b: Bounds = { gte: 0 }) => numeric('a decimal number', false, { lte: 10, ...b }),
    /** A duration in whole milliseconds, ≥ 0 unless `b` says otherwise. */
    ms: (b: Bounds = { gte: 0 }) => numeric('a whole number of ms', true, b),
    bool:
      src === 'env'
        ? z.union(
            [z.boolean(), z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1')],
            { error: (iss) => `expected true or false, got ${shown(iss.input)}` },
          )
        : z.boolean({ error: (iss) => `expected JSON true or false, got ${shown(iss.input)}` }),
  };
}

/** Every scalar setting with its default, reading values from `src`. */
function buildSettings(src: Source) {
  const { num, int, pct, ms, bool } = scalars(src);
  return z.object({
    /** Notional of each entry, USDC (issue #2, default 5). */
    POSITION_SIZE_USDC: num({ gt: 0 }).default(5),
    /** Added to the best ask for the entry limit, USDC per share, rounded up to the tick (design §7). */
    ENTRY_PRICE_BUFFER: num({ gte: 0, lte: 0.5 }).default(0.01),
    /** Subtracted from the best bid for the exit limit, rounded down to the tick (design §5). */
    EXIT_PRICE_BUFFER: num({ gte: 0, lte: 0.5 }).default(0.03),
    /** Venue minimum for a marketable order, USDC (polymarket-protocol.md §6.5). */
    MIN_ORDER_NOTIONAL_USDC: num({ gte: 0 }).default(1),
    /** Fraction of the entry price lost before the stop fires, in (0, 1). */
    STOP_LOSS_PCT: num({ gt: 0, lt: 1 }).default(0.25),
    /** Profit (fraction of entry) that activates the trailing stop, in (0, 10]. */
    TRAILING_ACTIVATION_PCT: pct({ gt: 0 }).default(0.15),
    /** Trail distance below the HWM, fraction of the HWM, in (0, 1). */
    TRAILING_STOP_PCT: num({ gt: 0, lt: 1 }).default(0.1),
    /** Floor of the trailing stop above entry, fraction of entry, in [0, TRAILING_ACTIVATION_PCT). */
    MIN_PROFIT_FLOOR_PCT: pct().default(0.05),
    /** Smallest HWM step, fraction, in [0, 1). */
    UPDATE_HWM_THRESHOLD: num({ gte: 0, lt: 1 }).default(0.001),
    MIN_PROFIT_TO_REVERSE: pct().default(0.1),
    BLOCK_IF_LOSING: bool.default(true),
    MAX_EXIT_ATTEMPTS: int({ gte: 1, lte: 20 }).default(3),
    /**
     * Failed exit rounds after which the position is flagged for reconciliation and its next rounds
     * wait EXIT_COOLDOWN_MS each (design §7, issue #8 point 3); it is never abandoned.
     */
    MAX_EXIT_ROUNDS: int({ gte: 1, lte: 20 }).default(3),
    /** Wait between exit attempts of a round, ms (0 = at once). */
    EXIT_RETRY_DELAY_MS: ms().default(1000),
    /**
     * First wait before re-sending an exit the venue could not take (425 matching-engine restart,
     * 5xx, 503, 429, settlement pending), ms; doubles per failure up to VENUE_BACKOFF_MAX_MS. Such
     * failures use no attempt or round (issue #8 point 3; polymarket-protocol.md §5.7: 425 lasts
     * ~90 s, then a post-only period).
     */
    VENUE_BACKOFF_MS: ms({ gte: 1 }).default(2000),
    /** Cap of that back-off, ms (≥ VENUE_BACKOFF_MS). */
    VENUE_BACKOFF_MAX_MS: ms({ gte: 1 }).default(30_000),
    /**
     * After MAX_EXIT_ROUNDS failed rounds a position stays OPEN with its exit rules armed; each
     * later round starts no earlier than this after the previous one failed, ms (0 = at once;
     * issue #8 point 3).
     */
    EXIT_COOLDOWN_MS: ms().default(15_000),
    /** An order unanswered this long is flagged and settled from the chain, ms (≥ 1000: 0 would flag every order). */
    POSITION_LOCK_TIMEOUT_MS: ms({ gte: 1_000 }).default(30000),
    /** Most positions open at once; new entries wait (0 = no limit). Required for live trading. */
    MAX_OPEN_POSITIONS: int({ gte: 0 }).default(0),
    /** New entries stop once the UTC day's realised loss reaches this, USDC (0 = off). Required live. */
    DAILY_LOSS_LIMIT_USDC: num({ gte: 0 }).default(0),
    /** 0 = hold to resolution; > 0 = sell this many ms before the window end (design §5.5). */
    EXIT_BEFORE_END_MS: ms().default(0),
    /** Taker fee rate of the curve `shares × rate × (p(1−p))^exponent` (polymarket-protocol.md §6.7). */
    FEE_RATE: num({ gte: 0, lte: 1 }).default(0.072),
    FEE_EXPONENT: num({ gte: 0, lte: 4 }).default(1),
    /** Simulated order latency, ms (0 = none; issue #2: zero by default). */
    SIM_LATENCY_MS: ms().default(0),
    /** Comma-separated names of the strategies to run (default: all configured). */
    STRATEGIES: z.string().default(''),
    /** PostgreSQL URL; empty = embedded PGlite under DATA_DIR. */
    DATABASE_URL: z.string().default(''),
    DATA_DIR: z.string().default('./.data'),
    /** Persist every tick of a replay (true) or only runs/positions/orders (false). */
    PERSIST_TICKS: bool.default(true),
    REPLAY_INPUT: z.string().default('../shared/data/borisz42-btc15m'),
    /**
     * Rows may arrive this many ms out of order; later ones are dropped and counted (0 = none;
     * issue #2 ts order).
     */
    REORDER_WINDOW_MS: ms().default(300_000),
    OUT_PATH: z.string().default('out/trades.jsonl'),
    /** Cryptos the collector follows, comma-separated (issue #3). */
    COLLECT_CRYPTOS: z.string().default('BTC'),
    /** Window lengths the collector follows: 5m, 15m, 1h, 4h, comma-separated (at least one). */
    COLLECT_INTERVALS: z
      .string()
      .refine((v) => v.split(',').every((i) => (INTERVALS as readonly string[]).includes(i.trim())), {
        error: (iss) =>
          `expected window lengths from ${INTERVALS.join(', ')}, comma-separated, got ${shown(iss.input)}`,
      })
      .default('15m'),
    /** Venue endpoints (polymarket-protocol.md §1); point them at `npm run exchange:local` for tests. */
    GAMMA_URL: z.string().default('https://gamma-api.polymarket.com'),
    CLOB_URL: z.string().default('https://clob.polymarket.com'),
    MARKET_WS_URL: z.string().default('wss://ws-subscriptions-clob.polymarket.com/ws/market'),
    /** RTDS socket for the Chainlink spot; empty = no spot feed. */
    RTDS_URL: z.string().default('wss://ws-live-data.polymarket.com'),
    /**
     * A token with no frame for this long is stale: no orders on it, resubscribed, REST snapshot,
     * ms. ≥ 1000: the market channel is quiet for seconds on a calm book, and below a second every
     * token would be stale between frames (0 is not "off"; issue #9).
     */
    STALE_BOOK_MS: ms({ gte: 1_000 }).default(30_000),
    /** How often Gamma is asked for windows, ms (≥ 100: a poll loop, 0 would spin). */
    DISCOVERY_INTERVAL_MS: ms({ gte: 100 }).default(15_000),
    /** Subscribe a window this long before it opens, ms (0 = at its start). */
    SUBSCRIBE_AHEAD_MS: ms().default(120_000),
    /** Unsubscribe a window this long after its end, ms (0 = at its end). */
    UNSUBSCRIBE_AFTER_MS: ms().default(60_000),
    /** Text PING keepalive on the market socket, ms (≥ 100; polymarket-protocol.md §3.2: every ~10 s). */
    WS_PING_INTERVAL_MS: ms({ gte: 100 }).default(10_000),
    /** Reconnect back-off: first delay and cap (≥ the first), ms (jittered; ≥ 1). */
    RECONNECT_BASE_MS: ms({ gte: 1 }).default(500),
    RECONNECT_MAX_MS: ms({ gte: 1 }).default(30_000),
    /** Directory for recording files of the live feed; empty = none. */
    RECORD_DIR: z.string().default(''),
    /** Live trading (issue #4): must equal `yes-trade-real-money` for `trade --mode live`. */
    LIVE_CONFIRM: z.string().default(''),
    /**
     * Hard cap on POSITION_SIZE_USDC for live trading, USDC. Default 2.5: with the default settings
     * the smallest size that can sell at its stop loss is 2.13 USDC (bought at 0.16, the stop fires
     * at a bid of 0.11, 12.50 shares sell at 0.08 = 1.00 USDC, the venue minimum; `min-size.ts`,
     * issue #8 point 5). The live gate refuses a size that cannot.
     */
    MAX_POSITION_USDC: num({ gt: 0 }).default(2.5),
    /** Signing key, 0x + 64 hex. A secret: never logged, never stored. */
    PRIVATE_KEY: z.string().default(''),
    /** 0 EOA, 1 POLY_PROXY, 2 POLY_GNOSIS_SAFE, 3 POLY_1271 (polymarket-protocol.md §7.2). */
    SIGNATURE_TYPE: int({ gte: 0, lte: 3 }).default(0),
    /** Address holding the funds (proxy/Safe); empty = the key's address. Required for types 1 and 2. */
    FUNDER_ADDRESS: z.string().default(''),
    /** CLOB API credentials; empty = derived from the key (L1). Secrets. */
    CLOB_API_KEY: z.string().default(''),
    CLOB_API_SECRET: z.string().default(''),
    CLOB_API_PASSPHRASE: z.string().default(''),
    /** Chain id (137 Polygon) and its JSON-RPC URL for balances and reconciliation. */
    CHAIN_ID: int({ gt: 0 }).default(137),
    RPC_URL: z.string().default(''),
    /**
     * ConditionalTokens and collateral addresses; empty = the chain's own (137 / 80002,
     * `chain/addresses.ts`). Required on any other chain id (a local chain).
     */
    CTF_ADDRESS: z.string().default(''),
    COLLATERAL_ADDRESS: z.string().default(''),
    /**
     * V2 exchange spenders/operators needing the collateral allowance and the CTF
     * `setApprovalForAll` (polymarket-protocol.md §7.3, §10), comma-separated addresses; empty =
     * the chain's V2 spenders (`chainAddresses(...).spendersV2`). Required on a local chain (issue #8 point 4).
     */
    EXCHANGE_SPENDERS: z.string().default(''),
    /** Least native gas (POL) an EOA signer must hold at start, for redeem transactions (issue #8 point 4). */
    MIN_GAS_POL: num({ gte: 0 }).default(0.05),
    /** Chain reconciliation period, ms (≥ 100; issue #4; also run once at start). */
    RECONCILE_INTERVAL_MS: ms({ gte: 100 }).default(60_000),
    /**
     * A token with a fill more recent than this is not reconciled yet: settlement on chain lags the
     * venue's fill (polymarket-protocol.md §7), ms (0 = none).
     */
    SETTLEMENT_GRACE_MS: ms().default(60_000),
    /** How long a posted order may go unanswered before its outcome is `unknown`, ms (≥ 100). */
    CLOB_REQUEST_TIMEOUT_MS: ms({ gte: 100 }).default(5_000),
    /** How often unknown orders are queried and resolved windows checked for redeem, ms (≥ 50). */
    LIVE_POLL_MS: ms({ gte: 50 }).default(2_000),
    /** While this file exists no new entry is sent; if it contains `flatten`, open positions are sold. */
    KILL_SWITCH_FILE: z.string().default('./KILL'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  });
}

/**
 * Every scalar setting, with its default. Keys are the environment variable names; values as
 * the environment gives them (strings) or typed (`overrides`).
 */
export const settingsSchema = buildSettings('env');

/** Parsed scalar settings. */
export type Settings = z.infer<typeof settingsSchema>;

/** The frozen configuration of a run. */
export interface Config extends Settings {
  /** Strategy instances to run, in evaluation order. */
  readonly strategies: readonly StrategyConfig[];
}

/** Keys of every setting, in documentation order. */
export const SETTING_KEYS = Object.keys(settingsSchema.shape) as (keyof Settings)[];

const fileSchema = buildSettings('file')
  .partial()
  .extend({ strategies: z.array(strategyConfigSchema).optional() })
  .strict();

/**
 * Builds the configuration: defaults, then a JSON file (`configPath`, keys as in `.env.example`
 * plus `strategies`, JSON types: numbers as numbers, booleans as `true`/`false`), then
 * environment variables (highest precedence; a blank value such as `""` or `" "` means unset,
 * so the file's value or the default applies), then `overrides`. Numbers from the environment
 * are plain decimals only (issue #9). Returns a deeply frozen object.
 * @throws {ConfigError} one line: each bad setting with what it expects and what it got (never a
 * secret's value), joined by `; `.
 */
export function loadConfig(
  opts: {
    env?: Record<string, string | undefined>;
    configPath?: string | undefined;
    overrides?: Partial<Settings>;
  } = {},
): Config {
  const env = opts.env ?? {};
  let fromFile: z.infer<typeof fileSchema> = {};
  if (opts.configPath !== undefined) {
    let text: string;
    try {
      text = readFileSync(opts.configPath, 'utf8');
    } catch (err) {
      throw new ConfigError(`cannot read config file ${opts.configPath}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (err) {
      // the parser's message quotes the file around the error, which may be a secret's value
      throw new ConfigError(`config file ${opts.configPath} is not valid JSON${jsonWhere(err, text)}`);
    }
    const parsed = fileSchema.safeParse(raw);
    if (!parsed.success)
      throw new ConfigError(`config file ${opts.configPath}: ${formatIssues(parsed.error)}`);
    fromFile = parsed.data;
  }
  const fromEnv: Record<string, string> = {};
  for (const key of SETTING_KEYS) {
    const v = env[key];
    // a blank value ("", " ") means unset: the default applies (README "Environment variables")
    if (v !== undefined && v.trim() !== '') fromEnv[key] = v;
  }
  const { strategies: fileStrategies, ...fileSettings } = fromFile;
  const parsed = settingsSchema.safeParse({ ...fileSettings, ...fromEnv, ...opts.overrides });
  if (!parsed.success) throw new ConfigError(`invalid setting: ${formatIssues(parsed.error)}`);
  const settings = parsed.data;
  let strategies: readonly StrategyConfig[] = fileStrategies ?? DEFAULT_STRATEGIES;
  if (settings.STRATEGIES !== '') {
    const wanted = settings.STRATEGIES.split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    const unknown = wanted.filter((w) => !strategies.some((s) => s.name === w));
    if (unknown.length > 0) {
      throw new ConfigError(
        `STRATEGIES names unknown strategies: ${unknown.join(', ')}; known: ${strategies.map((s) => s.name).join(', ')}`,
      );
    }
    strategies = strategies.filter((s) => wanted.includes(s.name));
  }
  const config: Config = { ...settings, strategies };
  crossCheck(config);
  return deepFreeze(config);
}

function crossCheck(c: Config): void {
  const problems: string[] = [];
  if (c.POSITION_SIZE_USDC < c.MIN_ORDER_NOTIONAL_USDC) {
    problems.push(
      `POSITION_SIZE_USDC (${c.POSITION_SIZE_USDC}) is below MIN_ORDER_NOTIONAL_USDC (${c.MIN_ORDER_NOTIONAL_USDC}): raise POSITION_SIZE_USDC`,
    );
  }
  if (Math.round(c.POSITION_SIZE_USDC * 100) !== c.POSITION_SIZE_USDC * 100) {
    problems.push(
      'POSITION_SIZE_USDC must have at most 2 decimals (venue maker precision, polymarket-protocol.md §6.4)',
    );
  }
  if (c.MIN_PROFIT_FLOOR_PCT >= c.TRAILING_ACTIVATION_PCT) {
    problems.push(
      'MIN_PROFIT_FLOOR_PCT must be below TRAILING_ACTIVATION_PCT, or the trailing stop fires on activation',
    );
  }
  if (c.VENUE_BACKOFF_MAX_MS < c.VENUE_BACKOFF_MS)
    problems.push('VENUE_BACKOFF_MAX_MS must be at least VENUE_BACKOFF_MS');
  if (c.RECONNECT_MAX_MS < c.RECONNECT_BASE_MS)
    problems.push('RECONNECT_MAX_MS must be at least RECONNECT_BASE_MS');
  if (c.STOP_LOSS_PCT >= 1) problems.push('STOP_LOSS_PCT must be below 1 (a price cannot fall below 0)');
  const names = new Set<string>();
  for (const s of c.strategies) {
    if (names.has(s.name)) problems.push(`strategy name ${s.name} is used twice`);
    names.add(s.name);
    // any command: nonsense even in the longest window the venue lists (4h)
    problems.push(...strategyProblems(s, LONGEST_WINDOW_SEC, 'a 4h window, the longest'));
  }
  if (c.strategies.length === 0)
    problems.push('no strategy configured: set STRATEGIES or "strategies" in the config file');
  if (problems.length > 0) throw new ConfigError(problems.join('; '));
}

/** The longest window the venue lists (4h), s. */
const LONGEST_WINDOW_SEC = Math.max(...INTERVALS.map(intervalSec));

/**
 * Strategies that cannot enter in the windows `trade` follows (issue #9): one line each for a
 * strategy whose entry period or look-back does not fit the shortest window of
 * COLLECT_INTERVALS (e.g. the default momentum, `startAfterSec` 300, in 5m windows). Empty when
 * all fit. `collect` follows windows without trading, so only `trade` refuses on these.
 */
export function strategyWindowRefusals(c: Config): string[] {
  const secs = c.COLLECT_INTERVALS.split(',')
    .map((i) => i.trim())
    .filter((i): i is Interval => (INTERVALS as readonly string[]).includes(i))
    .map(intervalSec);
  if (secs.length === 0) return [];
  const shortest = Math.min(...secs);
  return c.strategies.flatMap((st) =>
    strategyProblems(st, shortest, `a ${shortest} s window (the shortest of COLLECT_INTERVALS)`),
  );
}

/**
 * Parameters of a strategy that can never enter (issue #9): a price band upside down, an entry
 * period (window − startAfterSec − stopBeforeEndSec) of zero or less, a look-back as long as
 * the window.
 */
function strategyProblems(st: StrategyConfig, windowSec: number, window: string): string[] {
  const out: string[] = [];
  const at = `strategy ${st.name}`;
  if (st.minPrice > st.maxPrice)
    out.push(`${at}: minPrice (${st.minPrice}) is above maxPrice (${st.maxPrice}): no entry price fits`);
  if (st.startAfterSec + st.stopBeforeEndSec >= windowSec)
    out.push(
      `${at}: startAfterSec (${st.startAfterSec}) + stopBeforeEndSec (${st.stopBeforeEndSec}) leave no entry period in ${window}`,
    );
  if (st.lookbackMs >= windowSec * 1000)
    out.push(`${at}: lookbackMs (${st.lookbackMs}) is not shorter than ${window}`);
  return out;
}

/** ` (line L, column C)` of a JSON.parse error that gives a position, else ``. */
function jsonWhere(err: unknown, text: string): string {
  const m = /at position (\d+)/.exec((err as Error).message);
  if (m === null) return '';
  const before = text.slice(0, Number(m[1]));
  const line = before.split('\n').length;
  return ` (line ${line}, column ${before.length - before.lastIndexOf('\n')})`;
}

function formatIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as Record<string, unknown>)) deepFreeze(v);
  }
  return value;
}
