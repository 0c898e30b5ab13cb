/**
 * Balances behind the local CLOB (issue #4): collateral in micro-USDC and outcome tokens in
 * micro-shares per owner address. The CLOB only talks to the {@link Ledger} interface, so a
 * chain-backed ledger (ERC-20 / ERC-1155 balances on a local EVM) can replace the in-process one.
 */

/** The collateral asset key (pUSD / USDC, 6 decimals). */
export const COLLATERAL = 'COLLATERAL';

/** One balance change: `asset` is {@link COLLATERAL} or a decimal token id; `delta` in micros. */
export interface LedgerChange {
  readonly owner: string;
  readonly asset: string;
  readonly delta: number;
}

/** Balance store of the local CLOB. Addresses are compared case-insensitively. */
export interface Ledger {
  /** Returns the balance of `owner` in `asset`, micros (0 when unknown). */
  balance(owner: string, asset: string): number;
  /**
   * Applies changes atomically (all or none).
   * @throws {RangeError} when a change would make a balance negative or is not an integer.
   */
  apply(changes: readonly LedgerChange[]): void;
  /**
   * Re-reads `owner`'s balances from where they live (the chain), if the ledger has such a source;
   * `GET /balance-allowance/update` calls it (protocol §5.6). Absent on in-process ledgers.
   */
  refresh?(owner: string): Promise<void>;
}

/** In-process {@link Ledger}. */
export class MemoryLedger implements Ledger {
  private readonly balances = new Map<string, number>();

  /** See {@link Ledger.balance}. */
  balance(owner: string, asset: string): number {
    return this.balances.get(key(owner, asset)) ?? 0;
  }

  /** See {@link Ledger.apply}. */
  apply(changes: readonly LedgerChange[]): void {
    const next = new Map<string, number>();
    for (const c of changes) {
      if (!Number.isSafeInteger(c.delta)) throw new RangeError(`ledger delta is not an integer: ${c.delta}`);
      const k = key(c.owner, c.asset);
      const v = (next.get(k) ?? this.balances.get(k) ?? 0) + c.delta;
      if (v < 0) throw new RangeError(`ledger balance would go negative for ${c.asset}`);
      next.set(k, v);
    }
    for (const [k, v] of next) this.balances.set(k, v);
  }

  /** Credits `amount` micros of `asset` to `owner` (test funding). */
  deposit(owner: string, asset: string, amount: number): void {
    this.apply([{ owner, asset, delta: amount }]);
  }
}

function key(owner: string, asset: string): string {
  return `${owner.toLowerCase()}|${asset}`;
}
