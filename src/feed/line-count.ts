/**
 * Counts the data lines of the tick files an input path stands for (files whose header is a
 * known format), for a progress bar total. Reads and decompresses every file once.
 * @throws {InputError} as `listInputFiles` / `readLineBatches`.
 */
import { detectFormat, listInputFiles } from './input';
import { readLineBatches } from './line-reader';

/** Returns the number of non-empty lines after the header in every tick file under `path`. */
export async function countTickLines(path: string): Promise<number> {
  let total = 0;
  for (const file of listInputFiles(path)) {
    let first = true;
    for await (const lines of readLineBatches(file)) {
      if (first) {
        first = false;
        if (detectFormat(lines[0] ?? '') === null) break;
        total -= 1;
      }
      total += lines.length;
    }
  }
  return total;
}
