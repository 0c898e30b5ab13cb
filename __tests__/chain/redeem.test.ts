import { Wallet, getAddress } from 'ethers';
import { ChainReader } from '../../src/chain/balances';
import { ConditionNotResolvedError, NegRiskRedeemError } from '../../src/chain/errors';
import { startLocalChain, type LocalChain, type WindowIds } from '../../testkit/chain/local-chain';
import { redeemWinnings, type RedeemOptions } from '../../src/chain/redeem';
import { TraderError } from '../../src/core/errors';

let chain: LocalChain;
let win: WindowIds;
let reader: ChainReader;
let winner: Wallet;
let loser: Wallet;

beforeAll(async () => {
  chain = await startLocalChain();
  reader = new ChainReader({
    runner: chain.provider,
    rpcUrl: chain.rpcUrl,
    conditionalTokens: chain.deployment.conditionalTokens,
    collateral: chain.deployment.collateral,
  });
  win = await chain.prepareWindow('sol-updown-15m-1766745000');
  winner = await chain.newFundedWallet(0n);
  loser = await chain.newFundedWallet(1_000_000n);
  // Both receive Up and Down; the winner keeps both (Down pays 0), the loser gives its Up away below.
  await chain.mintOutcomeTokens(winner.address, win.conditionId, 2_000_000n);
  await chain.mintOutcomeTokens(loser.address, win.conditionId, 3_000_000n);
});

afterAll(async () => {
  await chain.close();
});

/** Every text an error shows: message and String() along the cause chain. */
function errorTexts(err: unknown): string[] {
  const out: string[] = [];
  for (let e: unknown = err; e instanceof Error; e = e.cause) out.push(e.message, String(e));
  return out;
}

const redeem = (wallet: Wallet) =>
  redeemWinnings({
    wallet,
    ctf: chain.ctf,
    collateral: chain.collateral,
    conditionId: win.conditionId,
    rpcUrl: chain.rpcUrl,
  });

describe('redeemWinnings', () => {
  it('refuses before resolution with a typed error and sends nothing', async () => {
    const nonce = await chain.provider.getTransactionCount(winner.address);
    const err: unknown = await redeem(winner).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConditionNotResolvedError);
    expect((err as TraderError).action).toBe('rejected');
    expect(await chain.provider.getTransactionCount(winner.address)).toBe(nonce);
    for (const t of errorTexts(err)) expect(t).not.toContain(winner.privateKey.slice(2));
  });

  it('pays the winner balance × numerator / denominator and 0 to the loser', async () => {
    await chain.resolve(win.conditionId, 'UP');
    expect(await reader.payout(win.conditionId)).toEqual({
      resolved: true,
      numerators: [1n, 0n],
      denominator: 1n,
    });

    const before = await reader.collateralBalance(winner.address);
    const won = await redeem(winner);
    expect(won.txHash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(won.payoutMicros).toBe(2_000_000n);
    expect((await reader.collateralBalance(winner.address)) - before).toBe(2_000_000n);

    // The loser holds Down only: give its Up away first.
    const asLoser = chain.ctf.connect(loser) as typeof chain.ctf;
    const sink = Wallet.createRandom().address;
    await (
      await asLoser.getFunction('safeTransferFrom').send(loser.address, sink, win.upTokenId, 3_000_000n, '0x')
    ).wait();
    const lost = await redeem(loser);
    expect(lost.payoutMicros).toBe(0n);
    expect(await reader.collateralBalance(loser.address)).toBe(1_000_000n);

    // Everything held was burned.
    const left = await reader.outcomeBalances(winner.address, [win.upTokenId, win.downTokenId]);
    expect([...left.values()]).toEqual([0n, 0n]);
    const leftLoser = await reader.outcomeBalances(loser.address, [win.downTokenId]);
    expect(leftLoser.get(win.downTokenId)).toBe(0n);
  });

  it('classifies a refused send (no gas funds) without leaking the key', async () => {
    const broke = new Wallet(Wallet.createRandom().privateKey, chain.provider);
    const err: unknown = await redeem(broke).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TraderError);
    expect(['rejected', 'unknown_outcome']).toContain((err as TraderError).action);
    expect((err as Error).message).toContain(chain.rpcUrl);
    for (const t of errorTexts(err)) {
      expect(t.toLowerCase()).not.toContain(broke.privateKey.slice(2).toLowerCase());
    }
  });
});

