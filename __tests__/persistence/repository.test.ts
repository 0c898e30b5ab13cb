/**
 * One contract suite for the repository port (STYLE rule 11), run against the in-memory
 * repository and the knex one (PostgreSQL when DATABASE_URL is set, else in-memory PGlite).
 * The database may be shared with other suites: everything is keyed by this suite's run ids and
 * unique slugs / trade ids, and no test assumes an empty table.
 */
import { randomUUID } from 'node:crypto';
import { InvariantError } from '../../src/core/errors';
import { MemoryRepository } from '../../testkit/persistence/memory-repository';
import type {
  FillRecord,
  OrderRecord,
  PositionEventRecord,
  PositionRecord,
  RunRecord,
  TickRecord,
  WindowRecord,
} from '../../src/persistence/records';
import { KnexRepository, type StoredRun } from '../../src/persistence/knex-repository';
import type { Repository } from '../../src/persistence/repository';
import { openTestRepository, usingPostgres } from '../helpers/test-db';

const T0 = 1_766_745_000_000;
const uid = randomUUID().slice(0, 8);
const run: RunRecord = {
  mode: 'replay',
  configHash: 'abc123',
  codeRevision: 'deadbeef',
  input: 'data/btc.jsonl',
  startedAtMs: T0,
  config: { STOP_LOSS_PCT: 0.25, nested: { list: [1, 'two', null] } },
};

function window(n: number, winner: WindowRecord['winner'] = null): WindowRecord {
  const epoch = 1_766_745_000 + n * 900;
  return {
    crypto: 'BTC',
    windowSec: 900,
    windowEpoch: epoch,
    slug: `btc-updown-15m-${epoch}-${uid}`,
    conditionId: `0x${'ab'.repeat(32)}`,
    upTokenId: '71321045679252212594626385532706912750332728571942532289631379312455583992563',
    downTokenId: '52114319501245915516055106046884209969926127482827954674443846427813813222426',
    winner,
    startPrice: null,
    endPrice: null,
    expectedWinner: null,
  };
}

function position(key: string, over: Partial<PositionRecord> = {}): PositionRecord {
  return {
    positionKey: key,
    strategy: 'momentum',
    crypto: 'BTC',
    windowSec: 900,
    windowEpoch: 1_766_745_000,
    side: 'UP',
    tokenId: '71321045679252212594626385532706912750332728571942532289631379312455583992563',
    state: 'OPEN',
    entryTimeMs: T0 + 1234,
    entryPrice: 895_000,
    shares: 6_151_040_000,
    costUsdc: 5_505_180_800,
    entryFeeUsdc: 1,
    highWaterMark: 999_999,
    trailingActivatedAtMs: null,
    exitReason: null,
    exitTimeMs: null,
    exitPrice: null,
    proceedsUsdc: null,
    exitFeeUsdc: null,
    pnlUsdc: null,
    exitAttempts: 0,
    updatedMs: T0 + 1234,
    ...over,
  };
}

function tick(i: number): TickRecord {
  return {
    tsMs: T0 + i,
    recvMs: T0 + i + 7,
    crypto: 'BTC',
    windowSec: 900,
    windowEpoch: 1_766_745_000,
    upBid: 500_000 + (i % 400) * 1000,
    upAsk: i % 3 === 0 ? null : 510_000,
    upBidSize: 123_450_000,
    upAskSize: 99_000_000,
    downBid: 480_000,
    downAsk: 490_000,
    downBidSize: null,
    downAskSize: 7_000_001,
    spot: 87_123.456789,
  };
}

/** A repository under test plus the run reader both implementations offer beyond the port. */
type TestRepository = Repository & { loadRun(runId: number): Promise<StoredRun | undefined> };

