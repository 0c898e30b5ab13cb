import { InvariantError } from '../../src/core/errors';
import type { PositionState } from '../../src/core/types';
import { auditData, reconcile, type DbPosition } from '../../src/chain/reconcile';

const UP = '111';
const DOWN = '222';
const OTHER = '333';

const pos = (
  positionKey: string,
  tokenId: string,
  shares: number,
  state: PositionState = 'OPEN',
): DbPosition => ({
  positionKey,
  tokenId,
  shares,
  state,
});

describe('reconcile (pure)', () => {
  it('reports nothing when chain and DB agree within 0.01 share of dust', () => {
    const chain = new Map([
      [UP, 5_000_000n + 10_000n],
      [DOWN, 0n],
    ]);
    expect(reconcile([pos('a', UP, 5_000_000)], chain)).toEqual([]);
  });

  it('dust left by sales (< 0.01 share each) is not extra, nor a size mismatch, until redeemed', () => {
    // two positions on UP were sold, each leaving 9_999 micro-shares; one more is open on DOWN
    const chain = new Map([
      [UP, 19_998n],
      [DOWN, 4_000_000n + 19_998n],
    ]);
    const salesByToken = new Map([
      [UP, 2],
      [DOWN, 2],
    ]);
    expect(reconcile([pos('b', DOWN, 4_000_000)], chain, { salesByToken })).toEqual([]);
    // more than the sales can explain is still a discrepancy
    const more = new Map([[UP, 40_000n]]);
    expect(reconcile([], more, { salesByToken }).map((d) => d.kind)).toEqual(['extra']);
    // without the sales, the same dust is extra
    expect(reconcile([], new Map([[UP, 19_998n]])).map((d) => d.kind)).toEqual(['extra']);
  });

  it('missing: DB holds shares the chain does not → close as manual', () => {
    const chain = new Map([[UP, 5_000n]]);
    const [d, ...rest] = reconcile([pos('a', UP, 5_000_000, 'EXITING')], chain);
    expect(rest).toEqual([]);
    expect(d).toMatchObject({ kind: 'missing', tokenId: UP, dbMicros: 5_000_000n, chainMicros: 5_000n });
    expect(d?.decision).toEqual({ action: 'close', positionKeys: ['a'], exitReason: 'manual' });
  });

  it('size_mismatch: one open position → adopt the chain size', () => {
    const chain = new Map([[UP, 3_000_000n]]);
    const [d] = reconcile([pos('a', UP, 5_000_000)], chain);
    expect(d).toMatchObject({ kind: 'size_mismatch', deltaMicros: -2_000_000n });
    expect(d?.decision).toEqual({ action: 'set_shares', positionKey: 'a', sharesMicros: 3_000_000n });
  });

  it('size_mismatch: a PENDING position with 0 shares and tokens on chain adopts the chain size', () => {
    const [d] = reconcile([pos('a', UP, 0, 'PENDING')], new Map([[UP, 2_000_000n]]));
    expect(d).toMatchObject({
      kind: 'size_mismatch',
      decision: { action: 'set_shares', sharesMicros: 2_000_000n },
    });
  });

  it('size_mismatch over several positions on one token → review, no automatic split', () => {
    const chain = new Map([[UP, 4_000_000n]]);
    const [d] = reconcile([pos('s2', UP, 3_000_000), pos('s1', UP, 2_000_000)], chain);
    expect(d).toMatchObject({ kind: 'size_mismatch', dbMicros: 5_000_000n, positionKeys: ['s1', 's2'] });
    expect(d?.decision.action).toBe('review');
  });

  it('extra: chain holds tokens no open position explains → adopt; settled windows → redeem', () => {
    const chain = new Map([
      [UP, 1_000_000n],
      [DOWN, 7_000_000n],
      [OTHER, 9_000n], // dust: ignored
    ]);
    const out = reconcile([pos('closed', DOWN, 7_000_000, 'CLOSED')], chain, {
      settledTokenIds: new Set([DOWN]),
    });
    expect(out.map((d) => [d.kind, d.tokenId, d.decision.action])).toEqual([
      ['extra', UP, 'adopt'],
      ['extra', DOWN, 'redeem'],
    ]);
    expect(out[0]?.decision).toEqual({ action: 'adopt', tokenId: UP, sharesMicros: 1_000_000n });
  });

  it('canonicalizes hex and decimal token ids and honours a custom dust', () => {
    const hex = `0x${111n.toString(16)}`;
    expect(
      reconcile([pos('a', hex, 1_000_000)], new Map([[UP, 1_400_000n]]), { dustMicros: 500_000n }),
    ).toEqual([]);
  });

  it('throws an invariant error for a token that was not read, or non-integer shares', () => {
    expect(() => reconcile([pos('a', UP, 1)], new Map())).toThrow(InvariantError);
    expect(() => reconcile([pos('a', UP, 1.5)], new Map([[UP, 0n]]))).toThrow(/not integer micro-shares/);
  });

  it('auditData is JSON-safe (bigints as strings)', () => {
    const [d] = reconcile([pos('a', UP, 5_000_000)], new Map([[UP, 3_000_000n]]));
    if (d === undefined) throw new Error('expected a discrepancy');
    const json = JSON.parse(JSON.stringify(auditData(d))) as Record<string, unknown>;
    expect(json).toMatchObject({
      kind: 'size_mismatch',
      chainMicros: '3000000',
      decision: { sharesMicros: '3000000' },
    });
  });
});
