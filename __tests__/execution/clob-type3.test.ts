/**
 * Signature type 3 (POLY_1271, a deposit wallet; issue #8): the project's exact-amount signing
 * builds the same ERC-7739 wrapped signature as `@polymarket/clob-client-v2` 1.1.0, and a
 * type-3 venue trades end to end through the local exchange, which verifies the signature with
 * the deposit wallet contract's ERC-1271 `isValidSignature` on the local EVM (deposit-wallet-only
 * mode). Fresh wallets per run.
 */
import { deepVenueStack } from '../helpers/stacks';
import { ClobClient, OrderType, Side } from '@polymarket/clob-client-v2';
import { Wallet } from 'ethers';
import pino from 'pino';
import { createWalletClient, custom, hexToBytes, recoverTypedDataAddress, type Hex } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { polygon } from 'viem/chains';
import type { OrderCommand, VenueEvent } from '../../src/core/types';
import { type VenueStack } from '../../testkit/exchange-local/venue-stack';
import { buildFok } from '../../src/execution/clob-order';
import {
  orderHash,
  orderMessage,
  signOrderPoly1271,
  TYPED_DATA_SIGN_TYPES,
  type OrderFields,
} from '../../src/execution/clob-typed-data';
import { ClobVenue } from '../../src/execution/clob-venue';
import { OrderSigningKey } from '../../src/execution/order-signing';
import { fieldsOf } from '../helpers/order-fields';

const TOKEN = '1234567890';
const DOMAIN = { chainId: 137, version: 2, negRisk: false };

function offlineClient(pk: Hex, funder: string): ClobClient {
  const account = privateKeyToAccount(pk);
  const signer = createWalletClient({
    account,
    chain: polygon,
    transport: custom({ request: () => Promise.reject(new Error('offline')) }),
  });
  const client = new ClobClient({
    host: 'http://127.0.0.1:1',
    chain: 137,
    signer,
    signatureType: 3,
    funderAddress: funder,
  });
  // probe §1.2: seeded caches make order building offline
  client.tickSizes[TOKEN] = '0.01';
  client.negRisk[TOKEN] = false;
  client.feeInfos[TOKEN] = { rate: 0, exponent: 0 };
  return client;
}

describe('POLY_1271 signing', () => {
  it('the wrapped signature equals the client’s byte for byte (317 bytes)', async () => {
    const pk = generatePrivateKey();
    const wallet = privateKeyToAccount(generatePrivateKey()).address; // any contract address
    const order = await offlineClient(pk, wallet).createMarketOrder(
      { tokenID: TOKEN, price: 0.5, amount: 5, side: Side.BUY, orderType: OrderType.FOK },
      { tickSize: '0.01', negRisk: false, version: 2 },
    );
    const w = order as unknown as { maker: string; signer: string; signature: Hex };
    expect(w.maker).toBe(wallet);
    expect(w.signer).toBe(wallet);
    expect(hexToBytes(w.signature)).toHaveLength(317);
    const mine = await signOrderPoly1271(privateKeyToAccount(pk), fieldsOf(order), DOMAIN);
    expect(mine).toBe(w.signature);
  });

  it('exact-amount signing (fine ticks) builds a type-3 order the ERC-7739 way', async () => {
    const pk = generatePrivateKey();
    const account = privateKeyToAccount(pk);
    const wallet = privateKeyToAccount(generatePrivateKey()).address;
    const cmd: OrderCommand = {
      clientOrderId: 'x',
      positionKey: 'p',
      purpose: 'entry',
      tokenId: TOKEN,
      window: { crypto: 'BTC', windowSec: 300, windowEpoch: 0 },
      side: 'BUY',
      tif: 'FOK',
      limitPrice: 971_000,
      notional: 5_000_000,
      createdMs: 0,
    };
    const built = await buildFok(
      new OrderSigningKey(account),
      { account, chainId: 137, signatureType: 3, maker: wallet },
      cmd,
      2,
      false,
      { nowMs: 1_767_225_600_000, random: () => 0.25 },
    );
    const o = built.order as unknown as OrderFields & { signature: Hex };
    expect(o.maker).toBe(wallet);
    expect(o.signer).toBe(wallet);
    expect(o.signatureType).toBe(3);
    expect(built.orderId).toBe(orderHash(fieldsOf(built.order), DOMAIN)); // id = the Order digest
    const sig = hexToBytes(o.signature);
    expect(sig).toHaveLength(317);
    // the inner 65 bytes are the owner's signature of TypedDataSign{contents: order, DepositWallet…}
    const inner = o.signature.slice(0, 2 + 130) as Hex;
    const recovered = await recoverTypedDataAddress({
      domain: {
        name: 'Polymarket CTF Exchange',
        version: '2',
        chainId: 137,
        verifyingContract: '0xE111180000d2663C0091e4f400237545B87B996B',
      },
      types: TYPED_DATA_SIGN_TYPES,
      primaryType: 'TypedDataSign',
      message: {
        contents: orderMessage(fieldsOf(built.order)),
        name: 'DepositWallet',
        version: '1',
        chainId: 137n,
        verifyingContract: wallet,
        salt: `0x${'0'.repeat(64)}`,
      },
      signature: inner,
    });
    expect(recovered).toBe(account.address);
    expect(await signOrderPoly1271(account, fieldsOf(built.order), DOMAIN)).toBe(o.signature);
  });
});

