import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, SETTING_KEYS } from '../../src/config/schema';
import { configHash, redactConfig } from '../../src/config/redact';
import { ConfigError } from '../../src/core/errors';

describe('config', () => {
  it('has the design defaults and is frozen', () => {
    const c = loadConfig({ env: {} });
    expect(c).toMatchObject({
      STOP_LOSS_PCT: 0.25,
      TRAILING_ACTIVATION_PCT: 0.15,
      TRAILING_STOP_PCT: 0.1,
      MIN_PROFIT_FLOOR_PCT: 0.05,
      POSITION_SIZE_USDC: 5,
      EXIT_PRICE_BUFFER: 0.03,
      MAX_EXIT_ATTEMPTS: 3,
    });
    expect(c.strategies.map((s) => s.name)).toEqual(['momentum', 'crash-rebound']);
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.strategies[0])).toBe(true);
  });

  it('reads env over file, and selects strategies', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    const file = join(dir, 'c.json');
    writeFileSync(file, JSON.stringify({ STOP_LOSS_PCT: 0.3, POSITION_SIZE_USDC: 2 }));
    const c = loadConfig({
      env: { STOP_LOSS_PCT: '0.2', STRATEGIES: 'momentum', BLOCK_IF_LOSING: 'false' },
      configPath: file,
    });
    expect(c).toMatchObject({ STOP_LOSS_PCT: 0.2, POSITION_SIZE_USDC: 2, BLOCK_IF_LOSING: false });
    expect(c.strategies.map((s) => s.name)).toEqual(['momentum']);
  });

  it('says what to fix', () => {
    expect(() => loadConfig({ env: { STOP_LOSS_PCT: 'abc' } })).toThrow(ConfigError);
    expect(() => loadConfig({ env: { POSITION_SIZE_USDC: '0.5' } })).toThrow(/raise POSITION_SIZE_USDC/);
    expect(() => loadConfig({ env: { STRATEGIES: 'nope' } })).toThrow(/unknown strategies: nope/);
    expect(() => loadConfig({ env: { MIN_PROFIT_FLOOR_PCT: '0.2' } })).toThrow(/MIN_PROFIT_FLOOR_PCT/);
  });

  it('redacts the database password and hashes only trading settings', () => {
    const a = loadConfig({ env: { DATABASE_URL: 'postgres://u:hunter2@h/db' } });
    expect(JSON.stringify(redactConfig(a))).not.toContain('hunter2');
    expect(configHash(a)).toBe(configHash(loadConfig({ env: {} })));
    expect(configHash(loadConfig({ env: { STOP_LOSS_PCT: '0.2' } }))).not.toBe(configHash(a));
  });
});

describe('documentation', () => {
  const root = join(__dirname, '..', '..');

  it('.env.example lists every setting with its default', () => {
    const text = readFileSync(join(root, '.env.example'), 'utf8');
    const keys = [...text.matchAll(/^([A-Z_]+)=(.*)$/gm)].map((m) => [m[1]!, m[2]!] as const);
    expect(keys.map(([k]) => k).sort()).toEqual([...SETTING_KEYS].sort());
    const defaults = loadConfig({ env: {} }) as unknown as Record<string, unknown>;
    for (const [k, v] of keys)
      expect(String(defaults[k])).toBe(
        v === ''
          ? ''
          : String(v === 'true' || v === 'false' ? v === 'true' : Number.isNaN(Number(v)) ? v : Number(v)),
      );
  });

  it('README documents every setting', () => {
    const text = readFileSync(join(root, 'README.md'), 'utf8');
    for (const k of SETTING_KEYS) expect(text).toContain(`\`${k}\``);
  });
});
