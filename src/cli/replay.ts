/**
 * `replay` (and `npm start`): the composition root of the main job (issue #2). Recorded rows →
 * ReplayEngine (the live core with the simulated venue and a virtual clock) → repository,
 * `trades.jsonl` and a summary table on stdout. Logs go to stderr as JSON (pino). Input problems
 * are logged at `warn` with their counts; a run that replays no tick fails with one line saying
 * why (issue #9 "Inputs").
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { loadConfig, type Config } from '../config/schema';
import { configHash, redactConfig } from '../config/redact';
import { InputError } from '../core/errors';
import { createLogger, type Logger } from '../platform/logger';
import { FeedProcessor } from '../feed/feed-processor';
import { streamInput } from '../feed/input';
import { describeNoRows, inputFindings, inputTotals, type InputTotals } from '../feed/input-stats';
import { isRecording, replayRecording } from '../feed/frame-replay';
import { countTickLines } from '../feed/line-count';
import { openRepository } from '../persistence/open-repository';
import type { Repository } from '../persistence/repository';
import { ReplayEngine } from '../replay/replay-engine';
import { writeTradesFile } from '../replay/trades-file';
import { formatSummary, summarize, type Summary } from '../report/summary';
import { metricsLine } from '../replay/compare/compare-metrics';
import { runCompare } from '../replay/compare/compare-run';
import type { Tick } from '../core/types';
import { Pacer } from '../replay/pacer';
import { TraceRecorder } from '../replay/position-traces';
import { writeReplayReport } from '../report/replay-report';
import { dashboardTraderOf } from '../dashboard/trader-view';
import { traderSourceOf } from '../metrics/sources';
import type { MetricsServer } from '../metrics/metrics-server';
import { policyResolver } from '../trader/exits/policy-set';
import { serveDashboard, serveMetrics, type Dashboard } from '../runtime/observability';

/** Options of the replay command. */
export interface ReplayCommandOptions {
  readonly input?: string;
  readonly out?: string;
  readonly config?: string;
  /** false = write nothing to the database. */
  readonly db?: boolean;
  /** false = no progress bar. */
  readonly progress?: boolean;
  /** Policy sets file: run the exit-policy comparison instead (issue #12). */
  readonly compare?: string;
  /** Worker threads of the comparison (default: the machine's cores; 0 = in this thread). */
  readonly workers?: string;
  /** Serve the read-only dashboard over the replay (issue #13; DASHBOARD_PORT). */
  readonly dashboard?: boolean;
  /** Pace the replay at this many × recorded time (default: as fast as possible; 10 with `dashboard`). */
  readonly speed?: string;
  /** Write the HTML replay report here (issue #13). */
  readonly report?: string;
  /** Pace only from this recorded time (ISO 8601 or unix seconds/ms): earlier rows run at full speed. */
  readonly paceFrom?: string;
}

/** Default `--speed` with `--dashboard` (a 15-minute window in 90 s). */
export const DASHBOARD_DEFAULT_SPEED = 10;

/** Result of a replay run. */
export interface ReplayRunResult {
  readonly runId: number | null;
  readonly summary: Summary;
  readonly tradesPath: string;
  readonly rows: number;
  /** The HTML report written (`--report`), or null. */
  readonly reportPath: string | null;
  /** The dashboard's URL (`--dashboard`), or null; it serves until {@link ReplayRunResult.close}. */
  readonly dashboardUrl: string | null;
  /** Closes the dashboard and `/metrics` (when served); a no-op otherwise. */
  close(): Promise<void>;
}

/** What {@link runReplay} uses besides its options and environment (tests inject these). */
export interface ReplayDeps {
  /** The logger; default: the process logger on stderr at `LOG_LEVEL`. */
  readonly log?: Logger;
}

/**
 * Runs a replay with the environment and options; returns the summary (with the input's row
 * counts by drop reason for tick files). Writes the trades file, the run row, ticks (unless
 * PERSIST_TICKS=false), positions, events, orders and fills. Input files with no data row, most
 * rows dropped, or an unknown header are logged at `warn` (issue #9).
 * @throws {ConfigError} on bad configuration, {InputError} on unreadable input, and an
 *   {InputError} whose one-line message says why (files, rows read, drops by reason) when no tick
 *   at all was replayed; the run row is then finished with that `error` and no trades file is
 *   written.
 */
