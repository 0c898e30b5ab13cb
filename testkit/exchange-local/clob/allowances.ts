/**
 * Allowances the local CLOB enforces (issue #8 point 4; polymarket-protocol.md §7.3, §5.6): an
 * owner must have approved the exchange's spender for the collateral (ERC-20 `approve`) to BUY and
 * for its outcome tokens (CTF `setApprovalForAll`) to SELL, else the venue answers
 * `not enough balance / allowance`. Locally the spender is the {@link ChainLedger}'s operator,
 * standing in for the V2 exchange. Values are read from the chain and cached like the venue's own
 * view: read the first time an owner is seen and again on `GET /balance-allowance/update`.
 */
import type { ContractRunner } from 'ethers';
import { ChainReader } from '../../../src/chain/balances';

/** The allowances of one owner towards the spender. */
export interface OwnerAllowances {
  /** ERC-20 collateral allowance, micro-USDC. */
  readonly collateral: bigint;
  /** CTF `isApprovedForAll(owner, spender)`. */
  readonly ctfApproved: boolean;
}

/** Where the CLOB reads allowances from. */
export interface AllowanceSource {
  /** The spender owners approve (checksummed). */
  readonly spender: string;
  /** The cached allowances of `owner`, `undefined` before the first read. */
  cached(owner: string): OwnerAllowances | undefined;
  /**
   * Reads `owner`'s allowances from the chain into the cache and returns them.
   * @throws {TraderError} a classified chain error when the read fails.
   */
  refresh(owner: string): Promise<OwnerAllowances>;
}

/** {@link AllowanceSource} over a local EVM. */
export class ChainAllowances implements AllowanceSource {
  /** See {@link AllowanceSource.spender}. */
  readonly spender: string;
  private readonly reader: ChainReader;
  private readonly cache = new Map<string, OwnerAllowances>();

  /** Reads through `runner` (a provider or a connected wallet); makes no request. */
  constructor(opts: {
    readonly runner: ContractRunner;
    readonly rpcUrl: string;
    readonly collateral: string;
    readonly conditionalTokens: string;
    readonly spender: string;
  }) {
    this.spender = opts.spender;
    this.reader = new ChainReader({
      runner: opts.runner,
      rpcUrl: opts.rpcUrl,
      collateral: opts.collateral,
      conditionalTokens: opts.conditionalTokens,
    });
  }

  /** See {@link AllowanceSource.cached}. */
  cached(owner: string): OwnerAllowances | undefined {
    return this.cache.get(owner.toLowerCase());
  }

  /** See {@link AllowanceSource.refresh}. */
  async refresh(owner: string): Promise<OwnerAllowances> {
    const [collateral, ctfApproved] = await Promise.all([
      this.reader.collateralAllowance(owner, this.spender),
      this.reader.isApprovedForAll(owner, this.spender),
    ]);
    const a = { collateral, ctfApproved };
    this.cache.set(owner.toLowerCase(), a);
    return a;
  }
}
