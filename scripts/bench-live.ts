/**
 * Live-path figures for `npm run bench` (issue #3): frames/s through parse + L2 book apply, in
 * process and over `ws` on loopback from a server in a worker thread; and tick ingest rows/s into
 * PostgreSQL (COPY) on a scratch database of the server at DATABASE_URL or 127.0.0.1:5432.
 */
import { Worker } from 'node:worker_threads';
import { Client } from 'pg';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { startLocalExchange } from '../testkit/exchange-local/server';
import { syntheticRows } from '../testkit/exchange-local/test-client';
import { ClobVenue } from '../src/execution/clob-venue';
import type { OrderCommand } from '../src/core/types';
import { FeedProcessor } from '../src/feed/feed-processor';
import { SystemClock } from '../src/platform/system-clock';
import { MarketWsClient } from '../src/feed/market-ws';
import { parseMarketFrame } from '../src/feed/market-parse';
import type { MarketInfo } from '../src/market/market-info';
import { KnexRepository } from '../src/persistence/knex-repository';
import { migrateLatest, openKnex } from '../src/persistence/db';
import type { TickRecord } from '../src/persistence/records';

const UP = '7132104567925221259462638553270691275033272857194253228963137931245558399256';
const DOWN = '5211431950124591551605510604688420996992612748282795467444384642781381322242';
const MARKET: MarketInfo = {
  window: { crypto: 'BTC', windowSec: 900, windowEpoch: 1_766_745_000 },
  slug: 'btc-updown-15m-1766745000',
  conditionId: '0x' + 'ab'.repeat(32),
  upTokenId: UP,
  downTokenId: DOWN,
  startMs: 1_766_745_000_000,
  endMs: 1_766_745_900_000,
  tickSize: 10_000,
  minOrderSize: 5_000_000,
  negRisk: false,
  active: true,
  closed: false,
};

/** A realistic stream: a snapshot of both tokens, then mirrored 2-entry price_change frames. */
export function syntheticFrames(n: number): string[] {
  const lv = (p: number, s: number): { price: string; size: string } => ({
    price: (p / 100).toFixed(2),
    size: String(s),
  });
  const book = (id: string, mid: number): string =>
    JSON.stringify({
      event_type: 'book',
      asset_id: id,
      market: MARKET.conditionId,
      bids: Array.from({ length: 20 }, (_, i) => lv(mid - 1 - i, 100 + i)),
      asks: Array.from({ length: 20 }, (_, i) => lv(mid + 1 + i, 100 + i)),
      timestamp: '1766745000000',
      hash: 'x',
      tick_size: '0.01',
    });
  const out = [`[${book(UP, 50)},${book(DOWN, 50)}]`];
  for (let i = 1; i < n; i += 1) {
    const p = 30 + (i % 19);
    const size = String(50 + (i % 97));
    out.push(
      JSON.stringify({
        event_type: 'price_change',
        market: MARKET.conditionId,
        timestamp: String(1_766_745_000_000 + i),
        price_changes: [
          {
            asset_id: UP,
            price: (p / 100).toFixed(2),
            size,
            side: 'BUY',
            hash: 'h',
            best_bid: '0.49',
            best_ask: '0.51',
          },
          {
            asset_id: DOWN,
            price: ((100 - p) / 100).toFixed(2),
            size,
            side: 'SELL',
            hash: 'h',
            best_bid: '0.49',
            best_ask: '0.51',
          },
        ],
      }),
    );
  }
  return out;
}

/** Frames/s of parse + apply in process. */
export function benchFeedInProcess(frames: readonly string[]): number {
  const feed = new FeedProcessor();
  feed.addWindow(MARKET);
  const fresh = (): boolean => false;
  const t0 = process.hrtime.bigint();
  for (const f of frames) feed.onFrame(f, 0, fresh);
  return frames.length / (Number(process.hrtime.bigint() - t0) / 1e9);
}

const SERVER = `
const { parentPort, workerData } = require('node:worker_threads');
const { WebSocketServer } = require(workerData.ws);
const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
wss.on('listening', () => parentPort.postMessage({ port: wss.address().port }));
wss.on('connection', (sock) => {
  sock.once('message', () => {
    const frames = workerData.frames;
    let i = 0;
    const pump = () => {
      while (i < frames.length) {
        sock.send(frames[i++]);
        if (sock.bufferedAmount > 1 << 22) return setImmediate(pump);
      }
    };
    pump();
  });
});
parentPort.on('message', () => wss.close(() => process.exit(0)));
`;

