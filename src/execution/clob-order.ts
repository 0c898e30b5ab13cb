/**
 * FOK order building for the CLOB venue (clob-v2-local-probe.md §2.2, §5; polymarket-protocol.md
 * §6.2–6.4). Amounts come from the command in integer micros: BUY maker = the notional (2 dp),
 * taker = notional / limit floored to 4 dp; SELL maker = the shares (2 dp), taker = shares × limit
 * floored to 4 dp. On ticks 0.1 / 0.01 the client's `createMarketOrder` yields exactly these; on
 * finer ticks its 5–6 dp taker is always refused by the venue (§6.4, py-clob-client-v2 #99). Every
 * order is therefore signed here from the exact amounts with the client's EIP-712 struct and
 * signature (`order-signing.ts`, tested byte for byte against the client; issue #10: the salt and
 * timestamp come from the injected wall clock and random source, and signing skips the client's
 * per-order work).
 */
import { Side, type SignedOrder, type TickSize } from '@polymarket/clob-client-v2';
import type { Hex, LocalAccount } from 'viem';
import { MICROS } from '../core/money';
import type { OrderCommand } from '../core/types';
import { POLY_1271 } from './clob-typed-data';
import type { OrderSigningKey } from './order-signing';
import { TAKER_STEP } from './pricing';

/** Tick sizes the client knows, by tick in micro-USDC (probe §1.3: exactly these strings). */
export const TICK_STRINGS: ReadonlyMap<number, TickSize> = new Map([
  [100_000, '0.1'],
  [10_000, '0.01'],
  [5_000, '0.005'],
  [2_500, '0.0025'],
  [1_000, '0.001'],
  [100, '0.0001'],
]);

/** Returns the exact FOK amounts of a command, integer base units (micros). */
export function fokAmounts(cmd: OrderCommand): { makerAmount: number; takerAmount: number } {
  const p = cmd.limitPrice;
  if (cmd.side === 'BUY') {
    const maker = cmd.notional ?? 0;
    return { makerAmount: maker, takerAmount: Math.floor((maker * MICROS) / p / TAKER_STEP) * TAKER_STEP };
  }
  const maker = cmd.shares ?? 0;
  return { makerAmount: maker, takerAmount: Math.floor((maker * p) / MICROS / TAKER_STEP) * TAKER_STEP };
}

/** Who signs and for whom. */
export interface OrderSigner {
  readonly account: LocalAccount;
  readonly chainId: number;
  /** 0 EOA, 1 POLY_PROXY, 2 POLY_GNOSIS_SAFE, 3 POLY_1271 (deposit wallet). */
  readonly signatureType: number;
  /** Maker address (the funder for types 1/2/3), checksummed; the signer EOA for type 0. */
  readonly maker: string;
}

/** A signed FOK and its order id (EIP-712 digest; the venue's `orderID`). */
export interface BuiltOrder {
  readonly order: SignedOrder;
  readonly orderId: string;
}

/**
 * Where an order's salt and timestamp come from (issue #10: injected, never read inside
 * `execution/`): `nowMs` the wall time of signing, ms since the epoch (the signed `timestamp`);
 * `random` a source in [0, 1). The salt is `round(random × nowMs)`, the client's own formula
 * (`generateOrderSalt`), so the same inputs give byte-identical signed orders.
 */
export interface OrderStamp {
  readonly nowMs: number;
  readonly random: () => number;
}

const ZERO32 = ('0x' + '0'.repeat(64)) as Hex;

/**
 * Builds and signs a FOK for `cmd` at protocol `version` (domain: the signer's chain, the
 * market's neg-risk flag): exact amounts ({@link fokAmounts}), maker/signer by signature type
 * (type 3: the deposit wallet is both, client 1.1.0), salt and timestamp from `stamp`, signed by
 * `key` (same signature as the official client's for the same fields).
 * @throws {RangeError} for an unsupported version/chain or a malformed field.
 */
export async function buildFok(
  key: OrderSigningKey,
  s: OrderSigner,
  cmd: OrderCommand,
  version: number,
  negRisk: boolean,
  stamp: OrderStamp,
): Promise<BuiltOrder> {
  const amt = fokAmounts(cmd);
  const fields = {
    salt: String(Math.round(stamp.random() * stamp.nowMs)),
    maker: s.maker,
    // POLY_1271: the deposit wallet is maker and signer (client 1.1.0 createMarketOrder)
    signer: s.signatureType === POLY_1271 ? s.maker : s.account.address,
    tokenId: cmd.tokenId,
    makerAmount: String(amt.makerAmount),
    takerAmount: String(amt.takerAmount),
    side: cmd.side === 'BUY' ? Side.BUY : Side.SELL,
    signatureType: s.signatureType,
    timestamp: String(stamp.nowMs),
    metadata: ZERO32,
    builder: ZERO32,
  };
  const signed = await key.sign(fields, { chainId: s.chainId, version, negRisk });
  const order = { ...fields, expiration: '0', signature: signed.signature } as SignedOrder;
  return { order, orderId: signed.orderId };
}
