/**
 * Validation of `POST /order` bodies by the local CLOB (clob-v2-local-probe.md §2, §7;
 * polymarket-protocol.md §5.4, §6.1–6.5, §7.2; issue #8): owner = API key; with deposit-wallet-only
 * rules every signature type but 3 is refused (`maker address not allowed…`); signer = the key's
 * address, or for type 3 a deposit wallet the key's account is bound to; maker = signer for EOA
 * (type 0) and POLY_1271 (type 3) orders (types 1/2 take the maker as the funder); the EIP-712
 * signature recovers to the signer (types 0–2) or the wallet contract's ERC-1271
 * `isValidSignature(orderHash, signature)` accepts it (type 3, on the local EVM; refused without
 * one); marketable amounts have maker ≤ 2 and taker ≤ 4 decimals, the implied price sits on the
 * tick grid within `[tick, 1 − tick]`, and the marketable notional reaches the minimum. Error
 * texts are the venue's. Integer micros throughout.
 */
import { verifyTypedData, type Hex } from 'viem';
import { formatMicros, MICROS } from '../../../src/core/money';
import {
  orderDomain,
  orderHash,
  orderMessage,
  ORDER_V2_TYPES,
  type WireOrderV2,
} from '../../../src/execution/clob-typed-data';
import type { ApiIdentity } from './auth';
import { MAKER_NOT_ALLOWED, SIGNER_NOT_API_KEY } from './deposit-wallet';

/** A validated marketable order. Amounts in micros, price in micro-USDC on the tick grid. */
export interface CheckedOrder {
  readonly id: string;
  readonly owner: string;
  readonly maker: string;
  readonly tokenId: string;
  readonly side: 'BUY' | 'SELL';
  readonly orderType: string;
  /** BUY: USDC offered; SELL: shares offered. */
  readonly makerAmount: number;
  /** BUY: minimum shares; SELL: minimum USDC. */
  readonly takerAmount: number;
  /** Limit price implied by the amounts, snapped to the tick. */
  readonly price: number;
}

/** What the check needs to know about the market and the exchange. */
export interface CheckContext {
  readonly chainId: number;
  readonly version: number;
  readonly tick: number;
  readonly negRisk: boolean;
  /** Minimum marketable notional, micro-USDC. */
  readonly minNotional: number;
}

/** A rejection: HTTP status and the `error` text. */
export interface CheckError {
  readonly status: number;
  readonly error: string;
}

const INT = /^\d+$/;
const MAKER_STEP = 10_000;
const TAKER_STEP = 100;

/** Returns the validated order, or the venue's error. Verifies the signature (async, ~2 ms). */
export async function checkOrder(
  body: unknown,
  who: ApiIdentity,
  ctx: CheckContext,
): Promise<CheckedOrder | CheckError> {
  const b = body as { order?: Partial<WireOrderV2>; owner?: unknown; orderType?: unknown } | null;
  const o = b?.order;
  if (o === undefined || typeof o !== 'object') return { status: 400, error: 'Invalid order payload' };
  if (o.timestamp === undefined) return { status: 400, error: 'order_version_mismatch' };
  if (b?.owner !== who.apiKey)
    return { status: 400, error: 'the order owner has to be the owner of the API KEY' };
  const rules = who.rules;
  if (rules?.depositWalletOnly === true && o.signatureType !== 3)
    return { status: 400, error: MAKER_NOT_ALLOWED };
  if (typeof o.signer !== 'string') return { status: 400, error: SIGNER_NOT_API_KEY };
  if (o.signer.toLowerCase() !== who.address.toLowerCase()) {
    const bound = o.signatureType === 3 && rules !== undefined && (await rules.acceptsSigner(o.signer));
    if (!bound) return { status: 400, error: SIGNER_NOT_API_KEY };
  }
  const fields = [o.tokenId, o.makerAmount, o.takerAmount, o.timestamp, String(o.salt)];
  if (!fields.every((f) => typeof f === 'string' && INT.test(f)) || (o.side !== 'BUY' && o.side !== 'SELL'))
    return { status: 400, error: 'Invalid order payload' };
  if ((o.signatureType === 0 || o.signatureType === 3) && o.maker?.toLowerCase() !== o.signer.toLowerCase())
    return { status: 400, error: 'invalid signature' };
  const order = o as WireOrderV2;
  const domainInput = { chainId: ctx.chainId, version: ctx.version, negRisk: ctx.negRisk };
  let id: string;
  try {
    id = orderHash(order, domainInput);
    const ok =
      o.signatureType === 3
        ? await verifyPoly1271(rules, order, id)
        : await verifyTypedData({
            address: order.signer as Hex,
            domain: orderDomain(domainInput),
            types: ORDER_V2_TYPES,
            primaryType: 'Order',
            message: orderMessage(order),
            signature: order.signature as Hex,
          });
    if (ok === 'unsupported')
      return { status: 400, error: 'invalid signature: POLY_1271 is not supported locally' };
    if (!ok) return { status: 400, error: 'invalid signature' };
  } catch (err) {
    if (err instanceof Verify1271Error) throw err.cause;
    return { status: 400, error: 'invalid signature' };
  }
  const orderType = String(b?.orderType ?? '');
  if (orderType !== 'FOK')
    return { status: 400, error: `order ${id} is invalid. Order type ${orderType} is not supported locally` };
  return checkAmounts({ ...order, id, owner: who.apiKey, orderType }, ctx);
}

