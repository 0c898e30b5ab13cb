/**
 * The parity rehearsal (issue #11, `npm run smoke:parity`): a local EVM and the local exchange,
 * `trade --mode live` (the real CLI) with its paper twin on, over N recorded windows, with two
 * divergences injected at the exchange — one live entry filled at a worse price than the book the
 * twin saw (`slipNext`: the book moves one tick against the order just before it matches) and one
 * live exit killed (`killSellNext`) — then the parity report of the run. The divergences count as
 * detected only when the report's rows show them: a pair whose live entry cost at least a tick
 * more (`slippage`), a pair whose live exit took more attempts than the twin's (`killed_exit`).
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Wallet } from 'ethers';
import pino from 'pino';
import { windowEndMs } from '../../src/core/types';
import { openRepository } from '../../src/persistence/open-repository';
import { disagrees } from '../../src/parity/parity-record';
import { parityReport } from '../../src/runtime/parity-run';
import { startVenueStack } from '../exchange-local/venue-stack';
import { spawnTrader, traderEnv } from './rehearsal';

/** The last stdout line of `smoke:parity` (issue #11). */
export interface ParityRehearsalResult {
  readonly pairs: number;
  /** Rows that disagree (one-sided, exit reasons differ, a slippage of a tick or more). */
  readonly mismatches: number;
  /** The injected divergences the report found: `slippage`, `killed_exit`. */
  readonly detected: string[];
  readonly verdict: 'pass' | 'fail';
  /** Path of the HTML report. */
  readonly report: string;
}

/** Options of {@link rehearseParity}. */
export interface ParityRehearsalOptions {
  /** Recorded windows traded (default 4). */
  readonly windows?: number;
  /** Playback speed (default 60). */
  readonly speed?: number;
  /** PostgreSQL URL; default a temporary PGlite. */
  readonly databaseUrl?: string;
  /** Where the report goes (default the run's temporary directory, kept). */
  readonly outDir?: string;
  readonly progress?: (line: string) => void;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Runs the rehearsal and returns its result; `ok` when both divergences were detected.
 * @throws when the venue stack or the trader cannot start.
 */
export async function rehearseParity(
  o: ParityRehearsalOptions = {},
): Promise<{ result: ParityRehearsalResult; ok: boolean; text: string }> {
  const n = o.windows ?? 4;
  const say = o.progress ?? (() => undefined);
  const dir = mkdtempSync(join(tmpdir(), 'smoke-parity-'));
  const stack = await startVenueStack({
    windows: n + 1,
    manual: true,
    speed: o.speed ?? 60,
    rtdsInput: null,
    logger: pino({ level: 'warn' }, pino.destination(2)),
  });
  let child: ChildProcess | null = null;
  try {
    const wallet = new Wallet(Wallet.createRandom().privateKey, stack.chain.provider);
    await stack.onboard(wallet, 1_000n * 1_000_000n);
    const env = traderEnv(stack, wallet.privateKey, dir, o.databaseUrl ?? '', { SIM_LATENCY_MS: '0' });
    child = spawnTrader(env, stack.exchange.url);
    let out = '';
    let err = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-20_000)));
    const exited = new Promise<number | null>((ok) => child?.once('exit', (code) => ok(code)));
    const started = Date.now();
    while (!out.includes('start reconciliation')) {
      if (child.exitCode !== null || Date.now() - started > 60_000)
        throw new Error(`the trader did not start: ${out.slice(-2_000)} ${err.slice(-2_000)}`);
      await sleep(50);
    }
    say(out.trim().split('\n').join(' | '));
    const faults = stack.exchange.clob.faults;
    const last = stack.markets[n - 1];
    if (last === undefined) throw new Error(`the recording has fewer than ${n} windows`);
    const lastEnd = windowEndMs(last.window);
    faults.slipNext();
    let killArmed = false;
    let stopped = false;
    stack.exchange.play();
    while (stack.exchange.clockMs() < lastEnd + 60_000) {
      await sleep(25);
      if (!killArmed && faults.stats.slipped > 0) {
        say('fault fired: slippage (a live entry matched one tick worse)');
        faults.killSellNext();
        killArmed = true;
      }
      if (!stopped && stack.exchange.clockMs() >= lastEnd - 1_000) {
        stopped = true;
        writeFileSync(join(dir, 'KILL'), 'stop entries\n');
      }
      if (stack.exchange.clockMs() >= lastEnd && !stack.exchange.stats().playing) break;
    }
    if (faults.stats.sellsKilled > 0) say('fault fired: killed_exit (a live exit killed)');
    stack.exchange.pause();
    await sleep(2_500); // the last flushes of both sides
    child.kill('SIGTERM');
    const code = await Promise.race([exited, sleep(30_000).then(() => 'timeout' as const)]);
    if (code === 'timeout') child.kill('SIGKILL');
    say(`trader stopped (exit ${String(code)})`);

    const repo = await openRepository(
      o.databaseUrl ? { databaseUrl: o.databaseUrl } : { dataDir: join(dir, 'pglite') },
    );
    try {
      const liveRunId = await repo.latestRunOf('live', wallet.address);
      if (liveRunId === null) throw new Error(`the trader stored no live run: ${err.slice(-2_000)}`);
      const r = await parityReport(
        repo,
        { PARITY_PNL_TOLERANCE_PCT: 0.1, PARITY_EXIT_AGREEMENT_PCT: 0.9 },
        { runId: liveRunId, outDir: o.outDir ?? join(dir, 'report') },
      );
      if (typeof r === 'string') throw new Error(r);
      const pairs = r.rows.filter((x) => x.kind === 'pair');
      const detected: string[] = [];
      if (faults.stats.slipped > 0 && pairs.some((x) => (x.entrySlippageTicks ?? 0) >= 1))
        detected.push('slippage');
      if (
        faults.stats.sellsKilled > 0 &&
        pairs.some((x) => (x.liveExitAttempts ?? 0) > (x.paperExitAttempts ?? 0))
      )
        detected.push('killed_exit');
      const result: ParityRehearsalResult = {
        pairs: pairs.length,
        mismatches: r.rows.filter(disagrees).length,
        detected,
        verdict: r.summary.verdict,
        report: r.path,
      };
      return { result, ok: detected.length === 2, text: r.text };
    } finally {
      await repo.close();
    }
  } finally {
    if (child !== null && child.exitCode === null) child.kill('SIGKILL');
    await stack.close();
    if (o.outDir !== undefined) rmSync(dir, { recursive: true, force: true });
  }
}
