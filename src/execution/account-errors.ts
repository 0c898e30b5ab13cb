/**
 * Account-setup refusals of the venue (issue #8 "Accounts that can trade today"): answers that no
 * retry can fix, because the account is configured wrongly. Each maps to ONE line naming the
 * setting to change, so that the trader stops with it instead of retrying. Texts are the venue's
 * (polymarket-protocol.md §5.3, §5.4; the deposit-wallet text from public issue reports on
 * Polymarket's v2 clients, May 2026). Pure; never sees a secret.
 */

/** What else is known about a balance refusal (for `not enough balance / allowance`). */
export interface BalanceRefusalContext {
  readonly side: 'BUY' | 'SELL';
  /** The largest collateral allowance the venue reports for the exchange spenders, micro-USDC. */
  readonly allowance?: bigint;
}

const TYPE_NAMES: Readonly<Record<number, string>> = {
  0: 'EOA',
  1: 'POLY_PROXY',
  2: 'POLY_GNOSIS_SAFE',
  3: 'POLY_1271 deposit wallet',
};

/**
 * Returns the one-line hint for an account-setup refusal, or `null` when `errorText` is not one.
 * @param errorText the venue's error text (any case; ids interpolated are fine).
 * @param signatureType the configured `SIGNATURE_TYPE` (0 EOA, 1 proxy, 2 Safe, 3 deposit wallet).
 * @param balance for `not enough balance / allowance`: only a BUY with a zero allowance is a
 * set-up error (a SELL is a settlement in progress, a BUY with an allowance is a short balance).
 */
export function accountSetupHint(
  errorText: string,
  signatureType: number,
  balance?: BalanceRefusalContext,
): string | null {
  const t = errorText.toLowerCase();
  const type = `SIGNATURE_TYPE=${signatureType} (${TYPE_NAMES[signatureType] ?? 'unknown'})`;
  if (t.includes('maker address not allowed') || t.includes('deposit wallet flow'))
    return `the venue refuses this maker (${type}) and wants the deposit wallet flow: set SIGNATURE_TYPE=3 and FUNDER_ADDRESS to your deposit wallet address (polymarket.com profile), then restart`;
  if (t.includes('order signer address has to be the address of the api key') && signatureType === 3)
    return `the venue has not bound this API key (made by the owner key, as the official client does) to the deposit wallet FUNDER_ADDRESS: public reports say Polymarket support must enable API trading for the deposit wallet; check that FUNDER_ADDRESS is your deposit wallet and PRIVATE_KEY its owner (see README "Deposit wallets")`;
  if (t.includes('order signer address has to be the address of the api key'))
    return `the order signer is not the API key's address (${type}): use API credentials created for this PRIVATE_KEY (unset CLOB_API_KEY/CLOB_API_SECRET/CLOB_API_PASSPHRASE to create them) and check SIGNATURE_TYPE and FUNDER_ADDRESS`;
  if (t.includes('order owner has to be the owner of the api key'))
    return `the order owner is not this API key: set CLOB_API_KEY/CLOB_API_SECRET/CLOB_API_PASSPHRASE to the credentials of this PRIVATE_KEY, or unset them to create them`;
  if (t.includes('invalid l1 request headers'))
    return `the venue refused the L1 signature of this PRIVATE_KEY: check PRIVATE_KEY and CHAIN_ID (and the machine's clock)`;
  if (t.includes('could not derive api key') || t.includes('could not create api key'))
    return `the venue would neither create nor derive an API key for this PRIVATE_KEY: check PRIVATE_KEY, SIGNATURE_TYPE and FUNDER_ADDRESS, or set CLOB_API_KEY/CLOB_API_SECRET/CLOB_API_PASSPHRASE`;
  if (t.includes('unauthorized/invalid api key') || t.includes('invalid api key'))
    return `the venue refuses the API key: fix CLOB_API_KEY/CLOB_API_SECRET/CLOB_API_PASSPHRASE, or unset them to create credentials for this PRIVATE_KEY`;
  if (/\binvalid signature\b/.test(t))
    return `the venue refuses the order signature (${type}): check SIGNATURE_TYPE and FUNDER_ADDRESS (proxy/Safe/deposit wallet address as shown on polymarket.com; empty for an EOA)`;
  if (
    t.includes('not enough balance / allowance') &&
    balance?.side === 'BUY' &&
    balance.allowance !== undefined &&
    balance.allowance === 0n
  )
    return signatureType === 0
      ? `the collateral allowance of this wallet for the exchange is 0: run \`npm run approve\` (or check SIGNATURE_TYPE/FUNDER_ADDRESS)`
      : `the venue sees a collateral allowance of 0 for the funder (${type}): check FUNDER_ADDRESS and SIGNATURE_TYPE, and approve the exchange from polymarket.com`;
  return null;
}
