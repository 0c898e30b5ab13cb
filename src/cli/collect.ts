/**
 * `collect`: the live market-data collector (issue #3) — the command: parses its flags into
 * settings and runs the collector host (`runtime/collector-host.ts`).
 */
import type { Command } from 'commander';
import { loadConfig, type Config } from '../config/schema';
import { localEndpoints } from '../market/endpoints';
import { runCollect } from '../runtime/collector-host';

/** Options of the collect command (each overrides its setting). */
export interface CollectCommandOptions {
  readonly cryptos?: string;
  readonly intervals?: string;
  readonly record?: string;
  /** Base URL of a local exchange (`npm run exchange:local`): sets every endpoint from it. */
  readonly local?: string;
  /** Stop after this many seconds (default: run until Ctrl-C). */
  readonly duration?: string;
  readonly db?: boolean;
  /** Serve the read-only dashboard (issue #13; DASHBOARD_PORT). */
  readonly dashboard?: boolean;
}

/** Settings pointing every endpoint at a local exchange at `base` (`http://127.0.0.1:PORT`). */
export function localSettings(
  base: string,
): Pick<Config, 'GAMMA_URL' | 'CLOB_URL' | 'MARKET_WS_URL' | 'RTDS_URL'> {
  const e = localEndpoints(base);
  return { GAMMA_URL: e.gammaUrl, CLOB_URL: e.clobUrl, MARKET_WS_URL: e.marketWsUrl, RTDS_URL: e.rtdsUrl };
}

/** Registers `collect`. */
export function registerCollect(program: Command): void {
  program
    .command('collect')
    .description('stream live order books and spot prices for the current windows and store them')
    .option('--cryptos <list>', 'cryptos, e.g. BTC,ETH (default COLLECT_CRYPTOS)')
    .option('--intervals <list>', 'window lengths: 5m,15m,1h,4h (default COLLECT_INTERVALS)')
    .option('--record <dir>', 'also write recording files (JSON lines) to this directory')
    .option('--local <url>', 'use a local exchange at this base URL, e.g. http://127.0.0.1:8080')
    .option('--duration <seconds>', 'stop after this many seconds')
    .option('--no-db', 'do not write to the database')
    .option('--dashboard', 'serve the read-only dashboard on DASHBOARD_PORT (127.0.0.1)')
    .action(async (o: CollectCommandOptions) => {
      const overrides: Partial<Config> = {
        ...(o.cryptos === undefined ? {} : { COLLECT_CRYPTOS: o.cryptos }),
        ...(o.intervals === undefined ? {} : { COLLECT_INTERVALS: o.intervals }),
        ...(o.record === undefined ? {} : { RECORD_DIR: o.record }),
        ...(o.local === undefined ? {} : localSettings(o.local)),
      };
      const cfg = loadConfig({ env: process.env, overrides });
      await runCollect(cfg, {
        db: o.db !== false,
        durationSec: o.duration === undefined ? null : Number(o.duration),
        venueTime: o.local !== undefined,
        mode: 'collect',
        dashboard: o.dashboard === true,
      });
    });
}
