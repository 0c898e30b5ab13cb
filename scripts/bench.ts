/**
 * `npm run bench`: performance figures (not tests), one JSON object per line on stdout:
 * bare parsing throughput, replay pipeline throughput and its ratio to bare parsing on the same
 * input (goal ≥ 0.6), decision latency tick in → order command out (goal p99 ≤ 20 µs), and
 * memory over a long replay (goal: flat), and the whole-feed-path fuzz (`feed_fuzz_frames`,
 * BENCH_FUZZ_FRAMES, default 1,000,000 mutated frames; exit code 1 on any crash or invalid output).
 * Input: REPLAY_INPUT or the shared recordings.
 * Each throughput figure is the median of several warm runs.
 */
import { loadConfig } from '../src/config/schema';
import { loadInput, parseOnly, streamInput } from '../src/feed/input';
import { ReplayEngine } from '../src/replay/replay-engine';
import {
  benchFeedInProcess,
  benchFeedOverWs,
  benchIngest,
  benchSigning,
  syntheticFrames,
} from './bench-live';
import { runFeedFuzz } from '../__tests__/helpers/feed-fuzz';

const input = process.env.REPLAY_INPUT ?? '../shared/data/borisz42-btc15m';
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const cfg = loadConfig({ env: { ...process.env, LOG_LEVEL: 'silent' } });

const emit = (o: Record<string, unknown>): void => console.log(JSON.stringify(o));
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1e6;
const pct = (xs: Float64Array, p: number): number =>
  xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

async function main(): Promise<void> {
  // warm-up of both paths
  await parseOnly(input);
  await replayStream();
  const warm = await loadInput(input);

  const parseMs: number[] = [];
  const pipeMs: number[] = [];
  let ticks = 0;
  let replayed = 0;
  for (let i = 0; i < RUNS; i += 1) {
    let t0 = process.hrtime.bigint();
    ticks = await parseOnly(input);
    parseMs.push(ms(t0));
    t0 = process.hrtime.bigint();
    replayed = await replayStream();
    pipeMs.push(ms(t0));
  }
  // medians, and the best run of each (the least disturbed by other load on a shared machine)
  const parseRate = (ticks / median(parseMs)) * 1000;
  const pipeRate = (ticks / median(pipeMs)) * 1000;
  emit({
    figure: 'parse_ticks_per_s',
    value: Math.round(parseRate),
    best: Math.round((ticks / Math.min(...parseMs)) * 1000),
    ticks,
    runs: RUNS,
    input,
  });
  emit({
    figure: 'replay_pipeline_ticks_per_s',
    value: Math.round(pipeRate),
    best: Math.round((replayed / Math.min(...pipeMs)) * 1000),
    ticks: replayed,
    runs: RUNS,
    note: 'streamed read+parse+reorder+dedup+books+strategies+trader+sim venue, no database',
  });
  emit({
    figure: 'replay_pipeline_vs_parse_ratio',
    value: Number((pipeRate / parseRate).toFixed(3)),
    best: Number((Math.min(...parseMs) / Math.min(...pipeMs)).toFixed(3)),
    goal: 0.6,
  });

  // decision latency: book update + strategies + trader, per tick (tick in → order commands out)
  const { rows } = warm;
  const engine = new ReplayEngine({ config: cfg, persistTicks: false });
  const lat = new Float64Array(rows.length);
  const withCmd: number[] = [];
  const trader = engine.trader;
  for (let i = 0; i < rows.length; i += 1) {
    const r = rows[i]!;
    engine.clock.advanceTo(r.tsMs);
    const t0 = process.hrtime.bigint();
    const tick = engine.books.applyRow(r);
    const cmds = trader.onTick(tick);
    const us = Number(process.hrtime.bigint() - t0) / 1e3;
    lat[i] = us;
    if (cmds.length > 0) withCmd.push(us);
    for (const c of cmds) engine.venue.submit(c);
  }
  lat.sort();
  withCmd.sort((a, b) => a - b);
  const w = Float64Array.from(withCmd);
  emit({
    figure: 'decision_latency_us',
    p50: round(pct(lat, 50)),
    p99: round(pct(lat, 99)),
    max: round(lat[lat.length - 1]!),
    ticks: lat.length,
    goal_p99: 20,
  });
  emit({
    figure: 'decision_latency_with_order_us',
    p50: round(pct(w, 50)),
    p99: round(pct(w, 99)),
    ticks: w.length,
  });

  // memory over a long replay: the shared data shifted forward 20 times (≈1.2M ticks)
  const loops = Number(process.env.BENCH_MEMORY_LOOPS ?? 20);
  const span = rows[rows.length - 1]!.tsMs - rows[0]!.tsMs + 3_600_000;
  const long = new ReplayEngine({ config: cfg, persistTicks: false });
  const heap: number[] = [];
  let tradesKept = 0;
  for (let k = 0; k < loops; k += 1) {
    const shiftMs = k * span;
    const shiftS = shiftMs / 1000;
    for (const r of rows) long.step({ ...r, tsMs: r.tsMs + shiftMs, windowEpoch: r.windowEpoch + shiftS });
    long.sink.discard();
    tradesKept += long.sink.trades.length;
    long.sink.trades.length = 0; // kept for trades.jsonl in a real run: ~1 KB per closed position
    if (global.gc) global.gc();
    heap.push(Math.round(process.memoryUsage().heapUsed / 1e6));
  }
  emit({
    figure: 'long_replay_heap_mb',
    ticks: rows.length * loops,
    first: heap[0],
    last: heap[heap.length - 1],
    max: Math.max(...heap),
    samples: heap,
    note: `closed positions (${tradesKept}) released each loop, as trades.jsonl would keep them`,
  });
  await liveFigures();
  fuzzFigure();
}

