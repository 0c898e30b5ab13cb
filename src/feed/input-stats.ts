/**
 * What the tick loader ({@link ./input}) did with each file (issue #2), and how that is told to
 * the user (issue #9 "Inputs"): every drop reason is counted per file; a file with a header and no
 * rows, a directory file that is not tick data, and a file where most rows were dropped are
 * reported at `warn`; when no row at all is kept, one line says why.
 */
import { basename } from 'node:path';

/** A supported tick file format, detected from the header line. */
export type InputFormat = 'canonical' | 'borisz42';

/**
 * Every reason a data row is dropped, in report order: the row's own faults (`malformed`,
 * `crossed`, `outOfRange`), its place in the file (`duplicates`, `late`), then its window not
 * being a venue window (`cryptoCase`, `unknownInterval`, `offGrid`; see `./venue-window`).
 */
export const DROP_REASONS = [
  'malformed',
  'crossed',
  'outOfRange',
  'duplicates',
  'late',
  'cryptoCase',
  'unknownInterval',
  'offGrid',
] as const;
/** A reason a data row is dropped (see {@link DROP_REASONS}). */
export type DropReason = (typeof DROP_REASONS)[number];
/** Rows dropped, by reason. */
export type DropCounts = Record<DropReason, number>;

/** The words a person reads for each drop reason (summary table, one-line errors). */
export const DROP_LABELS: Readonly<Record<DropReason, string>> = {
  malformed: 'malformed',
  crossed: 'crossed book',
  outOfRange: 'out of range',
  duplicates: 'duplicate',
  late: 'late (out of order)',
  cryptoCase: 'crypto not upper case',
  unknownInterval: 'unknown interval',
  offGrid: 'window start off grid',
};

/** What happened to the rows of one loaded file. */
export interface FileLoadStats {
  readonly path: string;
  readonly format: InputFormat;
  /** Non-empty data lines read (header and blank lines excluded). */
  rowsRead: number;
  /** Rows returned: `rowsRead` minus every drop reason ({@link droppedRows}). */
  rowsKept: number;
  /** Dropped: wrong field count or unparseable field. */
  malformed: number;
  /** Dropped: bid > ask on the same token. */
  crossed: number;
  /** Dropped: a price outside [0, 1], or a negative size or spot. */
  outOfRange: number;
  /** Dropped (borisz42 only): a line identical to an earlier kept line of the same file. */
  duplicates: number;
  /**
   * Dropped: a row older than a row of the same file already released by the re-ordering
   * window (it arrived more than the window after a newer row). Checked before `duplicates`.
   */
  late: number;
  /**
   * Dropped: the crypto is not upper case (`btc`): the venue's assets are upper case (issue #9).
   * This and the next two are checked right after parsing, before `late` and `duplicates`.
   */
  cryptoCase: number;
  /** Dropped: a `window_sec` the venue does not list (only 300, 900, 3600, 14400 s; issue #9). */
  unknownInterval: number;
  /** Dropped: a window start not on its interval's grid (4h: US-Eastern boundaries; issue #9). */
  offGrid: number;
  /**
   * Kept but counted: rows whose `tsMs` is outside `[windowEpoch·1000, (windowEpoch+windowSec)·1000]`.
   * They are kept because a market trades before its window starts; the trader decides what a
   * tick outside its window means. The shared borisz42 files have none.
   */
  outsideWindow: number;
}

/**
 * Why a directory file was not read as tick data: `empty` (no header line), `notTickData` (a
 * borisz42 `user_data` trades file, a known companion of the recordings), `unknownHeader`
 * (anything else).
 */
export type SkipReason = 'empty' | 'notTickData' | 'unknownHeader';

/** A file of an input directory that was not read as tick data. */
export interface SkippedFile {
  readonly path: string;
  readonly reason: SkipReason;
}

/**
 * Per-file statistics of one `streamInput` / `loadInput` call (files in name order), plus the
 * directory files skipped.
 */
export interface LoadStats {
  files: FileLoadStats[];
  /** Files in a directory whose first line is no tick header, with the reason. */
  skippedFiles: SkippedFile[];
}

/** Returns zeroed statistics of a file about to be read. */
export function newFileStats(path: string, format: InputFormat): FileLoadStats {
  return {
    path,
    format,
    rowsRead: 0,
    rowsKept: 0,
    malformed: 0,
    crossed: 0,
    outOfRange: 0,
    duplicates: 0,
    late: 0,
    cryptoCase: 0,
    unknownInterval: 0,
    offGrid: 0,
    outsideWindow: 0,
  };
}

/** Returns the rows of `f` dropped for any reason. */
export function droppedRows(f: FileLoadStats): number {
  let n = 0;
  for (const r of DROP_REASONS) n += f[r];
  return n;
}

/** Returns the rows dropped by reason, summed over `files`. */
export function dropCounts(files: readonly FileLoadStats[]): DropCounts {
  const c = Object.fromEntries(DROP_REASONS.map((r) => [r, 0])) as DropCounts;
  for (const f of files) for (const r of DROP_REASONS) c[r] += f[r];
  return c;
}

/** Totals of one input, as the run summary shows them. */
export interface InputTotals {
  readonly files: number;
  readonly skippedFiles: number;
  readonly rowsRead: number;
  readonly rowsKept: number;
  /** Rows kept whose `tsMs` lies outside their window (see {@link FileLoadStats.outsideWindow}). */
  readonly outsideWindow: number;
  /** Rows dropped, by reason: every reason present, 0 included. */
  readonly dropped: DropCounts;
}

