/**
 * Redeeming outcome tokens after resolution (polymarket-protocol.md §7.6, V1 CTF; issue #8 point 7):
 * `redeemPositions(collateral, 0x0, conditionId, [1, 2])` burns the holder's entire balance of both
 * positions and pays `balance × numerator / denominator` in the collateral named, which must be
 * the one the position ids were split from (`verifyPositionIds`); with another collateral the call
 * succeeds, burns nothing and pays 0. The payout recorded is the one the receipt's
 * `PayoutRedemption` event states, never a prediction.
 *
 * Who sends it: an EOA funder (signature type 0) calls the CTF itself; a deposit wallet (type 3)
 * is driven by its owner EOA with `execute(ctf, 0, redeemPositions calldata)` (the
 * TestDepositWallet interface; the production wallet's owner call is unconfirmed, Polymarket's
 * relayer batches are the documented path). Proxy/Safe funders and Protocol-V2 markets (Router,
 * §10) are not handled here; neg-risk markets are refused (`NegRiskRedeemError`).
 *
 * Collateral paid: the raw CTF pays the positions' own collateral, USDC.e for markets split from
 * USDC.e, while the V2 venue trades pUSD: `RedeemResult.wrapNeeded` then tells the caller to wrap
 * it (CollateralOnramp `wrap(asset, to, amount)`, §7.1 [3rd]); nothing wraps automatically.
 * Third-party reports (valory-xyz/trader PR #929, BlockRunAI/blockrun-mcp PR #66) describe a
 * `CtfCollateralAdapter` (0xADa1…9718) with the same `redeemPositions` signature paying pUSD
 * directly, after `setApprovalForAll(adapter)`: UNCONFIRMED by Polymarket's docs, not used.
 */
import {
  Contract,
  Interface,
  getAddress,
  resolveAddress,
  type AddressLike,
  type Signer,
  type TransactionReceipt,
  type TransactionResponse,
} from 'ethers';
import { CTF_ABI, ERC20_ABI, ROOT_COLLECTION_ID, UP_DOWN_INDEX_SETS } from './abi';
import { DEPOSIT_WALLET_ABI } from './deposit-wallet';
import {
  ChainDataError,
  ChainRevertError,
  ConditionNotResolvedError,
  NegRiskRedeemError,
  classifyChainError,
} from './errors';

/** What to redeem and with which wallet. */
export interface RedeemOptions {
  /**
   * The sender, connected to a provider: the token holder (EOA funder), or the owner EOA of
   * `depositWallet` when that is set.
   */
  readonly wallet: Signer;
  /** ConditionalTokens address or contract. */
  readonly ctf: AddressLike;
  /** Collateral embedded in the position ids (`verifyPositionIds`; USDC.e for V1-era markets, §7.4). */
  readonly collateral: AddressLike;
  /** bytes32 hex condition id of the window. */
  readonly conditionId: string;
  /** RPC URL, only for error messages (redacted). */
  readonly rpcUrl: string;
  /** Receipt wait limit, ms (default 120_000). */
  readonly timeoutMs?: number;
  /** Market name for messages (the slug); default the condition id. */
  readonly market?: string;
  /** Gamma `negRisk` of the market: `true` is refused before anything is sent. */
  readonly negRisk?: boolean;
  /** Deposit wallet holding the tokens (type 3): redeem through its `execute`, sent by `wallet` (its owner). */
  readonly depositWallet?: string;
  /** Collateral the venue trades (pUSD on 137): sets `wrapNeeded` when the payout came in another. */
  readonly tradingCollateral?: string;
}

/** Outcome of a redeem transaction. */
export interface RedeemResult {
  readonly txHash: string;
  readonly blockNumber: number;
  /** Collateral paid out, micro-USDC, as the `PayoutRedemption` event states (0 when only losing or no tokens were held). */
  readonly payoutMicros: bigint;
  /** The collateral paid (the event's `collateralToken`), EIP-55. */
  readonly collateral: string;
  /** The address that redeemed and was paid (the EOA or the deposit wallet). */
  readonly redeemer: string;
  /** True when `payoutMicros > 0` in a collateral other than `tradingCollateral`: wrap it to trade it. */
  readonly wrapNeeded: boolean;
}

const CTF_INTERFACE = new Interface(CTF_ABI);

/**
 * Redeems both outcome positions of `conditionId` for the holder and returns the payout read
 * from the `PayoutRedemption` event whose `redeemer` is the holder (or, if the CTF emitted none
 * at all, from the holder's collateral balance delta across the receipt's block).
 * @throws {NegRiskRedeemError} for a neg-risk market (nothing is sent).
 * @throws {ConditionNotResolvedError} before resolution (checked with `payoutDenominator` first; nothing is sent).
 * @throws {ChainRevertError} when the transaction reverts (also at gas estimation) or the node refuses it.
 * @throws {ChainNetworkError} when the pre-check cannot reach the node (nothing was sent).
 * @throws {ChainUnknownOutcomeError} when the transaction was (maybe) sent but no receipt came
 *   back; `txHash` is set when known: query it before retrying.
 * @throws {ChainDataError} when the receipt's events name another redeemer or condition only.
 */
