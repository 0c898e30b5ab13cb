/**
 * A local server speaking the Polymarket protocol on 127.0.0.1 (issue #3): one HTTP server for
 * CLOB REST, Gamma and the control API, with WebSocket upgrades on `/ws/market` (market channel)
 * and `/rtds` (RTDS Chainlink). Markets, books and the oracle feed are replayed from recordings on a
 * virtual playback clock. A dev tool and a test fixture; see {@link startLocalExchange}.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { WebSocketServer } from 'ws';
import type { TickRow, TopOfBook } from '../../src/core/types';
import { loadInput } from '../../src/feed/input';
import { sortedLevels, type Level } from './books';
import { buildCatalog, type MarketIdsOf, type MarketListing } from './catalog';
import {
  applyFaultCommand,
  applyPlaybackCommand,
  handleControl,
  type FaultCommand,
  type LocalFaults,
  type PlaybackCommand,
} from './control';
import { ExchangeEngine } from './engine';
import { FaultInjector, type FaultStats } from './faults';
import { handleGamma, type JsonReply } from './gamma';
import { MarketWsHub, type MarketWsStats } from './market-ws';
import { Playback } from './playback';
import { handleRest } from './rest';
import { alignFeed, loadChainlinkFeed, RtdsHub, type FeedPoint, type RtdsStats } from './rtds';
import { LocalClob, type LocalClobOptions } from './clob/service';

export type { MarketIds, MarketIdsOf, MarketListing } from './catalog';
export type { FeedPoint } from './rtds';
export type { LocalFaults } from './control';
export type { LocalClob, LocalClobOptions } from './clob/service';

/** Default recording: the shared borisz42 BTC 15m files. */
export const DEFAULT_INPUT = resolve(__dirname, '..', '..', '..', 'shared', 'data', 'borisz42-btc15m');
/** Default Chainlink feed for RTDS. */
export const DEFAULT_RTDS_INPUT = resolve(
  __dirname,
  '..',
  '..',
  '..',
  'shared',
  'data',
  'ligengxin96-btc5m-chainlink',
  'BTCUSD-prices-2026-07-24.csv.gz',
);
import { localEndpoints, MARKET_WS_PATH, RTDS_PATH } from '../../src/market/endpoints';

export { MARKET_WS_PATH, RTDS_PATH };

/** Options of {@link startLocalExchange}. */
export interface LocalExchangeOptions {
  /** Recording path (file or directory, canonical or borisz42) or rows sorted by time. Default {@link DEFAULT_INPUT}. */
  readonly input?: string | readonly TickRow[];
  /** Recording ms per wall ms while playing (default 1). */
  readonly speed?: number;
  /** When true, nothing moves until `step()` / `play()`; otherwise playback starts at once. */
  readonly manual?: boolean;
  /** Chainlink CSV path or points (unshifted), or `null` to serve RTDS with no data. Default {@link DEFAULT_RTDS_INPUT}. */
  readonly rtdsInput?: string | readonly FeedPoint[] | null;
  /** Port of the HTTP server (REST, Gamma, control, both WebSockets); 0 = any (default). */
  readonly ports?: { readonly http?: number };
  /** Keep only the first N recorded windows. */
  readonly windows?: number;
  /** Gamma lists outcomes as `["Down","Up"]` with token ids swapped accordingly. */
  readonly swapOutcomeOrder?: boolean;
  /** Options of the trading CLOB (issue #4: auth, orders, balances; chain 137, protocol 2 by default). */
  readonly clob?: LocalClobOptions;
  /** Token and condition ids per window (e.g. a local chain's, see `venue-stack.ts`); default synthetic. */
  readonly tokenIds?: MarketIdsOf;
}

/** Current L2 levels of one token in integer micros, best first on each side. */
export interface BookLevels {
  /** Descending prices (best bid first). */
  readonly bids: Level[];
  /** Ascending prices (best ask first). */
  readonly asks: Level[];
  /** Tick size, micro-USDC. */
  readonly tickSize: number;
}