/** Returns the totals of a finished load. */
export function inputTotals(stats: LoadStats): InputTotals {
  const sum = (k: 'rowsRead' | 'rowsKept' | 'outsideWindow'): number =>
    stats.files.reduce((n, f) => n + f[k], 0);
  return {
    files: stats.files.length,
    skippedFiles: stats.skippedFiles.length,
    rowsRead: sum('rowsRead'),
    rowsKept: sum('rowsKept'),
    outsideWindow: sum('outsideWindow'),
    dropped: dropCounts(stats.files),
  };
}

/** Share of a file's rows (0–1) above which a file counts as "mostly dropped" and is reported at `warn`. */
export const MOSTLY_DROPPED_SHARE = 0.5;

/** One log line about a loaded input: its level, message and structured fields. */
export interface InputFinding {
  readonly level: 'info' | 'warn';
  readonly msg: string;
  readonly data: Readonly<Record<string, unknown>>;
}

/** Returns the non-zero counts of `c` (for log lines), in {@link DROP_REASONS} order. */
export function nonZeroDrops(c: DropCounts): Partial<DropCounts> {
  const out: Partial<DropCounts> = {};
  for (const r of DROP_REASONS) if (c[r] > 0) out[r] = c[r];
  return out;
}

/** Formats drop counts for a person: `"window start off grid 10, duplicate 2"`, or `"none"`. */
export function formatDrops(c: DropCounts): string {
  const parts = DROP_REASONS.filter((r) => c[r] > 0).map((r) => `${DROP_LABELS[r]} ${c[r]}`);
  return parts.length === 0 ? 'none' : parts.join(', ');
}

function fileFinding(f: FileLoadStats): InputFinding {
  const dropped = droppedRows(f);
  const data = { ...f, dropped };
  if (f.rowsRead === 0) return { level: 'warn', msg: 'input file has a header and no data rows', data };
  if (f.rowsKept === 0) return { level: 'warn', msg: 'every row of an input file was dropped', data };
  if (dropped > f.rowsRead * MOSTLY_DROPPED_SHARE)
    return { level: 'warn', msg: 'most rows of an input file were dropped', data };
  return { level: 'info', msg: 'input file loaded', data };
}

const SKIP_FINDING: Readonly<Record<SkipReason, { level: 'info' | 'warn'; msg: string }>> = {
  notTickData: { level: 'info', msg: 'file skipped: borisz42 user_data (trades, not tick data)' },
  unknownHeader: {
    level: 'warn',
    msg: 'file skipped: its header is neither canonical nor borisz42 tick data',
  },
  empty: { level: 'warn', msg: 'file skipped: empty (no header line)' },
};

/**
 * Returns the log lines of a finished load, in file order: one per file (`warn` when it has no
 * data row, kept none, or dropped more than {@link MOSTLY_DROPPED_SHARE} of its rows; `info`
 * otherwise), one per skipped file (`warn` unless it is a known borisz42 `user_data` file), then
 * one `warn` with the counts per reason when rows were dropped for a reason other than exact
 * duplicates (the borisz42 recorder writes some; they alone are `info`).
 */
export function inputFindings(stats: LoadStats): InputFinding[] {
  const out = stats.files.map(fileFinding);
  for (const s of stats.skippedFiles) out.push({ ...SKIP_FINDING[s.reason], data: { ...s } });
  const totals = inputTotals(stats);
  const dropped = nonZeroDrops(totals.dropped);
  const anyDropped = Object.keys(dropped).length > 0;
  if (anyDropped) {
    const onlyDuplicates = Object.keys(dropped).every((k) => k === 'duplicates');
    out.push({
      level: onlyDuplicates ? 'info' : 'warn',
      msg: 'input rows dropped, by reason (see the per-file lines)',
      data: { rowsRead: totals.rowsRead, rowsKept: totals.rowsKept, dropped },
    });
  }
  return out;
}

/**
 * Returns one line saying why `input` gave no row: per file its name, rows read and drops by
 * reason (or "header only"), then the skipped files with their reason. Example:
 * `no tick row kept from /d: a.csv: header only, no data rows; b.csv: 12 rows read, all dropped
 * (window start off grid 10, crypto not upper case 2); skipped c.csv (unknown header)`.
 */
export function describeNoRows(input: string, stats: LoadStats): string {
  const parts = stats.files.map((f) => {
    const name = basename(f.path);
    if (f.rowsRead === 0) return `${name}: header only, no data rows`;
    return `${name}: ${f.rowsRead} rows read, all dropped (${formatDrops(dropCounts([f]))})`;
  });
  const skipped = describeSkipped(stats.skippedFiles);
  if (skipped !== '') parts.push(`skipped ${skipped}`);
  return `no tick row kept from ${input}: ${parts.join('; ')}`;
}

const SKIP_WORDS: Readonly<Record<SkipReason, string>> = {
  empty: 'empty',
  notTickData: 'borisz42 user_data, not tick data',
  unknownHeader: 'unknown header',
};

/** Formats skipped files for a person: `"a.csv (unknown header), b.csv (empty)"`, or `""`. */
export function describeSkipped(skipped: readonly SkippedFile[]): string {
  return skipped.map((s) => `${basename(s.path)} (${SKIP_WORDS[s.reason]})`).join(', ');
}
