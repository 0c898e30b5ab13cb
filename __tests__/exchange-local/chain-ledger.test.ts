/**
 * The local exchange settling on the local EVM (issue #4): a ClobVenue trading through the local
 * CLOB whose {@link ChainLedger} moves ERC-20 collateral and ERC-1155 outcome tokens between the
 * trader and the exchange's operator; then resolution and redeem on the same chain.
 */
import { deepVenueStack } from '../helpers/stacks';
import { Writable } from 'node:stream';
import { MaxUint256, Wallet } from 'ethers';
import pino from 'pino';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { ChainReader } from '../../src/chain/balances';
import { redeemWinnings } from '../../src/chain/redeem';
import type { OrderCommand, VenueEvent } from '../../src/core/types';
import { COLLATERAL } from '../../testkit/exchange-local/clob/ledger';
import { type VenueStack } from '../../testkit/exchange-local/venue-stack';
import { ClobVenue } from '../../src/execution/clob-venue';
import { waitFor } from '../helpers/wait-for';

const FUNDING = 100_000_000n; // 100 USDC
let stack: VenueStack;
let reader: ChainReader;
let pk: `0x${string}`;
let wallet: Wallet;
let venue: ClobVenue;
let events: VenueEvent[];
let logLines: string[];
let up: string;
let seq = 0;

beforeAll(async () => {
  logLines = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      logLines.push(chunk.toString());
      cb();
    },
  });
  const t0 = Date.now();
  stack = await deepVenueStack({ logger: pino({ level: 'debug' }, sink) });
  const t1 = Date.now();
  reader = new ChainReader({
    runner: stack.chain.provider,
    rpcUrl: stack.chain.rpcUrl,
    conditionalTokens: stack.chain.deployment.conditionalTokens,
    collateral: stack.chain.deployment.collateral,
  });
  pk = generatePrivateKey();
  wallet = new Wallet(pk, stack.chain.provider);
  await stack.onboard(wallet, FUNDING);
  const account = privateKeyToAccount(pk);
  venue = await ClobVenue.create({ host: stack.exchange.url, chainId: 137, account });
  events = [];
  venue.setListener((e) => events.push(e));
  up = stack.exchange.markets()[0]!.upTokenId;
  process.stderr.write(
    `venue stack start ${t1 - t0} ms (chain ${stack.timings.chainMs}, markets ${stack.timings.marketsMs}, exchange ${stack.timings.exchangeMs}); onboard ${Date.now() - t1} ms\n`,
  );
});

afterAll(async () => {
  await stack?.close();
});

const order = (side: 'BUY' | 'SELL', amount: number, limitPrice: number): OrderCommand => {
  const base = {
    clientOrderId: `c${(seq += 1)}`,
    positionKey: 'p',
    purpose: side === 'BUY' ? ('entry' as const) : ('exit' as const),
    tokenId: up,
    window: stack.exchange.markets()[0]!.window,
    tif: 'FOK' as const,
    limitPrice,
    createdMs: 0,
  };
  return side === 'BUY' ? { ...base, side, notional: amount } : { ...base, side, shares: amount };
};

async function run(cmd: OrderCommand): Promise<Extract<VenueEvent, { kind: 'filled' }>> {
  venue.submit(cmd);
  await venue.idle();
  const ev = events[events.length - 1]!;
  if (ev.kind !== 'filled') throw new Error(`expected a fill, got ${JSON.stringify(ev)}`);
  return ev;
}

const chainShares = async (owner: string, tokenId = up): Promise<bigint> =>
  (await reader.outcomeBalances(owner, [tokenId])).get(tokenId) ?? 0n;