/** The top of a token's levels as the trader sees it (sizes in micro-shares), for tools and tests. */
export function topOfLevels(tokenId: string, b: BookLevels | null): TopOfBook {
  return {
    tokenId,
    bid: b?.bids[0]?.price ?? null,
    ask: b?.asks[0]?.price ?? null,
    bidSize: b?.bids[0]?.size ?? null,
    askSize: b?.asks[0]?.size ?? null,
    tickSize: b?.tickSize ?? 10_000,
  };
}

/** Counters of a running exchange. */
export interface LocalExchangeStats {
  readonly clockMs: number;
  readonly rowsApplied: number;
  readonly rowsTotal: number;
  readonly rowsOutsideWindow: number;
  readonly playing: boolean;
  readonly speed: number;
  readonly marketWs: MarketWsStats;
  readonly rtds: RtdsStats;
  readonly faults: FaultStats;
}

/** A running local exchange. */
export interface LocalExchange {
  /** HTTP base URL (REST, Gamma, control), e.g. `http://127.0.0.1:8080`. */
  readonly url: string;
  /** Market channel URL (`ws://…/ws/market`). */
  readonly marketWsUrl: string;
  /** RTDS URL (`ws://…/rtds`). */
  readonly rtdsUrl: string;
  /** Listed markets, by window start. */
  markets(): MarketListing[];
  /** Current levels of a token, or `null` for an unknown token. */
  books(tokenId: string): BookLevels | null;
  /** Applies the next `rows` recorded rows (default 1); returns how many were applied. */
  step(rows?: number): number;
  /** Starts advancing on wall time at the current speed. */
  play(): void;
  /** Stops advancing. */
  pause(): void;
  /** Sets the speed (recording ms per wall ms). @throws {RangeError} when not positive. */
  setSpeed(x: number): void;
  /** Playback time, ms since the epoch. */
  clockMs(): number;
  /** Fault switches. */
  readonly faults: LocalFaults;
  /** Counters. */
  stats(): LocalExchangeStats;
  /** The trading CLOB: ledger, fault switches, served protocol version. */
  readonly clob: LocalClob;
  /** Stops playback, closes every socket and the server. */
  close(): Promise<void>;
}

/**
 * Loads the recordings and starts the exchange on 127.0.0.1.
 * @throws {InputError} when the input cannot be read; {@link RangeError} for a bad speed.
 */
