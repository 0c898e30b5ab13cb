import { Wallet } from 'ethers';
import { ChainReader } from '../../src/chain/balances';
import { ConditionNotResolvedError } from '../../src/chain/errors';
import { startLocalChain, type LocalChain, type WindowIds } from '../../src/chain/local-chain';
import { redeemWinnings } from '../../src/chain/redeem';
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
