/**
 * A graceful stop (SIGTERM) waits for the orders it has to send (found by CI on stop 15): an entry
 * whose send was queued behind a journal write when `stop` began was posted after the venue was
 * asked whether it was idle, and the process then exited with the order in flight, its position
 * left PENDING. The real `ClobVenue` against the local exchange; the journal writes slowed down.
 */
import { startVenueStack, type VenueStack } from '../../testkit/exchange-local/venue-stack';
import { syntheticRows } from '../../testkit/exchange-local/test-client';
import { MemoryRepository } from '../../testkit/persistence/memory-repository';
import type { PositionRecord } from '../../src/persistence/records';
import { setupLive, sleep, tickOf } from '../helpers/live-harness';

jest.setTimeout(60_000);

let stack: VenueStack;
beforeAll(async () => {
  stack = await startVenueStack({ input: syntheticRows(1, 20), manual: true, rtdsInput: null });
  stack.exchange.step(3);
});
afterAll(async () => {
  await stack.close();
});

/** A repository whose position writes take `delayMs` (a slow database). */
class SlowRepository extends MemoryRepository {
  delayMs = 0;
  override async upsertPositions(runId: number, rows: readonly PositionRecord[]): Promise<void> {
    await sleep(this.delayMs);
    return super.upsertPositions(runId, rows);
  }
}

test('stop waits for an entry whose send was queued behind a journal write', async () => {
  const repo = new SlowRepository();
  const env = await setupLive(stack, { repo });
  repo.delayMs = 200;
  const posts = stack.exchange.clob.orderPosts;
  env.session.onTick(tickOf(stack)); // the entry: its send waits for the journal write
  await env.session.stop(5_000);
  expect(stack.exchange.clob.orderPosts).toBe(posts + 1);
  expect(env.venue.busy).toBe(false);
  const states = env.session.trader.openPositions().map((p) => p.state);
  expect(states).toEqual(['OPEN']);
});
