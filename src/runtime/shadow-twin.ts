/**
 * The paper twin of a live run (issue #11): the same strategies, the same `LiveTrader` and the
 * simulated venue, fed the same ticks in the same order as the live trader (the collector hands
 * each tick to the live session first, then to the twin; both engines' clocks follow the ticks).
 * It is `trade --mode sim`'s engine with its own run: mode `shadow`, linked to the live run, so it
 * never sends an order, never touches the wallet, the wallet lock or the live run's rows. Its
 * closed trades go to `<OUT_PATH without .jsonl>.shadow.jsonl` at the stop.
 *
 * A resumed live run resumes its twin's run: keys of closed twin positions are reserved (pairing
 * is by position key, so both sides must number their positions alike), OPEN and EXITING ones are
 * restored (an EXITING one sends its next attempt on the next tick), and a PENDING one — its
 * simulated order died with the process — ends as a failed entry.
 *
 * The operator's kill switch (file or SIGUSR2) applies to the twin as to the live trader. At the
 * stop, windows that ended without a later tick are settled (as a replay's end settles them).
 * Every 5 s (and at the stop) the parity monitor brings the `parity` table up to date and logs
 * the `[PARITY]` lines (`parity/parity-monitor.ts`).
 *
 * A failure of the twin (a bug, a database error) is logged and counted; it never stops the live
 * trader.
 */
import type { Config } from '../config/schema';
import { configHash, redactConfig } from '../config/redact';
import type { Repository } from '../persistence/repository';
import type { Logger } from '../platform/logger';
import { ReplayEngine } from '../replay/replay-engine';
import { writeTradesFile } from '../replay/trades-file';
import { ParityMonitor } from '../parity/parity-monitor';
import type { ParitySummary } from '../parity/verdict';
import { positionFromRecord } from '../trader/position';
import type { CollectPlugin, PluginContext } from './collector-host';
import { KillSwitchWatch } from './kill-switch';

/** Counters of the twin. */
export interface TwinStats {
  /** Ticks the twin saw. */
  ticks: number;
  /** Ticks or flushes that threw (logged; the live trader went on). */
  errors: number;
  /** Positions restored from the twin's journal at a resumed run. */
  restored: number;
}

/** How often the parity rows are brought up to date, s (and once at the stop). */
const PARITY_CHECK_SEC = 5;

/** An open twin. */
export interface ShadowTwin {
  /** The plugin to run beside the live one (see {@link withTwin}). */
  readonly plugin: CollectPlugin;
  /** The twin's run id (mode `shadow`). */
  readonly runId: number;
  readonly stats: TwinStats;
  /** Parity totals and verdict of the rows written so far (`null` before the first check). */
  readonly parity: () => ParitySummary | null;
}

/** The twin's trades file next to the live run's: `trades.jsonl` → `trades.shadow.jsonl`. */
export function shadowTradesPath(outPath: string): string {
  return outPath.endsWith('.jsonl')
    ? `${outPath.slice(0, -'.jsonl'.length)}.shadow.jsonl`
    : `${outPath}.shadow`;
}

/**
 * Opens the twin of live run `liveRunId` (its `shadow` run, created or resumed, restored) and
 * returns it as a collector plugin plus its run id and counters.
 * @throws whatever the repository throws while opening the run (the live runtime then runs without
 * a twin and says so).
 */
