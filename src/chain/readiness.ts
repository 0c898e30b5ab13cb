/**
 * The start-up allowance check of live trading (issue #8 point 4; polymarket-protocol.md §7.3,
 * §10): before the first order, the funder must have approved every V2 exchange spender for the
 * collateral (to BUY) and for its outcome tokens (CTF `setApprovalForAll`, to SELL), and an EOA
 * signer must hold gas for its own transactions (redeem). Each missing item is one refusal line
 * telling the user what to do; an empty list means ready. Also resolves the addresses and the
 * spender list from the configuration (`EXCHANGE_SPENDERS`, `CTF_ADDRESS`, `COLLATERAL_ADDRESS`).
 */
import { formatUnits, getAddress, parseEther, type ContractRunner } from 'ethers';
import { ConfigError } from '../core/errors';
import { POLYGON_ADDRESSES, chainAddresses } from './addresses';
import { ChainReader } from './balances';

/** Human names of the Polygon spenders, for refusal lines. */
const SPENDER_NAMES: ReadonlyMap<string, string> = new Map([
  [POLYGON_ADDRESSES.ctfExchangeV2.toLowerCase(), 'CTF Exchange V2'],
  [POLYGON_ADDRESSES.negRiskCtfExchangeV2.toLowerCase(), 'NegRisk CTF Exchange V2'],
  [POLYGON_ADDRESSES.negRiskAdapter.toLowerCase(), 'NegRisk Adapter'],
  [POLYGON_ADDRESSES.ctfExchangeV1.toLowerCase(), 'CTF Exchange V1'],
  [POLYGON_ADDRESSES.negRiskCtfExchangeV1.toLowerCase(), 'NegRisk CTF Exchange V1'],
  [POLYGON_ADDRESSES.exchangeV3.toLowerCase(), 'ExchangeV3'],
]);

/** Returns `address` with its Polygon contract name when it has one, e.g. `0xE111… (CTF Exchange V2)`. */
export function describeSpender(address: string): string {
  const name = SPENDER_NAMES.get(address.toLowerCase());
  return name === undefined ? address : `${address} (${name})`;
}

/** The settings the chain-edge addresses come from (a `Config` fits). */
export interface ChainSettings {
  readonly CHAIN_ID: number;
  readonly CTF_ADDRESS: string;
  readonly COLLATERAL_ADDRESS: string;
  readonly EXCHANGE_SPENDERS: string;
}

/** The addresses the readiness check and `approve` act on, EIP-55 checksummed. */
export interface TradingAddresses {
  /** ConditionalTokens (`CTF_ADDRESS`, else the chain's). */
  readonly ctf: string;
  /** Collateral the V2 venue trades (`COLLATERAL_ADDRESS`, else pUSD on 137, §10). */
  readonly collateral: string;
  /** Spenders/operators to approve (`EXCHANGE_SPENDERS`, else `chainAddresses(...).spendersV2`). */
  readonly spenders: readonly string[];
}

/**
 * Parses `EXCHANGE_SPENDERS`: comma-separated addresses, blanks ignored, duplicates collapsed.
 * @throws {ConfigError} naming the entry that is not an address.
 */
export function parseSpenders(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split(',')) {
    const t = raw.trim();
    if (t === '') continue;
    let a: string;
    try {
      a = getAddress(t);
    } catch (cause) {
      throw new ConfigError(`EXCHANGE_SPENDERS: ${JSON.stringify(t)} is not an address`, { cause });
    }
    if (!out.includes(a)) out.push(a);
  }
  return out;
}

/**
 * Returns the CTF, the trading collateral and the spenders of the configuration: explicit
 * settings first, else the chain id's own (Polygon 137, `addresses.ts`).
 * @throws {ConfigError} when an explicit address is invalid, or a chain without a built-in table
 *   (a local chain) lacks CTF_ADDRESS, COLLATERAL_ADDRESS or EXCHANGE_SPENDERS (the line says which).
 */
export function tradingAddresses(cfg: ChainSettings): TradingAddresses {
  const spenders = parseSpenders(cfg.EXCHANGE_SPENDERS);
  const explicit = (key: 'CTF_ADDRESS' | 'COLLATERAL_ADDRESS'): string | null => {
    const v = cfg[key].trim();
    if (v === '') return null;
    try {
      return getAddress(v);
    } catch (cause) {
      throw new ConfigError(`${key}: ${JSON.stringify(v)} is not an address`, { cause });
    }
  };
  const ctf = explicit('CTF_ADDRESS');
  const collateral = explicit('COLLATERAL_ADDRESS');
  if (cfg.CHAIN_ID !== 137) {
    const missing = [
      ...(ctf === null ? ['CTF_ADDRESS'] : []),
      ...(collateral === null ? ['COLLATERAL_ADDRESS'] : []),
      ...(spenders.length === 0 ? ['EXCHANGE_SPENDERS'] : []),
    ];
    if (missing.length > 0 || ctf === null || collateral === null)
      throw new ConfigError(
        `chain ${cfg.CHAIN_ID} has no built-in addresses: set ${missing.join(', ')} (the local exchange's operator is its spender)`,
      );
    return { ctf, collateral, spenders };
  }
  const a = chainAddresses(137);
  return {
    ctf: ctf ?? a.conditionalTokens,
    collateral: collateral ?? a.collateralV2,
    spenders: spenders.length > 0 ? spenders : [...a.spendersV2],
  };
}