export async function redeemWinnings(opts: RedeemOptions): Promise<RedeemResult> {
  const { wallet, conditionId, rpcUrl } = opts;
  if (opts.negRisk === true) throw new NegRiskRedeemError(opts.market ?? conditionId);
  const ctfAddress = await resolveAddress(opts.ctf);
  const collateralAddress = getAddress(await resolveAddress(opts.collateral));
  const ctf = new Contract(ctfAddress, CTF_ABI, wallet);

  let holder: string;
  let denominator: unknown;
  try {
    holder = getAddress(opts.depositWallet ?? (await wallet.getAddress()));
    denominator = await ctf.getFunction('payoutDenominator').staticCall(conditionId);
  } catch (err) {
    throw classifyChainError(err, { op: 'payoutDenominator', rpcUrl });
  }
  if (typeof denominator !== 'bigint') throw new ChainDataError('payoutDenominator: expected uint256');
  if (denominator === 0n) throw new ConditionNotResolvedError(conditionId);

  const args = [collateralAddress, ROOT_COLLECTION_ID, conditionId, [...UP_DOWN_INDEX_SETS]] as const;
  const op = opts.depositWallet === undefined ? 'redeemPositions' : 'execute(redeemPositions)';
  let sent: TransactionResponse | null = null;
  let receipt: TransactionReceipt | null;
  try {
    if (opts.depositWallet === undefined) {
      sent = (await ctf.getFunction('redeemPositions').send(...args)) as TransactionResponse;
    } else {
      const data = CTF_INTERFACE.encodeFunctionData('redeemPositions', args);
      const dw = new Contract(holder, DEPOSIT_WALLET_ABI, wallet);
      sent = (await dw.getFunction('execute').send(ctfAddress, 0n, data)) as TransactionResponse;
    }
    receipt = await sent.wait(1, opts.timeoutMs ?? 120_000);
  } catch (err) {
    throw classifyChainError(err, {
      op,
      rpcUrl,
      // A failure inside send() may come after the raw transaction reached the node: treat as unknown.
      write: true,
      txHash: sent?.hash ?? null,
    });
  }
  if (receipt === null) throw new ChainRevertError(`${op} ${sent.hash}: no receipt`);
  const done = (payoutMicros: bigint, collateral: string): RedeemResult => ({
    txHash: receipt.hash,
    blockNumber: receipt.blockNumber,
    payoutMicros,
    collateral,
    redeemer: holder,
    wrapNeeded:
      payoutMicros > 0n &&
      opts.tradingCollateral !== undefined &&
      getAddress(opts.tradingCollateral) !== collateral,
  });

  let events = 0;
  for (const log of receipt.logs) {
    if (log.address.toLowerCase() !== ctfAddress.toLowerCase()) continue;
    const parsed = CTF_INTERFACE.parseLog(log);
    if (parsed?.name !== 'PayoutRedemption') continue;
    events += 1;
    const redeemer: unknown = parsed.args.getValue('redeemer');
    const payout: unknown = parsed.args.getValue('payout');
    const paidIn: unknown = parsed.args.getValue('collateralToken');
    const condition: unknown = parsed.args.getValue('conditionId');
    if (typeof redeemer !== 'string' || redeemer.toLowerCase() !== holder.toLowerCase()) continue;
    if (typeof condition !== 'string' || condition.toLowerCase() !== conditionId.toLowerCase()) continue;
    if (typeof payout !== 'bigint' || typeof paidIn !== 'string')
      throw new ChainDataError('PayoutRedemption: expected (uint256 payout, address collateralToken)');
    return done(payout, getAddress(paidIn));
  }
  if (events > 0)
    throw new ChainDataError(
      `${op} ${receipt.hash}: PayoutRedemption names another redeemer or condition than ${holder} / ${conditionId}`,
    );

  // No event (a CTF variant that does not emit it): balance delta across the block (needs state at block - 1).
  const token = new Contract(collateralAddress, ERC20_ABI, wallet);
  try {
    const balanceOf = token.getFunction('balanceOf');
    const before: unknown = await balanceOf.staticCall(holder, { blockTag: receipt.blockNumber - 1 });
    const after: unknown = await balanceOf.staticCall(holder, { blockTag: receipt.blockNumber });
    if (typeof before !== 'bigint' || typeof after !== 'bigint')
      throw new ChainDataError('balanceOf: expected uint256');
    return done(after - before, collateralAddress);
  } catch (err) {
    throw classifyChainError(err, { op: 'balanceOf (redeem payout)', rpcUrl });
  }
}
