/**
 * The live trader as the collector's plugin (issues #4, #8; issue #10: the runtime owns the
 * timers and their shutdown): the kill-switch watch, the poll lanes (orders, windows) and the
 * reconciliation timer — independent lanes, so a slow chain read in one never delays the others
 * (issue #8 point 6) — the start (restore a resumed run, reconcile before the first tick) and the
 * stop (timers cleared, lanes awaited, orders in flight waited for, journal flushed, summary).
 */
import type { Config } from '../config/schema';
import { MICROS } from '../core/money';
import type { ChainReader } from '../chain/balances';
import type { ClobVenue } from '../execution/clob-venue';
import type { LiveSession } from '../live/live-session';
import type { Logger } from '../platform/logger';
import { formatSummary, summarize } from '../report/summary';
import { writeTradesFile } from '../replay/trades-file';
import type { CollectPlugin, PluginContext } from './collector-host';
import { traderSourceOf } from '../metrics/sources';
import { dashboardTraderOf } from '../dashboard/trader-view';
import { KillSwitchWatch } from './kill-switch';

/**
 * Logs the wallet's collateral on chain and asks the venue to refresh its view of it
 * (`GET /balance-allowance/update`, polymarket-protocol.md §5.6: the venue needs it before it sees
 * funds), then logs what the venue sees. Never throws: a failure is a warning.
 */
export async function preflight(
  reader: ChainReader,
  venue: ClobVenue,
  owner: string,
  log: Logger,
): Promise<void> {
  try {
    const usdc = await reader.collateralBalance(owner);
    log.info({ owner, collateralUsdc: Number(usdc) / MICROS }, 'live wallet');
  } catch (err) {
    log.warn({ err: (err as Error).message }, 'could not read the collateral balance');
  }
  try {
    const seen = await venue.updateCollateral();
    log.info({ owner, venueCollateralUsdc: Number(seen.balance) / MICROS }, 'venue balance refreshed');
    if (seen.balance === 0n)
      log.warn({ owner }, 'the venue sees no collateral for this funder: entries will be refused');
  } catch (err) {
    log.warn(
      { err: (err as Error).message },
      'could not refresh the venue balance (update_balance_allowance)',
    );
  }
}

/**
 * The plugin of a live session on run `run`. `start` prints the start reconciliation line
 * (`live: run N[ (resumed)]; start reconciliation: K discrepancies`), which operators and the
 * crash tests read.
 */
export function livePlugin(
  cfg: Config,
  session: LiveSession,
  run: { runId: number; resumed: boolean },
  ctx: PluginContext,
  log: Logger,
): CollectPlugin {
  const kill = new KillSwitchWatch(cfg.KILL_SWITCH_FILE, log, {
    get killed() {
      return session.trader.risk.killSwitch;
    },
    setKill: (on) => session.setKill(on),
    flatten: () => session.flatten(),
    stopFlatten: () => session.stopFlatten(),
  });
  // independent lanes (issue #8 point 6): a slow chain read in one never delays the others
  const lanes: Promise<void>[] = [];
  const lane = (job: () => Promise<void>): (() => void) => {
    let busy = false;
    return () => {
      if (busy) return;
      busy = true;
      const p = job().finally(() => {
        busy = false;
        lanes.splice(lanes.indexOf(p), 1);
      });
      lanes.push(p);
    };
  };
  const reconcile = async (): Promise<void> => {
    try {
      const found = await session.reconcileOnce();
      if (found.length > 0) log.warn({ discrepancies: found.length }, 'reconciliation adopted chain truth');
    } catch (err) {
      session.stats.reconcileErrors += 1;
      log.warn({ err: (err as Error).message }, 'reconciliation failed; retried next period');
    }
  };
  const timers: NodeJS.Timeout[] = [];
  const source = traderSourceOf(session.trader, session.engine.journal.trades);
  const view = dashboardTraderOf(session.trader, session.engine.journal.trades, cfg);
  return {
    onTick: (tick) => session.onTick(tick),
    metrics: {
      trader: () => source,
      dashboard: () => view,
      live: () => ({ stats: session.stats, unknownOrders: () => session.unknownOrderCount }),
    },
    start: async () => {
      for (const m of ctx.markets()) session.addMarket(m);
      await session.marketsChecked();
      if (run.resumed) {
        const n = await session.restore();
        log.info({ runId: run.runId, restored: n }, 'live run resumed');
      }
      await reconcile();
      const d = session.stats.discrepancies;
      console.log(
        `live: run ${run.runId}${run.resumed ? ' (resumed)' : ''}; start reconciliation: ${d.missing + d.extra + d.size_mismatch} discrepancies`,
      );
      timers.push(
        setInterval(
          lane(() => session.pollOrders()),
          cfg.LIVE_POLL_MS,
        ),
      );
      timers.push(
        setInterval(
          lane(() => session.pollWindows()),
          cfg.LIVE_POLL_MS,
        ),
      );
      timers.push(setInterval(lane(reconcile), cfg.RECONCILE_INTERVAL_MS));
    },
    everySecond: () => {
      kill.check();
      void session.flush();
    },
    stop: async () => {
      for (const t of timers) clearInterval(t);
      kill.dispose();
      await Promise.all([...lanes]);
      await session.stop(cfg.CLOB_REQUEST_TIMEOUT_MS * 2);
      writeTradesFile(cfg.OUT_PATH, session.sink.trades);
      console.log(formatSummary(summarize(session.sink.trades, session.trader.stats)));
      console.log(`open positions left: ${session.trader.openPositions().length}; trades: ${cfg.OUT_PATH}`);
      console.log(`live: ${JSON.stringify(session.stats)}`);
    },
  };
}