/** The feed-path fuzz at bench size (issue #9): frames, outcomes per path, findings, rate. */
function fuzzFigure(): void {
  const frames = Number(process.env.BENCH_FUZZ_FRAMES ?? 1_000_000);
  const t0 = process.hrtime.bigint();
  const r = runFeedFuzz({ frames, seed: 0x5eed });
  const elapsed = ms(t0);
  emit({
    figure: 'feed_fuzz_frames',
    value: r.frames,
    crashes: r.crashCount,
    invalid: r.invalidCount,
    frames_per_s: Math.round((r.frames / elapsed) * 1000),
    ms: Math.round(elapsed),
    by_path: r.byPath,
    findings: [...r.crashes, ...r.invalid].slice(0, 5),
  });
  if (r.crashCount + r.invalidCount > 0) process.exitCode = 1;
}

/** Live-path figures (issue #3). */
async function liveFigures(): Promise<void> {
  // live path (issue #3): market-channel frames through parse + L2 apply, in process and over ws
  const frames = syntheticFrames(Number(process.env.BENCH_FRAMES ?? 200_000));
  benchFeedInProcess(frames.slice(0, 20_000));
  const inProc: number[] = [];
  for (let i = 0; i < 3; i += 1) inProc.push(benchFeedInProcess(frames));
  emit({ figure: 'feed_parse_apply_frames_per_s', value: Math.round(median(inProc)), frames: frames.length });
  emit({
    figure: 'feed_over_ws_frames_per_s',
    value: Math.round(await benchFeedOverWs(frames)),
    frames: frames.length,
    note: 'server in a worker thread, loopback',
  });
  const sign = await benchSigning(1000);
  emit({
    figure: 'tick_to_signed_fok_ms',
    p50: round(sign.p50),
    p99: round(sign.p99),
    orders: 1000,
    goal_p99: 1,
  });
  const ingest = await benchIngest(Number(process.env.BENCH_INGEST_ROWS ?? 200_000), 5000);
  emit({
    figure: 'ingest_ticks_per_s_postgres',
    ...('skipped' in ingest
      ? ingest
      : { value: Math.round(ingest.rowsPerSec), target: ingest.target, batch: 5000 }),
    goal: 100_000,
  });
}

/** The replay pipeline without the database: streamed input through the engine. */
async function replayStream(): Promise<number> {
  const engine = new ReplayEngine({ config: cfg, persistTicks: false });
  await engine.run(streamInput(input, { reorderWindowMs: cfg.REORDER_WINDOW_MS }).batches, {
    repo: null,
    runId: 0,
  });
  return engine.rows;
}

const round = (x: number): number => Math.round(x * 100) / 100;

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
