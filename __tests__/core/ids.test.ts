/** Position keys and client order ids (design §3, issue #9 "Inputs": keys unique per window). */
import { intervalLabel, positionKey, positionKeyOfClientOrderId, positionKeySeq } from '../../src/core/ids';
import type { WindowRef } from '../../src/core/types';

const E = 1_766_746_800;
const w = (windowSec: number, crypto = 'BTC', windowEpoch = E): WindowRef => ({
  crypto,
  windowSec,
  windowEpoch,
});

describe('positionKey', () => {
  it.each([
    [300, 'momentum_BTC_5m_1766746800'],
    [900, 'momentum_BTC_15m_1766746800'],
    [3600, 'momentum_BTC_1h_1766746800'],
    [14_400, 'momentum_BTC_4h_1766746800'],
  ])('names the window length (%i s → %s)', (sec, key) => {
    expect(positionKey('momentum', w(sec))).toBe(key);
    expect(intervalLabel(sec)).toBe(key.split('_')[2]);
  });

  it('keeps windows of different lengths starting at the same second apart', () => {
    const keys = [300, 900, 3600, 14_400].map((s) => positionKey('s', w(s)));
    expect(new Set(keys).size).toBe(4);
  });

  it('suffixes the n-th position of a strategy in a window (n ≥ 2)', () => {
    expect(positionKey('s', w(900), 1)).toBe('s_BTC_15m_1766746800');
    expect(positionKey('s', w(900), 2)).toBe('s_BTC_15m_1766746800_2');
    expect(positionKey('s', w(900), 12)).toBe('s_BTC_15m_1766746800_12');
  });
});

describe('positionKeySeq (inverse of positionKey)', () => {
  it.each([1, 2, 3, 10])('returns n for the n-th key of the window (%i)', (n) => {
    expect(positionKeySeq(positionKey('s', w(3600), n), 's', w(3600))).toBe(n);
  });

  it.each([
    ['another window length', positionKey('s', w(900)), w(3600)],
    ['another window length, suffixed', positionKey('s', w(3600), 2), w(900)],
    ['another epoch', positionKey('s', w(900, 'BTC', E + 900)), w(900)],
    ['another crypto', positionKey('s', w(900, 'ETH')), w(900)],
    ['the old form without interval', 's_BTC_1766746800', w(900)],
    ['a non-number suffix', 's_BTC_15m_1766746800_x', w(900)],
    ['a zero-padded suffix', 's_BTC_15m_1766746800_02', w(900)],
    ['suffix 1', 's_BTC_15m_1766746800_1', w(900)],
  ])('returns null for a key of %s', (_what, key, win) => {
    expect(positionKeySeq(key, 's', win)).toBeNull();
  });

  it('returns null for another strategy whose name extends this one', () => {
    expect(positionKeySeq(positionKey('s_BTC', w(900)), 's', w(900))).toBeNull();
  });
});

describe('positionKeyOfClientOrderId', () => {
  const key = positionKey('s', w(3600), 2);
  it.each([`${key}:entry`, `${key}:exit:1.1`, `${key}:exit:12.3`])('returns the key of %s', (id) => {
    expect(positionKeyOfClientOrderId(id)).toBe(key);
  });

  it('keeps a `:` inside a strategy name', () => {
    expect(positionKeyOfClientOrderId('a:b_BTC_1h_1766746800:exit:2.1')).toBe('a:b_BTC_1h_1766746800');
  });

  it.each([key, `${key}:exit`, `${key}:exit:1`, `${key}:fill`, ':entry', ''])('returns null for %p', (id) => {
    expect(positionKeyOfClientOrderId(id)).toBeNull();
  });
});
