/**
 * Test helpers for the local exchange (issue #3): a raw WebSocket client that collects text
 * frames and can wait for a `PONG` barrier (frames sent before the server answered a `PING` are
 * all received once the `PONG` arrives, since one socket is ordered), and a minimal book applier
 * for `book` / `price_change` frames. Deliberately naive: it exists to check the server, not to
 * be the trader's feed parser.
 */
import { WebSocket } from 'ws';
import { parseMicros } from '../../src/core/money';
import type { TickRow } from '../../src/core/types';
import type { Level } from './books';

/** A collecting WebSocket client. */
export class FrameCollector {
  /** Every text frame received, in order (including `PONG`). */
  readonly frames: string[] = [];
  /** Whether the server closed the socket. */
  closed = false;
  private waiters: (() => void)[] = [];
  private lastBarrier = 0;

  /** Wraps an open socket; `ws` is the raw socket. */
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (d) => {
      this.frames.push(Buffer.isBuffer(d) ? d.toString('utf8') : String(d));
      this.wake();
    });
    ws.on('close', () => {
      this.closed = true;
      this.wake();
    });
    ws.on('error', () => undefined);
  }

  /** Connects to `url`. @throws {Error} when the connection fails. */
  static async connect(url: string): Promise<FrameCollector> {
    const ws = new WebSocket(url);
    await new Promise<void>((ok, fail) => {
      ws.once('open', () => ok());
      ws.once('error', fail);
    });
    return new FrameCollector(ws);
  }

  /** Sends a text frame (objects are JSON-encoded). */
  send(msg: string | object): void {
    this.ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg));
  }

  /**
   * Waits until `pred` holds for the frames received so far.
   * @throws {Error} after `timeoutMs` (default 2000).
   */
  async waitFor(pred: (frames: readonly string[]) => boolean, timeoutMs = 2000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pred(this.frames)) {
      const left = deadline - Date.now();
      if (left <= 0 || this.closed)
        throw new Error(`timeout; frames: ${this.frames.length}, closed: ${this.closed}`);
      await new Promise<void>((ok) => {
        const t = setTimeout(ok, left);
        this.waiters.push(() => {
          clearTimeout(t);
          ok();
        });
      });
    }
  }

  /** Sends `PING` and returns every frame received before the matching `PONG` since the last barrier. */
  async barrier(): Promise<string[]> {
    const pongs = this.frames.filter((f) => f === 'PONG').length;
    this.send('PING');
    await this.waitFor((fs) => fs.filter((f) => f === 'PONG').length > pongs);
    const start = this.lastBarrier;
    const end = this.frames.lastIndexOf('PONG');
    this.lastBarrier = end + 1;
    return this.frames.slice(start, end).filter((f) => f !== 'PONG');
  }

  /** Closes the socket and waits for the close. */
  async close(): Promise<void> {
    if (this.closed) return;
    const done = new Promise<void>((ok) => this.ws.once('close', () => ok()));
    this.ws.close();
    await done;
  }

  private wake(): void {
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w();
  }
}

/** A token book kept by the applier: price → size in micros. */
export interface AppliedBook {
  bids: Map<number, number>;
  asks: Map<number, number>;
  tickSize: number | null;
}

/** Returns the JSON objects of a frame (arrays flattened), or `null` when it is not JSON. */
export function objectsOf(frame: string): Record<string, unknown>[] | null {
  try {
    const v: unknown = JSON.parse(frame);
    const arr = Array.isArray(v) ? (v as unknown[]) : [v];
    return arr.filter((x): x is Record<string, unknown> => typeof x === 'object' && x !== null);
  } catch {
    return null;
  }
}

/**
 * Applies frames to `books` (token → book): `book` replaces both ladders, `price_change` sets or
 * deletes levels, `tick_size_change` records the tick. Unparseable or wrong-typed frames are skipped.
 */
export function applyFrames(books: Map<string, AppliedBook>, frames: readonly string[]): void {
  for (const f of frames) {
    for (const o of objectsOf(f) ?? []) applyObject(books, o);
  }
}

