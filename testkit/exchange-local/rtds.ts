/**
 * RTDS Chainlink channel of the local exchange (`/rtds`, issue #3; polymarket-protocol.md §4).
 * Replays a recorded Chainlink BTC/USD feed (`feed_ts_ms,value,full_accuracy_value,server_ts_ms,…`)
 * on the playback clock: the feed's timestamps are shifted by a constant so that its first point
 * falls on the recording's first row (rounded down to a whole second), and every point whose
 * shifted time the clock passes is sent to the subscribed sockets. No wrap-around: once the feed
 * is exhausted, updates stop. On subscribe the socket gets a snapshot of the last minute, in the
 * live shape (`topic:"crypto_prices"`, `type:"subscribe"`, `payload:{symbol, data:[…]}`).
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import type { WebSocket } from 'ws';

/** The only symbol served. */
export const RTDS_SYMBOL = 'btc/usd';
/** The Chainlink topic. */
export const RTDS_TOPIC = 'crypto_prices_chainlink';
/** History sent in the subscribe snapshot, ms. */
export const SNAPSHOT_MS = 60_000;

/** One feed point. Times in ms since the epoch (already shifted when served). */
export interface FeedPoint {
  readonly tsMs: number;
  /** Relay send time, ms (the envelope `timestamp`). */
  readonly serverTsMs: number;
  readonly value: number;
  /** Exact price, integer string scaled by 1e18. */
  readonly fullAccuracy: string;
}

/**
 * Reads a Chainlink feed CSV (plain or `.gz`) sorted by `feed_ts_ms`; malformed lines are skipped.
 * @throws {Error} when the file cannot be read.
 */
export async function loadChainlinkFeed(path: string): Promise<FeedPoint[]> {
  const raw = createReadStream(path);
  const input = path.endsWith('.gz') ? raw.pipe(createGunzip()) : raw;
  const lines = createInterface({ input, crlfDelay: Infinity });
  const out: FeedPoint[] = [];
  let header = true;
  for await (const line of lines) {
    if (header) {
      header = false;
      continue;
    }
    const f = line.split(',');
    const tsMs = Number(f[0]);
    const value = Number(f[1]);
    const full = f[2] ?? '';
    const server = Number(f[3]);
    if (!Number.isFinite(tsMs) || !Number.isFinite(value) || !/^\d+$/.test(full)) continue;
    out.push({ tsMs, value, fullAccuracy: full, serverTsMs: Number.isFinite(server) ? server : tsMs });
  }
  out.sort((a, b) => a.tsMs - b.tsMs);
  return out;
}

/** Returns the points shifted so the first one falls on `startMs` floored to a whole second. */
export function alignFeed(points: readonly FeedPoint[], startMs: number): FeedPoint[] {
  const first = points[0];
  if (first === undefined) return [];
  const shift = Math.floor(startMs / 1000) * 1000 - first.tsMs;
  return points.map((p) => ({ ...p, tsMs: p.tsMs + shift, serverTsMs: p.serverTsMs + shift }));
}

interface RtdsClient {
  readonly ws: WebSocket;
  subscribed: boolean;
  readonly connectionId: string;
}

/** Counters of the RTDS channel. */
export interface RtdsStats {
  connections: number;
  updatesSent: number;
  snapshotsSent: number;
}

/** The RTDS sockets and the aligned feed. */
export class RtdsHub {
  /** Channel counters. */
  readonly stats: RtdsStats = { connections: 0, updatesSent: 0, snapshotsSent: 0 };
  private readonly clients = new Set<RtdsClient>();
  /** Index of the first point not yet passed by the clock. */
  private next = 0;
  private clock: number;

  /** Creates a hub over aligned feed points, positioned at `clockMs`. */
  constructor(
    private readonly points: readonly FeedPoint[],
    clockMs: number,
  ) {
    this.clock = clockMs;
    while (this.next < points.length && (points[this.next] as FeedPoint).tsMs <= clockMs) this.next++;
  }

