/**
 * The dashboard's HTTP server (issue #13; `node:http`, no framework): read-only, GET only, bound
 * to 127.0.0.1 unless told otherwise. Routes:
 * - `/` the page, `/app.js` its script, `/chart.js` the Chart.js UMD bundle from the `chart.js`
 *   package (no CDN: the page works offline);
 * - `/state` the snapshot as JSON;
 * - `/events` server-sent events: the snapshot, pushed every `pushMs` when it changed (one
 *   snapshot per push whatever the number of clients), with a comment line every 15 s to keep
 *   proxies from closing the stream.
 * Other methods get 405, other paths 404. No route changes anything and the page holds no secret.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chartJsBundle } from '../report/html';
import type { DashboardSnapshot } from './dashboard-model';
import { DASHBOARD_HTML, DASHBOARD_JS } from './dashboard-page';

/** A running dashboard. */
export interface DashboardServer {
  /** `http://host:port/`. */
  readonly url: string;
  /** Clients of `/events` now. */
  clients(): number;
  /** Stops pushing, ends the event streams and closes the server. */
  close(): Promise<void>;
}

/** Options of {@link startDashboard}. */
export interface DashboardOptions {
  readonly host: string;
  /** Port; 0 = any free port (the URL says which). */
  readonly port: number;
  /** The state now (called once per push and per `/state`). */
  readonly snapshot: () => DashboardSnapshot;
  /** Push period, wall ms (default 250). */
  readonly pushMs?: number;
}

const SECURITY_HEADERS = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self'; img-src 'self' data:",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
} as const;

/**
 * Starts the dashboard.
 * @throws the listen error (a port in use), with the port in its message.
 */
export async function startDashboard(opts: DashboardOptions): Promise<DashboardServer> {
  const chartJs = chartJsBundle();
  // each event stream with the version it last received
  const streams = new Map<ServerResponse, number>();
  let lastBeatMs = Date.now();

  const send = (res: ServerResponse, type: string, body: string, status = 200): void => {
    res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': type });
    res.end(body);
  };
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...SECURITY_HEADERS, Allow: 'GET, HEAD', 'Content-Type': 'text/plain' });
      res.end('read-only: GET only\n');
      return;
    }
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    switch (path) {
      case '/':
        return send(res, 'text/html; charset=utf-8', DASHBOARD_HTML);
      case '/app.js':
        return send(res, 'text/javascript; charset=utf-8', DASHBOARD_JS);
      case '/chart.js':
        return send(res, 'text/javascript; charset=utf-8', chartJs);
      case '/state':
        return send(res, 'application/json', JSON.stringify(opts.snapshot()));
      case '/events':
        res.writeHead(200, {
          ...SECURITY_HEADERS,
          'Content-Type': 'text/event-stream',
          Connection: 'keep-alive',
        });
        {
          const first = opts.snapshot();
          res.write(`retry: 1000\ndata: ${JSON.stringify(first)}\n\n`);
          streams.set(res, first.version);
        }
        req.on('close', () => streams.delete(res));
        return;
      default:
        return send(res, 'text/plain', 'not found\n', 404);
    }
  };
  const server = createServer(handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) =>
      reject(new Error(`dashboard on ${opts.host}:${opts.port}: ${err.message}`, { cause: err })),
    );
    server.listen(opts.port, opts.host, () => resolve());
  });
  const timer = setInterval(() => {
    if (streams.size === 0) return;
    const now = Date.now();
    const snap = opts.snapshot();
    let frame: string | null = null;
    for (const [s, v] of streams) {
      if (v === snap.version) continue;
      frame ??= `data: ${JSON.stringify(snap)}\n\n`;
      s.write(frame);
      streams.set(s, snap.version);
    }
    if (frame !== null) lastBeatMs = now;
    else if (now - lastBeatMs >= 15_000) {
      for (const s of streams.keys()) s.write(': keep-alive\n\n');
      lastBeatMs = now;
    }
  }, opts.pushMs ?? 250);
  timer.unref();
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${host}:${addr.port}/`,
    clients: () => streams.size,
    close: async () => {
      clearInterval(timer);
      for (const s of streams.keys()) s.end();
      streams.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