function applyObject(books: Map<string, AppliedBook>, o: Record<string, unknown>): void {
  const type = o['event_type'];
  if (type === 'book' && typeof o['asset_id'] === 'string') {
    books.set(o['asset_id'], {
      bids: ladder(o['bids']),
      asks: ladder(o['asks']),
      tickSize: typeof o['tick_size'] === 'string' ? parseMicros(o['tick_size']) : null,
    });
  } else if (type === 'price_change' && Array.isArray(o['price_changes'])) {
    for (const e of o['price_changes'] as unknown[]) {
      if (typeof e !== 'object' || e === null) continue;
      const c = e as Record<string, unknown>;
      const b = typeof c['asset_id'] === 'string' ? books.get(c['asset_id']) : undefined;
      if (b === undefined || typeof c['price'] !== 'string' || typeof c['size'] !== 'string') continue;
      const side = c['side'] === 'BUY' ? b.bids : b.asks;
      const price = parseMicros(c['price']) ?? 0;
      const size = parseMicros(c['size']) ?? 0;
      if (size === 0) side.delete(price);
      else side.set(price, size);
    }
  } else if (type === 'tick_size_change' && typeof o['asset_id'] === 'string') {
    const b = books.get(o['asset_id']);
    if (b !== undefined && typeof o['new_tick_size'] === 'string')
      b.tickSize = parseMicros(o['new_tick_size']);
  }
}

function ladder(v: unknown): Map<number, number> {
  const m = new Map<number, number>();
  if (!Array.isArray(v)) return m;
  for (const l of v as unknown[]) {
    const x = l as { price?: unknown; size?: unknown };
    if (typeof x.price === 'string' && typeof x.size === 'string') {
      m.set(parseMicros(x.price) ?? 0, parseMicros(x.size) ?? 0);
    }
  }
  return m;
}

/** Returns an applied book's levels best first (bids descending, asks ascending), like `LocalExchange.books`. */
export function levelsOf(b: AppliedBook): { bids: Level[]; asks: Level[]; tickSize: number | null } {
  const lv = (m: Map<number, number>, dir: 1 | -1): Level[] =>
    [...m.entries()].map(([price, size]) => ({ price, size })).sort((x, y) => dir * (x.price - y.price));
  return { bids: lv(b.bids, -1), asks: lv(b.asks, 1), tickSize: b.tickSize };
}

/** First window start of {@link syntheticRows} (unix seconds, a multiple of 900). */
export const SYNTH_EPOCH = 1_766_745_000;

/**
 * Returns deterministic rows for tests: `windows` BTC 15m windows from {@link SYNTH_EPOCH}, `perWindow`
 * rows 1 s apart each. The UP bid walks up by a cent per row, jumps to 0.97 (fine tick) for rows
 * 10–12 of each window, row 5 has no UP ask and unknown sizes; DOWN mirrors UP (bid = 1 − UP ask).
 */
export function syntheticRows(windows = 2, perWindow = 20): TickRow[] {
  const rows: TickRow[] = [];
  for (let w = 0; w < windows; w++) {
    const epoch = SYNTH_EPOCH + w * 900;
    for (let i = 0; i < perWindow; i++) {
      const upBid = i >= 10 && i <= 12 ? 970_000 : 400_000 + ((i * 10_000) % 300_000);
      const upAsk = i === 5 ? null : upBid + (i % 2 === 0 ? 10_000 : 20_000);
      const sized = i !== 5;
      rows.push({
        tsMs: epoch * 1000 + i * 1000,
        crypto: 'BTC',
        windowSec: 900,
        windowEpoch: epoch,
        upBid,
        upAsk,
        upBidSize: sized ? (100 + i) * 1_000_000 : null,
        upAskSize: sized && upAsk !== null ? (200 + i) * 1_000_000 : null,
        downBid: upAsk === null ? null : 1_000_000 - upAsk,
        downAsk: 1_000_000 - upBid,
        downBidSize: sized && upAsk !== null ? (300 + i) * 1_000_000 : null,
        downAskSize: sized ? (400 + i) * 1_000_000 : null,
        spot: null,
      });
    }
  }
  return rows;
}