export async function runReplay(
  opts: ReplayCommandOptions,
  env: NodeJS.ProcessEnv = process.env,
  deps: ReplayDeps = {},
): Promise<ReplayRunResult> {
  const overrides: Partial<Config> = {};
  if (opts.input !== undefined) Object.assign(overrides, { REPLAY_INPUT: opts.input });
  if (opts.out !== undefined) Object.assign(overrides, { OUT_PATH: opts.out });
  const cfg = loadConfig({ env, configPath: opts.config, overrides });
  const speed = paceOf(opts);
  paceFromOf(opts); // refused before anything opens
  const log = deps.log ?? createLogger(cfg.LOG_LEVEL);
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
  let watch: Watch | null = null;
  try {
    const feed = new FeedProcessor();
    const engine = new ReplayEngine(
      recording ? { config: cfg, bookOf: (id) => feed.l2.book(id), persistTicks: false } : { config: cfg },
    );
    watch = await watchReplay(cfg, engine, opts);
    const pace = speed === null ? undefined : paceFn(new Pacer(speed, 5000, undefined, paceFromOf(opts)));
    const input = recording
      ? await replayFrames(cfg.REPLAY_INPUT, feed, engine, repo, runId ?? 0, log, pace)
      : await replayRows(cfg, engine, repo, runId ?? 0, opts.progress !== false, log, pace);
    const summary = summarize(engine.sink.trades, engine.trader.stats, input.totals ?? undefined);
    if (engine.rows === 0) {
      const why = `nothing replayed: ${input.whyEmpty}`;
      if (repo !== null && runId !== null)
        await repo.finishRun(runId, Date.now(), { ...summary, stats: engine.trader.stats, error: why });
      throw new InputError(why);
    }
    writeTradesFile(cfg.OUT_PATH, engine.sink.trades);
    const reportPath = opts.report ?? null;
    if (reportPath !== null && watch.traces !== null)
      writeReplayReport(reportPath, {
        input: cfg.REPLAY_INPUT,
        trades: engine.sink.trades,
        traces: watch.traces.traces(engine.sink.trades),
      });
    if (repo !== null && runId !== null)
      await repo.finishRun(runId, Date.now(), { ...summary, stats: engine.trader.stats });
    log.info(
      { runId, trades: cfg.OUT_PATH, rows: engine.rows, positions: summary.positions, report: reportPath },
      'replay finished',
    );
    const w = watch;
    return {
      runId,
      summary,
      tradesPath: cfg.OUT_PATH,
      rows: engine.rows,
      reportPath,
      dashboardUrl: w.dashboard?.server.url ?? null,
      close: () => w.close(),
    };
  } catch (err) {
    await watch?.close();
    throw err;
  } finally {
    await repo?.close();
  }
}

/** What watches a replay (issue #13): the dashboard, `/metrics`, the report's traces. */
interface Watch {
  readonly dashboard: Dashboard | null;
  readonly traces: TraceRecorder | null;
  close(): Promise<void>;
}

/**
 * Starts what `opts` asks to watch the replay with and hooks it to the engine's ticks and
 * snapshots: the dashboard (`--dashboard`), `/metrics` (METRICS_PORT), the report's traces
 * (`--report`).
 * @throws {ConfigError} when a port cannot be listened on.
 */
async function watchReplay(cfg: Config, engine: ReplayEngine, opts: ReplayCommandOptions): Promise<Watch> {
  const observers: ((t: Tick) => void)[] = [];
  const dashboard = opts.dashboard === true ? await replayDashboard(cfg, engine) : null;
  if (dashboard !== null) observers.push((t) => dashboard.model.observe(t));
  const source = traderSourceOf(engine.trader, engine.sink.trades);
  let metrics: MetricsServer | null = null;
  try {
    metrics = await serveMetrics(cfg, { trader: () => source, now: () => engine.clock.now() });
  } catch (err) {
    await dashboard?.server.close();
    throw err;
  }
  const traces =
    opts.report === undefined ? null : new TraceRecorder(policyResolver(cfg.exitPolicyData), cfg);
  if (traces !== null) {
    observers.push((t) => traces.observe(t));
    engine.sink.onSnapshot = (r) => traces.snapshot(r);
  }
  engine.onTick =
    observers.length === 0
      ? null
      : observers.length === 1
        ? observers[0]!
        : (t) => {
            for (const o of observers) o(t);
          };
  return {
    dashboard,
    traces,
    close: async () => {
      await dashboard?.server.close();
      await metrics?.close();
    },
  };
}

