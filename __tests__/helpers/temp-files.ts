/** A temporary directory per test, removed after it, and a line-file writer into it. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Registers `beforeEach`/`afterEach` hooks that give each test a fresh directory (`prefix` in
 * its name). Returns `write(name, lines)`: writes the lines (newline-terminated) to a file of the
 * current directory and returns its path; and `dir()`: the current directory.
 */
export function useTempDir(prefix: string): {
  write: (name: string, lines: readonly string[]) => string;
  dir: () => string;
} {
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), prefix));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    write: (name, lines) => {
      const path = join(dir, name);
      writeFileSync(path, lines.join('\n') + '\n');
      return path;
    },
    dir: () => dir,
  };
}
