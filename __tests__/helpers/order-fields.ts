/** The signed fields of a client-built order (`OrderFields`: salt as a decimal string), for signing tests. */
import type { SignedOrder } from '@polymarket/clob-client-v2';
import type { OrderFields } from '../../src/execution/clob-typed-data';

/** The EIP-712 `Order` fields of a signed order (the signature and expiration left out). */
export function fieldsOf(o: SignedOrder): OrderFields {
  const w = o as unknown as OrderFields;
  return {
    salt: String(w.salt),
    maker: w.maker,
    signer: w.signer,
    tokenId: w.tokenId,
    makerAmount: w.makerAmount,
    takerAmount: w.takerAmount,
    side: w.side,
    signatureType: w.signatureType,
    timestamp: w.timestamp,
    metadata: w.metadata,
    builder: w.builder,
  };
}
