import { Wallet } from 'ethers';
import { openKnex, migrateLatest } from '../../src/persistence/db';
import { tryLockWallet, walletLockKey } from '../../src/persistence/wallet-lock';
import { createServerDatabase, itWithServer, usingPostgres } from '../helpers/test-db';

describe('wallet lock (issue #4: one trader per wallet)', () => {
  it('derives a stable signed 64-bit key, case-insensitive', () => {
    const a = Wallet.createRandom().address;
    expect(walletLockKey(a)).toBe(walletLockKey(a.toLowerCase()));
    expect(BigInt(walletLockKey(a))).toBeGreaterThanOrEqual(-(2n ** 63n));
  });

  // two sessions on a server database (a fresh one, whatever DATABASE_URL names); skipped, with the
  // reason in the title, when no server can be reached (issue #9)
  itWithServer('refuses a second trader on the same wallet until the first releases', async (server) => {
    const db = await createServerDatabase(server, 'updown_walletlock');
    const first = openKnex({ databaseUrl: db.url });
    const second = openKnex({ databaseUrl: db.url });
    try {
      await migrateLatest(first);
      const address = Wallet.createRandom().address;
      const lock = await tryLockWallet(first, address);
      expect(lock).not.toBeNull();
      expect(await tryLockWallet(second, address)).toBeNull();
      const other = await tryLockWallet(second, Wallet.createRandom().address);
      expect(other).not.toBeNull();
      await other!.release();
      await lock!.release();
      const again = await tryLockWallet(second, address);
      expect(again).not.toBeNull();
      await again!.release();
    } finally {
      await first.destroy();
      await second.destroy();
      await db.drop();
    }
  });

  (usingPostgres() ? it.skip : it)(
    'is taken and released on embedded PGlite, without starving its one connection',
    async () => {
      const db = openKnex({});
      try {
        await migrateLatest(db);
        const address = Wallet.createRandom().address;
        const lock = await tryLockWallet(db, address);
        expect(lock).not.toBeNull();
        // the lock must not hold PGlite's only connection: the trader's queries go on
        expect(((await db.raw('select 1 as one')) as { rows: { one: number }[] }).rows[0]?.one).toBe(1);
        // a second trader in this process is refused until the first releases
        expect(await tryLockWallet(db, address)).toBeNull();
        await lock!.release();
        const again = await tryLockWallet(db, address);
        expect(again).not.toBeNull();
        await again!.release();
      } finally {
        await db.destroy();
      }
    },
  );
});
