import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { compareTrades, type TradeLine } from '../trader/position';

/**
 * Writes `trades.jsonl`: one JSON object per closed position, sorted by entryTimeMs then
 * positionKey, keys in the order of issue #2, `\n` after every line. Same trades → same bytes.
 * Creates parent directories. @throws the fs error when the file cannot be written.
 */
export function writeTradesFile(path: string, trades: readonly TradeLine[]): void {
  const sorted = [...trades].sort(compareTrades);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, sorted.map((t) => JSON.stringify(t) + '\n').join(''));
}