/** A failure of the ERC-1271 call itself (the chain, not the signature): answered 500, not 400. */
class Verify1271Error extends Error {}

/** Type 3: asks the wallet contract (ERC-1271); `'unsupported'` without a verifier. */
async function verifyPoly1271(
  rules: ApiIdentity['rules'],
  order: WireOrderV2,
  hash: string,
): Promise<boolean | 'unsupported'> {
  const verify = rules?.verify1271;
  if (verify === undefined) return 'unsupported';
  if (typeof order.signature !== 'string' || !/^0x[0-9a-fA-F]*$/.test(order.signature)) return false;
  try {
    return await verify(order.signer, hash, order.signature);
  } catch (err) {
    throw new Verify1271Error('ERC-1271 call failed', { cause: err });
  }
}

function checkAmounts(
  o: WireOrderV2 & { id: string; owner: string; orderType: string },
  ctx: CheckContext,
): CheckedOrder | CheckError {
  const maker = Number(o.makerAmount);
  const taker = Number(o.takerAmount);
  const side = o.side;
  if (!Number.isSafeInteger(maker) || !Number.isSafeInteger(taker) || maker <= 0 || taker <= 0)
    return { status: 400, error: `order ${o.id} is invalid. Amounts must be positive` };
  if (maker % MAKER_STEP !== 0 || taker % TAKER_STEP !== 0) {
    const what = side === 'BUY' ? 'market buy' : 'market sell';
    return {
      status: 400,
      error: `invalid amounts, the ${what} orders maker amount supports a max accuracy of 2 decimals, taker amount a max of 4 decimals`,
    };
  }
  // Implied price: BUY maker/taker, SELL taker/maker (protocol §6.1), snapped to the nearest tick;
  // the taker amount must be what that tick price gives, floored to 4 decimals (probe §2.2).
  const implied = side === 'BUY' ? (maker * MICROS) / taker : (taker * MICROS) / maker;
  const price = Math.round(implied / ctx.tick) * ctx.tick;
  const expectTaker =
    price <= 0
      ? -1
      : side === 'BUY'
        ? Math.floor((maker * MICROS) / price / TAKER_STEP) * TAKER_STEP
        : Math.floor((maker * price) / MICROS / TAKER_STEP) * TAKER_STEP;
  if (expectTaker !== taker || price < ctx.tick || price > MICROS - ctx.tick) {
    return {
      status: 400,
      error: `order ${o.id} is invalid. Price (${implied / MICROS}) breaks minimum tick size rule: ${formatMicros(ctx.tick)}`,
    };
  }
  const notional = side === 'BUY' ? maker : taker;
  if (notional < ctx.minNotional) {
    return {
      status: 400,
      error: `invalid amount for a marketable ${side} order ($${formatMicros(notional)}), min size: $${formatMicros(ctx.minNotional)}`,
    };
  }
  return {
    id: o.id,
    owner: o.owner,
    maker: o.maker,
    tokenId: o.tokenId,
    side,
    orderType: o.orderType,
    makerAmount: maker,
    takerAmount: taker,
    price,
  };
}