/** The dashboard over a replay's trader. */
function replayDashboard(cfg: Config, engine: ReplayEngine): Promise<Dashboard> {
  const view = dashboardTraderOf(engine.trader, engine.sink.trades, cfg);
  return serveDashboard(cfg, { mode: 'replay', trader: () => view });
}

/**
 * The pace of a replay, × recorded time: `--speed`, or {@link DASHBOARD_DEFAULT_SPEED} with
 * `--dashboard`, else `null` (as fast as possible).
 * @throws {InputError} when `--speed` is not a positive number.
 */
function paceOf(opts: ReplayCommandOptions): number | null {
  if (opts.speed === undefined) return opts.dashboard === true ? DASHBOARD_DEFAULT_SPEED : null;
  const s = Number(opts.speed);
  if (!(Number.isFinite(s) && s > 0)) throw new InputError(`--speed must be a number > 0, got ${opts.speed}`);
  return s;
}

/**
 * `--pace-from` as ms: ISO 8601, or unix seconds (≤ 10 digits) or ms; −∞ when absent.
 * @throws {InputError} when it is neither.
 */
function paceFromOf(opts: ReplayCommandOptions): number {
  const v = opts.paceFrom;
  if (v === undefined) return -Infinity;
  if (/^\d+$/.test(v)) return v.length <= 10 ? Number(v) * 1000 : Number(v);
  const ms = Date.parse(v);
  if (Number.isNaN(ms)) throw new InputError(`--pace-from must be ISO 8601 or unix seconds/ms, got ${v}`);
  return ms;
}

const paceFn =
  (p: Pacer) =>
  (tsMs: number): Promise<void> | null =>
    p.wait(tsMs);

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
    .option(
      '--compare <policies.json>',
      'compare exit-policy sets on the input (comma-separated inputs allowed); --out is then a directory (default out/compare)',
    )
    .option('--workers <n>', 'worker threads of --compare (default: the cores; 0 = none)')
    .option('--dashboard', 'serve the read-only dashboard over the replay (DASHBOARD_PORT), paced by --speed')
    .option(
      '--speed <x>',
      `replay x times faster than recorded (default: as fast as possible; ${DASHBOARD_DEFAULT_SPEED} with --dashboard)`,
    )
    .option(
      '--pace-from <time>',
      'pace only from this recorded time (ISO 8601 or unix s/ms); earlier rows at full speed',
    )
    .option(
      '--report <file.html>',
      'write the HTML replay report (equity, P&L by reason and strategy, each position)',
    )
    .action(async (o: ReplayCommandOptions) => {
      if (o.compare !== undefined) {
        await compareCommand(o);
        return;
      }
      const res = await runReplay(o);
      console.log(formatSummary(res.summary));
      console.log(
        `${res.rows} ticks replayed; trades: ${res.tradesPath}${res.runId === null ? '' : `; run id ${res.runId}`}` +
          (res.reportPath === null ? '' : `; report: ${res.reportPath}`),
      );
      if (res.dashboardUrl !== null) {
        console.error(`replay finished; the dashboard stays at ${res.dashboardUrl} until Ctrl-C`);
        await new Promise<void>((resolve) => {
          process.once('SIGINT', () => resolve());
          process.once('SIGTERM', () => resolve());
        });
      }
      await res.close();
    });
}

