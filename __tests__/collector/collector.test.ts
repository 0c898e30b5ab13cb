/**
 * The collector against the local Polymarket-protocol exchange, over real sockets on loopback
 * (issue #3): books equal the server's, windows roll, drops reconnect, silent tokens go stale and
 * recover, bad frames are counted, ticks are persisted, and a recording replays to the same books.
 */
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { booksEqual, levelPairs } from '../../src/collector/books-match';
import { localEndpoints } from '../../src/exchange-local/endpoints';
import { Collector } from '../../src/collector/collector';
import { FeedProcessor } from '../../src/collector/feed-processor';
import { FrameRecorder } from '../../src/collector/frame-recorder';
import { SystemClock } from '../../src/core/clock';
import { startLocalExchange, type LocalExchange } from '../../src/exchange-local/server';
import { MemoryRepository } from '../../src/persistence/memory-repository';
import { replayRecording } from '../../src/replay/frame-replay';
import { runReplay } from '../../src/cli/replay';

const silent = pino({ level: 'silent' });

/** A repository whose first tick batch and first raw-frame batch fail (the database blips). */
class FlakyRepository extends MemoryRepository {
  failTicks = 1;
  failFrames = 1;
  override async insertTicks(...args: Parameters<MemoryRepository['insertTicks']>): Promise<void> {
    if (this.failTicks-- > 0) throw new Error('database down');
    return super.insertTicks(...args);
  }
  override async insertRawFrames(...args: Parameters<MemoryRepository['insertRawFrames']>): Promise<void> {
    if (this.failFrames-- > 0) throw new Error('database down');
    return super.insertRawFrames(...args);
  }
}

