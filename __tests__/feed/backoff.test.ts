/**
 * Reconnect back-off (issue #9): `backoffDelayMs` grows ×2 per failure up to its cap, with the
 * jitter an input in [0, 1) scaling into [½, 1) of the step; and the reconnecting socket follows it
 * against a real local server that accepts and closes each connection at once — the back-off
 * restarts only once the server has sent a frame.
 */
import { WebSocketServer, type WebSocket } from 'ws';
import type { AddressInfo } from 'node:net';
import { backoffDelayMs } from '../../src/feed/backoff';
import { ReconnectingSocket } from '../../src/feed/reconnecting-socket';

const policy = { baseMs: 100, maxMs: 1_000 };

describe('backoffDelayMs', () => {
  it('doubles per failure up to the cap (no jitter: half of the step)', () => {
    expect([0, 1, 2, 3, 4, 5, 50].map((a) => backoffDelayMs(a, policy, 0))).toEqual([
      50, 100, 200, 400, 500, 500, 500,
    ]);
  });

  it('full jitter reaches (just below) the step, never beyond the cap', () => {
    expect([0, 1, 2, 3, 4, 1e9].map((a) => backoffDelayMs(a, policy, 0.999_999))).toEqual([
      100, 200, 400, 800, 1000, 1000,
    ]);
  });

  it('jitter out of [0, 1) is clamped; every delay stays within [step/2, step]', () => {
    expect(backoffDelayMs(2, policy, -5)).toBe(200);
    expect(backoffDelayMs(2, policy, 7)).toBe(400);
    expect(backoffDelayMs(2, policy, Number.NaN)).toBeGreaterThanOrEqual(200);
    for (let a = 0; a < 40; a++) {
      for (const j of [0, 0.25, 0.5, 0.75, 0.999]) {
        const step = Math.min(policy.maxMs, policy.baseMs * 2 ** a);
        const d = backoffDelayMs(a, policy, j);
        expect(d).toBeGreaterThanOrEqual(step / 2);
        expect(d).toBeLessThanOrEqual(step);
      }
    }
  });
});

describe('ReconnectingSocket against a local server', () => {
  let wss: WebSocketServer;
  let url: string;
  let greet = false;
  const sockets = new Set<WebSocket>();

  beforeAll(async () => {
    wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise((r) => wss.once('listening', r));
    url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;
    wss.on('connection', (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      if (greet) ws.send('hello');
      else ws.close(); // accepts, then closes at once
    });
  });

  afterAll(async () => {
    for (const s of sockets) s.terminate();
    await new Promise((r) => wss.close(r));
  });

  async function waitFor(cond: () => boolean): Promise<void> {
    for (let i = 0; i < 2000 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
    if (!cond()) throw new Error('timed out waiting');
  }

  it('grows the delay while the server closes every connection, and restarts it once a frame arrives', async () => {
    greet = false;
    const delays: Array<[number, number]> = [];
    const texts: string[] = [];
    const socket = new ReconnectingSocket({
      url,
      random: () => 0,
      pingIntervalMs: 3_600_000,
      backoff: { baseMs: 8, maxMs: 64 },
      onOpen: () => undefined,
      onText: (t) => texts.push(t),
      onBackoff: (ms, attempt) => delays.push([ms, attempt]),
    });
    socket.start();
    try {
      await waitFor(() => delays.length >= 6);
      expect(delays.slice(0, 6)).toEqual([
        [4, 0],
        [8, 1],
        [16, 2],
        [32, 3],
        [32, 4],
        [32, 5],
      ]);
      expect(socket.connects).toBeGreaterThanOrEqual(5); // each attempt did open
      // the server now answers: the next failure starts from the base delay again
      greet = true;
      await waitFor(() => texts.length > 0);
      const seen = delays.length;
      for (const s of sockets) s.terminate();
      await waitFor(() => delays.length > seen);
      expect(delays[seen]).toEqual([4, 0]);
    } finally {
      await socket.stop();
    }
  });
});