/** `replay --compare`: prints the table, one JSON line per set, and where the report is. */
async function compareCommand(o: ReplayCommandOptions): Promise<void> {
  const cfg = loadConfig({ env: process.env, configPath: o.config });
  const inputs = (o.input ?? cfg.REPLAY_INPUT)
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '');
  const workers = o.workers === undefined ? undefined : Number(o.workers);
  if (workers !== undefined && !(Number.isInteger(workers) && workers >= 0))
    throw new InputError(`--workers must be a whole number ≥ 0, got ${o.workers}`);
  const res = await runCompare({
    setsPath: o.compare!,
    inputs,
    outDir: o.out ?? 'out/compare',
    ...(workers === undefined ? {} : { workers }),
    configPath: o.config,
    env: process.env,
    progress: o.progress !== false,
  });
  console.log(res.text);
  for (const m of res.metrics) console.log(metricsLine(m));
  console.log(
    `${res.jobs} jobs (${res.metrics.length} sets × ${res.files.length} files) on ${res.workers} workers in ${(
      res.runtimeMs / 1000
    ).toFixed(1)} s; report: ${res.reportPath}`,
  );
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

/** What a replay learned about its input: row totals (tick files) and why it would be empty. */
interface InputOutcome {
  /** Tick files: rows read, kept and dropped by reason; `null` for a frame recording. */
  readonly totals: InputTotals | null;
  /** One line saying why no tick came out (used only when none did). */
  readonly whyEmpty: string;
}

/**
 * Replays recorded rows (canonical CSV or borisz42), streamed, with a progress bar on a TTY;
 * logs each file and skipped file (`warn` for problems, see `inputFindings`).
 */
async function replayRows(
  cfg: Config,
  engine: ReplayEngine,
  repo: Repository | null,
  runId: number,
  progress: boolean,
  log: Logger,
  pace?: (tsMs: number) => Promise<void> | null,
): Promise<InputOutcome> {
  const input = streamInput(cfg.REPLAY_INPUT, { reorderWindowMs: cfg.REORDER_WINDOW_MS });
  const showBar = progress && process.stderr.isTTY === true;
  const bar = showBar
    ? new SingleBar({
        stream: process.stderr,
        format: 'replay [{bar}] {percentage}% | {value}/{total} ticks | {eta}s left',
      })
    : null;
  bar?.start(showBar ? await countTickLines(cfg.REPLAY_INPUT) : 0, 0);
  await engine.run(input.batches, {
    repo,
    runId,
    onProgress: (n) => bar?.update(n),
    ...(pace === undefined ? {} : { pace }),
  });
  bar?.update(engine.rows);
  bar?.stop();
  const { stats } = input;
  for (const f of inputFindings(stats)) log[f.level](f.data, f.msg);
  return { totals: inputTotals(stats), whyEmpty: describeNoRows(cfg.REPLAY_INPUT, stats) };
}

/** Replays a live-feed recording (`collect --record`): raw frames → the live books → ticks. */
async function replayFrames(
  path: string,
  feed: FeedProcessor,
  engine: ReplayEngine,
  repo: Repository | null,
  runId: number,
  log: Logger,
  pace?: (ms: number) => Promise<void> | null,
): Promise<InputOutcome> {
  let sinceFlush = 0;
  let flushed: Promise<void> = Promise.resolve(); // one flush at a time, in order
  const stats = await replayRecording(path, feed, {
    onWindow: (line) => engine.sink.window(line.market),
    ...(pace === undefined ? {} : { pace }),
    onTick: (tick) => {
      engine.stepTick(tick);
      if ((sinceFlush += 1) >= 5000) {
        sinceFlush = 0;
        flushed = flushed.then(() => engine.flush(repo, runId));
      }
    },
  });
  await flushed;
  // a recording stops when its collector stopped: a window still running then has no outcome
  // (its positions stay open, as in the live run and its paper twin; issue #11)
  engine.finish(true);
  await engine.flush(repo, runId);
  log[stats.ticks === 0 ? 'warn' : 'info']({ ...stats, l2: feed.l2.counters }, 'recording replayed');
  const whyEmpty =
    `the recording ${path} gave no book tick (${stats.windows} windows, ` +
    `${stats.marketFrames} market frames, ${stats.rtdsFrames} RTDS frames)`;
  return { totals: null, whyEmpty };
}
