/**
 * Verifies a market's token ids against the chain before it is traded (issue #8 point 7;
 * polymarket-protocol.md §7.4): the ids Gamma gives (`clobTokenIds`) must be the CTF position ids
 * `getPositionId(collateral, getCollectionId(0x0, conditionId, indexSet))` for Up (index set 1)
 * and Down (index set 2) with one of the candidate collaterals. Which collateral matched is the
 * one redeem must name: redeeming with another collateral burns nothing and pays 0 (third-party
 * reports: valory-xyz/trader PR #929). Both ids are computed with the contract's own view
 * functions (the deployed `getCollectionId` is an elliptic-curve encoding, not a plain hash).
 */
import { Contract, getAddress, type ContractRunner } from 'ethers';
import { CTF_ABI, ROOT_COLLECTION_ID, UP_DOWN_INDEX_SETS } from './abi';
import { canonicalTokenId } from './balances';
import { ChainDataError, classifyChainError } from './errors';

/** Inputs of {@link verifyPositionIds}. */
export interface PositionIdOptions {
  /** Any ethers runner with a provider. */
  readonly runner: ContractRunner;
  /** RPC URL, for error messages only (redacted). */
  readonly rpcUrl: string;
  /** ConditionalTokens address. */
  readonly ctf: string;
  /** bytes32 hex condition id of the market. */
  readonly conditionId: string;
  /** Token ids of Up and Down as Gamma maps them (decimal or 0x-hex). */
  readonly upTokenId: string;
  readonly downTokenId: string;
  /** Collaterals to try, in preference order, e.g. `[pUSD, USDC.e]`. */
  readonly candidates: readonly string[];
  /** Market name for the refusal reason (the slug); default the condition id. */
  readonly market?: string;
}

/** Result: the collateral the ids were split from, or why none matched. */
export type PositionIdCheck =
  { readonly ok: true; readonly collateral: string } | { readonly ok: false; readonly reason: string };

/**
 * Returns which candidate collateral Up and Down were split from, or a refusal reason when none
 * gives both ids (including when the ids match with Up and Down swapped: the outcome mapping is
 * then wrong and the market must not be traded). Makes 2 + 2 × candidates `eth_call`s.
 * @throws {ChainNetworkError} | {ChainRevertError} | {ChainDataError} when a view call fails.
 * @throws {InputError} for a token id that is neither decimal nor 0x-hex.
 */
export async function verifyPositionIds(opts: PositionIdOptions): Promise<PositionIdCheck> {
  const ctf = new Contract(opts.ctf, CTF_ABI, opts.runner);
  const up = canonicalTokenId(opts.upTokenId);
  const down = canonicalTokenId(opts.downTokenId);
  const name = opts.market ?? opts.conditionId;
  const call = async (op: string, ...args: unknown[]): Promise<string> => {
    let v: unknown;
    try {
      v = await ctf.getFunction(op).staticCall(...args);
    } catch (err) {
      throw classifyChainError(err, { op, rpcUrl: opts.rpcUrl });
    }
    if (typeof v === 'bigint') return v.toString();
    if (typeof v === 'string') return v;
    throw new ChainDataError(`${op}: unexpected ${typeof v}`);
  };
  const collections = await Promise.all(
    UP_DOWN_INDEX_SETS.map((set) => call('getCollectionId', ROOT_COLLECTION_ID, opts.conditionId, set)),
  );
  const swapped: string[] = [];
  for (const candidate of opts.candidates) {
    const [idUp, idDown] = await Promise.all(
      collections.map((c) => call('getPositionId', candidate, c).then(canonicalTokenId)),
    );
    if (idUp === up && idDown === down) return { ok: true, collateral: getAddress(candidate) };
    if (idUp === down && idDown === up) swapped.push(candidate);
  }
  if (swapped.length > 0)
    return {
      ok: false,
      reason: `market ${name}: Gamma's Up token is the chain's Down position (collateral ${swapped[0]}): outcome mapping is wrong, not traded`,
    };
  return {
    ok: false,
    reason: `market ${name}: token ids are not CTF positions of condition ${opts.conditionId} with any known collateral (${opts.candidates.join(', ')}): not traded (a Protocol-V2 or foreign market?)`,
  };
}
