/**
 * Redeeming outcome tokens after resolution (polymarket-protocol.md §7.6, V1 CTF):
 * `redeemPositions(collateral, 0x0, conditionId, [1, 2])` burns the sender's entire balance of both
 * positions and pays `balance × numerator / denominator` in collateral. The transaction must come
 * from the address that holds the tokens: an EOA funder (signature type 0). Proxy/Safe funders
 * redeem through their wallet (relayer/Safe tx) and Protocol-V2 markets through the Router (§10):
 * neither is handled here.
 */
import {
  Contract,
  resolveAddress,
  type AddressLike,
  type Signer,
  type TransactionReceipt,
  type TransactionResponse,
} from 'ethers';
import { CTF_ABI, ERC20_ABI, ROOT_COLLECTION_ID, UP_DOWN_INDEX_SETS } from './abi';
import { ChainDataError, ChainRevertError, ConditionNotResolvedError, classifyChainError } from './errors';

/** What to redeem and with which wallet. */
export interface RedeemOptions {
  /** The token holder (EOA funder), connected to a provider. */
  readonly wallet: Signer;
  /** ConditionalTokens address or contract. */
  readonly ctf: AddressLike;
  /** Collateral embedded in the position ids (USDC.e for V1-era markets, §7.4), address or contract. */
  readonly collateral: AddressLike;
  /** bytes32 hex condition id of the window. */
  readonly conditionId: string;
  /** RPC URL, only for error messages (redacted). */
  readonly rpcUrl: string;
  /** Receipt wait limit, ms (default 120_000). */
  readonly timeoutMs?: number;
}

/** Outcome of a redeem transaction. */
export interface RedeemResult {
  readonly txHash: string;
  readonly blockNumber: number;
  /** Collateral paid out, micro-USDC (0 when only losing or no tokens were held). */
  readonly payoutMicros: bigint;
}

/**
 * Redeems both outcome positions of `conditionId` for the wallet and returns the payout, read
 * from the `PayoutRedemption` event (or, if the contract emits none, from the collateral balance
 * delta across the receipt's block).
 * @throws {ConditionNotResolvedError} before resolution (checked with `payoutDenominator` first; nothing is sent).
 * @throws {ChainRevertError} when the transaction reverts (also at gas estimation) or the node refuses it.
 * @throws {ChainNetworkError} when the pre-check cannot reach the node (nothing was sent).
 * @throws {ChainUnknownOutcomeError} when the transaction was (maybe) sent but no receipt came
 *   back; `txHash` is set when known: query it before retrying.
 */
export async function redeemWinnings(opts: RedeemOptions): Promise<RedeemResult> {
  const { wallet, conditionId, rpcUrl } = opts;
  const ctfAddress = await resolveAddress(opts.ctf);
  const collateralAddress = await resolveAddress(opts.collateral);
  const ctf = new Contract(ctfAddress, CTF_ABI, wallet);

  let holder: string;
  let denominator: unknown;
  try {
    holder = await wallet.getAddress();
    denominator = await ctf.getFunction('payoutDenominator').staticCall(conditionId);
  } catch (err) {
    throw classifyChainError(err, { op: 'payoutDenominator', rpcUrl });
  }
  if (typeof denominator !== 'bigint') throw new ChainDataError('payoutDenominator: expected uint256');
  if (denominator === 0n) throw new ConditionNotResolvedError(conditionId);

  let sent: TransactionResponse | null = null;
  let receipt: TransactionReceipt | null;
  try {
    sent = (await ctf
      .getFunction('redeemPositions')
      .send(collateralAddress, ROOT_COLLECTION_ID, conditionId, [
        ...UP_DOWN_INDEX_SETS,
      ])) as TransactionResponse;
    receipt = await sent.wait(1, opts.timeoutMs ?? 120_000);
  } catch (err) {
    throw classifyChainError(err, {
      op: 'redeemPositions',
      rpcUrl,
      // A failure inside send() may come after the raw transaction reached the node: treat as unknown.
      write: true,
      txHash: sent?.hash ?? null,
    });
  }
  if (receipt === null) throw new ChainRevertError(`redeemPositions ${sent.hash}: no receipt`);

  for (const log of receipt.logs) {
    if (log.address.toLowerCase() !== ctfAddress.toLowerCase()) continue;
    const parsed = ctf.interface.parseLog(log);
    if (parsed?.name !== 'PayoutRedemption') continue;
    const redeemer: unknown = parsed.args.getValue('redeemer');
    const payout: unknown = parsed.args.getValue('payout');
    if (typeof redeemer !== 'string' || redeemer.toLowerCase() !== holder.toLowerCase()) continue;
    if (typeof payout !== 'bigint') throw new ChainDataError('PayoutRedemption.payout: expected uint256');
    return { txHash: receipt.hash, blockNumber: receipt.blockNumber, payoutMicros: payout };
  }

  // No event (a CTF variant that does not emit it): balance delta across the block (needs state at block - 1).
  const token = new Contract(collateralAddress, ERC20_ABI, wallet);
  try {
    const balanceOf = token.getFunction('balanceOf');
    const before: unknown = await balanceOf.staticCall(holder, { blockTag: receipt.blockNumber - 1 });
    const after: unknown = await balanceOf.staticCall(holder, { blockTag: receipt.blockNumber });
    if (typeof before !== 'bigint' || typeof after !== 'bigint')
      throw new ChainDataError('balanceOf: expected uint256');
    return { txHash: receipt.hash, blockNumber: receipt.blockNumber, payoutMicros: after - before };
  } catch (err) {
    throw classifyChainError(err, { op: 'balanceOf (redeem payout)', rpcUrl });
  }
}
