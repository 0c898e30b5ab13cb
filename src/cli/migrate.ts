import { join } from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../config/schema';
import { openRepository } from '../persistence/open-repository';

/** Registers `migrate`: applies pending migrations to DATABASE_URL or the embedded PGlite. */
export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description('apply database migrations (DATABASE_URL, or embedded PGlite under DATA_DIR)')
    .action(async () => {
      const cfg = loadConfig({ env: process.env });
      const repo = await openRepository(
        cfg.DATABASE_URL !== ''
          ? { databaseUrl: cfg.DATABASE_URL }
          : { dataDir: join(cfg.DATA_DIR, 'pglite') },
      );
      await repo.close();
      console.log(
        `migrations applied (${cfg.DATABASE_URL !== '' ? 'PostgreSQL' : join(cfg.DATA_DIR, 'pglite')})`,
      );
    });
}
