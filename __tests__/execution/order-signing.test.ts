/**
 * Issue #10: orders are signed by the project's own EIP-712 path (precomputed domain separator and
 * type hashes, the digest signed directly) and must be byte-identical to what the official
 * `@polymarket/clob-client-v2` 1.1.0 signs for the same salt and timestamp — signature types 0
 * (EOA) and 3 (POLY_1271 deposit wallet), BUY and SELL — and to viem's typed-data signing on every
 * domain (V2, V2 neg-risk, V3 on both chains). The salt and timestamp come from the injected wall
 * clock and random source: the same inputs give the same signed order. Fresh keys per run.
 */
import { jest } from '@jest/globals';
import { ClobClient, OrderType, Side, type SignedOrder } from '@polymarket/clob-client-v2';
import { createWalletClient, custom, type Hex } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { polygon } from 'viem/chains';
import type { OrderCommand } from '../../src/core/types';
import { buildFok, type OrderSigner } from '../../src/execution/clob-order';
import {
  orderDomain,
  orderHash,
  orderMessage,
  ORDER_V2_TYPES,
  signOrderPoly1271,
  type OrderFields,
} from '../../src/execution/clob-typed-data';
import { OrderSigningKey } from '../../src/execution/order-signing';
import { fieldsOf } from '../helpers/order-fields';

const TOKEN = '71321045679252212594626385532706912750332728571942532289631379312455583992563';
const NOW = 1_767_225_600_123;
const RANDOM = 0.4217;

/** The official client, offline (probe §1.2: seeded caches make order building offline). */
function officialClient(pk: Hex, signatureType: 0 | 3, funder?: string): ClobClient {
  const signer = createWalletClient({
    account: privateKeyToAccount(pk),
    chain: polygon,
    transport: custom({ request: () => Promise.reject(new Error('offline')) }),
  });
  const client = new ClobClient({
    host: 'http://127.0.0.1:1',
    chain: 137,
    signer,
    signatureType,
    ...(funder === undefined ? {} : { funderAddress: funder }),
  });
  client.tickSizes[TOKEN] = '0.01';
  client.negRisk[TOKEN] = false;
  client.feeInfos[TOKEN] = { rate: 0, exponent: 0 };
  return client;
}

const command = (side: 'BUY' | 'SELL'): OrderCommand => ({
  clientOrderId: 'c1',
  positionKey: 'p',
  purpose: side === 'BUY' ? 'entry' : 'exit',
  tokenId: TOKEN,
  window: { crypto: 'BTC', windowSec: 900, windowEpoch: 0 },
  side,
  tif: 'FOK',
  limitPrice: 470_000,
  ...(side === 'BUY' ? { notional: 5_000_000 } : { shares: 12_340_000 }),
  createdMs: 0,
});

const wire = (o: SignedOrder) => {
  const w = o as unknown as OrderFields & { signature: string; expiration: string };
  return { ...fieldsOf(o), expiration: w.expiration, signature: w.signature };
};

afterEach(() => jest.restoreAllMocks());

describe.each([0, 3] as const)('signature type %i', (signatureType) => {
  it.each(['BUY', 'SELL'] as const)(
    '%s: the signed order equals the official client’s byte for byte',
    async (side) => {
      const pk = generatePrivateKey();
      const account = privateKeyToAccount(pk);
      const wallet = signatureType === 3 ? privateKeyToAccount(generatePrivateKey()).address : undefined;
      // the client reads its salt and timestamp from Math.random and Date.now: pin both
      jest.spyOn(Math, 'random').mockReturnValue(RANDOM);
      jest.spyOn(Date, 'now').mockReturnValue(NOW);
      const cmd = command(side);
      const theirs = await officialClient(pk, signatureType, wallet).createMarketOrder(
        {
          tokenID: TOKEN,
          price: 0.47,
          amount: side === 'BUY' ? 5 : 12.34,
          side: side === 'BUY' ? Side.BUY : Side.SELL,
          orderType: OrderType.FOK,
        },
        { tickSize: '0.01', negRisk: false, version: 2 },
      );
      jest.restoreAllMocks();
      const signer: OrderSigner = { account, chainId: 137, signatureType, maker: wallet ?? account.address };
      const mine = await buildFok(new OrderSigningKey(account), signer, cmd, 2, false, {
        nowMs: NOW,
        random: () => RANDOM,
      });
      expect(wire(mine.order)).toEqual(wire(theirs));
      expect(mine.orderId).toBe(orderHash(fieldsOf(theirs), { chainId: 137, version: 2, negRisk: false }));
    },
  );
});

