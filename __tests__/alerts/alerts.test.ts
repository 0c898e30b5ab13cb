/**
 * Alerts (issue #13): each rule fires when its condition starts to hold and clears when it stops
 * (de-duplicated while it holds); the monitor logs each with its inputs, counts it, and POSTs it
 * to a webhook (a local HTTP server here) with retry; a failing webhook never throws.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AlertMonitor, type AlertPayload } from '../../src/alerts/alert-monitor';
import {
  evaluateAlerts,
  INITIAL_ALERT_STATE,
  type AlertChange,
  type AlertInputs,
  type AlertState,
} from '../../src/alerts/alert-rules';
import type { Logger } from '../../src/platform/logger';
import type { TradeLine } from '../../src/trader/position';

const CFG = {
  ALERT_FAILED_EXITS: 3,
  ALERT_STOP_LOSS_RATE: 0.5,
  ALERT_STOP_LOSS_WINDOW: 4,
  ALERT_FEED_STALE_MS: 60_000,
};
const H = 3_600_000;
const base: AlertInputs = {
  nowMs: 0,
  failedExitRounds: 0,
  discrepancies: null,
  trades: [],
  openEntryTimes: [],
  staleTokens: 0,
  parityVerdict: null,
};
const trade = (reason: string, entryTimeMs = 0, exitTimeMs = 1): TradeLine =>
  ({ positionKey: `k${Math.random()}`, exitReason: reason, entryTimeMs, exitTimeMs }) as unknown as TradeLine;

/** Runs checks in order; returns the changes of each. */
function run(steps: readonly Partial<AlertInputs>[]): AlertChange[][] {
  let s: AlertState = INITIAL_ALERT_STATE;
  return steps.map((x) => {
    const r = evaluateAlerts(CFG, s, { ...base, ...x });
    s = r.state;
    return r.changes;
  });
}
const names = (cs: AlertChange[]): string[] => cs.map((c) => `${c.kind}:${c.alert}`);

describe('rules', () => {
  it('failed_exits: 3 failed rounds within an hour fire once, clear when they age out', () => {
    const r = run([
      { nowMs: 0, failedExitRounds: 1 },
      { nowMs: 1000, failedExitRounds: 3 },
      { nowMs: 2000, failedExitRounds: 3 },
      { nowMs: H + 500, failedExitRounds: 3 },
    ]);
    expect(r.map(names)).toEqual([[], ['fired:failed_exits'], [], ['cleared:failed_exits']]);
    expect(r[1]![0]!.data).toMatchObject({ failedExitRounds: 3, threshold: 3 });
    expect(r[1]![0]!.level).toBe('error');
  });

  it('reconcile_discrepancy: any new discrepancy', () => {
    const r = run([{ discrepancies: 0 }, { nowMs: 1, discrepancies: 1 }, { nowMs: 2, discrepancies: 1 }]);
    expect(r.map(names)).toEqual([[], ['fired:reconcile_discrepancy'], ['cleared:reconcile_discrepancy']]);
  });

  it('stop_loss_rate: more than half of the last 4 exits', () => {
    const t = [trade('stop_loss'), trade('trailing_stop'), trade('stop_loss')];
    const r = run([{ trades: t }, { nowMs: 1, trades: [...t, trade('stop_loss')] }]);
    expect(r.map(names)).toEqual([[], ['fired:stop_loss_rate']]);
    expect(r[1]![0]!.data).toMatchObject({ stopLosses: 3, exits: 4, rate: 0.75 });
  });

  it('no_take_profit: 24 h of trading without a profit-taking exit', () => {
    const day = 24 * H;
    const r = run([
      { nowMs: 0 },
      { nowMs: day - 1, openEntryTimes: [day - 10] },
      { nowMs: day, openEntryTimes: [day - 10] },
      { nowMs: day + 1, openEntryTimes: [], trades: [trade('trailing_stop', day - 10, day + 1)] },
    ]);
    expect(r.map(names)).toEqual([[], [], ['fired:no_take_profit'], ['cleared:no_take_profit']]);
  });

  it('feed_stale: a book stale for more than a minute; parity_fail on a fail verdict', () => {
    const r = run([
      { nowMs: 0, staleTokens: 1 },
      { nowMs: 60_000, staleTokens: 1 },
      { nowMs: 60_001, staleTokens: 2, parityVerdict: 'fail' },
      { nowMs: 60_002, staleTokens: 0, parityVerdict: 'pass' },
    ]);
    expect(r.map(names)).toEqual([
      [],
      [],
      ['fired:feed_stale', 'fired:parity_fail'],
      ['cleared:feed_stale', 'cleared:parity_fail'],
    ]);
  });
});

/** A logger that records its lines. */
function recordingLog(): {
  log: Logger;
  lines: { level: string; obj: Record<string, unknown>; msg: string }[];
} {
  const lines: { level: string; obj: Record<string, unknown>; msg: string }[] = [];
  const at = (level: string) => (obj: Record<string, unknown>, msg: string) =>
    lines.push({ level, obj, msg });
  const log = {
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    debug: at('debug'),
  } as unknown as Logger;
  return { log, lines };
}

/** A local webhook answering with `codes` in turn (then 200), recording the bodies. */
async function webhook(codes: number[]): Promise<{ url: string; bodies: AlertPayload[]; server: Server }> {
  const bodies: AlertPayload[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    let b = '';
    req.on('data', (d: Buffer) => (b += d.toString()));
    req.on('end', () => {
      bodies.push(JSON.parse(b) as AlertPayload);
      res.writeHead(codes.shift() ?? 200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, bodies, server };
}

describe('monitor', () => {
  it('logs the alert with its inputs, counts it, and POSTs it once (retrying a 500)', async () => {
    const hook = await webhook([500]);
    const { log, lines } = recordingLog();
    const m = new AlertMonitor({ cfg: CFG, log, webhookUrl: hook.url, minTimeoutMs: 10 });
    try {
      m.check({ ...base, nowMs: 5, parityVerdict: 'fail' });
      m.check({ ...base, nowMs: 6, parityVerdict: 'fail' }); // still holds: no second alert
      await m.idle();
      expect(lines.filter((l) => l.obj['alert'] === 'parity_fail' && l.level === 'error')).toHaveLength(1);
      expect(m.fired).toEqual({ parity_fail: 1 });
      // two POSTs of the same alert: the 500, then the retry that was taken
      expect(hook.bodies).toHaveLength(2);
      expect(hook.bodies[1]).toEqual({
        alert: 'parity_fail',
        level: 'error',
        tsMs: 5,
        data: { verdict: 'fail' },
      });
      expect(m.webhookFailures).toBe(0);
    } finally {
      hook.server.close();
    }
  });

  it('a dead webhook is logged and never throws', async () => {
    const { log, lines } = recordingLog();
    const m = new AlertMonitor({
      cfg: CFG,
      log,
      webhookUrl: 'http://127.0.0.1:1/hook',
      retries: 1,
      minTimeoutMs: 5,
    });
    expect(() => m.check({ ...base, nowMs: 1, discrepancies: 1 })).not.toThrow();
    await m.idle();
    expect(m.webhookFailures).toBe(1);
    expect(lines.some((l) => l.msg === 'alert webhook failed')).toBe(true);
    // the URL (a credential) is not in the log
    expect(JSON.stringify(lines)).not.toContain('127.0.0.1:1');
  });
});
