/**
 * The local CLOB as strict as the real venue (issue #8), over real HTTP with the official
 * `@polymarket/clob-client-v2` and the local EVM: API keys derive only after creation,
 * deposit-wallet-only makers, signer = API key unless the account is bound to its deposit wallet,
 * POLY_1271 signatures checked by the wallet contract, allowances enforced from the chain, and
 * balances invisible until `/balance-allowance/update`. Gamma per-market flags without a chain.
 */
import { deepVenueStack } from '../helpers/stacks';
import { AssetType, ClobClient, createL1Headers, OrderType, Side } from '@polymarket/clob-client-v2';
import { Contract, MaxUint256, Wallet } from 'ethers';
import { createWalletClient, custom } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { polygon } from 'viem/chains';
import { ChainReader } from '../../src/chain/balances';
import { syntheticRows } from '../../testkit/exchange-local/test-client';
import { startLocalExchange } from '../../testkit/exchange-local/server';
import { type VenueStack } from '../../testkit/exchange-local/venue-stack';

let stack: VenueStack;
let reader: ChainReader;
let up: string;

const ALLOWANCE_TEXT = /^not enough balance \/ allowance/;
const MAX = MaxUint256.toString();

beforeAll(async () => {
  stack = await deepVenueStack();
  reader = new ChainReader({
    runner: stack.chain.provider,
    rpcUrl: stack.chain.rpcUrl,
    conditionalTokens: stack.chain.deployment.conditionalTokens,
    collateral: stack.chain.deployment.collateral,
  });
  up = stack.exchange.markets()[0]!.upTokenId;
});

afterAll(async () => {
  await stack?.close();
});

afterEach(async () => {
  await control({ depositWalletOnly: false, depositWalletKeys: 'bound', requireBalanceUpdate: false });
});

