/**
 * Issue #9 "Inputs": rows of windows the venue does not list are dropped and counted; inputs
 * that are empty, not tick data, or mostly dropped are reported at `warn`; a load that keeps no
 * row is described in one line. Files are made by the test in a temporary directory.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { convertInput, convertSummary, convertWarnings } from '../../src/cli/convert';
import { InputError } from '../../src/core/errors';
import { BORISZ42_HEADER, BORISZ42_USER_HEADER } from '../../src/feed/borisz42';
import { CANONICAL_HEADER } from '../../src/feed/canonical-csv';
import { loadInput } from '../../src/feed/input';
import {
  describeNoRows,
  DROP_REASONS,
  inputFindings,
  inputTotals,
  type LoadStats,
} from '../../src/feed/input-stats';
import { VenueWindowCheck, windowProblem } from '../../src/feed/venue-window';
import { useTempDir } from '../helpers/temp-files';

const tmp = useTempDir('input-rules-');
const write = tmp.write;

/** 2026-01-24 16:00 EST: a 4h window start (polymarket-protocol.md §2.2, `btc-updown-4h-1769288400`). */
const H4_EST = 1769288400;
/** 2026-06-19 04:00 EDT = 08:00 UTC: a 4h start in summer (a multiple of 14400). */
const H4_EDT = Date.UTC(2026, 5, 19, 8) / 1000;
/** A 15m window start (2025-12-26 10:30 UTC, the shared recordings' first window). */
const M15 = 1766745000;

/** A canonical line of window (`crypto`, `sec`, `epoch`) at `epoch` + `offS` seconds. */
const row = (crypto: string, sec: number, epoch: number, offS = 1): string =>
  `${(epoch + offS) * 1000},${crypto},${sec},${epoch},0.4,0.6,10,10,0.4,0.6,10,10,`;

describe('venue windows (issue #9)', () => {
  it.each([
    ['BTC', 900, M15, null],
    ['ETH', 300, 300 * 5_000_000, null],
    ['SOL', 3600, 3600 * 490_000, null],
    ['XRP', 14400, H4_EST, null],
    ['BTC', 14400, H4_EDT, null],
    ['DOGE', 300, 300, null], // §2.2 reports doge markets of the same shape: the symbol alone is kept
    ['btc', 900, M15, 'cryptoCase'],
    ['Btc', 900, M15, 'cryptoCase'],
    ['btc', 600, 450, 'cryptoCase'], // case is checked first
    ['BTC', 600, 0, 'unknownInterval'],
    ['BTC', 60, 0, 'unknownInterval'],
    ['BTC', 86400, 0, 'unknownInterval'], // daily markets are not traded
    ['BTC', 900, M15 + 450, 'offGrid'],
    ['BTC', 300, 301, 'offGrid'],
    ['BTC', 3600, 1800, 'offGrid'],
    ['BTC', 14400, H4_EST - 3600, 'offGrid'], // a multiple of 14400, but 15:00 EST
    ['BTC', 14400, H4_EDT + 3600, 'offGrid'],
  ])('%s %is window at %i → %s', (crypto, sec, epoch, want) => {
    expect(windowProblem(crypto, sec, epoch)).toBe(want);
    const check = new VenueWindowCheck();
    expect(check.check({ crypto, windowSec: sec, windowEpoch: epoch })).toBe(want);
    expect(check.check({ crypto: 'BTC', windowSec: 900, windowEpoch: M15 })).toBeNull(); // memo moves on
  });

  it('the loader drops and counts each kind, keeps the rest, and reports every reason', async () => {
    const path = write('mixed.csv', [
      CANONICAL_HEADER,
      row('BTC', 900, M15),
      row('DOGE', 300, M15, 0),
      row('btc', 900, M15, 2),
      row('BTC', 600, M15),
      row('BTC', 900, M15 + 450),
      row('BTC', 14400, H4_EST - 3600),
      row('XRP', 14400, H4_EST),
      row('BT C', 900, M15), // malformed: not a symbol
    ]);
    const { rows, stats } = await loadInput(path);
    expect(rows.map((r) => [r.crypto, r.windowSec])).toEqual([
      ['DOGE', 300],
      ['BTC', 900],
      ['XRP', 14400],
    ]);
    expect(stats.files[0]).toMatchObject({
      rowsRead: 8,
      rowsKept: 3,
      malformed: 1,
      cryptoCase: 1,
      unknownInterval: 1,
      offGrid: 2,
    });
    const totals = inputTotals(stats);
    expect(Object.keys(totals.dropped)).toEqual([...DROP_REASONS]);
    expect(totals).toMatchObject({ files: 1, rowsRead: 8, rowsKept: 3 });
    // 5 of 8 dropped: "most rows" → warn, then the by-reason line at warn
    const f = inputFindings(stats);
    expect(f.map((x) => [x.level, x.msg])).toEqual([
      ['warn', 'most rows of an input file were dropped'],
      ['warn', 'input rows dropped, by reason (see the per-file lines)'],
    ]);
    expect(f[1]?.data).toEqual({
      rowsRead: 8,
      rowsKept: 3,
      dropped: { malformed: 1, cryptoCase: 1, unknownInterval: 1, offGrid: 2 },
    });
  });

  it('a borisz42 file of a 10-minute window (Expiration − TargetTime = 600 s) is dropped as unknown interval', async () => {
    const line = (ss: string, target: string, exp: string): string =>
      `2025-12-26 10:34:${ss},2025-12-26 ${target},2025-12-26 ${exp},0.09,0.11,0.1,0.02,1,1,0.89,0.9,0.895,0.01,1,1`;
    const path = write('market_data_z.csv', [
      BORISZ42_HEADER,
      line('10', '10:30:00', '10:40:00'),
      line('11', '10:31:00', '10:46:00'),
      line('12', '10:30:00', '10:45:00'),
    ]);
    const { rows, stats } = await loadInput(path);
    expect(rows).toHaveLength(1);
    expect(stats.files[0]).toMatchObject({ unknownInterval: 1, offGrid: 1, rowsKept: 1 });
  });
});

