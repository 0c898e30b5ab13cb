/**
 * The alert monitor (issue #13): runs the rules (`alert-rules.ts`) on each check, logs every alert
 * that fires (`warn`/`error`, field `alert` plus its inputs) or clears, counts them for
 * `/metrics`, and — with ALERT_WEBHOOK_URL set — POSTs each fired alert as JSON with retry
 * (p-retry). A failing webhook is logged and never stops or delays trading.
 */
import pRetry from 'p-retry';
import type { Logger } from '../platform/logger';
import {
  evaluateAlerts,
  INITIAL_ALERT_STATE,
  type AlertConfig,
  type AlertInputs,
  type AlertState,
} from './alert-rules';

/** The webhook's JSON body. */
export interface AlertPayload {
  readonly alert: string;
  readonly level: 'warn' | 'error';
  readonly tsMs: number;
  readonly data: Readonly<Record<string, unknown>>;
}

/** Options of the monitor. */
export interface AlertMonitorOptions {
  readonly cfg: AlertConfig;
  readonly log: Logger;
  /** ALERT_WEBHOOK_URL ('' = none). */
  readonly webhookUrl: string;
  /** Retries of a webhook POST after the first attempt (default 3), first wait (default 500 ms). */
  readonly retries?: number;
  readonly minTimeoutMs?: number;
}

/** Checks the rules and delivers the alerts. */
export class AlertMonitor {
  private state: AlertState = INITIAL_ALERT_STATE;
  /** Alerts fired so far, by name (the `updown_alerts_total` metric). */
  readonly fired: Record<string, number> = {};
  /** Webhook deliveries that failed after every retry. */
  webhookFailures = 0;
  private sending: Promise<void> = Promise.resolve();

  /** Creates a monitor. */
  constructor(private readonly o: AlertMonitorOptions) {}

  /** Runs the rules on `inputs`; logs, counts and sends what changed. Never throws. */
  check(inputs: AlertInputs): void {
    let r;
    try {
      r = evaluateAlerts(this.o.cfg, this.state, inputs);
    } catch (err) {
      this.o.log.error({ err: (err as Error).message }, 'alert rules failed');
      return;
    }
    this.state = r.state;
    for (const c of r.changes) {
      if (c.kind === 'cleared') {
        this.o.log.info({ alert: c.alert }, `alert cleared: ${c.alert}`);
        continue;
      }
      this.fired[c.alert] = (this.fired[c.alert] ?? 0) + 1;
      this.o.log[c.level]({ alert: c.alert, ...c.data }, `alert: ${c.alert}`);
      if (this.o.webhookUrl !== '')
        this.send({ alert: c.alert, level: c.level, tsMs: inputs.nowMs, data: c.data });
    }
  }

  /** Resolves when every webhook POST queued so far is done (delivered or given up). */
  idle(): Promise<void> {
    return this.sending;
  }

  private send(payload: AlertPayload): void {
    const post = async (): Promise<void> => {
      const res = await fetch(this.o.webhookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(payload),
        signal: AbortSignal.timeout(5_000),
      });
      if (!res.ok) throw new Error(`webhook answered ${res.status}`);
    };
    this.sending = this.sending
      .then(() =>
        pRetry(post, { retries: this.o.retries ?? 3, minTimeout: this.o.minTimeoutMs ?? 500, factor: 2 }),
      )
      .catch((err: unknown) => {
        this.webhookFailures += 1;
        this.o.log.error({ alert: payload.alert, err: (err as Error).message }, 'alert webhook failed');
      });
  }
}
