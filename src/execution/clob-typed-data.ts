/**
 * EIP-712 typed data of CLOB V2 orders (clob-v2-local-probe.md §2.4; polymarket-protocol.md §10),
 * shared by the CLOB venue (order ids for reconciliation, exact-amount signing) and the local
 * exchange (signature verification). Protocol versions 2 and 3 sign the same `Order` struct under
 * domain `Polymarket CTF Exchange` with `version` = the protocol version. Signature type 3
 * (POLY_1271, a deposit wallet; issue #8) wraps the owner's signature the ERC-7739 way, exactly as
 * `@polymarket/clob-client-v2` 1.1.0 does (`ExchangeOrderBuilderV2.buildOrderSignature`).
 */
import { domainSeparator, hashStruct, hashTypedData, toHex, type Hex, type LocalAccount } from 'viem';

/** The V2/V3 `Order` struct, in signing order (probe §2.4). */
export const ORDER_V2_TYPES = {
  Order: [
    { name: 'salt', type: 'uint256' },
    { name: 'maker', type: 'address' },
    { name: 'signer', type: 'address' },
    { name: 'tokenId', type: 'uint256' },
    { name: 'makerAmount', type: 'uint256' },
    { name: 'takerAmount', type: 'uint256' },
    { name: 'side', type: 'uint8' },
    { name: 'signatureType', type: 'uint8' },
    { name: 'timestamp', type: 'uint256' },
    { name: 'metadata', type: 'bytes32' },
    { name: 'builder', type: 'bytes32' },
  ],
} as const;

/** A V2 order as it travels in `POST /order` (`order` object; probe §2.1). */
export interface WireOrderV2 {
  readonly salt: number | string;
  readonly maker: string;
  readonly signer: string;
  readonly tokenId: string;
  /** Integer base units (6 decimals) as a decimal string. */
  readonly makerAmount: string;
  readonly takerAmount: string;
  readonly side: 'BUY' | 'SELL';
  readonly signatureType: number;
  /** ms since the epoch, decimal string (signed). */
  readonly timestamp: string;
  /** Unix seconds or "0"; not signed in V2. */
  readonly expiration: string;
  readonly metadata: string;
  readonly builder: string;
  readonly signature: string;
}

/** The signed fields of an order (`side` is `BUY` or `SELL`). */
export type OrderFields = Omit<WireOrderV2, 'signature' | 'expiration' | 'side'> & { readonly side: string };

/** Where an order is signed: chain id, protocol version (2 or 3) and the market's neg-risk flag. */
export interface OrderDomainInput {
  readonly chainId: number;
  readonly version: number;
  readonly negRisk: boolean;
}

const V2_EXCHANGE = '0xE111180000d2663C0091e4f400237545B87B996B';
const V2_NEG_RISK_EXCHANGE = '0xe2222d279d744050d28e00520010520000310F59';
const V3_EXCHANGE: Readonly<Record<number, string>> = {
  137: '0xe3333700cA9d93003F00f0F71f8515005F6c00Aa',
  80002: '0x9fE6e61422AdB6F610d8597F9684b16912D50C3D',
};

/**
 * Returns the EIP-712 domain of an order (probe §2.4 table).
 * @throws {RangeError} for a protocol version other than 2 or 3, or V3 on an unknown chain.
 */
export function orderDomain(d: OrderDomainInput): {
  name: string;
  version: string;
  chainId: number;
  verifyingContract: Hex;
} {
  let contract: string | undefined;
  if (d.version === 2) contract = d.negRisk ? V2_NEG_RISK_EXCHANGE : V2_EXCHANGE;
  else if (d.version === 3) contract = V3_EXCHANGE[d.chainId];
  if (contract === undefined)
    throw new RangeError(`unsupported order version ${d.version} on chain ${d.chainId}`);
  return {
    name: 'Polymarket CTF Exchange',
    version: String(d.version),
    chainId: d.chainId,
    verifyingContract: contract as Hex,
  };
}

