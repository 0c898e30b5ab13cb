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
import type { TickRow } from '../core/types';
import { CANONICAL_HEADER, formatCanonicalRow } from '../feed/canonical-csv';
import { loadInput, type LoadStats } from '../feed/input';

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
 * @throws {InputError} from {@link loadInput} (missing path, unknown header, no tick files).
 * @throws {Error} a file-system error when `out` cannot be written.
 */
export async function convertInput(opts: {
  input: string;
  out: string;
}): Promise<{ rows: number; stats: LoadStats }> {
  const { rows, stats } = await loadInput(opts.input);
  await writeCanonicalFile(rows, opts.out);
  return { rows: rows.length, stats };
}

/** Returns the one-line summary the command prints: rows written, files, and drop counts. */
export function convertSummary(out: string, result: { rows: number; stats: LoadStats }): string {
  const sum = (k: 'malformed' | 'crossed' | 'outOfRange' | 'duplicates' | 'outsideWindow'): number =>
    result.stats.files.reduce((acc, f) => acc + f[k], 0);
  return (
    `convert: wrote ${result.rows} rows to ${out} from ${result.stats.files.length} file(s), ` +
    `skipped ${result.stats.skippedFiles.length}; dropped malformed=${sum('malformed')} ` +
    `crossed=${sum('crossed')} out_of_range=${sum('outOfRange')} duplicates=${sum('duplicates')}; ` +
    `kept outside_window=${sum('outsideWindow')}`
  );
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
      console.log(convertSummary(opts.out, result));
    });
}
