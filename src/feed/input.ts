/**
 * Tick input loader (issue #2): reads canonical or borisz42 CSV files (plain or `.gz`), detects
 * each file's format from its header line, drops and counts unusable rows, and returns every
 * kept row in the exact processing order (by `tsMs`, ties: earlier file first, then row order).
 */
import { createReadStream, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { InputError } from '../core/errors';
import type { TickRow } from '../core/types';
import { isBorisz42Header, parseBorisz42Line } from './borisz42';
import { CANONICAL_HEADER, parseCanonicalLine, TickRowError } from './canonical-csv';

/** A supported tick file format, detected from the header line. */
export type InputFormat = 'canonical' | 'borisz42';

/** What happened to the rows of one loaded file. */
export interface FileLoadStats {
  readonly path: string;
  readonly format: InputFormat;
  /** Non-empty data lines read (header and blank lines excluded). */
  rowsRead: number;
  /** Rows returned: `rowsRead − malformed − crossed − outOfRange − duplicates`. */
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
   * Kept but counted: rows whose `tsMs` is outside `[windowEpoch·1000, (windowEpoch+windowSec)·1000]`.
   * They are kept because a market trades before its window starts; the trader decides what a
   * tick outside its window means. The shared borisz42 files have none.
   */
  outsideWindow: number;
}

/** Per-file statistics of one {@link loadInput} call, plus the directory files skipped. */
export interface LoadStats {
  files: FileLoadStats[];
  /** Files in a directory whose header is neither format (e.g. borisz42 `user_data_*`). */
  skippedFiles: string[];
}

/** Returns the format of a file from its first line (a BOM and trailing `\r` are ignored), or `null`. */
export function detectFormat(headerLine: string): InputFormat | null {
  let text = headerLine.charCodeAt(0) === 0xfeff ? headerLine.slice(1) : headerLine;
  if (text.endsWith('\r')) text = text.slice(0, -1);
  if (text === CANONICAL_HEADER) return 'canonical';
  return isBorisz42Header(text) ? 'borisz42' : null;
}

/** Returns the row parser of a format. */
export function parserFor(format: InputFormat): (line: string) => TickRow {
  return format === 'canonical' ? parseCanonicalLine : parseBorisz42Line;
}

/**
 * Lists the files an input path stands for: the path itself when it is a file, else the
 * directory's regular `.csv` / `.csv.gz` files (not recursive), sorted by name.
 * @throws {InputError} when the path does not exist or is neither a file nor a directory.
 */
export function listInputFiles(path: string): string[] {
  let st;
  try {
    st = statSync(path);
  } catch (cause) {
    throw new InputError(`input not found: ${path}`, { cause });
  }
  if (st.isFile()) return [path];
  if (!st.isDirectory()) throw new InputError(`input is neither a file nor a directory: ${path}`);
  return readdirSync(path)
    .filter((name) => name.endsWith('.csv') || name.endsWith('.csv.gz'))
    .sort()
    .map((name) => join(path, name))
    .filter((p) => statSync(p).isFile());
}

/**
 * Streams one file line by line (gunzip when the name ends in `.gz`). The first line picks the
 * format; `sinkFor(format)` then receives every non-empty data line. Resolves to the format, or
 * `null` (nothing read past the header) when the header is unknown or the file is empty.
 * @throws {InputError} when the file cannot be read or decompressed; rethrows a sink's error.
 */
function scanFile(
  path: string,
  sinkFor: (format: InputFormat) => (line: string) => void,
): Promise<InputFormat | null> {
  return new Promise((resolve, reject) => {
    const raw = createReadStream(path);
    const gunzip = path.endsWith('.gz') ? createGunzip() : null;
    const rl = createInterface({ input: gunzip === null ? raw : raw.pipe(gunzip), crlfDelay: Infinity });
    let format: InputFormat | null | undefined;
    let sink: ((line: string) => void) | null = null;
    let done = false;
    const stop = (err: unknown): void => {
      if (done) return;
      done = true;
      rl.close();
      raw.destroy();
      gunzip?.destroy();
      reject(err);
    };
    const readError = (cause: Error): void =>
      stop(new InputError(`cannot read ${path}: ${cause.message}`, { cause }));
    // readline re-emits its input's errors; the source and gunzip errors are caught here too.
    raw.on('error', readError);
    gunzip?.on('error', readError);
    rl.on('error', readError);
    rl.on('line', (line) => {
      if (done) return;
      if (sink !== null) {
        if (line.length === 0) return;
        try {
          sink(line);
        } catch (err) {
          stop(err);
        }
      } else if (format === undefined) {
        format = detectFormat(line);
        if (format === null) {
          done = true;
          rl.close();
          raw.destroy();
          gunzip?.destroy();
          resolve(null);
        } else {
          sink = sinkFor(format);
        }
      }
    });
    rl.on('close', () => {
      if (done) return;
      done = true;
      resolve(format ?? null);
    });
  });
}

/** Loads one file: parsed, validated, borisz42-deduplicated rows in file order, or `null` (unknown header). */
async function loadFile(path: string): Promise<{ rows: TickRow[]; stats: FileLoadStats } | null> {
  const rows: TickRow[] = [];
  const holder: { stats?: FileLoadStats } = {};
  const format = await scanFile(path, (fmt) => {
    const parse = parserFor(fmt);
    const seen = fmt === 'borisz42' ? new Set<string>() : null;
    const s: FileLoadStats = {
      path,
      format: fmt,
      rowsRead: 0,
      rowsKept: 0,
      malformed: 0,
      crossed: 0,
      outOfRange: 0,
      duplicates: 0,
      outsideWindow: 0,
    };
    holder.stats = s;
    return (line) => {
      s.rowsRead++;
      let row: TickRow;
      try {
        row = parse(line);
      } catch (err) {
        if (!(err instanceof TickRowError)) throw err;
        s[err.problem]++;
        return;
      }
      if (seen !== null) {
        const key = line.endsWith('\r') ? line.slice(0, -1) : line;
        if (seen.has(key)) {
          s.duplicates++;
          return;
        }
        seen.add(key);
      }
      const startMs = row.windowEpoch * 1000;
      if (row.tsMs < startMs || row.tsMs > startMs + row.windowSec * 1000) s.outsideWindow++;
      rows.push(row);
    };
  });
  const stats = holder.stats;
  if (format === null || stats === undefined) return null;
  stats.rowsKept = rows.length;
  return { rows, stats };
}

function unknownHeader(path: string): InputError {
  return new InputError(
    `unknown header in ${path}: expected the canonical tick CSV header ("${CANONICAL_HEADER.slice(0, 24)}…") ` +
      `or a borisz42 market_data header ("Timestamp,TargetTime,…")`,
  );
}

/**
 * Loads every tick file of `path` (a file, or a directory's `.csv`/`.csv.gz` files) and returns
 * the kept rows in processing order: stably sorted by `tsMs`, ties broken by file order (files
 * sorted by name) then row order. Bad rows are dropped and counted in `stats`, never thrown.
 * In a directory, files whose header is neither format are skipped and listed in `skippedFiles`.
 * @throws {InputError} when the path does not exist, an explicitly given file has an unknown
 *   header, a directory holds no tick file, or a file cannot be read or decompressed.
 */
export async function loadInput(path: string): Promise<{ rows: TickRow[]; stats: LoadStats }> {
  const explicitFile = statSafe(path);
  const stats: LoadStats = { files: [], skippedFiles: [] };
  const parts: TickRow[][] = [];
  for (const file of listInputFiles(path)) {
    const loaded = await loadFile(file);
    if (loaded === null) {
      if (explicitFile) throw unknownHeader(file);
      stats.skippedFiles.push(file);
      continue;
    }
    parts.push(loaded.rows);
    stats.files.push(loaded.stats);
  }
  if (stats.files.length === 0) throw new InputError(`no tick files (canonical or borisz42) in ${path}`);
  // One stable sort of the files' rows concatenated in file order equals sorting each file
  // stably and then merging with ties going to the earlier file.
  const rows = parts.length === 1 ? (parts[0] as TickRow[]) : parts.flat();
  rows.sort((a, b) => a.tsMs - b.tsMs);
  return { rows, stats };
}

/**
 * Benchmark baseline ("bare parsing"): reads the same files as {@link loadInput} with the same
 * gunzip, line splitting and per-row parsing, without sorting, de-duplication or statistics.
 * Returns the number of rows that parsed and validated.
 * @throws {InputError} as {@link loadInput}.
 */
export async function parseOnly(path: string): Promise<number> {
  const explicitFile = statSafe(path);
  let count = 0;
  let tickFiles = 0;
  for (const file of listInputFiles(path)) {
    const format = await scanFile(file, (fmt) => {
      const parse = parserFor(fmt);
      return (line) => {
        try {
          parse(line);
          count++;
        } catch (err) {
          if (!(err instanceof TickRowError)) throw err;
        }
      };
    });
    if (format !== null) tickFiles++;
    else if (explicitFile) throw unknownHeader(file);
  }
  if (tickFiles === 0) throw new InputError(`no tick files (canonical or borisz42) in ${path}`);
  return count;
}

/** Returns whether `path` is a regular file (false when missing; `listInputFiles` reports that). */
function statSafe(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
