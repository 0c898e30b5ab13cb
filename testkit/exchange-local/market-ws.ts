/**
 * Market channel of the local exchange (`/ws/market`, issue #3; polymarket-protocol.md §3):
 * subscriptions by `{"type":"market","assets_ids":[…]}` or `{"operation":"subscribe"|"unsubscribe",…}`,
 * a JSON-array `book` snapshot per newly subscribed known token, text `PING` → `PONG`, unknown
 * tokens and unparseable frames ignored silently (like the venue). Frames pass the fault injector.
 */
import type { WebSocket } from 'ws';
import type { ExchangeEngine, ExchangeEvent } from './engine';
import type { FaultInjector, SocketFaultState } from './faults';
import { bookFrame, eventFrame } from './frames';

/** One connected market socket. */
interface MarketClient extends SocketFaultState {
  readonly ws: WebSocket;
  readonly assets: Set<string>;
  customFeature: boolean;
}

/** Counters of the market channel. */
export interface MarketWsStats {
  /** Sockets accepted since start. */
  connections: number;
  /** Sockets open now. */
  open: number;
  /** Frames sent (including injected ones, excluding `PONG`). */
  framesSent: number;
  /** Text `PING`s answered. */
  pongs: number;
}

/** The set of market sockets and their subscriptions. */
export class MarketWsHub {
  /** Channel counters. */
  readonly stats: MarketWsStats = { connections: 0, open: 0, framesSent: 0, pongs: 0 };
  private readonly clients = new Set<MarketClient>();

  /** Creates a hub over the engine's books and the shared fault injector. */
  constructor(
    private readonly engine: ExchangeEngine,
    private readonly faults: FaultInjector,
  ) {}

  /** Takes ownership of an accepted socket. */
  accept(ws: WebSocket): void {
    const c: MarketClient = { ws, assets: new Set(), customFeature: false, held: null };
    this.clients.add(c);
    this.stats.connections++;
    this.stats.open++;
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      this.onText(c, Buffer.isBuffer(data) ? data.toString('utf8') : String(data));
    });
    ws.on('close', () => {
      if (this.clients.delete(c)) this.stats.open--;
    });
    ws.on('error', () => undefined);
  }

  /** Sends the frames of `events` to every socket subscribed to their tokens. */
  publish(events: readonly ExchangeEvent[]): void {
    if (events.length === 0) return;
    for (const c of this.clients) {
      const frames: string[] = [];
      for (const e of events) {
        const obj = eventFrame(e, { customFeature: c.customFeature, wants: (id) => this.wants(c, id) });
        if (obj !== null) frames.push(JSON.stringify(obj));
      }
      this.send(c, frames);
    }
  }

  /** Terminates every market socket (fault switch); returns how many were open. */
  dropAll(): number {
    const n = this.clients.size;
    for (const c of [...this.clients]) {
      c.ws.terminate();
      this.clients.delete(c);
      this.stats.open--;
    }
    return n;
  }

  /** Returns whether frames about a token go to a client right now (subscribed and not silenced). */
  private wants(c: MarketClient, tokenId: string): boolean {
    if (!c.assets.has(tokenId)) return false;
    if (this.faults.isSilenced(tokenId)) {
      this.faults.stats.silenced++;
      return false;
    }
    return true;
  }

  private onText(c: MarketClient, text: string): void {
    const trimmed = text.trim();
    if (trimmed === 'PING' || trimmed === 'ping') {
      this.stats.pongs++;
      if (c.ws.readyState === c.ws.OPEN) c.ws.send('PONG');
      return;
    }
    let msg: unknown;
    try {
      msg = JSON.parse(trimmed);
    } catch {
      return;
    }
    if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) return;
    const m = msg as Record<string, unknown>;
    const ids = Array.isArray(m['assets_ids'])
      ? m['assets_ids'].filter((x): x is string => typeof x === 'string')
      : [];
    if (typeof m['custom_feature_enabled'] === 'boolean') c.customFeature = m['custom_feature_enabled'];
    const type = typeof m['type'] === 'string' ? m['type'].toLowerCase() : '';
    const op = typeof m['operation'] === 'string' ? m['operation'].toLowerCase() : '';
    if (op === 'unsubscribe') {
      for (const id of ids) c.assets.delete(id);
      return;
    }
    if (type !== 'market' && op !== 'subscribe') return;
    const fresh = ids.filter((id) => !c.assets.has(id) && this.engine.token(id) !== undefined);
    for (const id of fresh) c.assets.add(id);
    const books = fresh.filter((id) => this.wants(c, id)).map((id) => this.engine.token(id));
    const snapshot = books.flatMap((t) => (t === undefined ? [] : [bookFrame(t)]));
    if (snapshot.length > 0) this.send(c, [JSON.stringify(snapshot)]);
  }

  private send(c: MarketClient, frames: readonly string[]): void {
    if (frames.length === 0 || c.ws.readyState !== c.ws.OPEN) return;
    for (const f of this.faults.process(frames, c)) {
      c.ws.send(f);
      this.stats.framesSent++;
    }
  }
}