describe('type 3 end to end through the local exchange (deposit-wallet-only)', () => {
  let stack: VenueStack;
  beforeAll(async () => {
    stack = await deepVenueStack({ clob: { depositWalletOnly: true }, logger: pino({ level: 'silent' }) });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('creates credentials, buys and sells as the deposit wallet; an EOA maker is refused', async () => {
    const pk = generatePrivateKey();
    const owner = new Wallet(pk, stack.chain.provider);
    const depositWallet = await stack.onboardDepositWallet(owner, 100_000_000n);
    const account = privateKeyToAccount(pk);
    const venue = await ClobVenue.create({
      host: stack.exchange.url,
      chainId: 137,
      account,
      signatureType: 3,
      funder: depositWallet,
      requestTimeoutMs: 2_000,
    });
    const got: VenueEvent[] = [];
    venue.setListener((e) => got.push(e));
    const c = await venue.updateCollateral();
    expect(c.balance).toBe(100_000_000n);
    const up = stack.exchange.markets()[0]!.upTokenId;
    const window = stack.exchange.markets()[0]!.window;
    const base = { positionKey: 'p', tokenId: up, window, tif: 'FOK' as const, createdMs: 0 };
    venue.submit({
      ...base,
      clientOrderId: 'b1',
      purpose: 'entry',
      side: 'BUY',
      limitPrice: 420_000,
      notional: 5_000_000,
    });
    await venue.idle();
    const buy = got[0];
    if (buy?.kind !== 'filled') throw new Error(`buy: ${JSON.stringify(buy)}`);
    await stack.ledger.idle(); // chain settlement
    const shares = Math.floor((buy.shares - buy.feeShares) / 10_000) * 10_000;
    venue.submit({
      ...base,
      clientOrderId: 's1',
      purpose: 'exit',
      side: 'SELL',
      limitPrice: 390_000,
      shares,
    });
    await venue.idle();
    expect(got[1]).toMatchObject({ kind: 'filled', shares });

    // the same owner as an EOA maker: the venue wants the deposit wallet flow
    const hints: string[] = [];
    const eoa = await ClobVenue.create({
      host: stack.exchange.url,
      chainId: 137,
      account,
      onAccountSetupError: (h) => hints.push(h),
    });
    const eoaGot: VenueEvent[] = [];
    eoa.setListener((e) => eoaGot.push(e));
    eoa.submit({
      ...base,
      clientOrderId: 'e1',
      purpose: 'entry',
      side: 'BUY',
      limitPrice: 420_000,
      notional: 5_000_000,
    });
    await eoa.idle();
    expect(eoaGot[0]).toMatchObject({ kind: 'rejected', cause: 'account_setup' });
    expect(hints).toEqual([expect.stringMatching(/SIGNATURE_TYPE=3/)]);
  });
});
