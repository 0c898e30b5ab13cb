import { OrderBuilder, Side } from '@polymarket/clob-client-v2';
import { Contract, JsonRpcProvider, MaxUint256, Wallet } from 'ethers';
import { createWalletClient, custom } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { polygon } from 'viem/chains';
import { chainAddresses } from '../../src/chain/addresses';
import { ChainReader } from '../../src/chain/balances';
import { DEPOSIT_WALLET_ABI, depositWalletOwner, isValidSignature1271 } from '../../src/chain/deposit-wallet';
import { ChainNetworkError } from '../../src/chain/errors';
import { startLocalChain, type LocalChain, type WindowIds } from '../../testkit/chain/local-chain';
import { reconcile } from '../../src/chain/reconcile';
import { TraderError } from '../../src/core/errors';
import { orderHash, type WireOrderV2 } from '../../src/execution/clob-typed-data';
import type { PositionRecord } from '../../src/persistence/records';

let chain: LocalChain;
let user: Wallet;
let win: WindowIds;
let reader: ChainReader;

beforeAll(async () => {
  chain = await startLocalChain();
  win = await chain.prepareWindow('btc-updown-5m-1766745000');
  user = await chain.newFundedWallet(25_000_000n);
  const a = chainAddresses(chain.chainId, chain.deployment);
  reader = new ChainReader({
    runner: chain.provider,
    rpcUrl: chain.rpcUrl,
    conditionalTokens: a.conditionalTokens,
    collateral: a.collateralV1,
  });
});

afterAll(async () => {
  await chain.close();
});

const position = (key: string, tokenId: string, shares: number): PositionRecord => ({
  positionKey: key,
  strategy: key.split('_')[0] ?? key,
  crypto: 'btc',
  windowSec: 300,
  windowEpoch: 1766745000,
  side: tokenId === win.upTokenId ? 'UP' : 'DOWN',
  tokenId,
  state: 'OPEN',
  entryTimeMs: 1766745010000,
  entryPrice: 500_000,
  shares,
  costUsdc: shares / 2,
  entryFeeUsdc: 0,
  highWaterMark: null,
  trailingActivatedAtMs: null,
  exitReason: null,
  exitTimeMs: null,
  exitPrice: null,
  proceedsUsdc: null,
  exitFeeUsdc: null,
  pnlUsdc: null,
  exitAttempts: 0,
  updatedMs: 1766745010000,
});

