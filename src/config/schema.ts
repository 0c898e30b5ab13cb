/**
 * Configuration: parsed once with zod from environment variables and an optional JSON file,
 * cross-checked, frozen (STYLE.md rule 9). Nothing else reads `process.env`.
 * Defaults and their sources: design.md §5 (exit constants), §7 (orders), issue #2 (sizes,
 * fees, latency), polymarket-protocol.md §6.5 (1 USDC minimum) and §6.7 (fee curve).
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from '../core/errors';
import { crossCheck } from './cross-checks';
import { scalars, shown, type Source } from './setting-builders';
import { INTERVALS } from '../market/windows';
import { strategyConfigSchema, DEFAULT_STRATEGIES, type StrategyConfig } from './strategies';
import { policyResolver } from '../trader/exits/policy-set';

export { strategyWindowRefusals } from './cross-checks';

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
    /** Parity verdict (issue #11): live total P&L within ± this fraction of the paper twin's. */
    PARITY_PNL_TOLERANCE_PCT: pct().default(0.1),
    /** Parity verdict (issue #11): exit reasons agree on at least this fraction of the pairs. */
    PARITY_EXIT_AGREEMENT_PCT: pct().default(0.9),
    /**
     * Exit policies (issue #12): a JSON policy set, or `{"strategies": {name | "*": set}}`, given
     * inline (starting with `{`) or as a path to a JSON file; empty = the default set (design §5).
     * Families and parameters: README "Exit policies", `exit-policies.md`.
     */
    EXIT_POLICIES: z.string().default(''),
    /** Alert (issue #13): this many failed exit rounds within an hour. */
    ALERT_FAILED_EXITS: int({ gte: 1, lte: 1_000 }).default(3),
    /** Alert: share of stop-loss exits among the last ALERT_STOP_LOSS_WINDOW exits above this, in (0, 1]. */
    ALERT_STOP_LOSS_RATE: num({ gt: 0, lte: 1 }).default(0.5),
    /** Exits the stop-loss share is measured over. */
    ALERT_STOP_LOSS_WINDOW: int({ gte: 1, lte: 10_000 }).default(20),
    /** Alert: a book stale longer than this, ms. */
    ALERT_FEED_STALE_MS: ms({ gte: 1_000 }).default(60_000),
    /** Alerts are POSTed here as JSON (with retry); empty = logs and metrics only. A secret. */
    ALERT_WEBHOOK_URL: z
      .string()
      .refine((v) => v === '' || /^https?:\/\/\S+$/.test(v), 'expected an http(s) URL or empty')
      .default(''),
    /** Port of the Prometheus `/metrics` endpoint of `collect` and `trade` (issue #13); 0 = off. */
    METRICS_PORT: int({ gte: 0, lte: 65_535 }).default(0),
    /** Address the metrics endpoint binds to (loopback unless you say otherwise). */
    METRICS_HOST: z.string().min(1).default('127.0.0.1'),
    /** Port of the read-only dashboard of `--dashboard` (issue #13); 0 = any free port (printed). */
    DASHBOARD_PORT: int({ gte: 0, lte: 65_535 }).default(8787),
    /** Address the dashboard binds to (loopback unless you say otherwise). */
    DASHBOARD_HOST: z.string().min(1).default('127.0.0.1'),
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
  /** EXIT_POLICIES parsed as JSON (validated at load), or null for the default set (issue #12). */
  readonly exitPolicyData?: unknown;
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
  const config: Config = {
    ...settings,
    strategies,
    exitPolicyData: readExitPolicies(settings.EXIT_POLICIES),
  };
  crossCheck(config);
  return deepFreeze(config);
}

/**
 * Reads and checks EXIT_POLICIES (issue #12): inline JSON (starting with `{`) or a JSON file path;
 * `null` when empty.
 * @throws {ConfigError} when the file cannot be read, is not JSON, or a set is invalid (each bad
 * field with its range).
 */
function readExitPolicies(value: string): unknown {
  if (value.trim() === '') return null;
  const inline = value.trim().startsWith('{');
  let text = value;
  if (!inline) {
    try {
      text = readFileSync(value, 'utf8');
    } catch (err) {
      throw new ConfigError(`EXIT_POLICIES: cannot read ${value}: ${(err as Error).message}`, { cause: err });
    }
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new ConfigError(
      `EXIT_POLICIES${inline ? '' : ` (${value})`} is not valid JSON${jsonWhereOf(text)}`,
    );
  }
  try {
    policyResolver(data);
  } catch (err) {
    throw new ConfigError(`EXIT_POLICIES: ${(err as Error).message}`);
  }
  return data;
}

/** ` (line L, column C)` of the first JSON syntax error in `text`, else ``. */
function jsonWhereOf(text: string): string {
  try {
    JSON.parse(text);
    return '';
  } catch (err) {
    return jsonWhere(err, text);
  }
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
