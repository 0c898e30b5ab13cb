/**
 * FOK order building for the CLOB venue (clob-v2-local-probe.md §2.2, §5; polymarket-protocol.md
 * §6.2–6.4). Amounts come from the command in integer micros: BUY maker = the notional (2 dp),
 * taker = notional / limit floored to 4 dp; SELL maker = the shares (2 dp), taker = shares × limit
 * floored to 4 dp. On ticks 0.1 / 0.01 the client's `createMarketOrder` yields exactly these; on
 * finer ticks its 5–6 dp taker is always refused by the venue (§6.4, py-clob-client-v2 #99), so the
 * order is signed here from the exact amounts with the same EIP-712 struct (for signature type 3,
 * the same ERC-7739 wrapped signature as the client's: `signOrderPoly1271`).
 */
import {
  isV2Order,
  OrderType,
  Side,
  type ClobClient,
  type SignedOrder,
  type TickSize,
} from '@polymarket/clob-client-v2';
import type { Hex, LocalAccount } from 'viem';
import { MICROS } from '../core/money';
import type { OrderCommand } from '../core/types';
import {
  orderDomain,
  orderHash,
  orderMessage,
  ORDER_V2_TYPES,
  POLY_1271,
  signOrderPoly1271,
} from './clob-typed-data';
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

const ZERO32 = ('0x' + '0'.repeat(64)) as Hex;

/**
 * Builds and signs a FOK for `cmd` on a tick (micro-USDC) at protocol `version`.
 * @throws {Error} when the client refuses the order (bad price, unknown network…) or signing fails.
 */
export async function buildFok(
  client: ClobClient,
  s: OrderSigner,
  cmd: OrderCommand,
  tick: number,
  version: number,
  negRisk: boolean,
): Promise<BuiltOrder> {
  const want = fokAmounts(cmd);
  const domain = { chainId: s.chainId, version, negRisk };
  const tickSize = TICK_STRINGS.get(tick);
  if (tickSize !== undefined && tick >= 10_000) {
    const order = await client.createMarketOrder(
      {
        tokenID: cmd.tokenId,
        price: cmd.limitPrice / MICROS,
        amount: want.makerAmount / MICROS,
        side: cmd.side === 'BUY' ? Side.BUY : Side.SELL,
        orderType: OrderType.FOK,
      },
      { tickSize, negRisk, version: version as 2 | 3 },
    );
    if (
      isV2Order(order) &&
      order.makerAmount === String(want.makerAmount) &&
      order.takerAmount === String(want.takerAmount)
    ) {
      return { order, orderId: orderHash(order, domain) };
    }
  }
  return signExact(s, cmd, want, domain);
}

async function signExact(
  s: OrderSigner,
  cmd: OrderCommand,
  amt: { makerAmount: number; takerAmount: number },
  domain: { chainId: number; version: number; negRisk: boolean },
): Promise<BuiltOrder> {
  const fields = {
    salt: String(Math.round(Math.random() * Date.now())),
    maker: s.maker,
    // POLY_1271: the deposit wallet is maker and signer (client 1.1.0 createMarketOrder)
    signer: s.signatureType === POLY_1271 ? s.maker : s.account.address,
    tokenId: cmd.tokenId,
    makerAmount: String(amt.makerAmount),
    takerAmount: String(amt.takerAmount),
    side: cmd.side === 'BUY' ? Side.BUY : Side.SELL,
    signatureType: s.signatureType,
    timestamp: String(Date.now()),
    metadata: ZERO32,
    builder: ZERO32,
  };
  const signature =
    s.signatureType === POLY_1271
      ? await signOrderPoly1271(s.account, fields, domain)
      : await s.account.signTypedData({
          domain: orderDomain(domain),
          types: ORDER_V2_TYPES,
          primaryType: 'Order',
          message: orderMessage(fields),
        });
  const order = { ...fields, expiration: '0', signature } as SignedOrder;
  return { order, orderId: orderHash(fields, domain) };
}
