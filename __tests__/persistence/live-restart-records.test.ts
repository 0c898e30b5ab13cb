/**
 * Repository contract for what a restarted live trader reads back (issue #4): the wallet of a run,
 * the latest run of a wallet, the highest journal seq and the signed order attempts. Run against
 * the in-memory repository and the knex one (PostgreSQL when DATABASE_URL is set, else PGlite).
 * The database may be shared: every wallet and id carries this suite's unique suffix.
 */
import { randomUUID } from 'node:crypto';
import { InvariantError } from '../../src/core/errors';
import { KnexRepository, type StoredRun } from '../../src/persistence/knex-repository';
import { MemoryRepository } from '../../testkit/persistence/memory-repository';
import type { OrderAttemptRecord, PositionEventRecord, RunRecord } from '../../src/persistence/records';
import type { Repository } from '../../src/persistence/repository';
import { openTestRepository, usingPostgres } from '../helpers/test-db';

const T0 = 1_766_745_000_000;
const uid = randomUUID().replaceAll('-', '').slice(0, 12);
const run: RunRecord = {
  mode: 'live',
  configHash: 'abc123',
  codeRevision: 'deadbeef',
  input: 'wss://feed',
  startedAtMs: T0,
  config: {},
};

/** Returns a checksummed-looking (mixed case) 0x address unique to this suite run. */
function walletAddress(n: number): string {
  return `0xAbCd${n}${uid}`.padEnd(42, 'eF');
}

/** Returns a 0x order hash unique to this suite run. */
function orderHash(c: string): string {
  return `0x${c.repeat(8)}${uid}`.padEnd(66, '0');
}

function event(seq: number): PositionEventRecord {
  return {
    seq,
    positionKey: 'k',
    type: 'OPENED',
    fromState: null,
    toState: 'OPEN',
    tsMs: T0 + seq,
    data: {},
  };
}

/** A repository under test plus the run reader both implementations offer beyond the port. */
type TestRepository = Repository & { loadRun(runId: number): Promise<StoredRun | undefined> };

function liveRestartContract(name: string, open: () => Promise<TestRepository>): void {
  describe(`Repository live-restart contract: ${name}`, () => {
    let repo: TestRepository;
    beforeAll(async () => {
      repo = await open();
    });
    afterAll(async () => {
      await repo.close();
    });

    it('stores the wallet of a run lowercased, and null when the run has none', async () => {
      const wallet = walletAddress(1);
      const live = await repo.createRun({ ...run, wallet });
      const replay = await repo.createRun({ ...run, mode: 'replay' });
      const nulled = await repo.createRun({ ...run, mode: 'sim', wallet: null });
      expect((await repo.loadRun(live))?.wallet).toBe(wallet.toLowerCase());
      expect((await repo.loadRun(replay))?.wallet).toBeNull();
      expect((await repo.loadRun(nulled))?.wallet).toBeNull();
    });

    it('finds the newest run of a mode and wallet, case-insensitively', async () => {
      const wallet = walletAddress(2);
      const lower = wallet.toLowerCase();
      const upper = `0x${wallet.slice(2).toUpperCase()}`;
      expect(await repo.latestRunOf('live', wallet)).toBeNull();
      const first = await repo.createRun({ ...run, wallet });
      expect(await repo.latestRunOf('live', upper)).toBe(first);
      const second = await repo.createRun({ ...run, wallet: lower });
      const sim = await repo.createRun({ ...run, mode: 'sim', wallet: upper });
      await repo.createRun({ ...run, wallet: walletAddress(3) });
      await repo.createRun(run);
      expect(second).toBeGreaterThan(first);
      expect(await repo.latestRunOf('live', wallet)).toBe(second);
      expect(await repo.latestRunOf('live', lower)).toBe(second);
      expect(await repo.latestRunOf('sim', lower)).toBe(sim);
      expect(await repo.latestRunOf('replay', wallet)).toBeNull();
      expect(await repo.latestRunOf('live', walletAddress(4))).toBeNull();
    });

    it('returns the highest journal seq of a run, 0 when it has none', async () => {
      const id = await repo.createRun(run);
      const other = await repo.createRun(run);
      expect(await repo.maxEventSeq(id)).toBe(0);
      await repo.appendPositionEvents(id, [event(1), event(5), event(3)]);
      await repo.appendPositionEvents(other, [event(9)]);
      expect(await repo.maxEventSeq(id)).toBe(5);
      await repo.appendPositionEvents(id, [event(6)]);
      expect(await repo.maxEventSeq(id)).toBe(6);
      expect(await repo.maxEventSeq(other)).toBe(9);
      expect(await repo.maxEventSeq(2 ** 40)).toBe(0);
    });

    it('stores order attempts once per venue order id and loads them by signedMs, venueOrderId', async () => {
      const id = await repo.createRun(run);
      const a: OrderAttemptRecord = {
        clientOrderId: `c1-${uid}`,
        venueOrderId: orderHash('b'),
        signedMs: T0 + 20,
      };
      const b: OrderAttemptRecord = {
        clientOrderId: `c1-${uid}`,
        venueOrderId: orderHash('a'),
        signedMs: T0 + 20,
      };
      const c: OrderAttemptRecord = {
        clientOrderId: `c2-${uid}`,
        venueOrderId: orderHash('c'),
        signedMs: T0 + 10,
      };
      expect(await repo.loadOrderAttempts(id)).toEqual([]);
      await repo.insertOrderAttempts(id, [a, b, { ...a, signedMs: T0 + 99 }]);
      await repo.insertOrderAttempts(id, [c, { ...b, clientOrderId: 'other', signedMs: 0 }]);
      await repo.insertOrderAttempts(id, []);
      expect(await repo.loadOrderAttempts(id)).toEqual([c, b, a]);
      // another run may hold the same hash (attempts are scoped by run)
      const otherRun = await repo.createRun(run);
      await repo.insertOrderAttempts(otherRun, [a]);
      expect(await repo.loadOrderAttempts(otherRun)).toEqual([a]);
      expect(await repo.loadOrderAttempts(2 ** 40)).toEqual([]);
      await expect(repo.insertOrderAttempts(2 ** 40, [a])).rejects.toThrow(InvariantError);
    });
  });
}

liveRestartContract('MemoryRepository', async () => new MemoryRepository());
liveRestartContract(
  usingPostgres() ? 'KnexRepository on PostgreSQL' : 'KnexRepository on PGlite',
  async () => {
    const repo = await openTestRepository();
    if (!(repo instanceof KnexRepository)) throw new Error('openTestRepository: expected a KnexRepository');
    return repo;
  },
);