/** Frames/s received over `ws` on loopback, parsed and applied (server in a worker thread). */
export async function benchFeedOverWs(frames: readonly string[]): Promise<number> {
  const worker = new Worker(SERVER, { eval: true, workerData: { frames, ws: require.resolve('ws') } });
  const port = await new Promise<number>((resolve) =>
    worker.once('message', (m: { port: number }) => resolve(m.port)),
  );
  const feed = new FeedProcessor();
  feed.addWindow(MARKET);
  let received = 0;
  let t0 = 0n;
  const done = new Promise<void>((resolve) => {
    const client = new MarketWsClient({
      url: `ws://127.0.0.1:${port}`,
      clock: new SystemClock(),
      random: () => 0.5,
      parse: parseMarketFrame,
      staleBookMs: 3_600_000,
      onFrame: () => {
        if (received === 0) t0 = process.hrtime.bigint();
        received += 1;
      },
      onEvents: (events, recvMs) => {
        feed.onEvents(events, recvMs, () => false);
        if (received >= frames.length) void client.stop().then(resolve);
      },
    });
    client.start();
    client.subscribe([UP, DOWN]);
  });
  await done;
  const rate = received / (Number(process.hrtime.bigint() - t0) / 1e9);
  worker.postMessage('stop');
  await new Promise((r) => worker.once('exit', r));
  return rate;
}

/** Tick rows/s into PostgreSQL through the repository (COPY), on a scratch database. */
export async function benchIngest(
  rows: number,
  batch: number,
): Promise<{ rowsPerSec: number; target: string } | { skipped: string }> {
  const base = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `updown_bench_${process.pid}`;
  const admin = new Client({ connectionString: base });
  try {
    await admin.connect();
  } catch (err) {
    return { skipped: `no PostgreSQL at ${base.replace(/\/\/[^@]*@/, '//')}: ${(err as Error).message}` };
  }
  await admin.query(`create database ${name}`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  const db = openKnex({ databaseUrl: url.toString() });
  try {
    await migrateLatest(db);
    const repo = new KnexRepository(db);
    const runId = await repo.createRun({
      mode: 'replay',
      configHash: 'b',
      codeRevision: 'b',
      input: 'b',
      startedAtMs: 0,
      config: {},
    });
    const ticks: TickRecord[] = Array.from({ length: batch }, (_, i) => ({
      tsMs: 1_766_745_000_000 + i,
      recvMs: 1_766_745_000_000 + i,
      crypto: 'BTC',
      windowSec: 900,
      windowEpoch: 1_766_745_000,
      upBid: 490_000 + (i % 10) * 1000,
      upAsk: 510_000,
      upBidSize: 123_450_000,
      upAskSize: 99_000_000,
      downBid: 480_000,
      downAsk: 500_000,
      downBidSize: 7_000_001,
      downAskSize: null,
      spot: 87_123.45,
    }));
    const t0 = process.hrtime.bigint();
    for (let done = 0; done < rows; done += batch) await repo.insertTicks(runId, ticks);
    const rowsPerSec = rows / (Number(process.hrtime.bigint() - t0) / 1e9);
    return { rowsPerSec, target: url.host };
  } finally {
    await db.destroy();
    await admin.query(`drop database if exists ${name}`);
    await admin.end();
  }
}

/**
 * Tick → signed FOK (issue #4 goal p99 ≤ 1 ms): the ClobVenue building and signing the V2 order of a
 * command with warm caches, against the local exchange's CLOB (a fresh wallet per run). ms.
 */
export async function benchSigning(n: number): Promise<{ p50: number; p99: number }> {
  const lx = await startLocalExchange({ input: syntheticRows(2, 20), manual: true, rtdsInput: null });
  try {
    const venue = await ClobVenue.create({
      host: lx.url,
      chainId: 137,
      account: privateKeyToAccount(generatePrivateKey()),
    });
    const m = lx.markets()[0]!;
    let seq = 0;
    const cmd = (): OrderCommand => ({
      clientOrderId: `b${(seq += 1)}`,
      positionKey: 'p',
      purpose: 'entry',
      tokenId: m.upTokenId,
      window: m.window,
      side: 'BUY',
      tif: 'FOK',
      limitPrice: 420_000,
      notional: 5_000_000,
      createdMs: 0,
    });
    for (let i = 0; i < 200; i += 1) await venue.sign(cmd());
    // start from a collected heap: the earlier figures leave garbage whose collection is not
    // the signing path's (the live process signs with a small, steady heap)
    (globalThis as { gc?: () => void }).gc?.();
    const ms: number[] = [];
    for (let i = 0; i < n; i += 1) {
      const t0 = process.hrtime.bigint();
      await venue.sign(cmd());
      ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    ms.sort((a, b) => a - b);
    return { p50: ms[Math.floor(n / 2)]!, p99: ms[Math.floor(n * 0.99)]! };
  } finally {
    await lx.close();
  }
}
