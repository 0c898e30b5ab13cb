/**
 * Read-only chain queries for reconciliation (design.md §9, polymarket-protocol.md §7.5): outcome
 * token balances (ERC-1155 `balanceOfBatch`), collateral balance and allowance, operator approval
 * and resolution state. Works on Polygon and on the local chain (same ABI fragments, `abi.ts`).
 * Amounts are bigint base units (6 decimals: micro-shares, micro-USDC); `owner` is the funder
 * (proxy/Safe/EOA that holds the tokens), not the signing key (§7.5).
 */
import { Contract, type ContractRunner } from 'ethers';
import { InputError } from '../core/errors';
import { CTF_ABI, ERC20_ABI } from './abi';
import { ChainDataError, ChainRevertError, classifyChainError } from './errors';

/** Resolution state of a condition (§7.5): `resolved` iff `denominator > 0`. */
export interface PayoutState {
  readonly resolved: boolean;
  /** One numerator per outcome slot (Up, Down); all 0 before resolution. */
  readonly numerators: readonly bigint[];
  /** Sum of the numerators once resolved, else 0. */
  readonly denominator: bigint;
}

/** How to reach the chain and which contracts to read. */
export interface ChainReaderOptions {
  /** Any ethers runner with a provider (a `JsonRpcProvider` or a connected wallet). */
  readonly runner: ContractRunner;
  /** RPC URL, used only in error messages (redacted). */
  readonly rpcUrl: string;
  /** ConditionalTokens address (`ChainAddresses.conditionalTokens`). */
  readonly conditionalTokens: string;
  /** Collateral ERC-20 address (USDC.e, pUSD or the local TestCollateral). */
  readonly collateral: string;
}

/** Returns `v` when it is a bigint. @throws {ChainDataError} otherwise. */
function asBigInt(v: unknown, what: string): bigint {
  if (typeof v !== 'bigint') throw new ChainDataError(`${what}: expected uint256, got ${typeof v}`);
  return v;
}

/** Returns the canonical decimal form of a token id given as decimal or 0x-hex. @throws {InputError} if neither. */
export function canonicalTokenId(tokenId: string): string {
  try {
    const n = BigInt(tokenId);
    if (n < 0n) throw new RangeError('negative');
    return n.toString();
  } catch (cause) {
    throw new InputError(`invalid token id ${JSON.stringify(tokenId)}`, { cause });
  }
}

/**
 * Reads balances and resolution state. Every method rejects with a classified error:
 * `ChainNetworkError` (retryable), `ChainRevertError` (rejected: a revert or a bad argument),
 * `ChainDataError` (invariant: an answer that does not fit the ABI, e.g. a wrong address).
 */
export class ChainReader {
  readonly #ctf: Contract;
  readonly #collateral: Contract;
  readonly #rpcUrl: string;

  /** Binds the reader to the contracts; makes no request. */
  constructor(opts: ChainReaderOptions) {
    this.#ctf = new Contract(opts.conditionalTokens, CTF_ABI, opts.runner);
    this.#collateral = new Contract(opts.collateral, ERC20_ABI, opts.runner);
    this.#rpcUrl = opts.rpcUrl;
  }

  /** Runs one read and classifies its failure. */
  async #read<T>(op: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      throw classifyChainError(err, { op, rpcUrl: this.#rpcUrl });
    }
  }

  /**
   * Returns the owner's balance of each token, in micro-shares, keyed by the canonical decimal
   * token id (duplicates collapsed), read with ONE `balanceOfBatch` call. An empty list makes no call.
   */
  async outcomeBalances(owner: string, tokenIds: readonly string[]): Promise<Map<string, bigint>> {
    const ids = [...new Set(tokenIds.map(canonicalTokenId))];
    const out = new Map<string, bigint>();
    if (ids.length === 0) return out;
    const raw = await this.#read('balanceOfBatch', async () => {
      const res: unknown = await this.#ctf.getFunction('balanceOfBatch').staticCall(
        ids.map(() => owner),
        ids,
      );
      return res;
    });
    if (!Array.isArray(raw) || raw.length !== ids.length)
      throw new ChainDataError(`balanceOfBatch returned ${Array.isArray(raw) ? raw.length : 'no'} values`);
    ids.forEach((id, i) => out.set(id, asBigInt(raw[i], 'balanceOfBatch')));
    return out;
  }

  /** Returns the owner's collateral balance, micro-USDC. */
  async collateralBalance(owner: string): Promise<bigint> {
    const v: unknown = await this.#read('balanceOf', () =>
      this.#collateral.getFunction('balanceOf').staticCall(owner),
    );
    return asBigInt(v, 'balanceOf');
  }

  /** Returns how much collateral `spender` may pull from `owner`, micro-USDC (§7.3). */
  async collateralAllowance(owner: string, spender: string): Promise<bigint> {
    const v: unknown = await this.#read('allowance', () =>
      this.#collateral.getFunction('allowance').staticCall(owner, spender),
    );
    return asBigInt(v, 'allowance');
  }

  /** Returns whether `operator` may move the owner's outcome tokens (needed to sell, §7.3). */
  async isApprovedForAll(owner: string, operator: string): Promise<boolean> {
    const v: unknown = await this.#read('isApprovedForAll', () =>
      this.#ctf.getFunction('isApprovedForAll').staticCall(owner, operator),
    );
    if (typeof v !== 'boolean') throw new ChainDataError(`isApprovedForAll: expected bool, got ${typeof v}`);
    return v;
  }

  /** Returns the native (gas) balance of `address`, wei (1 POL = 1e18 wei). */
  async nativeBalance(address: string): Promise<bigint> {
    return this.#read('getBalance', async () => {
      const provider = this.#ctf.runner?.provider;
      if (provider === null || provider === undefined)
        throw new ChainDataError('the chain reader has no provider for getBalance');
      return provider.getBalance(address);
    });
  }

  /**
   * Returns the resolution state of `conditionId` (bytes32 hex) from `getOutcomeSlotCount`,
   * `payoutDenominator` and `payoutNumerators(i)` (§7.5).
   * @throws {ChainRevertError} when the condition was never prepared (0 outcome slots).
   */
  async payout(conditionId: string): Promise<PayoutState> {
    const [slots, denominator] = await this.#read('payoutDenominator', async () => {
      const s: unknown = await this.#ctf.getFunction('getOutcomeSlotCount').staticCall(conditionId);
      const d: unknown = await this.#ctf.getFunction('payoutDenominator').staticCall(conditionId);
      return [asBigInt(s, 'getOutcomeSlotCount'), asBigInt(d, 'payoutDenominator')] as const;
    });
    if (slots === 0n) throw new ChainRevertError(`condition ${conditionId} is not prepared on this chain`);
    if (slots > 256n) throw new ChainDataError(`condition ${conditionId} reports ${slots} outcome slots`);
    const numerators = await this.#read('payoutNumerators', () =>
      Promise.all(
        Array.from({ length: Number(slots) }, async (_, i) => {
          const v: unknown = await this.#ctf.getFunction('payoutNumerators').staticCall(conditionId, i);
          return asBigInt(v, 'payoutNumerators');
        }),
      ),
    );
    return { resolved: denominator > 0n, numerators, denominator };
  }
}
