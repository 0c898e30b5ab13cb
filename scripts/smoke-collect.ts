/**
 * `npm run smoke:collect` (issue #3): the local exchange and the collector on loopback, at least
 * three windows played at high speed with one connection drop, one silent token and a few malformed
 * frames injected; ticks persisted to an embedded PGlite. Prints as its last line one JSON object
 * `{"windows","frames","booksMatch","reconnects","staleDetected","malformedCounted","ticksPersisted"}`
 * and exits non-zero when the books do not match the server's.
 */
import pino from 'pino';
import { booksEqual } from '../src/collector/books-match';
import { localEndpoints } from '../src/market/endpoints';
import { Collector } from '../src/collector/collector';
import { SystemClock } from '../src/platform/system-clock';
import { startLocalExchange, type LocalExchange } from '../testkit/exchange-local/server';
import { openRepository } from '../src/persistence/open-repository';

const WINDOWS = Number(process.env.SMOKE_WINDOWS ?? 3);
const SPEED = Number(process.env.SMOKE_SPEED ?? 400);

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function booksMatch(ex: LocalExchange, c: Collector): boolean {
  const ids = c.windows().flatMap((w) => [w.upTokenId, w.downTokenId]);
  return booksEqual(
    ids,
    (id) => c.feed.l2.book(id),
    (id) => ex.books(id),
  );
}

async function main(): Promise<void> {
  const log = pino({ level: process.env.LOG_LEVEL ?? 'warn' }, pino.destination(2));
  const ex = await startLocalExchange({ manual: true, windows: WINDOWS + 1, speed: SPEED });
  const repo = await openRepository({});
  const runId = await repo.createRun({
    mode: 'sim',
    configHash: 'smoke',
    codeRevision: 'smoke',
    input: ex.marketWsUrl,
    startedAtMs: Date.now(),
    config: {},
  });
  const collector = new Collector({
    ...localEndpoints(ex.url),
    cryptos: ['BTC'],
    intervalsSec: [900],
    clock: new SystemClock(),
    venueClock: { now: () => ex.clockMs() },
    random: Math.random,
    log,
    staleBookMs: 300,
    discoveryIntervalMs: 100,
    subscribeAheadMs: 60_000,
    unsubscribeAfterMs: 10_000,
    pingIntervalMs: 1000,
    reconnect: { baseMs: 50, maxMs: 500 },
    repo,
    runId,
    flushIntervalMs: 200,
  });
  await collector.start();
  const markets = ex.markets();
  const last = markets[WINDOWS - 1]!;
  const subscribed = new Set<string>();
  let dropped = false;
  let silenced = false;
  let malformed = false;
  ex.setSpeed(SPEED);
  ex.play();
  while (ex.clockMs() < last.endMs) {
    await sleep(50);
    for (const w of collector.windows()) subscribed.add(w.slug);
    const progress = (ex.clockMs() - markets[0]!.startMs) / (last.endMs - markets[0]!.startMs);
    if (!dropped && progress > 0.25) {
      dropped = true;
      ex.faults.dropConnections();
    }
    if (!silenced && progress > 0.5) {
      silenced = true;
      const current = collector.windows().find((w) => w.startMs <= ex.clockMs() && ex.clockMs() < w.endMs);
      if (current !== undefined) ex.faults.silence(current.upTokenId, 1000);
    }
    if (!malformed && progress > 0.7) {
      malformed = true;
      ex.faults.malformedFrames(5);
    }
  }
  ex.pause();
  // let in-flight frames, the silenced token's recovery and the last writes land
  await sleep(1500);
  await collector.discover();
  await sleep(300);
  const match = booksMatch(ex, collector);
  await collector.stop();
  const s = collector.status();
  const ticksPersisted = await repo.countTicks(runId);
  await repo.finishRun(runId, Date.now(), { smoke: s });
  await repo.close();
  await ex.close();
  const result = {
    windows: subscribed.size,
    frames: s.frames,
    booksMatch: match,
    reconnects: s.reconnects,
    staleDetected: s.staleDetected,
    malformedCounted: s.malformed,
    ticksPersisted,
  };
  console.log(JSON.stringify(result));
  const ok =
    match &&
    result.windows >= WINDOWS &&
    result.reconnects >= 1 &&
    result.staleDetected >= 1 &&
    ticksPersisted === s.bookUpdates &&
    s.writeErrors === 0;
  process.exitCode = ok ? 0 : 1;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