describe('redeemWinnings: payout from the event, collateral, deposit wallet, neg-risk (issue #8 point 7)', () => {
  let win2: WindowIds;
  beforeAll(async () => {
    win2 = await chain.prepareWindow('eth-updown-15m-1766746000');
  });

  const redeem2 = (wallet: Wallet, extra: Partial<RedeemOptions> = {}) =>
    redeemWinnings({
      wallet,
      ctf: chain.deployment.conditionalTokens,
      collateral: chain.deployment.collateral,
      conditionId: win2.conditionId,
      rpcUrl: chain.rpcUrl,
      ...extra,
    });

  it('refuses a neg-risk market with a rejected error naming it, and sends nothing', async () => {
    const w = await chain.newFundedWallet(0n);
    const err: unknown = await redeem2(w, { negRisk: true, market: 'eth-updown-15m-1766746000' }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(NegRiskRedeemError);
    expect((err as TraderError).action).toBe('rejected');
    expect((err as Error).message).toContain('eth-updown-15m-1766746000');
    expect(await chain.provider.getTransactionCount(w.address)).toBe(0);
  });

  it('records 0 when the wallet holds nothing, and the collateral the event names', async () => {
    await chain.resolve(win2.conditionId, 'DOWN');
    const empty = await chain.newFundedWallet(0n);
    const r = await redeem2(empty, { tradingCollateral: Wallet.createRandom().address });
    expect(r.payoutMicros).toBe(0n);
    expect(r.collateral).toBe(getAddress(chain.deployment.collateral));
    expect(r.redeemer).toBe(empty.address);
    expect(r.wrapNeeded).toBe(false); // nothing paid, nothing to wrap
  });

  it('records 0 (not the predicted payout) when redeemed with the wrong collateral: tokens stay', async () => {
    const holder = await chain.newFundedWallet(0n);
    await chain.mintOutcomeTokens(holder.address, win2.conditionId, 1_500_000n);
    const other = Wallet.createRandom().address;
    const r = await redeem2(holder, { collateral: other });
    expect(r.payoutMicros).toBe(0n);
    expect(r.collateral).toBe(getAddress(other));
    const left = await reader.outcomeBalances(holder.address, [win2.downTokenId]);
    expect(left.get(win2.downTokenId)).toBe(1_500_000n);
    // With the collateral the ids were split from, the winning Down pays.
    const ok = await redeem2(holder, { tradingCollateral: other });
    expect(ok.payoutMicros).toBe(1_500_000n);
    expect(ok.wrapNeeded).toBe(true); // paid in the test collateral, the venue "trades" `other`
  });

  it('redeems through a deposit wallet: the owner sends execute, the wallet is paid', async () => {
    const owner = await chain.newFundedWallet(0n);
    const dw = await chain.deployDepositWallet(owner);
    await chain.mintOutcomeTokens(dw, win2.conditionId, 2_500_000n);
    const before = await reader.collateralBalance(dw);
    const r = await redeem2(owner, { depositWallet: dw, tradingCollateral: chain.deployment.collateral });
    expect(r.redeemer).toBe(dw);
    expect(r.payoutMicros).toBe(2_500_000n);
    expect(r.wrapNeeded).toBe(false);
    expect((await reader.collateralBalance(dw)) - before).toBe(2_500_000n);
    expect(await reader.collateralBalance(owner.address)).toBe(0n);
    const left = await reader.outcomeBalances(dw, [win2.upTokenId, win2.downTokenId]);
    expect([...left.values()]).toEqual([0n, 0n]);
  });

  it('a non-owner cannot redeem through the deposit wallet (rejected, nothing paid)', async () => {
    const owner = await chain.newFundedWallet(0n);
    const stranger = await chain.newFundedWallet(0n);
    const dw = await chain.deployDepositWallet(owner);
    await chain.mintOutcomeTokens(dw, win2.conditionId, 1_000_000n);
    const err: unknown = await redeem2(stranger, { depositWallet: dw }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TraderError);
    expect((err as TraderError).action).toBe('rejected');
    const left = await reader.outcomeBalances(dw, [win2.downTokenId]);
    expect(left.get(win2.downTokenId)).toBe(1_000_000n);
  });
});