/** The contract every Repository implementation must honour. */
function repositoryContract(name: string, open: () => Promise<TestRepository>): void {
  describe(`Repository contract: ${name}`, () => {
    let repo: TestRepository;
    let runId: number;
    beforeAll(async () => {
      repo = await open();
      runId = await repo.createRun(run);
    });
    afterAll(async () => {
      await repo.close();
    });

    it('creates runs with distinct positive ids and finishes them', async () => {
      const other = await repo.createRun({ ...run, mode: 'live' });
      expect(Number.isSafeInteger(runId) && runId > 0).toBe(true);
      expect(other).not.toBe(runId);
      await expect(
        repo.finishRun(other, T0 + 60_000, { trades: 3, pnl: '1.25', by: { a: [1] } }),
      ).resolves.toBe(undefined);
      await expect(repo.finishRun(2 ** 40, T0, {})).rejects.toThrow(InvariantError);
    });

    it('upserts windows by slug and keeps a known winner', async () => {
      const [a, b] = [window(1), window(2, 'UP')];
      await repo.upsertWindows([b, a]);
      expect(await repo.loadWindows([a.slug, b.slug])).toEqual([a, b]);
      await repo.upsertWindows([
        { ...a, winner: 'DOWN', conditionId: '0x01' },
        { ...b, winner: null },
      ]);
      expect(await repo.loadWindows([a.slug, b.slug, 'no-such-slug'])).toEqual([
        { ...a, winner: 'DOWN', conditionId: '0x01' },
        b,
      ]);
      expect(await repo.loadWindows([])).toEqual([]);
      const all = await repo.loadWindows();
      expect(all.map((w) => w.slug)).toEqual(expect.arrayContaining([a.slug, b.slug]));
      expect(all.map((w) => w.slug)).toEqual([...all.map((w) => w.slug)].sort());
    });

    it('stores the oracle settlement of a window and never forgets it', async () => {
      const w = window(3);
      const settled = { ...w, startPrice: 65_026.457815, endPrice: 65_100.5, expectedWinner: 'UP' as const };
      await repo.upsertWindows([w]);
      await repo.upsertWindows([settled]);
      await repo.upsertWindows([w]);
      expect(await repo.loadWindows([w.slug])).toEqual([settled]);
    });

    it('appends raw frames in order', async () => {
      const id = await repo.createRun(run);
      const frames = [
        { channel: 'market' as const, recvMs: T0, venueTsMs: T0 - 5, text: '[{"event_type":"book"}]' },
        { channel: 'rtds' as const, recvMs: T0 + 1, venueTsMs: null, text: 'PONG' },
        { channel: 'market' as const, recvMs: T0 + 2, venueTsMs: null, text: 'ünïcødé \t "quoted"' },
      ];
      await repo.insertRawFrames(id, frames);
      await repo.insertRawFrames(id, frames.slice(0, 1));
      expect(await repo.loadRawFrames(id)).toEqual([...frames, frames[0]]);
      await expect(repo.insertRawFrames(2 ** 40, frames)).rejects.toThrow(InvariantError);
    });

    it('stores a malformed frame holding NUL bytes (with U+FFFD) without losing its batch', async () => {
      const id = await repo.createRun(run);
      await repo.insertRawFrames(id, [
        { channel: 'market', recvMs: T0, venueTsMs: null, text: '{"a":1}' },
        { channel: 'market', recvMs: T0 + 1, venueTsMs: null, text: 'gar\u0000bage\u0000' },
      ]);
      expect((await repo.loadRawFrames(id)).map((f) => f.text)).toEqual(['{"a":1}', 'gar\uFFFDbage\uFFFD']);
    });

    it('round-trips positions with nulls and micros, and upserts by key', async () => {
      const open = position('momentum_BTC_15m_1766745000');
      const closed = position('alpha_BTC_15m_1766745000', {
        side: 'DOWN',
        state: 'CLOSED',
        trailingActivatedAtMs: T0 + 5000,
        exitReason: 'trailing_stop',
        exitTimeMs: T0 + 9000,
        exitPrice: 1_000_000,
        proceedsUsdc: 6_151_040_000,
        exitFeeUsdc: 0,
        pnlUsdc: -123_456,
        exitAttempts: 2,
      });
      await repo.upsertPositions(runId, [open, closed]);
      expect(await repo.loadPositions(runId)).toEqual([closed, open]);
      const exiting = { ...open, state: 'EXITING' as const, exitAttempts: 1, updatedMs: T0 + 7000 };
      await repo.upsertPositions(runId, [exiting]);
      expect(await repo.loadPositions(runId)).toEqual([closed, exiting]);
    });

    it('appends position events in seq order; a duplicate seq throws and stores nothing', async () => {
      const events: PositionEventRecord[] = [
        {
          seq: 2,
          positionKey: 'k',
          type: 'HWM_UPDATE',
          fromState: 'OPEN',
          toState: 'OPEN',
          tsMs: T0 + 2,
          data: {},
        },
        {
          seq: 1,
          positionKey: 'k',
          type: 'OPENED',
          fromState: null,
          toState: 'OPEN',
          tsMs: T0 + 1,
          data: { price: '0.895', nested: { ok: true, n: null } },
        },
      ];
      await repo.appendPositionEvents(runId, events);
      const dup = { ...events[1]!, seq: 2 };
      const fresh = { ...dup, seq: 3 };
      await expect(repo.appendPositionEvents(runId, [fresh, dup])).rejects.toThrow(InvariantError);
      await expect(repo.appendPositionEvents(runId, [fresh, { ...fresh }])).rejects.toThrow(InvariantError);
      expect(await repo.loadPositionEvents(runId)).toEqual([events[1], events[0]]);
    });

    it('upserts orders by client id and loads them by createdMs, clientOrderId', async () => {
      const base: OrderRecord = {
        clientOrderId: `b-${uid}`,
        positionKey: 'momentum_BTC_15m_1766745000',
        purpose: 'entry',
        tokenId: '71321045679252212594626385532706912750332728571942532289631379312455583992563',
        side: 'BUY',
        tif: 'FOK',
        limitPrice: 895_000,
        notional: 5_500_000,
        shares: null,
        status: 'pending',
        reason: null,
        createdMs: T0 + 10,
        updatedMs: T0 + 10,
      };
      const early = { ...base, clientOrderId: `z-${uid}`, purpose: 'exit' as const, side: 'SELL' as const };
      const a = { ...base, clientOrderId: `a-${uid}`, notional: null, shares: 6_151_040_000 };
      await repo.upsertOrders(runId, [base, { ...early, createdMs: T0 + 5 }, a]);
      const filled = { ...base, status: 'filled' as const, reason: 'matched', updatedMs: T0 + 20 };
      await repo.upsertOrders(runId, [filled]);
      expect(await repo.loadOrders(runId)).toEqual([{ ...early, createdMs: T0 + 5 }, a, filled]);
    });

    it('inserts fills once per trade id within a run; another run may reuse the id', async () => {
      const f: FillRecord = {
        tradeId: `t1-${uid}`,
        clientOrderId: `b-${uid}`,
        positionKey: 'momentum_BTC_15m_1766745000',
        price: 895_000,
        shares: 6_151_040_000,
        feeUsdc: 12_345,
        tsMs: T0 + 30,
      };
      const g = { ...f, tradeId: `t0-${uid}`, price: 1, feeUsdc: 0 };
      await repo.insertFills(runId, [f, g, { ...f, price: 1 }]);
      await repo.insertFills(runId, [{ ...f, shares: 1 }]);
      const otherRun = await repo.createRun(run);
      await repo.insertFills(otherRun, [f]);
      expect(await repo.loadFills(runId)).toEqual([g, f]);
      // simulated trade ids (sim-1, sim-2, …) restart in every replay run
      expect(await repo.loadFills(otherRun)).toEqual([f]);
    });

    it('stores a 20k-tick batch and counts it per run', async () => {
      const tickRun = await repo.createRun(run);
      const ticks = Array.from({ length: 20_000 }, (_, i) => tick(i));
      await repo.insertTicks(tickRun, ticks);
      await repo.insertTicks(tickRun, ticks.slice(0, 5));
      await repo.insertTicks(tickRun, []);
      expect(await repo.countTicks(tickRun)).toBe(20_005);
      expect(await repo.countTicks(runId)).toBe(0);
    });

    it('rejects ticks whose prices are not integer micros', async () => {
      await expect(repo.insertTicks(runId, [{ ...tick(1), upBid: 0.5 }])).rejects.toThrow(RangeError);
    });

    it('rejects writes for an unknown run', async () => {
      const unknown = 2 ** 40;
      await expect(repo.upsertPositions(unknown, [position('x')])).rejects.toThrow(InvariantError);
      await expect(repo.insertTicks(unknown, [tick(1)])).rejects.toThrow(InvariantError);
      expect(await repo.countTicks(unknown)).toBe(0);
      expect(await repo.loadPositions(unknown)).toEqual([]);
    });
  });
}

repositoryContract('MemoryRepository', async () => new MemoryRepository());
repositoryContract(
  usingPostgres() ? 'KnexRepository on PostgreSQL' : 'KnexRepository on PGlite',
  async () => {
    const repo = await openTestRepository();
    if (!(repo instanceof KnexRepository)) throw new Error('openTestRepository: expected a KnexRepository');
    return repo;
  },
);
