/**
 * Reconciliation of the database's open positions with the wallet's on-chain outcome tokens
 * (design.md §9; reads per polymarket-protocol.md §7.5). `reconcile` is pure: it compares, per
 * token id, the micro-shares the open positions claim with the micro-shares the chain holds and
 * says what chain truth implies. `Reconciler` is the I/O edge: it loads the run's positions,
 * reads the balances in one `balanceOfBatch` and returns the report. Writing the audit rows
 * is the caller's job (see `auditData`).
 */
import { InvariantError } from '../core/errors';
import type { ExitReason, PositionState } from '../core/types';
import { canonicalTokenId } from './balances';

/** The states whose shares the chain must back (CLOSED positions hold nothing by definition). */
export const OPEN_STATES: ReadonlySet<PositionState> = new Set<PositionState>(['PENDING', 'OPEN', 'EXITING']);

/** Differences up to 0.01 share (10_000 micro-shares) are rounding dust, not discrepancies. */
export const DEFAULT_DUST_MICROS = 10_000n;

/** The fields of a position record reconciliation needs (`PositionRecord` fits). */
export interface DbPosition {
  readonly positionKey: string;
  /** ERC-1155 position id, decimal (or 0x-hex) string. */
  readonly tokenId: string;
  /** Integer micro-shares (a safe integer ≥ 0). */
  readonly shares: number;
  readonly state: PositionState;
}

/** What kind of disagreement was found. */
export type DiscrepancyKind = 'missing' | 'extra' | 'size_mismatch';

/** What chain truth implies; the caller applies it and writes an audit row. */
export type ReconcileDecision =
  /** Set the position's size to the chain's (one open position on the token). */
  | { readonly action: 'set_shares'; readonly positionKey: string; readonly sharesMicros: bigint }
  /** The chain holds none: close these positions with exit reason `manual` (reconciled). */
  | {
      readonly action: 'close';
      readonly positionKeys: readonly string[];
      readonly exitReason: Extract<ExitReason, 'manual'>;
    }
  /** No open position explains these tokens: adopt them as a new position of the token's window. */
  | { readonly action: 'adopt'; readonly tokenId: string; readonly sharesMicros: bigint }
  /** The tokens belong to a window already settled in the DB: redeem them (`redeemWinnings`). */
  | { readonly action: 'redeem'; readonly tokenId: string; readonly sharesMicros: bigint }
  /** Several open positions share the token and the chain total differs: an operator must split it. */
  | { readonly action: 'review'; readonly positionKeys: readonly string[]; readonly reason: string };

/** One disagreement between the DB and the chain on one token id. */
export interface Discrepancy {
  readonly kind: DiscrepancyKind;
  /** Canonical decimal token id. */
  readonly tokenId: string;
  /** Open positions on this token (empty for `extra`). */
  readonly positionKeys: readonly string[];
  /** Sum of the open positions' shares, micro-shares. */
  readonly dbMicros: bigint;
  /** The wallet's balance, micro-shares. */
  readonly chainMicros: bigint;
  /** `chainMicros - dbMicros`. */
  readonly deltaMicros: bigint;
  readonly decision: ReconcileDecision;
}

/** Options of `reconcile`. */
export interface ReconcileOptions {
  /** Tolerance in micro-shares (default `DEFAULT_DUST_MICROS`). */
  readonly dustMicros?: bigint;
  /** Tokens of windows the DB already settled (awaiting redemption): `extra` there means `redeem`. */
  readonly settledTokenIds?: ReadonlySet<string>;
  /**
   * Positions closed by a sale, per token id: each may leave up to `dustMicros` on chain (the
   * venue's 0.01-share amount precision, design §7), so the chain may hold that much more than
   * the open positions without a discrepancy (until the window is redeemed).
   */
  readonly salesByToken?: ReadonlyMap<string, number>;
}

/**
 * Compares open DB positions with chain balances and returns the discrepancies sorted by token id.
 * Positions in state CLOSED are ignored. Every token of an open position must be in `chain`
 * (read them all); chain entries without an open position are checked for `extra`.
 * @throws {InvariantError} when a position's shares are not a safe non-negative integer or its
 *   token was not read from the chain.
 * @throws {InputError} for a token id that is neither decimal nor 0x-hex.
 */
