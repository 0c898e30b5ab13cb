/**
 * `convert` command: loads tick input in any supported format and writes it as canonical tick
 * CSV (issue #2), in processing order, so later runs read one simple format.
 */
import type { Command } from 'commander';
import { createWriteStream, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { InputError } from '../core/errors';
import type { TickRow } from '../core/types';
import { CANONICAL_HEADER, formatCanonicalRow } from '../feed/canonical-csv';
import { loadInput, type LoadStats } from '../feed/input';
import { describeNoRows, DROP_REASONS, dropCounts, inputFindings } from '../feed/input-stats';

const ROWS_PER_CHUNK = 4096;

function* canonicalChunks(rows: readonly TickRow[]): Generator<string> {
  yield CANONICAL_HEADER + '\n';
  for (let i = 0; i < rows.length; i += ROWS_PER_CHUNK) {
    let chunk = '';
    const end = Math.min(rows.length, i + ROWS_PER_CHUNK);
    for (let j = i; j < end; j++) chunk += formatCanonicalRow(rows[j] as TickRow) + '\n';
    yield chunk;
  }
}

/**
 * Writes `rows` as a canonical tick CSV at `out` (gzip when it ends in `.gz`; `\n` line ends),
 * creating parent directories. Writes a temporary file beside `out` and renames it, so `out` is
 * either the old file or the complete new one.
 * @throws {Error} the file-system error when the file cannot be written.
 */
export async function writeCanonicalFile(rows: readonly TickRow[], out: string): Promise<void> {
  mkdirSync(dirname(out), { recursive: true });
  const tmp = `${out}.tmp-${process.pid}`;
  try {
    const source = Readable.from(canonicalChunks(rows));
    if (out.endsWith('.gz')) await pipeline(source, createGzip(), createWriteStream(tmp));
    else await pipeline(source, createWriteStream(tmp));
    renameSync(tmp, out);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/**
 * Loads `input` (a file or directory, canonical or borisz42) and writes the kept rows to `out`
 * as canonical CSV. Returns the number of rows written and the loader statistics.
 * @throws {InputError} from {@link loadInput} (missing path, unknown header, no tick files), and
 *   one saying why (files, rows read, drops by reason) when no row is kept; `out` is then not
 *   written (issue #9).
 * @throws {Error} a file-system error when `out` cannot be written.
 */
export async function convertInput(opts: {
  input: string;
  out: string;
}): Promise<{ rows: number; stats: LoadStats }> {
  const { rows, stats } = await loadInput(opts.input);
  if (rows.length === 0) throw new InputError(`nothing to convert: ${describeNoRows(opts.input, stats)}`);
  await writeCanonicalFile(rows, opts.out);
  return { rows: rows.length, stats };
}

const snake = (k: string): string => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * Returns the one-line summary the command prints: rows written, files, the count of every drop
 * reason (0 included, issue #9) and the rows kept outside their window.
 */
export function convertSummary(out: string, result: { rows: number; stats: LoadStats }): string {
  const drops = dropCounts(result.stats.files);
  const outside = result.stats.files.reduce((acc, f) => acc + f.outsideWindow, 0);
  return (
    `convert: wrote ${result.rows} rows to ${out} from ${result.stats.files.length} file(s), ` +
    `skipped ${result.stats.skippedFiles.length}; dropped ` +
    DROP_REASONS.map((r) => `${snake(r)}=${drops[r]}`).join(' ') +
    `; kept outside_window=${outside}`
  );
}

/** Returns one line per input problem worth a warning (see `inputFindings`), for stderr. */
export function convertWarnings(stats: LoadStats): string[] {
  return inputFindings(stats)
    .filter((f) => f.level === 'warn')
    .map((f) => `warning: ${f.msg} ${JSON.stringify(f.data)}`);
}

/** Adds `convert --input <file|dir> --out <path>` to `program`. */
export function registerConvert(program: Command): void {
  program
    .command('convert')
    .description('convert tick input (canonical or borisz42 CSV, plain or .gz) to one canonical tick CSV')
    .requiredOption('--input <file|dir>', 'tick file, or directory of .csv/.csv.gz files')
    .requiredOption('--out <path>', 'output canonical CSV (gzip when it ends in .gz)')
    .action(async (opts: { input: string; out: string }) => {
      const result = await convertInput({ input: opts.input, out: opts.out });
      for (const line of convertWarnings(result.stats)) console.error(line);
      console.log(convertSummary(opts.out, result));
    });
}