describe('input reports (issue #9)', () => {
  it('a file with a header and no rows: warn, and one line naming it', async () => {
    const path = write('ticks.csv', [CANONICAL_HEADER]);
    const { rows, stats } = await loadInput(path);
    expect(rows).toEqual([]);
    expect(inputFindings(stats)).toEqual([
      {
        level: 'warn',
        msg: 'input file has a header and no data rows',
        data: expect.objectContaining({ path, rowsRead: 0, dropped: 0 }),
      },
    ]);
    expect(describeNoRows(path, stats)).toBe(
      `no tick row kept from ${path}: ticks.csv: header only, no data rows`,
    );
  });

  it('a directory: wrong header and empty files at warn, user_data at info; the line lists every file', async () => {
    write('a_wrong.csv', ['ts,price', '1,0.5']);
    write('b_empty.csv', []);
    write('c_user_data.csv', [BORISZ42_USER_HEADER, '2025-12-26 10:30:19,Down,84.0,0.67,x,y']);
    write('d_ticks.csv', [CANONICAL_HEADER, row('btc', 900, M15), row('BTC', 900, M15 + 1)]);
    const { rows, stats } = await loadInput(tmp.dir());
    expect(rows).toEqual([]);
    expect(inputFindings(stats).map((x) => [x.level, x.msg])).toEqual([
      ['warn', 'every row of an input file was dropped'],
      ['warn', 'file skipped: its header is neither canonical nor borisz42 tick data'],
      ['warn', 'file skipped: empty (no header line)'],
      ['info', 'file skipped: borisz42 user_data (trades, not tick data)'],
      ['warn', 'input rows dropped, by reason (see the per-file lines)'],
    ]);
    const line = describeNoRows(tmp.dir(), stats);
    expect(line).toBe(
      `no tick row kept from ${tmp.dir()}: d_ticks.csv: 2 rows read, all dropped ` +
        `(crypto not upper case 1, window start off grid 1); skipped a_wrong.csv (unknown header), ` +
        `b_empty.csv (empty), c_user_data.csv (borisz42 user_data, not tick data)`,
    );
    expect(line).not.toContain('\n');
  });

  it('a directory with no tick file names the skipped files', async () => {
    write('a_wrong.csv', ['ts,price']);
    write('b_empty.csv', []);
    await expect(loadInput(tmp.dir())).rejects.toThrow(
      new InputError(
        `no tick files (canonical or borisz42) in ${tmp.dir()}; skipped a_wrong.csv (unknown header), b_empty.csv (empty)`,
      ),
    );
  });

  it('a few dropped rows stay at info; exact borisz42 duplicates alone are info', async () => {
    const path = write('ok.csv', [CANONICAL_HEADER, row('BTC', 900, M15), row('BTC', 900, M15, 2), 'x']);
    const few: LoadStats = (await loadInput(path)).stats;
    expect(inputFindings(few).map((x) => [x.level, x.msg])).toEqual([
      ['info', 'input file loaded'],
      ['warn', 'input rows dropped, by reason (see the per-file lines)'],
    ]);
    const dup = `2025-12-26 10:34:15,2025-12-26 10:30:00,2025-12-26 10:45:00,0.09,0.11,0.1,0.02,1,1,0.89,0.9,0.895,0.01,1,1`;
    const b = (await loadInput(write('market_data_d.csv', [BORISZ42_HEADER, dup, dup]))).stats;
    expect(inputFindings(b).map((x) => x.level)).toEqual(['info', 'info']);
  });

  it('convert refuses to write when no row is kept, and its summary counts every reason', async () => {
    const src = write('ticks.csv', [CANONICAL_HEADER, row('btc', 900, M15)]);
    const out = join(tmp.dir(), 'out.csv');
    await expect(convertInput({ input: src, out })).rejects.toThrow(
      `nothing to convert: no tick row kept from ${src}: ticks.csv: 1 rows read, all dropped (crypto not upper case 1)`,
    );
    expect(existsSync(out)).toBe(false);
    const ok = write('ok.csv', [CANONICAL_HEADER, row('BTC', 900, M15), row('BTC', 900, 7)]);
    const res = await convertInput({ input: ok, out });
    expect(convertSummary(out, res)).toBe(
      `convert: wrote 1 rows to ${out} from 1 file(s), skipped 0; dropped malformed=0 crossed=0 ` +
        `out_of_range=0 duplicates=0 late=0 crypto_case=0 unknown_interval=0 off_grid=1; kept outside_window=0`,
    );
    expect(convertWarnings(res.stats)).toEqual([
      expect.stringMatching(/^warning: input rows dropped, by reason .*"offGrid":1/),
    ]);
  });
});
