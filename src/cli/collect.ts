/**
 * `collect`: the live market-data collector (issue #3) — composition root. Discovers windows,
 * streams books and spot, persists ticks and raw frames, optionally records to files, and shows a
 * one-line status (windows, frames/s, stale tokens, reconnects). Logs: pino JSON on stderr.
 */
import { join } from 'node:path';
import type { Command } from 'commander';
import { Collector, type CollectorStatus } from '../collector/collector';
import { FrameRecorder } from '../collector/frame-recorder';
import { loadConfig, type Config } from '../config/schema';
import { configHash, redactConfig } from '../config/redact';
import { SystemClock } from '../core/clock';
import { ConfigError } from '../core/errors';
import { createLogger, type Logger } from '../core/logger';
import type { Tick } from '../core/types';
import type { MarketInfo } from '../market/market-info';
import type { OrderBook } from '../book/order-book';
import { localEndpoints } from '../exchange-local/endpoints';
import { VenueClock } from '../market/venue-clock';
import { intervalSec, type Interval } from '../market/windows';
import { openRepository } from '../persistence/open-repository';
import type { Repository } from '../persistence/repository';

/** What a plugin of the collector (the trader in `trade --mode sim`) is given. */
export interface PluginContext {
  readonly repo: Repository | null;
  readonly runId: number;
  readonly log: Logger;
  /** The collector's live book of a token. */
  readonly bookOf: (tokenId: string) => OrderBook | undefined;
  /** The windows the collector tracks, with their chain ids. */
  readonly markets: () => MarketInfo[];
  /** The venue's time (the local exchange's clock with `--local`, else the wall clock), ms. */
  readonly venueNow: () => number;
}

/** A consumer of the collector's ticks. */
export interface CollectPlugin {
  onTick(tick: Tick): void;
  /** Awaited before the collector starts (the live trader restores and reconciles here). */
  start?(): Promise<void>;
  everySecond?(): void;
  stop?(): Promise<void>;
}

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
}

/** Settings pointing every endpoint at a local exchange at `base` (`http://127.0.0.1:PORT`). */
export function localSettings(
  base: string,
): Pick<Config, 'GAMMA_URL' | 'CLOB_URL' | 'MARKET_WS_URL' | 'RTDS_URL'> {
  const e = localEndpoints(base);
  return { GAMMA_URL: e.gammaUrl, CLOB_URL: e.clobUrl, MARKET_WS_URL: e.marketWsUrl, RTDS_URL: e.rtdsUrl };
}

/** Parses `15m,1h` into window lengths in seconds. @throws {ConfigError} on an unknown interval. */
export function parseIntervals(text: string): number[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => {
      if (!['5m', '15m', '1h', '4h'].includes(s))
        throw new ConfigError(`unknown interval ${s}: use 5m, 15m, 1h or 4h`);
      return intervalSec(s as Interval);
    });
}

/** Formats the status line. */
export function statusLine(s: CollectorStatus, framesPerSec: number): string {
  return (
    `windows ${s.windows} | frames ${s.frames} (${framesPerSec.toFixed(0)}/s) | book updates ${s.bookUpdates} | ` +
    `stale ${s.staleTokens} (detected ${s.staleDetected}) | reconnects ${s.reconnects} | malformed ${s.malformed} | ` +
    `ticks saved ${s.ticksPersisted}${s.spot === null ? '' : ` | spot ${s.spot.toFixed(2)}`}`
  );
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
      });
    });
}

