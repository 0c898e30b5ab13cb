/**
 * The dashboard's HTTP server (issue #13) on loopback: the page, its script and the Chart.js bundle
 * from the package (no CDN), `/state`, server-sent events pushed when the state changes (not on
 * every period), read-only (405 for anything but GET/HEAD), 404 elsewhere.
 */
import { get, type IncomingMessage } from 'node:http';
import { startDashboard, type DashboardServer } from '../../src/dashboard/dashboard-server';
import type { DashboardSnapshot } from '../../src/dashboard/dashboard-model';

let version = 1;
const snap = (): DashboardSnapshot => ({
  mode: 'replay',
  nowMs: 1_766_745_900_000 + version,
  version,
  killSwitch: null,
  feed: null,
  live: null,
  windows: [],
  positions: [],
  exits: [],
  totals: { trades: 0, pnlUsdc: 0, open: 0 },
});

let server: DashboardServer;
beforeAll(async () => {
  server = await startDashboard({ host: '127.0.0.1', port: 0, snapshot: snap, pushMs: 20 });
});
afterAll(async () => {
  await server.close();
});

/** Reads server-sent events from `/events` until `n` data events arrived. */
function readEvents(n: number): Promise<{ events: DashboardSnapshot[]; res: IncomingMessage }> {
  return new Promise((resolve, reject) => {
    const req = get(`${server.url}events`, (res) => {
      let buf = '';
      const events: DashboardSnapshot[] = [];
      res.on('data', (b: Buffer) => {
        buf += b.toString();
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const frame = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const data = frame.split('\n').find((l) => l.startsWith('data: '));
          if (data !== undefined) events.push(JSON.parse(data.slice(6)) as DashboardSnapshot);
          if (events.length === n) {
            req.destroy();
            resolve({ events, res });
            return;
          }
        }
      });
    });
    req.on('error', reject);
  });
}

describe('dashboard server', () => {
  it('binds to loopback on a free port', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  });

  it('serves the page, its script and Chart.js from the package, with a strict content policy', async () => {
    const page = await fetch(server.url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await page.text();
    expect(html).toContain('<script src="chart.js"></script>');
    expect(html).not.toMatch(/https?:\/\/(?!127\.0\.0\.1)/); // nothing from the network
    const js = await (await fetch(`${server.url}app.js`)).text();
    expect(js).toContain("new EventSource('events')");
    const chart = await (await fetch(`${server.url}chart.js`)).text();
    expect(chart.length).toBeGreaterThan(100_000);
    expect(chart).toContain('Chart');
  });

  it('answers /state with the snapshot', async () => {
    const s = (await (await fetch(`${server.url}state`)).json()) as DashboardSnapshot;
    expect(s.version).toBe(version);
  });

  it('pushes a snapshot on connect and again only when its version changed', async () => {
    const reading = readEvents(2);
    await new Promise((r) => setTimeout(r, 150)); // several push periods with no change
    version += 1;
    const { events, res } = await reading;
    expect(res.headers['content-type']).toBe('text/event-stream');
    expect(events.map((e) => e.version)).toEqual([version - 1, version]);
  });

  it('is read-only: 405 for POST, PUT, DELETE; 404 for unknown paths', async () => {
    for (const method of ['POST', 'PUT', 'DELETE']) {
      const r = await fetch(`${server.url}state`, { method });
      expect(r.status).toBe(405);
      expect(r.headers.get('allow')).toBe('GET, HEAD');
    }
    expect((await fetch(`${server.url}orders`)).status).toBe(404);
  });

  it('a port in use is refused with the port named', async () => {
    const port = Number(new URL(server.url).port);
    await expect(startDashboard({ host: '127.0.0.1', port, snapshot: snap })).rejects.toThrow(
      new RegExp(`dashboard on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE`),
    );
  });
});