  /** Takes ownership of an accepted socket. */
  accept(ws: WebSocket): void {
    const c: RtdsClient = { ws, subscribed: false, connectionId: connectionIdFor(++this.stats.connections) };
    this.clients.add(c);
    ws.on('message', (data, isBinary) => {
      if (!isBinary) this.onText(c, Buffer.isBuffer(data) ? data.toString('utf8') : String(data));
    });
    ws.on('close', () => this.clients.delete(c));
    ws.on('error', () => undefined);
  }

  /** Advances to `clockMs`, sending every point passed to the subscribed sockets. */
  advance(clockMs: number): void {
    if (clockMs <= this.clock) return;
    this.clock = clockMs;
    while (this.next < this.points.length) {
      const p = this.points[this.next] as FeedPoint;
      if (p.tsMs > clockMs) break;
      this.next++;
      for (const c of this.clients) if (c.subscribed) this.sendUpdate(c, p);
    }
  }

  /** Terminates every RTDS socket. */
  closeAll(): void {
    for (const c of this.clients) c.ws.terminate();
    this.clients.clear();
  }

  private onText(c: RtdsClient, text: string): void {
    const t = text.trim();
    if (t === 'PING' || t === 'ping') {
      if (c.ws.readyState === c.ws.OPEN) c.ws.send('PONG');
      return;
    }
    let msg: unknown;
    try {
      msg = JSON.parse(t);
    } catch {
      return;
    }
    if (typeof msg !== 'object' || msg === null) return;
    const m = msg as Record<string, unknown>;
    const subs = Array.isArray(m['subscriptions']) ? (m['subscriptions'] as unknown[]) : [];
    const matches = subs.some(isChainlinkBtc);
    if (!matches) return;
    if (m['action'] === 'unsubscribe') c.subscribed = false;
    else if (m['action'] === 'subscribe') {
      c.subscribed = true;
      this.sendSnapshot(c);
    }
  }

  private sendSnapshot(c: RtdsClient): void {
    const data: { timestamp: number; value: number }[] = [];
    for (let i = this.next - 1; i >= 0; i--) {
      const p = this.points[i] as FeedPoint;
      if (p.tsMs <= this.clock - SNAPSHOT_MS) break;
      data.unshift({ timestamp: p.tsMs, value: p.value });
    }
    const frame = {
      payload: { data, symbol: RTDS_SYMBOL },
      timestamp: this.clock,
      topic: 'crypto_prices',
      type: 'subscribe',
    };
    c.ws.send(JSON.stringify(frame));
    this.stats.snapshotsSent++;
  }

  private sendUpdate(c: RtdsClient, p: FeedPoint): void {
    if (c.ws.readyState !== c.ws.OPEN) return;
    const frame = {
      topic: RTDS_TOPIC,
      type: 'update',
      timestamp: p.serverTsMs,
      connection_id: c.connectionId,
      payload: {
        symbol: RTDS_SYMBOL,
        timestamp: p.tsMs,
        value: p.value,
        full_accuracy_value: p.fullAccuracy,
      },
    };
    c.ws.send(JSON.stringify(frame));
    this.stats.updatesSent++;
  }
}

function isChainlinkBtc(s: unknown): boolean {
  if (typeof s !== 'object' || s === null) return false;
  const o = s as Record<string, unknown>;
  if (o['topic'] !== RTDS_TOPIC) return false;
  const filters = o['filters'];
  if (filters === undefined || filters === '') return true;
  if (typeof filters !== 'string') return false;
  try {
    const f: unknown = JSON.parse(filters);
    if (typeof f !== 'object' || f === null) return false;
    const sym = (f as Record<string, unknown>)['symbol'];
    return typeof sym === 'string' && sym.toLowerCase() === RTDS_SYMBOL;
  } catch {
    return filters.toLowerCase().includes(RTDS_SYMBOL);
  }
}

function connectionIdFor(n: number): string {
  return Buffer.from(`local-rtds-${n}`).toString('base64');
}