export async function startLocalExchange(opts: LocalExchangeOptions = {}): Promise<LocalExchange> {
  const input = opts.input ?? DEFAULT_INPUT;
  const rows = typeof input === 'string' ? (await loadInput(input)).rows : input;
  const catalog = buildCatalog(rows, opts.windows, opts.tokenIds);
  const engine = new ExchangeEngine(catalog);
  const faults = new FaultInjector();
  const market = new MarketWsHub(engine, faults);
  const rtdsRaw = opts.rtdsInput === undefined ? DEFAULT_RTDS_INPUT : opts.rtdsInput;
  const feedRaw =
    rtdsRaw === null ? [] : typeof rtdsRaw === 'string' ? await loadChainlinkFeed(rtdsRaw) : rtdsRaw;
  const startMs = catalog.rows[0]?.tsMs ?? 0;
  const rtds = new RtdsHub(alignFeed(feedRaw, startMs), startMs);
  const playback = new Playback({
    rows: catalog.rows,
    speed: opts.speed ?? 1,
    onRow: (row) => market.publish(engine.applyRow(row)),
    onClock: (ms) => rtds.advance(ms),
  });

  const clob = new LocalClob(
    { engine, markets: catalog.markets, clockMs: () => playback.clockMs },
    opts.clob ?? {},
  );
  const lx: Omit<LocalExchange, 'url' | 'marketWsUrl' | 'rtdsUrl' | 'close'> = {
    clob,
    markets: () => [...catalog.markets],
    books: (tokenId) => {
      const t = engine.token(tokenId);
      if (t === undefined) return null;
      return {
        bids: sortedLevels(t.book.bids, 'desc'),
        asks: sortedLevels(t.book.asks, 'asc'),
        tickSize: t.tick,
      };
    },
    step: (n = 1) => playback.step(n),
    play: () => playback.play(),
    pause: () => playback.pause(),
    setSpeed: (x) => playback.setSpeed(x),
    clockMs: () => playback.clockMs,
    faults: {
      dropConnections: () => {
        const n = market.dropAll();
        faults.stats.dropped += n;
        return n;
      },
      silence: (id, ms) => faults.silence(id, ms),
      unsilence: (id) => faults.unsilence(id),
      duplicateFrames: (n) => faults.duplicateFrames(n),
      reorderFrames: (n) => faults.reorderFrames(n),
      malformedFrames: (n) => faults.malformedFrames(n),
      tickSizeChange: (id) => {
        if (engine.token(id) === undefined) return false;
        faults.stats.tickSizeChanges++;
        market.publish(engine.forceTickChange(id, playback.clockMs));
        return true;
      },
    },
    stats: () => ({
      clockMs: playback.clockMs,
      rowsApplied: playback.cursor,
      rowsTotal: catalog.rows.length,
      rowsOutsideWindow: engine.rowsOutsideWindow,
      playing: playback.isPlaying,
      speed: playback.speed,
      marketWs: { ...market.stats },
      rtds: { ...rtds.stats },
      faults: { ...faults.stats },
    }),
  };

  const control = {
    applyFault: (cmd: FaultCommand) => applyFaultCommand(lx.faults, cmd),
    applyPlayback: (cmd: PlaybackCommand) => applyPlaybackCommand(lx, cmd),
    stats: () => lx.stats(),
  };
  const gammaCtx = {
    engine,
    bySlug: catalog.bySlug,
    clockMs: () => playback.clockMs,
    swapOutcomeOrder: opts.swapOutcomeOrder ?? false,
  };
  const restCtx = { engine, clockMs: () => playback.clockMs };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const body = Buffer.concat(chunks).toString('utf8');
      const clobPath = url.pathname.replace(/\/+$/, '');
      if (clob.handles(req.method ?? 'GET', clobPath, body)) {
        void clob.handle(req, res, url, body);
        return;
      }
      const reply =
        handleControl(req.method ?? 'GET', url, body, control) ??
        (req.method === 'GET' ? (handleRest(url, restCtx) ?? handleGamma(url, gammaCtx)) : null) ??
        ({ status: 404, body: { error: 'not found' } } satisfies JsonReply);
      sendJson(res, reply);
    });
  });
  const marketWss = new WebSocketServer({ noServer: true });
  const rtdsWss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req: IncomingMessage, socket, head) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (path === MARKET_WS_PATH) marketWss.handleUpgrade(req, socket, head, (ws) => market.accept(ws));
    else if (path === RTDS_PATH) rtdsWss.handleUpgrade(req, socket, head, (ws) => rtds.accept(ws));
    else socket.destroy();
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(opts.ports?.http ?? 0, '127.0.0.1', () => ok());
  });
  const port = (server.address() as AddressInfo).port;
  if (opts.manual !== true) playback.play();

  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      playback.pause();
      clob.close();
      market.dropAll();
      rtds.closeAll();
      marketWss.close();
      rtdsWss.close();
      server.closeAllConnections();
      await new Promise<void>((ok) => server.close(() => ok()));
    })();
    return closing;
  };
  const url = `http://127.0.0.1:${port}`;
  const endpoints = localEndpoints(url);
  return { ...lx, url, marketWsUrl: endpoints.marketWsUrl, rtdsUrl: endpoints.rtdsUrl, close };
}

function sendJson(res: ServerResponse, reply: JsonReply): void {
  const text = JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}
