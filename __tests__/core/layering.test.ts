/**
 * The layering rules of eslint.config.mjs (issue #10) fire: the product never imports the test
 * kit; the pure core imports no I/O and reads no wall clock, randomness or timers.
 */
import { ESLint } from 'eslint';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');

async function ruleIds(file: string, code: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: ROOT });
  const [res] = await eslint.lintText(code, { filePath: resolve(ROOT, file) });
  return (res?.messages ?? []).map((m) => m.ruleId ?? 'fatal').sort();
}

describe('layering rules', () => {
  it.each([
    ['src/feed/probe.ts', "import '../../testkit/chain/local-chain';\n", ['no-restricted-imports']],
    ['src/trader/probe.ts', "import 'ws';\n", ['no-restricted-imports']],
    [
      'src/book/probe.ts',
      "import { readFileSync } from 'node:fs';\nexport const f = readFileSync;\n",
      ['no-restricted-imports'],
    ],
    ['src/core/probe.ts', "import '../platform/system-clock';\n", ['no-restricted-imports']],
    ['src/strategy/probe.ts', 'export const t = Date.now();\n', ['no-restricted-properties']],
    ['src/trader/probe.ts', 'export const r = Math.random();\n', ['no-restricted-properties']],
    ['src/core/probe.ts', 'setTimeout(() => undefined, 1);\n', ['no-restricted-globals']],
    ['src/trader/probe.ts', 'export const d = new Date();\n', ['no-restricted-syntax']],
  ])('%s: %j is refused', async (file, code, rules) => {
    expect(await ruleIds(file, code)).toEqual(rules);
  });

  it.each([
    ['src/execution/probe.ts', "import 'ws';\nexport const t = Date.now();\n"],
    [
      'src/trader/probe.ts',
      "import type { Clock } from '../core/clock';\nexport const f = (c: Clock) => c.now();\n",
    ],
  ])('%s: allowed', async (file, code) => {
    expect(await ruleIds(file, code)).toEqual([]);
  });
});
