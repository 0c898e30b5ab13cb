import { localReadiness } from '../helpers/stacks';
import { Contract, JsonRpcProvider, Wallet, getAddress, parseEther } from 'ethers';
import { POLYGON_ADDRESSES } from '../../src/chain/addresses';
import { describeStep, planApprovals, sendApprovals } from '../../src/chain/approve';
import { ERC20_ABI } from '../../src/chain/abi';
import { ChainReader } from '../../src/chain/balances';
import { startLocalChain, type LocalChain, type WindowIds } from '../../testkit/chain/local-chain';
import { verifyPositionIds } from '../../src/chain/position-ids';
import { parseSpenders, polToWei, tradingAddresses, type ReadinessOptions } from '../../src/chain/readiness';
import { ConfigError, TraderError } from '../../src/core/errors';

let chain: LocalChain;
let reader: ChainReader;
/** Two stand-ins for the V2 exchanges (the local exchange's operator in the rehearsal). */
const spenders = [Wallet.createRandom().address, Wallet.createRandom().address];

beforeAll(async () => {
  chain = await startLocalChain();
  reader = new ChainReader({
    runner: chain.provider,
    rpcUrl: chain.rpcUrl,
    conditionalTokens: chain.deployment.conditionalTokens,
    collateral: chain.deployment.collateral,
  });
});

afterAll(async () => {
  await chain.close();
});

const check = (owner: string, extra: Partial<ReadinessOptions> = {}): Promise<string[]> =>
  localReadiness(chain, spenders, owner, { minGasWei: polToWei(0.05), ...extra });

describe('checkTradingReadiness (issue #8 point 4)', () => {
  it('a fresh EOA without approvals gets one line per missing item, each saying what to run', async () => {
    const w = await chain.newFundedWallet(5_000_000n);
    const lines = await check(w.address);
    expect(lines).toHaveLength(4);
    for (const s of spenders) {
      expect(lines.filter((l) => l.includes(s))).toHaveLength(2);
    }
    expect(lines.filter((l) => l.startsWith('collateral allowance'))).toHaveLength(2);
    expect(lines.filter((l) => l.includes('setApprovalForAll'))).toHaveLength(2);
    for (const l of lines) {
      expect(l).toContain('npm run approve');
      expect(l).not.toContain('\n');
      expect(l.toLowerCase()).not.toContain(w.privateKey.slice(2).toLowerCase());
    }
  });

  it('after planApprovals + sendApprovals nothing is missing; a second plan is empty', async () => {
    const w = await chain.newFundedWallet(5_000_000n);
    const plan = () =>
      planApprovals({
        reader,
        ctf: chain.deployment.conditionalTokens,
        collateral: chain.deployment.collateral,
        owner: w.address,
        spenders,
        minAllowanceMicros: 1_000_000n,
      });
    const steps = await plan();
    expect(steps.map((s) => [s.kind, s.spender])).toEqual([
      ['collateral', spenders[0]],
      ['ctf', spenders[0]],
      ['collateral', spenders[1]],
      ['ctf', spenders[1]],
    ]);
    expect(describeStep(steps[1]!)).toMatch(/^setApprovalForAll\(0x[0-9a-fA-F]{40}, true\) on CTF /);
    const seen: string[] = [];
    const sent = await sendApprovals({
      wallet: w,
      steps,
      rpcUrl: chain.rpcUrl,
      onSent: (s) => seen.push(s.txHash),
    });
    expect(sent).toHaveLength(4);
    expect(seen).toEqual(sent.map((s) => s.txHash));
    expect(await check(w.address)).toEqual([]);
    expect(await plan()).toEqual([]);
    expect(await reader.isApprovedForAll(w.address, spenders[0]!)).toBe(true);
  });

  it('an allowance below the position size is refused with the amounts; gas below MIN_GAS_POL too', async () => {
    const w = await chain.newFundedWallet(5_000_000n);
    const token = new Contract(chain.deployment.collateral, ERC20_ABI, w);
    await (await token.getFunction('approve').send(spenders[0], 500_000n)).wait();
    const lines = await check(w.address, { spenders: [spenders[0]!], minGasWei: parseEther('20') });
    expect(lines).toHaveLength(3);
    expect(lines[0]).toContain('is 0.5 USDC, below the position size 1.0 USDC');
    expect(lines[2]).toMatch(/^signer 0x[0-9a-fA-F]{40} holds 9\.99\d* POL, below MIN_GAS_POL 20 .*send POL/);
  });

  it('a deposit wallet (type 3) is told to approve in the wallet; no gas line for its signer', async () => {
    const owner = Wallet.createRandom().address; // no gas at all
    const dw = await chain.deployDepositWallet(owner);
    const lines = await check(dw, { signer: owner, signatureType: 3 });
    expect(lines).toHaveLength(4);
    for (const l of lines) {
      expect(l).toContain(dw);
      expect(l).toContain('deposit wallet');
      expect(l).not.toContain('npm run approve');
    }
    const safe = await check(dw, { signer: owner, signatureType: 2 });
    expect(safe[0]).toContain('Safe');
  });

  it('an unreachable node throws a classified error instead of returning lines', async () => {
    const dead = new JsonRpcProvider('http://127.0.0.1:9', 1337, { staticNetwork: true });
    try {
      const err: unknown = await check(Wallet.createRandom().address, {
        runner: dead,
        rpcUrl: 'http://127.0.0.1:9',
      }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TraderError);
      expect((err as TraderError).action).toBe('retryable');
    } finally {
      dead.destroy();
    }
  });
});

