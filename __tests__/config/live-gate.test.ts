import { Wallet } from 'ethers';
import pino from 'pino';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { LIVE_CONFIRM_PHRASE, liveGateRefusals } from '../../src/config/live-gate';
import { configHash, redactConfig } from '../../src/config/redact';
import { loadConfig } from '../../src/config/schema';
import { REDACT_PATHS } from '../../src/platform/logger';
import { runTrade } from '../../src/cli/trade';

const key = Wallet.createRandom().privateKey; // a fresh wallet per run, never a fixed key
const ok = {
  LIVE_CONFIRM: LIVE_CONFIRM_PHRASE,
  PRIVATE_KEY: key,
  POSITION_SIZE_USDC: '2.5',
  DAILY_LOSS_LIMIT_USDC: '5',
  MAX_OPEN_POSITIONS: '2',
  RPC_URL: 'http://127.0.0.1:8545',
};

describe('live trading gate (issue #4)', () => {
  it('refuses with one line per missing opt-in or limit, naming what to set', () => {
    const lines = liveGateRefusals(loadConfig({ env: {} }));
    expect(lines).toHaveLength(6);
    for (const k of [
      'LIVE_CONFIRM',
      'PRIVATE_KEY',
      'POSITION_SIZE_USDC',
      'DAILY_LOSS_LIMIT_USDC',
      'MAX_OPEN_POSITIONS',
      'RPC_URL',
    ]) {
      expect(lines.filter((l) => l.includes(k))).toHaveLength(1);
    }
  });

  it('passes with everything set, and asks for the funder of a proxy or Safe', () => {
    expect(liveGateRefusals(loadConfig({ env: ok }))).toEqual([]);
    const safe = liveGateRefusals(loadConfig({ env: { ...ok, SIGNATURE_TYPE: '2' } }));
    expect(safe).toEqual([expect.stringContaining('FUNDER_ADDRESS')]);
    expect(liveGateRefusals(loadConfig({ env: { ...ok, POSITION_SIZE_USDC: '3' } }))).toEqual([
      expect.stringContaining('above the live cap MAX_POSITION_USDC'),
    ]);
  });

  it('trade --mode live stops at the gate and prints no secret', async () => {
    const errors: string[] = [];
    const spy = jest
      .spyOn(console, 'error')
      .mockImplementation((...a: unknown[]) => void errors.push(a.join(' ')));
    try {
      expect(await runTrade({ mode: 'live' }, { ...ok, MAX_OPEN_POSITIONS: '0' })).toBe(1);
      expect(await runTrade({ mode: 'live' }, { PRIVATE_KEY: key })).toBe(1);
    } finally {
      spy.mockRestore();
    }
    expect(errors.length).toBeGreaterThan(1);
    expect(errors.join('\n')).not.toContain(key.slice(2));
  });

  it('past the gate, an unreachable CLOB is one refusal line, without the key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gate-'));
    const errors: string[] = [];
    const spy = jest
      .spyOn(console, 'error')
      .mockImplementation((...a: unknown[]) => void errors.push(a.join(' ')));
    try {
      const env = { ...ok, CLOB_URL: 'http://127.0.0.1:1', DATA_DIR: dir, LOG_LEVEL: 'silent' };
      expect(await runTrade({ mode: 'live' }, env)).toBe(1);
    } finally {
      spy.mockRestore();
      rmSync(dir, { recursive: true, force: true });
    }
    // past the gate: the first start-up step that needs the network refuses (which one comes
    // first is the live runtime's order: the chain checks, then the CLOB credentials)
    expect(errors).toEqual([
      expect.stringMatching(/^refused: (could not derive CLOB API credentials|the start-up check)/),
    ]);
    expect(errors.join('\n')).not.toContain(key.slice(2));
  });

  it('supports SIGNATURE_TYPE 3 (POLY_1271) and asks for the funder of types 1, 2 and 3 (issue #8)', () => {
    const funder = '0x' + '12'.repeat(20);
    for (const t of ['1', '2', '3']) {
      const lines = liveGateRefusals(loadConfig({ env: { ...ok, SIGNATURE_TYPE: t } }));
      expect(lines).toEqual([expect.stringContaining('set FUNDER_ADDRESS')]);
      expect(
        liveGateRefusals(loadConfig({ env: { ...ok, SIGNATURE_TYPE: t, FUNDER_ADDRESS: funder } })),
      ).toEqual([]);
    }
    expect(liveGateRefusals(loadConfig({ env: { ...ok, SIGNATURE_TYPE: '3' } }))).toEqual([
      "SIGNATURE_TYPE 3 (POLY_1271) signs for a deposit wallet: set FUNDER_ADDRESS to your deposit wallet's address (the address polymarket.com shows for your account)",
    ]);
  });
});