/** Runs the collector until SIGINT/SIGTERM or `durationSec`. */
export async function runCollect(
  cfg: Config,
  opts: {
    db: boolean;
    durationSec: number | null;
    venueTime: boolean;
    plugin?: (ctx: PluginContext) => CollectPlugin;
    /** A repository and run opened by the caller (live): used as is, neither finished nor closed here. */
    run?: { readonly repo: Repository; readonly runId: number };
    /** Stops the collector when it resolves, like Ctrl-C (the live runtime's account-setup stop). */
    stopWhen?: Promise<unknown>;
  },
): Promise<void> {
  const log = createLogger(cfg.LOG_LEVEL);
  const clock = new SystemClock();
  // a local exchange plays recorded days: windows are found on its clock, not ours
  const venueClock = opts.venueTime ? new VenueClock(`${cfg.CLOB_URL}/time`, clock) : null;
  await venueClock?.start();
  const cryptos = cfg.COLLECT_CRYPTOS.split(',')
    .map((c) => c.trim().toUpperCase())
    .filter((c) => c !== '');
  const intervalsSec = parseIntervals(cfg.COLLECT_INTERVALS);
  let repo: Repository | null = opts.run?.repo ?? null;
  let runId = opts.run?.runId ?? 0;
  if (opts.db && opts.run === undefined) {
    repo = await openRepository(
      cfg.DATABASE_URL !== '' ? { databaseUrl: cfg.DATABASE_URL } : { dataDir: join(cfg.DATA_DIR, 'pglite') },
    );
    runId = await repo.createRun({
      mode: 'sim',
      configHash: configHash(cfg),
      codeRevision: opts.plugin === undefined ? 'collect' : 'trade',
      input: cfg.MARKET_WS_URL,
      startedAtMs: clock.now(),
      config: redactConfig(cfg),
    });
  }
  let collector: Collector | null = null;
  const plugin = opts.plugin?.({
    repo,
    runId,
    log,
    bookOf: (id) => collector?.feed.l2.book(id),
    markets: () => collector?.windows() ?? [],
    venueNow: () => venueClock?.now() ?? clock.now(),
  });
  collector = new Collector({
    ...(plugin === undefined ? {} : { onTick: (t: Tick) => plugin.onTick(t) }),
    gammaUrl: cfg.GAMMA_URL,
    clobUrl: cfg.CLOB_URL,
    marketWsUrl: cfg.MARKET_WS_URL,
    rtdsUrl: cfg.RTDS_URL,
    cryptos,
    intervalsSec,
    clock,
    ...(venueClock === null ? {} : { venueClock }),
    random: Math.random,
    log,
    staleBookMs: cfg.STALE_BOOK_MS,
    discoveryIntervalMs: cfg.DISCOVERY_INTERVAL_MS,
    subscribeAheadMs: cfg.SUBSCRIBE_AHEAD_MS,
    unsubscribeAfterMs: cfg.UNSUBSCRIBE_AFTER_MS,
    pingIntervalMs: cfg.WS_PING_INTERVAL_MS,
    reconnect: { baseMs: cfg.RECONNECT_BASE_MS, maxMs: cfg.RECONNECT_MAX_MS },
    repo,
    runId,
    recorder: cfg.RECORD_DIR === '' ? null : new FrameRecorder(cfg.RECORD_DIR, clock.now()),
  });
  await plugin?.start?.();
  log.info({ cryptos, intervalsSec, ws: cfg.MARKET_WS_URL }, 'collector starting');
  await collector.start();
  let lastFrames = 0;
  let lastAt = clock.now();
  const status = setInterval(() => {
    const s = collector.status();
    const now = clock.now();
    const rate = ((s.frames - lastFrames) * 1000) / Math.max(1, now - lastAt);
    lastFrames = s.frames;
    lastAt = now;
    const line = statusLine(s, rate);
    if (process.stderr.isTTY) process.stderr.write(`\r\x1b[2K${line}`);
    else log.info({ status: s, framesPerSec: Math.round(rate) }, 'status');
    plugin?.everySecond?.();
  }, 1000);
  await new Promise<void>((resolve) => {
    const done = (): void => resolve();
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
    if (opts.durationSec !== null) setTimeout(done, opts.durationSec * 1000).unref();
    void opts.stopWhen?.then(done, done);
  });
  clearInterval(status);
  await collector.stop();
  venueClock?.stop();
  await plugin?.stop?.();
  const final = collector.status();
  if (repo !== null && opts.run === undefined) {
    await repo.finishRun(runId, clock.now(), { collector: final });
    await repo.close();
  }
  if (process.stderr.isTTY) process.stderr.write('\n');
  console.log(statusLine(final, 0));
}
