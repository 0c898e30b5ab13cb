/**
 * `trade --mode sim|live` — composition root of trading on the live feed. `sim` (rollout step 2,
 * design §1): the collector's live books drive the same LiveTrader and simulated venue as replay;
 * positions, orders, fills and the journal go to the database, closed trades to `trades.jsonl`.
 * `live` (issue #4) is gated: every missing opt-in or limit is refused with one line saying what to
 * set; past the gate, `runLive` trades through the CLOB venue with chain reconciliation and redeem.
 * Live runs a paper twin beside the live trader by default (issue #11; `--no-shadow`: none).
 * Kill switch: while KILL_SWITCH_FILE exists (or after SIGUSR2) no new entry is sent; a file
 * containing `flatten` also sells every open position.
 */
import type { Command } from 'commander';
import { liveGateRefusals } from '../config/live-gate';
import { loadConfig, strategyWindowRefusals, type Config } from '../config/schema';
import { runLive } from '../runtime/live-runtime';
import { localSettings } from './collect';
import { runCollect } from '../runtime/collector-host';
import { simTrader } from '../runtime/sim-trader';

/** Options of the trade command. */
export interface TradeCommandOptions {
  readonly mode: string;
  readonly cryptos?: string;
  readonly intervals?: string;
  readonly local?: string;
  readonly duration?: string;
  readonly config?: string;
  readonly out?: string;
  readonly db?: boolean;
  /** Also write the feed's recording files here (RECORD_DIR; `replay --input` replays them). */
  readonly record?: string;
  /** `false` with `--no-shadow`: live without the paper twin (issue #11). */
  readonly shadow?: boolean;
  /** Serve the read-only dashboard (issue #13; DASHBOARD_PORT). */
  readonly dashboard?: boolean;
}

/** Registers `trade`. */
export function registerTrade(program: Command): void {
  program
    .command('trade')
    .description('trade the live feed: --mode sim (simulated fills on live books) or --mode live (gated)')
    .requiredOption('--mode <sim|live>', 'sim: simulated fills on the live books; live: real orders (gated)')
    .option('--cryptos <list>', 'cryptos, e.g. BTC,ETH (default COLLECT_CRYPTOS)')
    .option('--intervals <list>', 'window lengths: 5m,15m,1h,4h (default COLLECT_INTERVALS)')
    .option('--local <url>', 'use a local exchange at this base URL')
    .option('--duration <seconds>', 'stop after this many seconds')
    .option('-c, --config <json>', 'JSON config file (settings and strategies)')
    .option('-o, --out <path>', 'trades.jsonl path (default OUT_PATH)')
    .option('--no-db', 'do not write to the database')
    .option(
      '--record <dir>',
      'also write recording files (JSON lines) to this directory, as collect --record',
    )
    .option('--no-shadow', 'live: no paper twin beside the live trader (default: the twin runs; issue #11)')
    .option('--dashboard', 'serve the read-only dashboard on DASHBOARD_PORT (127.0.0.1)')
    .action(async (o: TradeCommandOptions) => {
      process.exitCode = await runTrade(o);
    });
}

/** Runs `trade`; returns the exit code (1 when the mode is refused). */
export async function runTrade(
  o: TradeCommandOptions,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const overrides: Partial<Config> = {
    ...(o.cryptos === undefined ? {} : { COLLECT_CRYPTOS: o.cryptos }),
    ...(o.intervals === undefined ? {} : { COLLECT_INTERVALS: o.intervals }),
    ...(o.local === undefined ? {} : localSettings(o.local)),
    ...(o.out === undefined ? {} : { OUT_PATH: o.out }),
    ...(o.record === undefined ? {} : { RECORD_DIR: o.record }),
  };
  const cfg = loadConfig({ env, configPath: o.config, overrides });
  // a strategy that cannot enter in the windows traded is a mistake, in sim as in live (issue #9)
  const unfit = strategyWindowRefusals(cfg);
  for (const line of unfit) console.error(`refused: ${line}; set STRATEGIES or COLLECT_INTERVALS`);
  if (unfit.length > 0) return 1;
  if (o.mode === 'live') {
    const refusals = liveGateRefusals(cfg);
    for (const line of refusals) console.error(`refused: ${line}`);
    if (refusals.length > 0) return 1;
    return runLive(cfg, {
      durationSec: o.duration === undefined ? null : Number(o.duration),
      venueTime: o.local !== undefined,
      shadow: o.shadow !== false,
      dashboard: o.dashboard === true,
    });
  }
  if (o.mode !== 'sim') {
    console.error(`refused: unknown mode ${o.mode}: use --mode sim or --mode live`);
    return 1;
  }
  await runCollect(cfg, {
    db: o.db !== false,
    durationSec: o.duration === undefined ? null : Number(o.duration),
    venueTime: o.local !== undefined,
    plugin: (ctx) => simTrader(cfg, ctx),
    mode: 'sim',
    dashboard: o.dashboard === true,
  });
  return 0;
}