describe('ChainLedger behind the local CLOB', () => {
  it('lists the chain condition and position ids and reads onboarded balances from the chain', async () => {
    const listed = stack.exchange.markets();
    expect(listed.map((m) => [m.conditionId, m.upTokenId, m.downTokenId])).toEqual(
      stack.markets.map((m) => [m.conditionId, m.upTokenId, m.downTokenId]),
    );
    expect(await reader.collateralAllowance(wallet.address, stack.operatorAddress)).toBeGreaterThan(0n);
    expect(await reader.isApprovedForAll(wallet.address, stack.operatorAddress)).toBe(true);
    expect(stack.ledger.balance(wallet.address, COLLATERAL)).toBe(Number(FUNDING));
    expect(stack.ledger.balance(wallet.address, up)).toBe(0);
  });

  it('a FOK BUY fills and the ERC-1155 balance on chain equals the shares net of the fee', async () => {
    const ev = await run(order('BUY', 5_000_000, 420_000));
    expect(ev.shares).toBeGreaterThan(0);
    await stack.ledger.idle();
    const held = ev.shares - ev.feeShares;
    expect(await chainShares(wallet.address)).toBe(BigInt(held));
    expect(await reader.collateralBalance(wallet.address)).toBe(FUNDING - BigInt(ev.notional));
    expect(stack.ledger.balance(wallet.address, up)).toBe(held);
    expect(stack.ledger.stats).toMatchObject({ failed: 0 });
  });

  it('a SELL of that balance returns collateral net of the fee on chain', async () => {
    const held = Number(await chainShares(wallet.address));
    const usdcBefore = await reader.collateralBalance(wallet.address);
    const sell = Math.floor(held / 10_000) * 10_000;
    const ev = await run(order('SELL', sell, 390_000));
    await stack.ledger.idle();
    expect(ev.shares).toBe(sell);
    expect(venue.balance(up)).toBe(held); // read over /balance-allowance before the sell
    expect(await chainShares(wallet.address)).toBe(BigInt(held - sell));
    expect(await reader.collateralBalance(wallet.address)).toBe(
      usdcBefore + BigInt(ev.notional - ev.feeUsdc),
    );
  });

  it('a delayed settlement lags in the view and on chain, then lands', async () => {
    stack.exchange.clob.faults.settlementDelayMs = 2_000;
    const before = await chainShares(wallet.address);
    const ev = await run(order('BUY', 3_000_000, 420_000));
    expect(stack.ledger.balance(wallet.address, up)).toBe(Number(before));
    await stack.ledger.idle();
    expect(await chainShares(wallet.address)).toBe(before);
    const after = before + BigInt(ev.shares - ev.feeShares);
    await waitFor(async () => (await chainShares(wallet.address)) === after, 15_000, {
      what: 'the delayed settlement on chain',
    });
    stack.exchange.clob.faults.settlementDelayMs = 0;
  });

  it('counts and logs a failed settlement (approval revoked before it settles) and re-reads the chain', async () => {
    const key = generatePrivateKey();
    const stranger = new Wallet(key, stack.chain.provider);
    await stack.fundWallet(stranger.address, 10_000_000n);
    // approves the operator, so the venue accepts the order (allowances are enforced, issue #8) …
    const erc20 = stack.chain.collateral.connect(stranger) as typeof stack.chain.collateral;
    await (await erc20.getFunction('approve').send(stack.operatorAddress, MaxUint256)).wait();
    await stack.ledger.track(stranger.address);
    const v = await ClobVenue.create({
      host: stack.exchange.url,
      chainId: 137,
      account: privateKeyToAccount(key),
    });
    const got: VenueEvent[] = [];
    v.setListener((e) => got.push(e));
    const failedBefore = stack.ledger.stats.failed;
    stack.exchange.clob.faults.settlementDelayMs = 3_000;
    v.submit(order('BUY', 2_000_000, 420_000));
    await v.idle();
    expect(got[0]).toMatchObject({ kind: 'filled' });
    // … and revokes it before the fill settles on chain: the pull fails
    await (await erc20.getFunction('approve').send(stack.operatorAddress, 0n)).wait();
    await waitFor(() => stack.ledger.stats.failed > failedBefore, 20_000, { what: 'the failed settlement' });
    stack.exchange.clob.faults.settlementDelayMs = 0;
    await stack.ledger.idle();
    expect(stack.ledger.stats.failed).toBe(failedBefore + 1);
    expect(stack.ledger.balance(stranger.address, COLLATERAL)).toBe(10_000_000);
    expect(stack.ledger.balance(stranger.address, up)).toBe(0);
    expect(await chainShares(stranger.address)).toBe(0n);
    const text = logLines.join('\n');
    expect(text).toMatch(/chain settlement failed/);
    for (const secret of [key, key.slice(2), pk.slice(2)]) expect(text).not.toContain(secret);
  });

  it('after resolve, redeemWinnings pays the winner its Up balance', async () => {
    const held = await chainShares(wallet.address);
    expect(held).toBeGreaterThan(0n);
    const w = stack.exchange.markets()[0]!.window;
    await stack.resolve(w, 'UP');
    const usdcBefore = await reader.collateralBalance(wallet.address);
    const res = await redeemWinnings({
      wallet,
      ctf: stack.chain.deployment.conditionalTokens,
      collateral: stack.chain.deployment.collateral,
      conditionId: stack.market(w)!.conditionId,
      rpcUrl: stack.chain.rpcUrl,
    });
    expect(res.payoutMicros).toBe(held);
    expect(await reader.collateralBalance(wallet.address)).toBe(usdcBefore + held);
    expect(await chainShares(wallet.address)).toBe(0n);
    await expect(stack.resolve({ ...w, windowEpoch: 1 }, 'UP')).rejects.toThrow(RangeError);
  });
});