async function waitFor(cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Waits until the collector has seen no new frame for `quietMs`. */
async function settle(c: Collector, quietMs = 60): Promise<void> {
  let last = -1;
  let since = Date.now();
  await waitFor(() => {
    const f = c.status().frames;
    if (f !== last) {
      last = f;
      since = Date.now();
    }
    return Date.now() - since >= quietMs;
  }, 10_000);
}

function booksMatch(ex: LocalExchange, c: Collector): boolean {
  const ids = c.windows().flatMap((w) => [w.upTokenId, w.downTokenId]);
  return booksEqual(
    ids,
    (id) => c.feed.l2.book(id),
    (id) => ex.books(id),
  );
}

describe('collector ↔ local exchange (real sockets)', () => {
  let ex: LocalExchange;
  let c: Collector;
  let repo: FlakyRepository;
  let runId: number;
  let recordDir: string;
  let recorder: FrameRecorder;

  beforeAll(async () => {
    ex = await startLocalExchange({ manual: true, windows: 5 });
    repo = new FlakyRepository();
    runId = await repo.createRun({
      mode: 'sim',
      configHash: 'x',
      codeRevision: 'x',
      input: 'local',
      startedAtMs: 0,
      config: {},
    });
    recordDir = mkdtempSync(join(tmpdir(), 'collect-rec-'));
    c = new Collector({
      ...localEndpoints(ex.url),
      cryptos: ['BTC'],
      intervalsSec: [900],
      clock: new SystemClock(),
      venueClock: { now: () => ex.clockMs() },
      random: () => 0.5,
      log: silent,
      staleBookMs: 400,
      discoveryIntervalMs: 3_600_000, // driven by the test
      subscribeAheadMs: 60_000,
      unsubscribeAfterMs: 5_000,
      pingIntervalMs: 1000,
      reconnect: { baseMs: 20, maxMs: 200 },
      repo,
      runId,
      flushIntervalMs: 100,
      recorder: (recorder = new FrameRecorder(recordDir, 1)),
    });
    await c.start();
  });

  afterAll(async () => {
    await c.stop();
    await ex.close();
  });

  it('subscribes the current window and its books equal the server books after N frames', async () => {
    expect(c.windows().map((w) => w.slug)).toEqual([ex.markets()[0]!.slug]);
    await waitFor(() => c.feed.counters.bookUpdates >= 2);
    for (let i = 0; i < 10; i += 1) {
      ex.step(20);
      await settle(c);
      expect(booksMatch(ex, c)).toBe(true);
    }
    expect(c.status().frames).toBeGreaterThan(100);
  });

  it('rolls across three consecutive windows with no gap in subscriptions', async () => {
    const seen = new Set<string>();
    const markets = ex.markets();
    for (let guard = 0; guard < 400 && seen.size < 4; guard += 1) {
      ex.step(10);
      await c.discover();
      const now = ex.clockMs();
      const current = markets.find((m) => m.startMs <= now && now < m.endMs);
      if (current !== undefined) {
        // the window in play is always subscribed
        expect(c.ws.subscribed()).toEqual(expect.arrayContaining([current.upTokenId, current.downTokenId]));
        seen.add(current.slug);
      }
    }
    await settle(c);
    expect(seen.size).toBeGreaterThanOrEqual(4);
    expect(booksMatch(ex, c)).toBe(true);
    // ended windows were dropped, and stored with their oracle settlement (UP iff end ≥ start)
    expect(c.windows().length).toBeLessThanOrEqual(2);
    // the spot feed may lag: let it pass the retired windows' ends
    ex.step(30);
    await settle(c);
    await c.discover();
    const stored = await repo.loadWindows();
    const retired = stored.filter((w) => !c.windows().some((k) => k.slug === w.slug));
    expect(retired.length).toBeGreaterThanOrEqual(2);
    // the first window opened before the spot recording starts: no start price, no verdict
    expect(retired[0]).toMatchObject({ startPrice: null, expectedWinner: null });
    for (const w of retired) {
      if (w.startPrice === null || w.endPrice === null) expect(w.expectedWinner).toBeNull();
      else expect(w.expectedWinner).toBe(w.endPrice >= w.startPrice ? 'UP' : 'DOWN');
    }
  });

  it('reconnects and resubscribes after the connection drops', async () => {
    const before = c.ws.snapshot();
    ex.faults.dropConnections();
    await waitFor(() => c.ws.snapshot().connects > before.connects);
    ex.step(30);
    await settle(c);
    expect(c.ws.snapshot().reconnects).toBeGreaterThan(before.reconnects);
    expect(booksMatch(ex, c)).toBe(true);
    expect(c.ws.staleTokens()).toEqual([]);
  });

  it('detects a silent token within STALE_BOOK_MS and recovers it', async () => {
    const w = c.windows().find((x) => x.startMs <= ex.clockMs() && ex.clockMs() < x.endMs)!;
    const before = c.ws.snapshot();
    ex.faults.silence(w.upTokenId, 1500);
    const t0 = Date.now();
    await waitFor(() => c.ws.snapshot().staleDetected > before.staleDetected, 3000);
    expect(Date.now() - t0).toBeLessThan(1500);
    // the server keeps the token silent (no snapshot on resubscribe): the REST /book brings it back
    await waitFor(() => !c.ws.isStale(w.upTokenId), 3000);
    expect(c.ws.snapshot().restRecoveries).toBeGreaterThan(before.restRecoveries);
    await new Promise((r) => setTimeout(r, 1600));
    ex.step(5);
    await settle(c);
    expect(booksMatch(ex, c)).toBe(true);
  });

  it('counts malformed, duplicate and out-of-order frames without failing', async () => {
    const before = c.status();
    ex.faults.malformedFrames(5);
    ex.faults.duplicateFrames(5);
    ex.faults.reorderFrames(4);
    ex.step(20);
    await settle(c);
    const after = c.status();
    expect(after.malformed - before.malformed).toBeGreaterThanOrEqual(5);
    expect(after.frames).toBeGreaterThan(before.frames);
    expect(c.feed.counters.duplicateFrames).toBeGreaterThanOrEqual(1);
    // (out-of-order book events are covered in feed-processor.test.ts: the server swaps whole
    // frames, which here are rarely two book updates of one token)
    // absolute level sizes make duplicates harmless; a fresh snapshot heals any reordering
    ex.faults.dropConnections();
    await waitFor(() => c.ws.snapshot().connects > 2);
    ex.step(5);
    await settle(c);
    expect(booksMatch(ex, c)).toBe(true);
  });

  it('persists one tick per book update (a failed batch is retried, not lost), and the recording replays to the same books', async () => {
    await c.flush();
    expect(repo.failTicks).toBeLessThan(0);
    expect(c.status().writeErrors).toBe(2);
    expect(await repo.countTicks(runId)).toBe(c.feed.counters.bookUpdates);
    const raw = await repo.loadRawFrames(runId);
    expect(raw.filter((f) => f.channel === 'market').length).toBe(c.status().frames);
    await recorder.flush();
    const file = join(recordDir, readdirSync(recordDir)[0]!);
    const replayed = new FeedProcessor();
    let ticks = 0;
    await replayRecording(file, replayed, { onTick: () => (ticks += 1) });
    for (const w of c.windows()) {
      for (const id of [w.upTokenId, w.downTokenId]) {
        expect(levelPairs(replayed.l2.book(id))).toEqual(levelPairs(c.feed.l2.book(id)));
      }
    }
    expect(ticks).toBeGreaterThan(0);
    // by now the oracle has settled at least one retired window (UP iff end ≥ start)
    const settledWindows = (await repo.loadWindows()).filter((w) => w.expectedWinner !== null);
    expect(settledWindows.length).toBeGreaterThan(0);
    for (const w of settledWindows)
      expect(w.expectedWinner).toBe(w.endPrice! >= w.startPrice! ? 'UP' : 'DOWN');
    // and the replay command takes the recording as input
    const res = await runReplay(
      { input: file, out: join(recordDir, 'trades.jsonl'), db: false, progress: false },
      { LOG_LEVEL: 'silent' },
    );
    expect(res.rows).toBe(ticks);
  });
});