export function reconcile(
  dbPositions: readonly DbPosition[],
  chain: ReadonlyMap<string, bigint>,
  opts: ReconcileOptions = {},
): Discrepancy[] {
  const dust = opts.dustMicros ?? DEFAULT_DUST_MICROS;
  const chainById = new Map<string, bigint>();
  // Two spellings (hex, decimal) of one id are two reads of the same balance: keep one, never sum.
  for (const [id, v] of chain) chainById.set(canonicalTokenId(id), v);
  const settled = new Set([...(opts.settledTokenIds ?? [])].map(canonicalTokenId));
  const sales = new Map<string, number>();
  for (const [id, n] of opts.salesByToken ?? []) sales.set(canonicalTokenId(id), n);
  /** Tolerance above the DB's size for a token: its own dust plus what its sales may have left. */
  const above = (tokenId: string): bigint => dust + BigInt(sales.get(tokenId) ?? 0) * dust;

  const byToken = new Map<string, DbPosition[]>();
  for (const p of dbPositions) {
    if (!OPEN_STATES.has(p.state)) continue;
    if (!Number.isSafeInteger(p.shares) || p.shares < 0)
      throw new InvariantError(`position ${p.positionKey}: shares ${p.shares} is not integer micro-shares`);
    const id = canonicalTokenId(p.tokenId);
    byToken.set(id, [...(byToken.get(id) ?? []), p]);
  }

  const out: Discrepancy[] = [];
  for (const [tokenId, positions] of byToken) {
    const chainMicros = chainById.get(tokenId);
    if (chainMicros === undefined)
      throw new InvariantError(`reconcile: token ${tokenId} of an open position was not read from the chain`);
    const dbMicros = positions.reduce((s, p) => s + BigInt(p.shares), 0n);
    const delta = chainMicros - dbMicros;
    if (delta <= above(tokenId) && -delta <= dust) continue;
    const positionKeys = positions.map((p) => p.positionKey).sort();
    const base = { tokenId, positionKeys, dbMicros, chainMicros, deltaMicros: delta };
    if (chainMicros <= dust) {
      out.push({
        ...base,
        kind: 'missing',
        decision: { action: 'close', positionKeys, exitReason: 'manual' },
      });
    } else if (positions.length === 1 && positions[0] !== undefined) {
      const decision = {
        action: 'set_shares',
        positionKey: positions[0].positionKey,
        sharesMicros: chainMicros,
      } as const;
      out.push({ ...base, kind: 'size_mismatch', decision });
    } else {
      const reason = `${positions.length} open positions share the token; chain holds ${chainMicros}, DB ${dbMicros}`;
      out.push({ ...base, kind: 'size_mismatch', decision: { action: 'review', positionKeys, reason } });
    }
  }
  for (const [tokenId, chainMicros] of chainById) {
    if (byToken.has(tokenId) || chainMicros <= above(tokenId)) continue;
    const action = settled.has(tokenId) ? 'redeem' : 'adopt';
    out.push({
      kind: 'extra',
      tokenId,
      positionKeys: [],
      dbMicros: 0n,
      chainMicros,
      deltaMicros: chainMicros,
      decision: { action, tokenId, sharesMicros: chainMicros },
    });
  }
  return out.sort((a, b) => (a.tokenId < b.tokenId ? -1 : a.tokenId > b.tokenId ? 1 : 0));
}

/**
 * Returns the JSON-safe `data` of the audit row for a discrepancy (bigints as decimal strings).
 * The row the caller appends is a `PositionEventRecord` of type `RECONCILED` for each affected
 * position key (for `extra`: the key of the adopted position, or `reconcile_<tokenId>`), with
 * `fromState`/`toState` of the applied change, `tsMs` of the read, and this object plus the
 * owner address and the block number of the read as `data`. Journal rows are appended, never
 * rewritten (STYLE rule 10).
 */
export function auditData(d: Discrepancy): Record<string, unknown> {
  const decision = Object.fromEntries(
    Object.entries(d.decision).map(([k, v]) => [k, typeof v === 'bigint' ? v.toString() : v]),
  );
  return {
    kind: d.kind,
    tokenId: d.tokenId,
    positionKeys: d.positionKeys,
    dbMicros: d.dbMicros.toString(),
    chainMicros: d.chainMicros.toString(),
    deltaMicros: d.deltaMicros.toString(),
    decision,
  };
}
