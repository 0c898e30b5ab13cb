/**
 * `trade --mode sim` (rollout step 2, design §1): the collector's live books drive the engine with
 * the simulated venue, the same code as replay (`ReplayEngine.stepTick`); the journal goes to the
 * database once a second, closed trades to `trades.jsonl` at the stop. Kill switch as in live.
 */
import type { Config } from '../config/schema';
import { ReplayEngine } from '../replay/replay-engine';
import { writeTradesFile } from '../replay/trades-file';
import { formatSummary, summarize } from '../report/summary';
import { traderSourceOf } from '../metrics/sources';
import { dashboardTraderOf } from '../dashboard/trader-view';
import { KillSwitchWatch } from './kill-switch';
import type { CollectPlugin, PluginContext } from './collector-host';

/** The trader on the live feed with the simulated venue (the replay engine fed live ticks). */
export function simTrader(cfg: Config, ctx: PluginContext): CollectPlugin {
  const engine = new ReplayEngine({ config: cfg, bookOf: ctx.bookOf, persistTicks: false });
  let flushing: Promise<void> = Promise.resolve();
  const kill = new KillSwitchWatch(cfg.KILL_SWITCH_FILE, ctx.log, {
    get killed() {
      return engine.trader.risk.killSwitch;
    },
    setKill: (on) => engine.trader.risk.setKill(on),
    flatten: () => engine.flatten(),
    stopFlatten: () => engine.trader.setFlatten(false),
  });
  const source = traderSourceOf(engine.trader, engine.sink.trades);
  const view = dashboardTraderOf(engine.trader, engine.sink.trades, cfg);
  return {
    onTick: (tick) => engine.stepTick(tick),
    metrics: { trader: () => source, dashboard: () => view },
    everySecond: () => {
      kill.check();
      flushing = flushing
        .then(() => engine.flush(ctx.repo, ctx.runId))
        .catch((err: unknown) => {
          ctx.log.error({ err: (err as Error).message }, 'database write failed');
        });
    },
    stop: async () => {
      kill.dispose();
      await flushing;
      await engine.flush(ctx.repo, ctx.runId);
      writeTradesFile(cfg.OUT_PATH, engine.sink.trades);
      console.log(formatSummary(summarize(engine.sink.trades, engine.trader.stats)));
      console.log(`open positions left: ${engine.trader.openPositions().length}; trades: ${cfg.OUT_PATH}`);
    },
  };
}
