/**
 * Issue #9 "Inputs" through the `replay` command: input problems are logged at `warn` with their
 * counts by reason (the command's own pino logger, given a capturing destination), the summary
 * shows every drop reason, and a replay of no tick fails with one line saying why — through
 * `runReplay` and through the real CLI in a child process (exit code 1, one line on stderr).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import pino from 'pino';
import { runReplay } from '../../src/cli/replay';
import { InputError } from '../../src/core/errors';
import type { StoredRun } from '../../src/persistence/knex-repository';
import { CANONICAL_HEADER } from '../../src/feed/canonical-csv';
import { DROP_LABELS, DROP_REASONS } from '../../src/feed/input-stats';
import { openRepository } from '../../src/persistence/open-repository';
import type { Repository } from '../../src/persistence/repository';
import { formatSummary } from '../../src/report/summary';
import { useTempDir } from '../helpers/temp-files';

const ROOT = resolve(__dirname, '../..');
const M15 = 1766745000; // a 15m window start (2025-12-26 10:30 UTC)

const tmp = useTempDir('replay-input-');
const write = tmp.write;

/** A canonical line of a BTC window at `epoch` + `offS` seconds. */
const row = (sec: number, epoch: number, offS: number, crypto = 'BTC'): string =>
  `${(epoch + offS) * 1000},${crypto},${sec},${epoch},0.45,0.55,100,100,0.45,0.55,100,100,`;

interface LogLine {
  level: number;
  msg: string;
  [k: string]: unknown;
}

/** The command's logger at `debug`, writing its JSON lines into `lines`. */
function capture(): { log: pino.Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const log = pino({ level: 'debug' }, { write: (s: string) => void lines.push(JSON.parse(s) as LogLine) });
  return { log, lines };
}
const WARN = 40;
const env = (): Record<string, string> => ({
  DATA_DIR: join(tmp.dir(), 'data'),
  DATABASE_URL: '',
  LOG_LEVEL: 'silent',
});

describe('replay input reports (issue #9)', () => {
  it('a file with a header and no rows: warn, then one-line InputError; the run row says why', async () => {
    const input = write('ticks.csv', [CANONICAL_HEADER]);
    const out = join(tmp.dir(), 'trades.jsonl');
    const { log, lines } = capture();
    const err = await runReplay({ input, out, progress: false }, env(), { log }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toBe(
      `nothing replayed: no tick row kept from ${input}: ticks.csv: header only, no data rows`,
    );
    expect(lines.filter((l) => l.level === WARN).map((l) => l.msg)).toEqual([
      'input file has a header and no data rows',
    ]);
    expect(existsSync(out)).toBe(false);

    const repo = (await openRepository({ dataDir: join(tmp.dir(), 'data', 'pglite') })) as Repository & {
      loadRun(id: number): Promise<StoredRun | undefined>;
    };
    try {
      const run = await repo.loadRun(1);
      expect(run?.summary).toMatchObject({ error: (err as Error).message, positions: 0 });
      expect(run?.finishedAtMs).not.toBeNull();
    } finally {
      await repo.close();
    }
  });

  it('a directory whose only tick file is all off-grid and a wrong-header file: warn lines, one-line error', async () => {
    write('a_wrong.csv', ['time,bid,ask', '1,0.4,0.6']);
    write('b_ticks.csv', [
      CANONICAL_HEADER,
      row(900, M15 + 60, 1),
      row(600, M15, 2),
      row(900, M15, 3, 'btc'),
    ]);
    const { log, lines } = capture();
    await expect(runReplay({ input: tmp.dir(), db: false, progress: false }, env(), { log })).rejects.toThrow(
      new InputError(
        `nothing replayed: no tick row kept from ${tmp.dir()}: b_ticks.csv: 3 rows read, all dropped ` +
          `(crypto not upper case 1, unknown interval 1, window start off grid 1); skipped a_wrong.csv (unknown header)`,
      ),
    );
    const warns = lines.filter((l) => l.level === WARN);
    expect(warns.map((l) => l.msg)).toEqual([
      'every row of an input file was dropped',
      'file skipped: its header is neither canonical nor borisz42 tick data',
      'input rows dropped, by reason (see the per-file lines)',
    ]);
    expect(warns[0]).toMatchObject({
      rowsRead: 3,
      rowsKept: 0,
      cryptoCase: 1,
      unknownInterval: 1,
      offGrid: 1,
    });
    expect(warns[1]).toMatchObject({ reason: 'unknownHeader' });
    expect(warns[2]).toMatchObject({ dropped: { cryptoCase: 1, unknownInterval: 1, offGrid: 1 } });
  });

  it('most rows dropped: replays the rest, warns with the counts, and the summary shows every reason', async () => {
    const kept = [row(900, M15, 10), row(900, M15, 20)];
    const off = Array.from({ length: 5 }, (_, i) => row(900, M15 + 300, 30 + i));
    const input = write('ticks.csv', [CANONICAL_HEADER, ...kept, ...off]);
    const { log, lines } = capture();
    const res = await runReplay(
      { input, out: join(tmp.dir(), 't.jsonl'), db: false, progress: false },
      env(),
      {
        log,
      },
    );
    expect(res.rows).toBe(2);
    expect(lines.filter((l) => l.level === WARN).map((l) => [l.msg, l['offGrid'] ?? l['dropped']])).toEqual([
      ['most rows of an input file were dropped', 5],
      ['input rows dropped, by reason (see the per-file lines)', { offGrid: 5 }],
    ]);
    expect(res.summary.input).toMatchObject({ files: 1, rowsRead: 7, rowsKept: 2 });
    expect(res.summary.input?.dropped.offGrid).toBe(5);
    const text = formatSummary(res.summary);
    for (const r of DROP_REASONS)
      expect(text).toMatch(
        new RegExp(`dropped: ${DROP_LABELS[r].replace(/[()]/g, '\\$&')} +│? *${r === 'offGrid' ? 5 : 0}\\b`),
      );
    expect(text).toMatch(/rows kept \(replayed\) +│? *2\b/);
  });
});

describe('replay CLI (child process)', () => {
  it('exits 1 with one line on stderr when nothing was replayed', async () => {
    const input = write('ticks.csv', [CANONICAL_HEADER]);
    const run = promisify(execFile);
    const err = await run(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', 'replay', '--input', input, '--no-db', '--no-progress'],
      {
        cwd: ROOT,
        env: { ...process.env, DATA_DIR: join(tmp.dir(), 'data'), LOG_LEVEL: 'silent', DATABASE_URL: '' },
      },
    ).catch((e: unknown) => e as { code: number; stdout: string; stderr: string });
    expect(err).toMatchObject({ code: 1, stdout: '' });
    const stderr = (err as { stderr: string }).stderr;
    expect(stderr.split('\n').filter((l) => l !== '')).toEqual([
      `InputError: nothing replayed: no tick row kept from ${input}: ticks.csv: header only, no data rows`,
    ]);
  }, 60_000);
});