describe('a size that cannot sell at its stop loss (issue #8 point 5)', () => {
  it('is refused with one line naming the worst case and the smallest size that works', () => {
    const lines = liveGateRefusals(loadConfig({ env: { ...ok, POSITION_SIZE_USDC: '1' } }));
    expect(lines).toEqual([
      'POSITION_SIZE_USDC 1 cannot exit at the stop loss: bought at 0.16, the stop fires at a bid of 0.11 and selling 5.87 shares at 0.08 brings 0.4696 USDC, below MIN_ORDER_NOTIONAL_USDC 1; the smallest size that can is 2.13 USDC: set POSITION_SIZE_USDC and MAX_POSITION_USDC to at least 2.13',
    ]);
  });

  it('accepts the smallest size, refuses a cent less, and follows the settings', () => {
    expect(liveGateRefusals(loadConfig({ env: { ...ok, POSITION_SIZE_USDC: '2.13' } }))).toEqual([]);
    expect(liveGateRefusals(loadConfig({ env: { ...ok, POSITION_SIZE_USDC: '2.12' } }))).toEqual([
      expect.stringContaining('the smallest size that can is 2.13 USDC'),
    ]);
    const wide = { ...ok, STOP_LOSS_PCT: '0.5', TRAILING_ACTIVATION_PCT: '0.5', MAX_POSITION_USDC: '10' };
    expect(liveGateRefusals(loadConfig({ env: { ...wide, POSITION_SIZE_USDC: '4' } }))).toEqual([
      expect.stringContaining('set POSITION_SIZE_USDC and MAX_POSITION_USDC to at least 4.26'),
    ]);
  });

  it('the defaults need only the size lowered to the cap: the default cap can exit', () => {
    const lines = liveGateRefusals(loadConfig({ env: { ...ok, POSITION_SIZE_USDC: '' } }));
    expect(lines).toEqual([expect.stringContaining('above the live cap MAX_POSITION_USDC (2.5)')]);
    expect(liveGateRefusals(loadConfig({ env: { ...ok, POSITION_SIZE_USDC: '2.5' } }))).toEqual([]);
  });
});

describe('secrets never leave the process', () => {
  const cfg = loadConfig({
    env: { ...ok, CLOB_API_SECRET: 'c2VjcmV0LXNlY3JldA==', CLOB_API_PASSPHRASE: 'pass-phrase-123' },
  });

  it('are redacted from the stored config and do not change the config hash', () => {
    const stored = JSON.stringify(redactConfig(cfg));
    for (const s of [key.slice(2), 'c2VjcmV0LXNlY3JldA==', 'pass-phrase-123'])
      expect(stored).not.toContain(s);
    expect(configHash(cfg)).toBe(
      configHash(loadConfig({ env: { ...ok, PRIVATE_KEY: Wallet.createRandom().privateKey } })),
    );
  });

  it('are redacted from log lines', () => {
    const lines: string[] = [];
    const out = new Writable({ write: (chunk: Buffer, _e, cb) => (lines.push(chunk.toString()), cb()) });
    const log = pino({ redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, out);
    log.info({ config: cfg, PRIVATE_KEY: cfg.PRIVATE_KEY }, 'starting');
    log.info(cfg, 'flat');
    expect(lines.join('')).not.toContain(key.slice(2));
    expect(lines.join('')).not.toContain('pass-phrase-123');
  });
});
