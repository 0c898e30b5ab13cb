/**
 * Deposit-wallet accounts on the local CLOB (signature type 3, POLY_1271; issue #8). What the
 * venue is reported to do (public issue reports on Polymarket's v2 clients since May 2026; the
 * venue itself cannot be reached from here):
 * - accounts made through polymarket.com must trade through their deposit wallet; other makers are
 *   refused with {@link MAKER_NOT_ALLOWED};
 * - the official client derives the API key with the owner **EOA** (L1 `POLY_ADDRESS` = EOA) while a
 *   type-3 order's `signer` is the wallet, so a venue that compares `signer` with the key's address
 *   refuses with {@link SIGNER_NOT_API_KEY}; it works once the venue binds the wallet to the
 *   account ("ask support for whitelisting"). Mode `'bound'` models the bound account: a key of EOA
 *   X accepts orders whose signer is a deposit wallet whose on-chain `owner()` is X; `'eoa-only'`
 *   models the unbound one.
 * - POLY_1271 signatures are checked by the wallet contract (ERC-1271 `isValidSignature`).
 */
import { getAddress } from 'ethers';

/** The venue's refusal of a non-deposit-wallet maker (issue #8). */
export const MAKER_NOT_ALLOWED = 'maker address not allowed, please use the deposit wallet flow';
/** The venue's refusal of an order whose signer is not the API key's address (protocol §5.4). */
export const SIGNER_NOT_API_KEY = 'the order signer address has to be the address of the API KEY';

/** How a key derived by an EOA treats orders signed by that EOA's deposit wallet. */
export type DepositWalletKeys = 'bound' | 'eoa-only';

/** ERC-1271 check of `signature` (hex) over `hash` (bytes32 hex) by contract `wallet`. */
export type Verify1271 = (wallet: string, hash: string, signature: string) => Promise<boolean>;

/** Reads a deposit wallet's `owner()` (checksummed), `null` when it is not one. */
export type ReadWalletOwner = (wallet: string) => Promise<string | null>;

/** Account rules the order check applies to one API key's orders. */
export interface OrderRules {
  /** Refuse every signature type but 3 with {@link MAKER_NOT_ALLOWED}. */
  readonly depositWalletOnly: boolean;
  /** Whether `signer` (not the key's address) may sign type-3 orders for this key. */
  readonly acceptsSigner: (signer: string) => Promise<boolean>;
  /** ERC-1271 verifier on the local EVM; absent = type 3 is refused. */
  readonly verify1271?: Verify1271;
}

/**
 * Deposit wallets the venue knows, by owner EOA: registered ({@link bind}) or learned from the
 * chain (`owner()` read once per wallet and cached).
 */
export class DepositWalletBook {
  private readonly byEoa = new Map<string, string>();
  private readonly owners = new Map<string, string | null>();

  /** `readOwner` reads `owner()` on the local EVM; without it only registered wallets are known. */
  constructor(private readonly readOwner?: ReadWalletOwner) {}

  /** Registers `wallet` as the deposit wallet of `eoa` (what support's "whitelisting" does). */
  bind(eoa: string, wallet: string): void {
    this.byEoa.set(eoa.toLowerCase(), getAddress(wallet));
    this.owners.set(wallet.toLowerCase(), getAddress(eoa));
  }

  /** The deposit wallet of `eoa` (checksummed), if known. */
  walletOf(eoa: string): string | undefined {
    return this.byEoa.get(eoa.toLowerCase());
  }

  /**
   * The owner EOA of `wallet` (checksummed), or `null` when it is not a deposit wallet. A wallet
   * found on chain is cached and remembered as its owner's.
   * @throws the provider's error when the chain cannot be read.
   */
  async ownerOf(wallet: string): Promise<string | null> {
    const k = wallet.toLowerCase();
    const known = this.owners.get(k);
    if (known !== undefined) return known;
    if (this.readOwner === undefined) return null;
    const owner = await this.readOwner(wallet);
    if (owner === null) return null; // not cached: the wallet may be deployed later
    this.owners.set(k, owner);
    if (!this.byEoa.has(owner.toLowerCase())) this.byEoa.set(owner.toLowerCase(), getAddress(wallet));
    return owner;
  }
}