describe('tradingAddresses / parseSpenders', () => {
  const base = { CHAIN_ID: 137, CTF_ADDRESS: '', COLLATERAL_ADDRESS: '', EXCHANGE_SPENDERS: '' };

  it('137 defaults to pUSD and the V2 spenders; EXCHANGE_SPENDERS overrides them', () => {
    const a = tradingAddresses(base);
    expect(a.collateral).toBe(POLYGON_ADDRESSES.pUsd);
    expect(a.ctf).toBe(POLYGON_ADDRESSES.conditionalTokens);
    expect(a.spenders).toEqual([
      POLYGON_ADDRESSES.ctfExchangeV2,
      POLYGON_ADDRESSES.negRiskCtfExchangeV2,
      POLYGON_ADDRESSES.negRiskAdapter,
    ]);
    const one = POLYGON_ADDRESSES.ctfExchangeV2.toLowerCase();
    expect(tradingAddresses({ ...base, EXCHANGE_SPENDERS: ` ${one}, ,${one}` }).spenders).toEqual([
      POLYGON_ADDRESSES.ctfExchangeV2,
    ]);
  });

  it('a local chain needs every address set, and names what is missing', () => {
    expect(() => tradingAddresses({ ...base, CHAIN_ID: 1337 })).toThrow(
      /set CTF_ADDRESS, COLLATERAL_ADDRESS, EXCHANGE_SPENDERS/,
    );
    const x = Wallet.createRandom().address;
    expect(
      tradingAddresses({
        CHAIN_ID: 1337,
        CTF_ADDRESS: x.toLowerCase(),
        COLLATERAL_ADDRESS: x,
        EXCHANGE_SPENDERS: x,
      }),
    ).toEqual({ ctf: getAddress(x), collateral: x, spenders: [x] });
  });

  it('refuses an entry that is not an address', () => {
    expect(() => parseSpenders('0x12')).toThrow(ConfigError);
    expect(() => tradingAddresses({ ...base, CTF_ADDRESS: 'nope' })).toThrow(/CTF_ADDRESS/);
    expect(() => polToWei(-1)).toThrow(ConfigError);
    expect(polToWei(0.05)).toBe(50_000_000_000_000_000n);
  });
});

describe('verifyPositionIds (issue #8 point 7)', () => {
  let win: WindowIds;
  const other = Wallet.createRandom().address;
  beforeAll(async () => {
    win = await chain.prepareWindow('btc-updown-5m-1766745300');
  });
  const verify = (up: string, down: string, candidates: string[]) =>
    verifyPositionIds({
      runner: chain.provider,
      rpcUrl: chain.rpcUrl,
      ctf: chain.deployment.conditionalTokens,
      conditionId: win.conditionId,
      upTokenId: up,
      downTokenId: down,
      candidates,
      market: 'btc-updown-5m-1766745300',
    });

  it('names the collateral the ids were split from, whatever its place in the candidates', async () => {
    const r = await verify(win.upTokenId, win.downTokenId, [other, chain.deployment.collateral]);
    expect(r).toEqual({ ok: true, collateral: getAddress(chain.deployment.collateral) });
    const hex = `0x${BigInt(win.upTokenId).toString(16)}`;
    expect((await verify(hex, win.downTokenId, [chain.deployment.collateral])).ok).toBe(true);
  });

  it('refuses when no candidate matches, and when Up and Down are swapped', async () => {
    const none = await verify(win.upTokenId, win.downTokenId, [other]);
    expect(none.ok).toBe(false);
    if (!none.ok) {
      expect(none.reason).toContain('btc-updown-5m-1766745300');
      expect(none.reason).toContain('not traded');
    }
    const swapped = await verify(win.downTokenId, win.upTokenId, [other, chain.deployment.collateral]);
    expect(swapped.ok).toBe(false);
    if (!swapped.ok) expect(swapped.reason).toMatch(/Up token is the chain's Down position/);
  });
});
