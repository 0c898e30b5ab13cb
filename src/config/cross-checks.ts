/**
 * Cross-checks of a parsed configuration (issue #9): combinations of settings that cannot work,
 * and strategies that can never enter in the windows traded.
 */
import { ConfigError } from '../core/errors';
import { INTERVALS, intervalSec, type Interval } from '../market/windows';
import type { Config } from './schema';
import type { StrategyConfig } from './strategies';

/**
 * Refuses a configuration whose settings contradict each other (sizes below the venue minimum,
 * floor above activation, back-off bounds upside down, duplicate or impossible strategies).
 * @throws {ConfigError} listing every problem, `; `-separated.
 */
export function crossCheck(c: Config): void {
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
