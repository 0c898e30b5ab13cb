/**
 * Tick input loader (issue #2): reads canonical or borisz42 CSV files (plain or `.gz`), detects
 * each file's format from its header line, drops and counts unusable rows, and streams the kept
 * rows in processing order (by `tsMs`, ties: earlier file first, then row order) with memory
 * bounded by a re-ordering window, or loads them all at once ({@link loadInput}).
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../core/errors';
import type { TickRow } from '../core/types';
import { isBorisz42Header, parseBorisz42Line } from './borisz42';
import { CANONICAL_HEADER, parseCanonicalLine, TickRowError } from './canonical-csv';
import { readLineBatches } from './line-reader';
import { mergeSortedBatches } from './merge';
import { DEFAULT_REORDER_WINDOW_MS, ReorderBuffer } from './reorder-buffer';

export { DEFAULT_REORDER_WINDOW_MS } from './reorder-buffer';

/** A supported tick file format, detected from the header line. */
export type InputFormat = 'canonical' | 'borisz42';

/** What happened to the rows of one loaded file. */
export interface FileLoadStats {
  readonly path: string;
  readonly format: InputFormat;
  /** Non-empty data lines read (header and blank lines excluded). */
  rowsRead: number;
  /** Rows returned: `rowsRead − malformed − crossed − outOfRange − duplicates − late`. */
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
   * Kept but counted: rows whose `tsMs` is outside `[windowEpoch·1000, (windowEpoch+windowSec)·1000]`.
   * They are kept because a market trades before its window starts; the trader decides what a
   * tick outside its window means. The shared borisz42 files have none.
   */
  outsideWindow: number;
}

/**
 * Per-file statistics of one {@link streamInput} / {@link loadInput} call (files in name order),
 * plus the directory files skipped.
 */
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