/** Returns the signed message of a wire order (side BUY→0 / SELL→1, integers as bigint). */
export function orderMessage(o: OrderFields) {
  return {
    salt: BigInt(o.salt),
    maker: o.maker as Hex,
    signer: o.signer as Hex,
    tokenId: BigInt(o.tokenId),
    makerAmount: BigInt(o.makerAmount),
    takerAmount: BigInt(o.takerAmount),
    side: o.side === 'BUY' ? 0 : 1,
    signatureType: o.signatureType,
    timestamp: BigInt(o.timestamp),
    metadata: o.metadata as Hex,
    builder: o.builder as Hex,
  };
}

/**
 * Returns the order id: the EIP-712 digest of the order (`0x` + 64 hex), what the exchange
 * reports as `orderID` (polymarket-protocol.md §5.4).
 * @throws {RangeError} see {@link orderDomain}; {@link SyntaxError} when an integer field is not one.
 */
export function orderHash(o: OrderFields, d: OrderDomainInput): Hex {
  return hashTypedData({
    domain: orderDomain(d),
    types: ORDER_V2_TYPES,
    primaryType: 'Order',
    message: orderMessage(o),
  });
}

/** The `Order` type string (EIP-712 `encodeType`), as appended to a POLY_1271 signature. */
export const ORDER_TYPE_STRING = `Order(${ORDER_V2_TYPES.Order.map((f) => `${f.type} ${f.name}`).join(',')})`;

/** ERC-7739 `TypedDataSign` over an `Order` (client 1.1.0 `TYPED_DATA_SIGN_STRUCT`). */
export const TYPED_DATA_SIGN_TYPES = {
  TypedDataSign: [
    { name: 'contents', type: 'Order' },
    { name: 'name', type: 'string' },
    { name: 'version', type: 'string' },
    { name: 'chainId', type: 'uint256' },
    { name: 'verifyingContract', type: 'address' },
    { name: 'salt', type: 'bytes32' },
  ],
  Order: ORDER_V2_TYPES.Order,
} as const;

/** Signature type 3: POLY_1271, the maker and signer being a deposit wallet (ERC-1271). */
export const POLY_1271 = 3;

const ZERO32 = `0x${'0'.repeat(64)}` as Hex;

/**
 * Signs an order for a deposit wallet (signature type 3; `o.signer` = `o.maker` = the wallet): the
 * owner key signs `TypedDataSign{contents: order, name "DepositWallet", version "1", chainId,
 * verifyingContract: the wallet, salt 0}` under the exchange domain, and the signature is
 * `ownerSig(65) ‖ exchangeDomainSeparator(32) ‖ hashStruct(order)(32) ‖ ORDER_TYPE_STRING(186) ‖
 * uint16 186` = 317 bytes (ERC-7739 nested typed-data sign, as the client builds it).
 * @throws {RangeError} see {@link orderDomain}.
 */
export async function signOrderPoly1271(
  account: LocalAccount,
  o: OrderFields,
  d: OrderDomainInput,
): Promise<Hex> {
  const domain = orderDomain(d);
  const message = orderMessage(o);
  const inner = await account.signTypedData({
    domain,
    types: TYPED_DATA_SIGN_TYPES,
    primaryType: 'TypedDataSign',
    message: {
      contents: message,
      name: 'DepositWallet',
      version: '1',
      chainId: BigInt(d.chainId),
      verifyingContract: o.signer as Hex,
      salt: ZERO32,
    },
  });
  const appDomainSep = domainSeparator({ domain });
  const contents = hashStruct({ data: message, primaryType: 'Order', types: ORDER_V2_TYPES });
  const typeHex = toHex(ORDER_TYPE_STRING);
  const len = ORDER_TYPE_STRING.length.toString(16).padStart(4, '0');
  return `0x${inner.slice(2)}${appDomainSep.slice(2)}${contents.slice(2)}${typeHex.slice(2)}${len}`;
}