describe('local chain', () => {
  it('deploys both contracts on 127.0.0.1 with a 6-decimal collateral', async () => {
    expect(chain.rpcUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await chain.provider.getCode(chain.deployment.conditionalTokens)).not.toBe('0x');
    expect(await chain.collateral.getFunction('decimals').staticCall()).toBe(6n);
    expect(await reader.collateralBalance(user.address)).toBe(25_000_000n);
  });

  it('reads window ids from the contract and distinct Up/Down tokens', async () => {
    expect(win.conditionId).toMatch(/^0x[0-9a-f]{64}$/);
    expect(win.upTokenId).toMatch(/^\d+$/);
    expect(win.upTokenId).not.toBe(win.downTokenId);
    expect(await reader.payout(win.conditionId)).toEqual({
      resolved: false,
      numerators: [0n, 0n],
      denominator: 0n,
    });
  });

  it('mints outcome tokens and reads them back with ONE balanceOfBatch call', async () => {
    await chain.mintOutcomeTokens(user.address, win.conditionId, 4_000_000n);
    const calls = jest.spyOn(chain.provider, 'call');
    const balances = await reader.outcomeBalances(user.address, [
      win.upTokenId,
      win.downTokenId,
      win.upTokenId,
    ]);
    expect(calls).toHaveBeenCalledTimes(1);
    calls.mockRestore();
    expect([...balances]).toEqual([
      [win.upTokenId, 4_000_000n],
      [win.downTokenId, 4_000_000n],
    ]);
    const direct: unknown = await chain.ctf.getFunction('balanceOf').staticCall(user.address, win.upTokenId);
    expect(direct).toBe(4_000_000n);
  });

  it('reads allowances and operator approvals', async () => {
    const operator = Wallet.createRandom().address;
    const asUser = new Contract(chain.deployment.conditionalTokens, chain.ctf.interface, user);
    expect(await reader.isApprovedForAll(user.address, operator)).toBe(false);
    await (await asUser.getFunction('setApprovalForAll').send(operator, true)).wait();
    expect(await reader.isApprovedForAll(user.address, operator)).toBe(true);
    const token = new Contract(chain.deployment.collateral, chain.collateral.interface, user);
    await (await token.getFunction('approve').send(operator, 1_500_000n)).wait();
    expect(await reader.collateralAllowance(user.address, operator)).toBe(1_500_000n);
  });

  it('reconciles positions with balances read from the chain and finds an injected mismatch', async () => {
    const other = await chain.prepareWindow('eth-updown-5m-1766745000');
    const positions = [
      position('mom_btc_1766745000', win.upTokenId, 4_000_000),
      position('rev_eth_1766745000', other.upTokenId, 2_000_000),
    ];
    // the live session's pass: the positions' tokens plus both tokens of the windows in play
    const pass = async () =>
      reconcile(
        positions,
        await reader.outcomeBalances(user.address, [...positions.map((p) => p.tokenId), win.downTokenId]),
      );
    // Before tampering, the Up position matches; DOWN is extra; the eth position was never bought.
    const before = await pass();
    expect(before.map((d) => [d.kind, d.tokenId])).toEqual(
      [
        ['extra', win.downTokenId],
        ['missing', other.upTokenId],
      ].sort((a, b) => ((a[1] ?? '') < (b[1] ?? '') ? -1 : 1)),
    );
    // Transfer 1.5 Up shares away: the chain now holds 2.5 against 4 in the journal.
    const asUser = new Contract(chain.deployment.conditionalTokens, chain.ctf.interface, user);
    const sink = Wallet.createRandom().address;
    await (
      await asUser.getFunction('safeTransferFrom').send(user.address, sink, win.upTokenId, 1_500_000n, '0x')
    ).wait();
    const after = await pass();
    const mismatch = after.find((d) => d.tokenId === win.upTokenId);
    expect(mismatch).toMatchObject({
      kind: 'size_mismatch',
      dbMicros: 4_000_000n,
      chainMicros: 2_500_000n,
      deltaMicros: -1_500_000n,
      decision: { action: 'set_shares', positionKey: 'mom_btc_1766745000', sharesMicros: 2_500_000n },
    });
  });

  it('classifies an unreachable node as retryable and never leaks a private key', async () => {
    const wallet = Wallet.createRandom();
    const dead = new JsonRpcProvider('http://127.0.0.1:9', 1337, { staticNetwork: true, cacheTimeout: -1 });
    const deadReader = new ChainReader({
      runner: wallet.connect(dead),
      rpcUrl: 'http://127.0.0.1:9',
      conditionalTokens: chain.deployment.conditionalTokens,
      collateral: chain.deployment.collateral,
    });
    const err: unknown = await deadReader
      .outcomeBalances(wallet.address, [win.upTokenId])
      .catch((e: unknown) => e);
    dead.destroy();
    expect(err).toBeInstanceOf(ChainNetworkError);
    expect((err as TraderError).action).toBe('retryable');
    expect((err as Error).message).toContain('127.0.0.1:9');
    const texts = [(err as Error).message, String(err)];
    for (const key of [wallet.privateKey, wallet.privateKey.slice(2), user.privateKey.slice(2)])
      for (const t of texts) expect(t.toLowerCase()).not.toContain(key.toLowerCase());
  });

  describe('TestDepositWallet (POLY_1271, issue #8)', () => {
    const signType3 = async (
      ownerKey: `0x${string}`,
      wallet: string,
      tokenId: string,
    ): Promise<WireOrderV2> => {
      const signer = createWalletClient({
        account: privateKeyToAccount(ownerKey),
        chain: polygon,
        transport: custom({ request: () => Promise.reject(new Error('no RPC')) }),
      });
      const builder = new OrderBuilder(signer, 137, 3, wallet);
      const o = await builder.buildMarketOrder(
        { tokenID: tokenId, amount: 5, side: Side.BUY, price: 0.5 },
        { tickSize: '0.01', negRisk: false },
        2,
      );
      return o as unknown as WireOrderV2;
    };
    const domain = { chainId: 137, version: 2, negRisk: false };

    it('validates a type-3 order signed by the official client and refuses tampering or another owner', async () => {
      const ownerKey = generatePrivateKey();
      const owner = privateKeyToAccount(ownerKey).address;
      const wallet = await chain.deployDepositWallet(owner);
      expect(await depositWalletOwner(chain.provider, wallet)).toBe(owner);
      expect(await depositWalletOwner(chain.provider, owner)).toBeNull(); // an EOA

      const order = await signType3(ownerKey, wallet, win.upTokenId);
      expect(order.signer).toBe(wallet);
      expect(order.maker).toBe(wallet);
      expect((order.signature.length - 2) / 2).toBe(317);
      const hash = orderHash(order, domain);
      expect(await isValidSignature1271(chain.provider, wallet, hash, order.signature)).toBe(true);

      // the amounts changed after signing: another hash, same signature
      const tampered = orderHash({ ...order, makerAmount: String(Number(order.makerAmount) * 2) }, domain);
      expect(await isValidSignature1271(chain.provider, wallet, tampered, order.signature)).toBe(false);
      // the embedded struct hash tampered to match: the inner signature no longer recovers to the owner
      const otherKey = generatePrivateKey();
      const foreign = await signType3(otherKey, wallet, win.upTokenId);
      expect(
        await isValidSignature1271(chain.provider, wallet, orderHash(foreign, domain), foreign.signature),
      ).toBe(false);
      // a malformed signature (plain 65-byte ECDSA, truncated) is invalid, not a revert
      expect(await isValidSignature1271(chain.provider, wallet, hash, order.signature.slice(0, 132))).toBe(
        false,
      );
      expect(await isValidSignature1271(chain.provider, wallet, hash, order.signature.slice(0, -4))).toBe(
        false,
      );
      // a wallet deployed for the local chain id rejects a signature made for Polygon
      const wrongChain = await chain.deployDepositWallet(owner, chain.chainId);
      const o2 = await signType3(ownerKey, wrongChain, win.upTokenId);
      expect(
        await isValidSignature1271(chain.provider, wrongChain, orderHash(o2, domain), o2.signature),
      ).toBe(false);
      // an EOA "signer" is never valid over ERC-1271
      expect(await isValidSignature1271(chain.provider, owner, hash, order.signature)).toBe(false);
    });

    it('execute: only the owner acts through the wallet, reverts bubble up, and it holds CTF positions', async () => {
      const ownerWallet = await chain.newFundedWallet(0n);
      const address = await chain.deployDepositWallet(ownerWallet);
      const asOwner = new Contract(address, DEPOSIT_WALLET_ABI, ownerWallet);
      const approve = chain.collateral.interface.encodeFunctionData('approve', [user.address, MaxUint256]);
      await (await asOwner.getFunction('execute').send(chain.deployment.collateral, 0n, approve)).wait();
      expect(await reader.collateralAllowance(address, user.address)).toBe(MaxUint256);

      const stranger = new Contract(address, DEPOSIT_WALLET_ABI, user);
      await expect(
        stranger.getFunction('execute').staticCall(chain.deployment.collateral, 0n, approve),
      ).rejects.toThrow(/not owner/);
      const overdraw = chain.collateral.interface.encodeFunctionData('transfer', [user.address, 1n]);
      await expect(
        asOwner.getFunction('execute').staticCall(chain.deployment.collateral, 0n, overdraw),
      ).rejects.toThrow(/insufficient balance/);
      await chain.mintOutcomeTokens(address, win.conditionId, 2_000_000n);
      const held = await reader.outcomeBalances(address, [win.upTokenId, win.downTokenId]);
      expect([...held.values()]).toEqual([2_000_000n, 2_000_000n]);
    });
  });
});