export async function openShadowTwin(
  cfg: Config,
  ctx: PluginContext,
  repo: Repository,
  liveRunId: number,
  nowMs: number,
  log: Logger,
): Promise<ShadowTwin> {
  let runId = await repo.linkedRunOf(liveRunId, 'shadow');
  const resumed = runId !== null;
  runId ??= await repo.createRun({
    mode: 'shadow',
    configHash: configHash(cfg),
    codeRevision: 'shadow-twin',
    input: cfg.CLOB_URL,
    startedAtMs: nowMs,
    config: redactConfig(cfg),
    linkedRunId: liveRunId,
  });
  const seqStart = resumed ? await repo.maxEventSeq(runId) : 0;
  const engine = new ReplayEngine({
    config: cfg,
    bookOf: ctx.bookOf,
    persistTicks: false,
    journalSeqStart: seqStart,
  });
  const stats: TwinStats = { ticks: 0, errors: 0, restored: 0 };
  if (resumed) {
    engine.clock.advanceTo(nowMs);
    for (const r of await repo.loadPositions(runId)) {
      const p = positionFromRecord(r);
      if (r.state === 'CLOSED') engine.trader.reserveKey(p.key, p.strategy, p.window);
      else if (r.state === 'PENDING') {
        engine.trader.restore(p, null, nowMs);
        engine.trader.correct(
          { kind: 'close', key: p.key, audit: { reason: 'twin restarted: its simulated entry was lost' } },
          nowMs,
        );
      } else {
        engine.trader.restore(p, null, nowMs);
        stats.restored += 1;
      }
    }
  }
  const id = runId;
  const parity = new ParityMonitor({
    repo,
    liveRunId,
    shadowRunId: id,
    log,
    thresholds: {
      pnlTolerancePct: cfg.PARITY_PNL_TOLERANCE_PCT * 100,
      exitAgreementPct: cfg.PARITY_EXIT_AGREEMENT_PCT * 100,
    },
    simLatencyMs: cfg.SIM_LATENCY_MS,
  });
  // the operator's kill switch stops the twin's entries too (and its flatten sells the twin's
  // positions): parity compares the trader the operator runs, not one left unattended
  const kill = new KillSwitchWatch(cfg.KILL_SWITCH_FILE, log.child({ twin: true }), {
    get killed() {
      return engine.trader.risk.killSwitch;
    },
    setKill: (on) => engine.trader.risk.setKill(on),
    flatten: () => engine.flatten(),
    stopFlatten: () => engine.trader.setFlatten(false),
  });
  let seconds = 0;
  let flushing: Promise<void> = Promise.resolve();
  const guard = (what: string, fn: () => void): void => {
    try {
      fn();
    } catch (err) {
      stats.errors += 1;
      log.error({ err: (err as Error).message, what }, 'paper twin failed (the live trader goes on)');
    }
  };
  const plugin: CollectPlugin = {
    onTick: (tick) =>
      guard('tick', () => {
        stats.ticks += 1;
        engine.stepTick(tick);
      }),
    everySecond: () => {
      seconds += 1;
      guard('kill switch', () => kill.check());
      flushing = flushing
        .then(() => engine.flush(repo, id))
        .then(() => (seconds % PARITY_CHECK_SEC === 0 ? parity.check(ctx.venueNow()) : undefined))
        .catch((err: unknown) => {
          stats.errors += 1;
          log.error({ err: (err as Error).message }, 'paper twin: database write failed');
        });
    },
    stop: async () => {
      kill.dispose();
      await flushing;
      try {
        // windows ended by the last tick settle now, exactly as a replay of the recording ends
        guard('stop', () => engine.finish(true));
        await engine.flush(repo, id);
        writeTradesFile(shadowTradesPath(cfg.OUT_PATH), engine.sink.trades);
        await parity.check(ctx.venueNow());
        await repo.finishRun(id, ctx.venueNow(), {
          trader: engine.trader.stats,
          twin: stats,
          parity: parity.summary,
        });
      } catch (err) {
        stats.errors += 1;
        log.error({ err: (err as Error).message }, 'paper twin: final write failed');
      }
    },
  };
  log.info({ shadowRunId: id, liveRunId, resumed, restored: stats.restored }, 'paper twin on');
  return { plugin, runId: id, stats, parity: () => parity.summary };
}

/**
 * The live plugin with its twin beside it: each tick goes to the live trader first, then to the
 * twin (same ticks, same order); the twin stops after the live trader.
 */
export function withTwin(live: CollectPlugin, twin: CollectPlugin): CollectPlugin {
  return {
    onTick: (tick) => {
      live.onTick(tick);
      twin.onTick(tick);
    },
    ...(live.start === undefined ? {} : { start: () => live.start!() }),
    // the metrics are the live trader's (the twin's figures are the parity report's)
    ...(live.metrics === undefined ? {} : { metrics: live.metrics }),
    everySecond: () => {
      live.everySecond?.();
      twin.everySecond?.();
    },
    stop: async () => {
      await live.stop?.();
      await twin.stop?.();
    },
  };
}