/** Inputs of {@link checkTradingReadiness}. */
export interface ReadinessOptions {
  /** Any ethers runner with a provider. */
  readonly runner: ContractRunner;
  /** RPC URL, for error messages only (redacted). */
  readonly rpcUrl: string;
  /** The funder: holds the collateral and the outcome tokens (§7.2). */
  readonly owner: string;
  /** The signing key's address (the EOA). */
  readonly signer: string;
  /** 0 EOA, 1 POLY_PROXY, 2 POLY_GNOSIS_SAFE, 3 POLY_1271 deposit wallet (§7.2, §10). */
  readonly signatureType: number;
  /** Spenders/operators to check (`TradingAddresses.spenders`). */
  readonly spenders: readonly string[];
  /** Collateral ERC-20 the venue trades (pUSD on 137). */
  readonly collateral: string;
  /** ConditionalTokens address. */
  readonly ctf: string;
  /**
   * Least collateral allowance per spender, micro-USDC: the position size (one entry must be
   * payable). An allowance below it is refused; `npm run approve` sets the maximum.
   */
  readonly minAllowanceMicros: bigint;
  /** Least native balance of the gas payer, wei (`MIN_GAS_POL` × 1e18). */
  readonly minGasWei: bigint;
  /**
   * Whose gas is checked: default the signer for an EOA (type 0: it sends its own redeem
   * transactions) and nobody for types 1–3 (their wallet or Polymarket's relayer pays).
   */
  readonly gasPayer?: string | null;
}

/** What the user must do to fix an approval, by signature type. */
export function approvalRemedy(signatureType: number): string {
  switch (signatureType) {
    case 0:
      return 'run `npm run approve` (sends the approvals from the key, needs POL for gas)';
    case 1:
      return 'approve it from the proxy wallet: enable trading in the Polymarket UI';
    case 2:
      return 'approve it from the Safe: enable trading in the Polymarket UI or send the approval as a Safe transaction';
    default:
      return 'approvals of a deposit wallet are made by the wallet: enable trading in the Polymarket UI';
  }
}

/** Formats wei as POL with at most 4 decimals (display only). */
function pol(wei: bigint): string {
  return String(Number(formatUnits(wei, 18)).toFixed(4)).replace(/\.?0+$/, '');
}

/** Converts `MIN_GAS_POL` (POL, a decimal number) to wei. @throws {ConfigError} when negative or not finite. */
export function polToWei(pol: number): bigint {
  if (!Number.isFinite(pol) || pol < 0) throw new ConfigError(`MIN_GAS_POL: ${pol} is not a POL amount`);
  return parseEther(pol.toFixed(9)); // 1e-9 POL resolution: no float noise in the last digits
}

/**
 * Returns one refusal line per missing item, empty when trading may start (issue #8 point 4):
 * for each spender, the funder's collateral allowance ≥ `minAllowanceMicros` and
 * `isApprovedForAll(funder, spender)` on the CTF (without it an entry can never be sold); for an
 * EOA, the signer's gas ≥ `minGasWei`. Each line names the address, the amount found and what to do.
 * Makes 2 reads per spender plus one balance read, in parallel.
 * @throws {ChainNetworkError} | {ChainRevertError} | {ChainDataError} when a read fails (the
 *   check did not run: the caller refuses to start with the error's message).
 */
export async function checkTradingReadiness(opts: ReadinessOptions): Promise<string[]> {
  const reader = new ChainReader({
    runner: opts.runner,
    rpcUrl: opts.rpcUrl,
    conditionalTokens: opts.ctf,
    collateral: opts.collateral,
  });
  const remedy = approvalRemedy(opts.signatureType);
  const gasPayer =
    opts.gasPayer !== undefined ? opts.gasPayer : opts.signatureType === 0 ? opts.signer : null;
  const perSpender = await Promise.all(
    opts.spenders.map(async (spender) => {
      const [allowance, approved] = await Promise.all([
        reader.collateralAllowance(opts.owner, spender),
        reader.isApprovedForAll(opts.owner, spender),
      ]);
      const lines: string[] = [];
      if (allowance < opts.minAllowanceMicros)
        lines.push(
          `collateral allowance of ${opts.owner} for ${describeSpender(spender)} is ${formatUnits(allowance, 6)} USDC, below the position size ${formatUnits(opts.minAllowanceMicros, 6)} USDC (entries would be refused): ${remedy}`,
        );
      if (!approved)
        lines.push(
          `outcome-token approval (CTF setApprovalForAll) of ${opts.owner} for ${describeSpender(spender)} is missing (positions could be bought but never sold): ${remedy}`,
        );
      return lines;
    }),
  );
  const out = perSpender.flat();
  if (gasPayer !== null) {
    const wei = await reader.nativeBalance(gasPayer);
    if (wei < opts.minGasWei)
      out.push(
        `signer ${gasPayer} holds ${pol(wei)} POL, below MIN_GAS_POL ${pol(opts.minGasWei)} (redeem and approve transactions pay gas): send POL to it`,
      );
  }
  return out;
}
