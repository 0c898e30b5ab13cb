/**
 * `replay` (and `npm start`): the composition root of the main job (issue #2). Recorded rows →
 * ReplayEngine (the live core with the simulated venue and a virtual clock) → repository,
 * `trades.jsonl` and a summary table on stdout. Logs go to stderr as JSON (pino).
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { loadConfig, type Config } from '../config/schema';
import { configHash, redactConfig } from '../config/redact';
import { createLogger, type Logger } from '../core/logger';
import { FeedProcessor } from '../collector/feed-processor';
import { streamInput } from '../feed/input';
import { isRecording, replayRecording } from '../replay/frame-replay';
import { countTickLines } from '../feed/line-count';
import { openRepository } from '../persistence/open-repository';
import type { Repository } from '../persistence/repository';
import { ReplayEngine } from '../replay/replay-engine';
import { writeTradesFile } from '../replay/trades-file';
import { formatSummary, summarize, type Summary } from '../report/summary';

/** Options of the replay command. */
export interface ReplayCommandOptions {
  readonly input?: string;
  readonly out?: string;
  readonly config?: string;
  /** false = write nothing to the database. */
  readonly db?: boolean;
  /** false = no progress bar. */
  readonly progress?: boolean;
}

/** Result of a replay run. */
export interface ReplayRunResult {
  readonly runId: number | null;
  readonly summary: Summary;
  readonly tradesPath: string;
  readonly rows: number;
}

/**
 * Runs a replay with the environment and options; returns the summary. Writes the trades file,
 * the run row, ticks (unless PERSIST_TICKS=false), positions, events, orders and fills.
 * @throws {ConfigError} on bad configuration, {InputError} on unreadable input.
 */
export async function runReplay(
  opts: ReplayCommandOptions,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ReplayRunResult> {
  const overrides: Partial<Config> = {};
  if (opts.input !== undefined) Object.assign(overrides, { REPLAY_INPUT: opts.input });
  if (opts.out !== undefined) Object.assign(overrides, { OUT_PATH: opts.out });
  const cfg = loadConfig({ env, configPath: opts.config, overrides });
  const log = createLogger(cfg.LOG_LEVEL);
  log.info({ input: cfg.REPLAY_INPUT, strategies: cfg.strategies.map((s) => s.name) }, 'replay starting');
  const recording = isRecording(cfg.REPLAY_INPUT);

  let repo: Repository | null = null;
  let runId: number | null = null;
  if (opts.db !== false) {
    repo = await openRepository(
      cfg.DATABASE_URL !== '' ? { databaseUrl: cfg.DATABASE_URL } : { dataDir: join(cfg.DATA_DIR, 'pglite') },
    );
    runId = await repo.createRun({
      mode: 'replay',
      configHash: configHash(cfg),
      codeRevision: codeRevision(),
      input: cfg.REPLAY_INPUT,
      startedAtMs: Date.now(),
      config: redactConfig(cfg),
    });
  }
  try {
    const feed = new FeedProcessor();
    const engine = new ReplayEngine(
      recording ? { config: cfg, bookOf: (id) => feed.l2.book(id), persistTicks: false } : { config: cfg },
    );
    if (recording) await replayFrames(cfg.REPLAY_INPUT, feed, engine, repo, runId ?? 0, log);
    else await replayRows(cfg, engine, repo, runId ?? 0, opts.progress !== false, log);
    writeTradesFile(cfg.OUT_PATH, engine.sink.trades);
    const summary = summarize(engine.sink.trades, engine.trader.stats);
    if (repo !== null && runId !== null)
      await repo.finishRun(runId, Date.now(), { ...summary, stats: engine.trader.stats });
    log.info(
      { runId, trades: cfg.OUT_PATH, rows: engine.rows, positions: summary.positions },
      'replay finished',
    );
    return { runId, summary, tradesPath: cfg.OUT_PATH, rows: engine.rows };
  } finally {
    await repo?.close();
  }
}

/** Registers `replay` on the program. */
export function registerReplay(program: Command): void {
  program
    .command('replay')
    .description('replay recorded windows through the trader in simulation and print a summary')
    .option('-i, --input <file|dir>', 'canonical tick CSV or borisz42 recordings (default REPLAY_INPUT)')
    .option('-o, --out <path>', 'trades.jsonl path (default OUT_PATH)')
    .option('-c, --config <json>', 'JSON config file (settings and strategies)')
    .option('--no-db', 'do not write to the database')
    .option('--no-progress', 'no progress bar')
    .action(async (o: ReplayCommandOptions) => {
      const res = await runReplay(o);
      console.log(formatSummary(res.summary));
      console.log(
        `${res.rows} ticks replayed; trades: ${res.tradesPath}${res.runId === null ? '' : `; run id ${res.runId}`}`,
      );
    });
}

function codeRevision(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    return 'unknown';
  }
}

/** Replays recorded rows (canonical CSV or borisz42), streamed, with a progress bar on a TTY. */
async function replayRows(
  cfg: Config,
  engine: ReplayEngine,
  repo: Repository | null,
  runId: number,
  progress: boolean,
  log: Logger,
): Promise<void> {
  const input = streamInput(cfg.REPLAY_INPUT, { reorderWindowMs: cfg.REORDER_WINDOW_MS });
  const showBar = progress && process.stderr.isTTY === true;
  const bar = showBar
    ? new SingleBar({
        stream: process.stderr,
        format: 'replay [{bar}] {percentage}% | {value}/{total} ticks | {eta}s left',
      })
    : null;
  bar?.start(showBar ? await countTickLines(cfg.REPLAY_INPUT) : 0, 0);
  await engine.run(input.batches, { repo, runId, onProgress: (n) => bar?.update(n) });
  bar?.update(engine.rows);
  bar?.stop();
  const { stats } = input;
  for (const f of stats.files) log.info(f, 'input file loaded');
  if (stats.skippedFiles.length > 0)
    log.info({ skipped: stats.skippedFiles }, 'files skipped (not tick data)');
  const dropped = stats.files.reduce((n, f) => n + f.malformed + f.crossed + f.outOfRange + f.late, 0);
  if (dropped > 0)
    log.warn(
      { dropped },
      'input rows dropped (malformed, crossed, out of range or late): see the per-file counts',
    );
}

/** Replays a live-feed recording (`collect --record`): raw frames → the live books → ticks. */
async function replayFrames(
  path: string,
  feed: FeedProcessor,
  engine: ReplayEngine,
  repo: Repository | null,
  runId: number,
  log: Logger,
): Promise<void> {
  let sinceFlush = 0;
  let flushed: Promise<void> = Promise.resolve(); // one flush at a time, in order
  const stats = await replayRecording(path, feed, {
    onWindow: (line) => engine.sink.window(line.market),
    onTick: (tick) => {
      engine.stepTick(tick);
      if ((sinceFlush += 1) >= 5000) {
        sinceFlush = 0;
        flushed = flushed.then(() => engine.flush(repo, runId));
      }
    },
  });
  await flushed;
  engine.finish();
  await engine.flush(repo, runId);
  log.info({ ...stats, l2: feed.l2.counters }, 'recording replayed');
}
