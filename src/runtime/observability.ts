/**
 * Starting the observation endpoints of a command (issue #13) from its settings: `/metrics`
 * (METRICS_PORT, METRICS_HOST) and the dashboard (`--dashboard`: DASHBOARD_PORT, DASHBOARD_HOST).
 * Each prints its address on stdout; a listen failure stops the command at start with the port
 * named.
 */
import type { Config } from '../config/schema';
import { ConfigError } from '../core/errors';
import { DashboardModel, type DashboardSources } from '../dashboard/dashboard-model';
import { startDashboard, type DashboardServer } from '../dashboard/dashboard-server';
import { startMetricsServer, type MetricsServer } from '../metrics/metrics-server';
import { buildMetrics, type MetricsSources } from '../metrics/trading-metrics';

/**
 * Starts `/metrics` when METRICS_PORT is set and prints its address; `null` when off.
 * @throws {ConfigError} when the port cannot be listened on.
 */
export async function serveMetrics(cfg: Config, sources: MetricsSources): Promise<MetricsServer | null> {
  if (cfg.METRICS_PORT === 0) return null;
  try {
    const server = await startMetricsServer(buildMetrics(sources), cfg.METRICS_HOST, cfg.METRICS_PORT);
    console.log(`metrics: ${server.url}`);
    return server;
  } catch (err) {
    throw new ConfigError(
      `METRICS_PORT ${cfg.METRICS_PORT} on ${cfg.METRICS_HOST}: ${(err as Error).message}`,
      { cause: err },
    );
  }
}

/** A dashboard with its model (feed the model the ticks the trader sees). */
export interface Dashboard {
  readonly model: DashboardModel;
  readonly server: DashboardServer;
}

/**
 * Starts the dashboard over `sources` and prints `dashboard: <url>`.
 * @throws {ConfigError} when DASHBOARD_PORT cannot be listened on.
 */
export async function serveDashboard(cfg: Config, sources: DashboardSources): Promise<Dashboard> {
  const model = new DashboardModel(sources);
  try {
    const server = await startDashboard({
      host: cfg.DASHBOARD_HOST,
      port: cfg.DASHBOARD_PORT,
      snapshot: () => model.snapshot(),
    });
    console.log(`dashboard: ${server.url}`);
    return { model, server };
  } catch (err) {
    throw new ConfigError(`DASHBOARD_PORT ${cfg.DASHBOARD_PORT}: ${(err as Error).message}`, { cause: err });
  }
}