describe('the injected wall clock and random source', () => {
  it('give byte-identical signed orders; another salt or time gives another order id', async () => {
    const account = privateKeyToAccount(generatePrivateKey());
    const signer: OrderSigner = { account, chainId: 137, signatureType: 0, maker: account.address };
    const sign = (nowMs: number, r: number) =>
      buildFok(new OrderSigningKey(account), signer, command('BUY'), 2, false, { nowMs, random: () => r });
    const a = await sign(NOW, RANDOM);
    const b = await sign(NOW, RANDOM);
    expect(JSON.stringify(b.order)).toBe(JSON.stringify(a.order));
    expect(b.orderId).toBe(a.orderId);
    const w = a.order as unknown as OrderFields;
    expect(w.timestamp).toBe(String(NOW));
    expect(w.salt).toBe(String(Math.round(RANDOM * NOW)));
    expect((await sign(NOW + 1, RANDOM)).orderId).not.toBe(a.orderId);
    expect((await sign(NOW, 0.5)).orderId).not.toBe(a.orderId);
  });
});

describe('every domain', () => {
  const domains = [
    { chainId: 137, version: 2, negRisk: false },
    { chainId: 137, version: 2, negRisk: true },
    { chainId: 137, version: 3, negRisk: false },
    { chainId: 80002, version: 3, negRisk: false },
  ];
  it.each(domains)('%o: the digest and signatures equal viem’s typed-data signing', async (d) => {
    const account = privateKeyToAccount(generatePrivateKey());
    const wallet = privateKeyToAccount(generatePrivateKey()).address;
    const key = new OrderSigningKey(account);
    const base = {
      salt: '987654321012',
      tokenId: TOKEN,
      makerAmount: '5000000',
      takerAmount: '10638200',
      side: 'BUY',
      timestamp: String(NOW),
      metadata: `0x${'0'.repeat(64)}`,
      builder: `0x${'ab'.repeat(32)}`,
    };
    const eoa: OrderFields = { ...base, maker: account.address, signer: account.address, signatureType: 0 };
    const fast = await key.sign(eoa, d);
    expect(fast.orderId).toBe(orderHash(eoa, d));
    expect(fast.signature).toBe(
      await account.signTypedData({
        domain: orderDomain(d),
        types: ORDER_V2_TYPES,
        primaryType: 'Order',
        message: orderMessage(eoa),
      }),
    );
    const deposit: OrderFields = { ...base, side: 'SELL', maker: wallet, signer: wallet, signatureType: 3 };
    const fast3 = await key.sign(deposit, d);
    expect(fast3.orderId).toBe(orderHash(deposit, d));
    expect(fast3.signature).toBe(await signOrderPoly1271(account, deposit, d));
  });

  it('refuses a malformed field instead of signing it', async () => {
    const account = privateKeyToAccount(generatePrivateKey());
    const key = new OrderSigningKey(account);
    const bad: OrderFields = {
      salt: '1',
      maker: '0x1234',
      signer: account.address,
      tokenId: TOKEN,
      makerAmount: '1',
      takerAmount: '1',
      side: 'BUY',
      signatureType: 0,
      timestamp: '1',
      metadata: `0x${'0'.repeat(64)}`,
      builder: `0x${'0'.repeat(64)}`,
    };
    await expect(key.sign(bad, { chainId: 137, version: 2, negRisk: false })).rejects.toThrow(
      /maker is not an address/,
    );
  });
});
