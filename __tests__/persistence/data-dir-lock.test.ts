/**
 * Issue #8 point 10: the embedded database's data directory is held by one process at a time.
 * Real processes: the CLI's `migrate` is started on a directory this test holds (refused with one
 * line), and a holder killed with kill -9 leaves a lock that a restart takes over once stale.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openRepository } from '../../src/persistence/open-repository';

const MAIN = resolve(__dirname, '..', '..', 'src', 'cli', 'main.ts');

function runCli(args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  return new Promise((ok) => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
      env: { ...(process.env as Record<string, string>), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => ok({ code, out }));
  });
}

describe('data directory lock (embedded database)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ddlock-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a second process on a directory in use, with one line naming it', async () => {
    const repo = await openRepository({ dataDir: join(dir, 'pglite') });
    try {
      const r = await runCli(['migrate'], { DATA_DIR: dir, DATABASE_URL: '' });
      expect(r.code).toBe(1);
      expect(r.out).toMatch(/data directory .*pglite is in use by another running process/);
    } finally {
      await repo.close();
    }
    // released on close: the next process opens it
    const again = await runCli(['migrate'], { DATA_DIR: dir, DATABASE_URL: '' });
    expect(again.code).toBe(0);
  }, 90_000);

  it('takes over the lock of a process killed with kill -9 once it is stale', async () => {
    const holder = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        `require(${JSON.stringify(resolve(__dirname, '..', '..', 'src', 'persistence', 'data-dir-lock.ts'))}).lockDataDir(${JSON.stringify(join(dir, 'pglite'))}).then(() => { console.log('locked'); setInterval(() => undefined, 1000); })`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((ok) =>
      holder.stdout.on('data', (d: Buffer) => d.toString().includes('locked') && ok()),
    );
    holder.kill('SIGKILL');
    // the dead holder's lock goes stale after STALE_MS, within the wait of openRepository
    const repo = await openRepository({ dataDir: join(dir, 'pglite') });
    expect(await repo.latestRunOf('live', '0x0000000000000000000000000000000000000001')).toBeNull();
    await repo.close();
  }, 90_000);
});