async function control(body: object): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${stack.exchange.url}/_control/clob`, {
    method: 'POST',
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/** An L1-only client of the official package for `key` (no RPC: signing is local). */
function l1Client(
  key: `0x${string}`,
  signatureType = 0,
  funder?: string,
  host = stack.exchange.url,
): ClobClient {
  const signer = createWalletClient({
    account: privateKeyToAccount(key),
    chain: polygon,
    transport: custom({ request: () => Promise.reject(new Error('no RPC in tests')) }),
  });
  return new ClobClient({
    host,
    chain: 137,
    signer,
    signatureType,
    ...(funder === undefined ? {} : { funderAddress: funder }),
  });
}

/** A trading client: creates or derives the key the way the official client does. */
async function client(key: `0x${string}`, signatureType = 0, funder?: string): Promise<ClobClient> {
  const creds = await l1Client(key, signatureType, funder).createOrDeriveApiKey();
  expect(typeof creds.key).toBe('string');
  const signer = createWalletClient({
    account: privateKeyToAccount(key),
    chain: polygon,
    transport: custom({ request: () => Promise.reject(new Error('no RPC in tests')) }),
  });
  return new ClobClient({
    host: stack.exchange.url,
    chain: 137,
    signer,
    creds,
    signatureType,
    ...(funder === undefined ? {} : { funderAddress: funder }),
  });
}

type PostReply = { success?: boolean; status?: number | string; error?: unknown; orderID?: string };

const buy = (c: ClobClient, usdc: number): Promise<PostReply> =>
  c.createAndPostMarketOrder(
    { tokenID: up, amount: usdc, side: Side.BUY, price: 0.42 },
    { tickSize: '0.01', negRisk: false },
    OrderType.FOK,
  ) as Promise<PostReply>;

const sell = (c: ClobClient, shares: number): Promise<PostReply> =>
  c.createAndPostMarketOrder(
    { tokenID: up, amount: shares, side: Side.SELL, price: 0.39 },
    { tickSize: '0.01', negRisk: false },
    OrderType.FOK,
  ) as Promise<PostReply>;

async function newEoa(usdc: bigint, approve = true): Promise<{ key: `0x${string}`; wallet: Wallet }> {
  const key = generatePrivateKey();
  const wallet = new Wallet(key, stack.chain.provider);
  await stack.onboard(wallet, usdc, { approve });
  return { key, wallet };
}

describe('strict local CLOB (issue #8)', () => {
  it('derive fails for a wallet without a key; createOrDeriveApiKey creates, then derives the same key', async () => {
    const key = generatePrivateKey();
    const c = l1Client(key);
    expect((await c.deriveApiKey()).key).toBeUndefined();
    const signer = createWalletClient({
      account: privateKeyToAccount(key),
      chain: polygon,
      transport: custom({ request: () => Promise.reject(new Error('no RPC in tests')) }),
    });
    const res = await fetch(`${stack.exchange.url}/auth/derive-api-key`, {
      headers: Object.fromEntries(
        Object.entries(await createL1Headers(signer, 137)).map(([k, v]) => [k, String(v)]),
      ),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'Could not derive api key!' });
    const first = await c.createOrDeriveApiKey();
    expect(first.key).toMatch(/^[0-9a-f-]{36}$/);
    const again = await c.createOrDeriveApiKey(); // create answers 400, derive returns the key
    expect(again).toEqual(first);
    expect(await c.deriveApiKey()).toEqual(first);
  });

  it('deposit-wallet-only refuses an EOA maker with the venue text; settable over POST /_control/clob', async () => {
    const { key } = await newEoa(20_000_000n);
    const c = await client(key);
    const set = await control({ depositWalletOnly: true });
    expect(set).toMatchObject({ status: 200, json: { ok: true, settings: { depositWalletOnly: true } } });
    expect(await buy(c, 2)).toMatchObject({
      status: 400,
      error: 'maker address not allowed, please use the deposit wallet flow',
    });
    expect((await control({ depositWalletOnly: 'yes' })).status).toBe(400);
    await control({ depositWalletOnly: false });
    expect(await buy(c, 2)).toMatchObject({ success: true, status: 'matched' });
  });

  it('a type-3 order of a bound deposit wallet fills and settles on chain from and to the wallet', async () => {
    await control({ depositWalletOnly: true });
    const key = generatePrivateKey();
    const owner = new Wallet(key, stack.chain.provider);
    const dw = await stack.onboardDepositWallet(owner, 20_000_000n);
    expect(await reader.collateralAllowance(dw, stack.operatorAddress)).toBe(MaxUint256);
    expect(await reader.isApprovedForAll(dw, stack.operatorAddress)).toBe(true);
    const c = await client(key, 3, dw);
    const bal = await c.getBalanceAllowance({ asset_type: AssetType.COLLATERAL });
    expect(bal).toEqual({ balance: '20000000', allowances: { [stack.operatorAddress]: MAX } });

    const r = await buy(c, 2);
    expect(r).toMatchObject({ success: true, status: 'matched' });
    await stack.ledger.idle();
    const shares = (await reader.outcomeBalances(dw, [up])).get(up) ?? 0n;
    expect(shares).toBeGreaterThan(0n);
    const left = await reader.collateralBalance(dw);
    expect(left).toBeLessThan(20_000_000n);
    expect(left).toBeGreaterThanOrEqual(18_000_000n);
    expect((await reader.outcomeBalances(owner.address, [up])).get(up)).toBe(0n);

    await c.updateBalanceAllowance({ asset_type: AssetType.CONDITIONAL, token_id: up });
    const cond = await c.getBalanceAllowance({ asset_type: AssetType.CONDITIONAL, token_id: up });
    expect(cond).toEqual({ balance: shares.toString(), allowances: { [stack.operatorAddress]: MAX } });
    const sellShares = Math.floor(Number(shares) / 10_000) / 100;
    expect(await sell(c, sellShares)).toMatchObject({ success: true, status: 'matched' });
    await stack.ledger.idle();
    expect(await reader.collateralBalance(dw)).toBeGreaterThan(left);
  });

  it("'eoa-only' keys refuse the deposit wallet's orders: signer has to be the API key's address", async () => {
    const key = generatePrivateKey();
    const dw = await stack.onboardDepositWallet(new Wallet(key, stack.chain.provider), 10_000_000n);
    const c = await client(key, 3, dw);
    await control({ depositWalletKeys: 'eoa-only' });
    expect(await buy(c, 2)).toMatchObject({
      status: 400,
      error: 'the order signer address has to be the address of the API KEY',
    });
    await control({ depositWalletKeys: 'bound' });
    expect(await buy(c, 2)).toMatchObject({ success: true });
  });

  it("refuses another owner's deposit wallet as signer, and a POLY_1271 signature that does not verify", async () => {
    const keyA = generatePrivateKey();
    const keyB = generatePrivateKey();
    const dwA = await stack.onboardDepositWallet(new Wallet(keyA, stack.chain.provider), 10_000_000n);
    const dwB = await stack.onboardDepositWallet(new Wallet(keyB, stack.chain.provider), 10_000_000n);
    // A's key, B's wallet as signer and maker
    const aWithB = await client(keyA, 3, dwB);
    expect(await buy(aWithB, 2)).toMatchObject({
      status: 400,
      error: 'the order signer address has to be the address of the API KEY',
    });
    // A's own wallet, order changed after signing: the wallet's isValidSignature refuses it
    const a = await client(keyA, 3, dwA);
    const signed = await a.createMarketOrder(
      { tokenID: up, amount: 2, side: Side.BUY, price: 0.42 },
      { tickSize: '0.01', negRisk: false },
    );
    const tampered = { ...signed, makerAmount: '3000000', takerAmount: '7142800' };
    expect(await a.postOrder(tampered, OrderType.FOK)).toMatchObject({
      status: 400,
      error: 'invalid signature',
    });
    // maker ≠ signer for type 3
    const split = { ...signed, maker: dwB };
    expect(await a.postOrder(split, OrderType.FOK)).toMatchObject({
      status: 400,
      error: 'invalid signature',
    });
    // the untouched order is fine
    expect(await a.postOrder(signed, OrderType.FOK)).toMatchObject({ success: true, status: 'matched' });
  });

  it('without the collateral approval a BUY is refused and /balance-allowance reports allowance 0 from the chain', async () => {
    const { key, wallet } = await newEoa(20_000_000n, false);
    const c = await client(key);
    const bal = await c.getBalanceAllowance({ asset_type: AssetType.COLLATERAL });
    expect(bal).toEqual({ balance: '20000000', allowances: { [stack.operatorAddress]: '0' } });
    const r = await buy(c, 2);
    expect(r.status).toBe(400);
    expect(String(r.error)).toMatch(ALLOWANCE_TEXT);
    // approving on chain is seen after the update call (the venue's cache)
    const erc20 = stack.chain.collateral.connect(wallet) as Contract;
    await (await erc20.getFunction('approve').send(stack.operatorAddress, 5_000_000n)).wait();
    await c.updateBalanceAllowance({ asset_type: AssetType.COLLATERAL });
    expect(await c.getBalanceAllowance({ asset_type: AssetType.COLLATERAL })).toEqual({
      balance: '20000000',
      allowances: { [stack.operatorAddress]: '5000000' },
    });
    expect(await buy(c, 2)).toMatchObject({ success: true });
  });

  it('without setApprovalForAll a SELL is refused and CONDITIONAL allowances report 0 until approved', async () => {
    const { key, wallet } = await newEoa(20_000_000n, false);
    const erc20 = stack.chain.collateral.connect(wallet) as Contract;
    await (await erc20.getFunction('approve').send(stack.operatorAddress, MaxUint256)).wait();
    const c = await client(key);
    await c.updateBalanceAllowance({ asset_type: AssetType.COLLATERAL });
    expect(await buy(c, 2)).toMatchObject({ success: true });
    await stack.ledger.idle();
    const shares = (await reader.outcomeBalances(wallet.address, [up])).get(up) ?? 0n;
    await c.updateBalanceAllowance({ asset_type: AssetType.CONDITIONAL, token_id: up });
    expect(await c.getBalanceAllowance({ asset_type: AssetType.CONDITIONAL, token_id: up })).toEqual({
      balance: shares.toString(),
      allowances: { [stack.operatorAddress]: '0' },
    });
    const amount = Math.floor(Number(shares) / 10_000) / 100;
    const refused = await sell(c, amount);
    expect(refused.status).toBe(400);
    expect(String(refused.error)).toMatch(ALLOWANCE_TEXT);
    const ctf = stack.chain.ctf.connect(wallet) as Contract;
    await (await ctf.getFunction('setApprovalForAll').send(stack.operatorAddress, true)).wait();
    await c.updateBalanceAllowance({ asset_type: AssetType.CONDITIONAL, token_id: up });
    expect(await sell(c, amount)).toMatchObject({ success: true, status: 'matched' });
  });

  it('requireBalanceUpdate: collateral is invisible (balance 0, BUY refused) until /balance-allowance/update', async () => {
    await control({ requireBalanceUpdate: true });
    const { key } = await newEoa(20_000_000n);
    const c = await client(key);
    expect(await c.getBalanceAllowance({ asset_type: AssetType.COLLATERAL })).toEqual({
      balance: '0',
      allowances: { [stack.operatorAddress]: MAX },
    });
    const r = await buy(c, 2);
    expect(r.status).toBe(400);
    expect(String(r.error)).toMatch(ALLOWANCE_TEXT);
    await c.updateBalanceAllowance({ asset_type: AssetType.COLLATERAL });
    expect(await c.getBalanceAllowance({ asset_type: AssetType.COLLATERAL })).toMatchObject({
      balance: '20000000',
    });
    expect(await buy(c, 2)).toMatchObject({ success: true });
  });

  it('signature_type picks the owner: 3 → the bound deposit wallet, 0 → the key address', async () => {
    const key = generatePrivateKey();
    const owner = new Wallet(key, stack.chain.provider);
    const dw = await stack.onboardDepositWallet(owner, 7_000_000n);
    await stack.fundWallet(owner.address, 3_000_000n);
    await stack.ledger.track(owner.address);
    const as3 = await client(key, 3, dw);
    const as0 = await client(key, 0);
    expect(await as3.getBalanceAllowance({ asset_type: AssetType.COLLATERAL })).toMatchObject({
      balance: '7000000',
    });
    expect(await as0.getBalanceAllowance({ asset_type: AssetType.COLLATERAL })).toMatchObject({
      balance: '3000000',
    });
    // an EOA without a deposit wallet: type 3 shows nothing
    const { key: lone } = await newEoa(4_000_000n);
    const lone3 = await client(lone, 3, Wallet.createRandom().address);
    expect(await lone3.getBalanceAllowance({ asset_type: AssetType.COLLATERAL })).toEqual({
      balance: '0',
      allowances: { [stack.operatorAddress]: '0' },
    });
  });
});

describe('Gamma market flags (issue #8 point 8)', () => {
  it('lists negRisk and version "v2" per market, and the CLOB market reports nr', async () => {
    const rows = syntheticRows(2, 3);
    const ex = await startLocalExchange({
      input: rows,
      manual: true,
      rtdsInput: null,
      tokenIds: (w) =>
        w.windowEpoch === rows[0]!.windowEpoch ? { negRisk: true, protocolVersion: 'v2' } : undefined,
    });
    try {
      const [flagged, plain] = ex.markets();
      const get = async (path: string): Promise<Record<string, unknown>> =>
        (await (await fetch(`${ex.url}${path}`)).json()) as Record<string, unknown>;
      const m1 = await get(`/markets/slug/${flagged!.slug}`);
      expect(m1).toMatchObject({ negRisk: true, version: 'v2' });
      expect(await get(`/events/slug/${flagged!.slug}`)).toMatchObject({ negRisk: true });
      const m2 = await get(`/markets/slug/${plain!.slug}`);
      expect(m2['negRisk']).toBe(false);
      expect('version' in m2).toBe(false);
      expect(await get(`/clob-markets/${flagged!.conditionId}`)).toMatchObject({ nr: true });
      expect(await get(`/clob-markets/${plain!.conditionId}`)).toMatchObject({ nr: false });
    } finally {
      await ex.close();
    }
  });
});
