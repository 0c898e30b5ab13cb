/**
 * Deposit wallets (signature type 3, `POLY_1271`; issue #8, clob-v2-local-probe.md §2.4,
 * polymarket-protocol.md §7.2, §10): the ABI fragments of the calls the project makes on one
 * (`execute` for approvals and redeem sent by the owner EOA, `owner`, ERC-1271
 * `isValidSignature`) and two read helpers over any ethers runner. The fragments match
 * `contracts/TestDepositWallet.sol`, the local stand-in; Polymarket's deposit wallets are
 * reported to expose the same ERC-1271 / ERC-7739 behaviour (public issue reports on the v2
 * clients since May 2026) — their `execute` spelling on Polygon is not confirmed here.
 */
import { Contract, getAddress, type ContractRunner } from 'ethers';

/** ABI fragments of a deposit wallet (human-readable, ethers v6). */
export const DEPOSIT_WALLET_ABI = [
  'function owner() view returns (address)',
  'function signedChainId() view returns (uint256)',
  'function execute(address target, uint256 value, bytes data) returns (bytes)',
  'function isValidSignature(bytes32 hash, bytes signature) view returns (bytes4)',
] as const;

/** ERC-1271 magic value: `isValidSignature` returns it for a valid signature. */
export const ERC1271_MAGIC = '0x1626ba7e';

/**
 * Returns the checksummed `owner()` of a deposit wallet, or `null` when `wallet` has no code or
 * no such function (an EOA, another contract).
 * @throws the provider's error when the node cannot be reached.
 */
export async function depositWalletOwner(runner: ContractRunner, wallet: string): Promise<string | null> {
  const provider = runner.provider ?? null;
  if (provider !== null && (await provider.getCode(wallet)) === '0x') return null;
  try {
    const owner = (await new Contract(wallet, DEPOSIT_WALLET_ABI, runner).getFunction('owner')()) as string;
    return getAddress(owner);
  } catch (err) {
    if (isCallRevert(err)) return null;
    throw err;
  }
}

/**
 * ERC-1271 check: whether contract `wallet` accepts `signature` (hex) over `hash` (bytes32 hex).
 * An EOA, a revert or a malformed answer count as invalid (`false`).
 * @throws the provider's error when the node cannot be reached.
 */
export async function isValidSignature1271(
  runner: ContractRunner,
  wallet: string,
  hash: string,
  signature: string,
): Promise<boolean> {
  const provider = runner.provider ?? null;
  if (provider !== null && (await provider.getCode(wallet)) === '0x') return false;
  try {
    const c = new Contract(wallet, DEPOSIT_WALLET_ABI, runner);
    const magic = (await c.getFunction('isValidSignature')(hash, signature)) as string;
    return magic.toLowerCase() === ERC1271_MAGIC;
  } catch (err) {
    if (isCallRevert(err)) return false;
    throw err;
  }
}

/** Whether an ethers error is the call's own failure (revert, bad data) rather than the node's. */
function isCallRevert(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'CALL_EXCEPTION' || code === 'BAD_DATA' || code === 'INVALID_ARGUMENT';
}
