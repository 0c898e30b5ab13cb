import { localReadiness } from '../helpers/stacks';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { Wallet } from 'ethers';
import { startLocalChain, type LocalChain } from '../../testkit/chain/local-chain';
import { runApprove } from '../../src/cli/approve';

let chain: LocalChain;
const spenders = [Wallet.createRandom().address, Wallet.createRandom().address];

beforeAll(async () => {
  chain = await startLocalChain();
});

afterAll(async () => {
  await chain.close();
});

/** The settings of a local-chain approve for `w` (a fresh wallet per test: no key in a fixture). */
const envOf = (w: Wallet, extra: Record<string, string> = {}): Record<string, string> => ({
  PRIVATE_KEY: w.privateKey,
  RPC_URL: chain.rpcUrl,
  CHAIN_ID: '1337',
  CTF_ADDRESS: chain.deployment.conditionalTokens,
  COLLATERAL_ADDRESS: chain.deployment.collateral,
  EXCHANGE_SPENDERS: spenders.join(','),
  POSITION_SIZE_USDC: '1',
  ...extra,
});

/** Runs the command's function and collects its lines. */
async function approve(env: Record<string, string>, dryRun = false) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runApprove({ dryRun }, env, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

const missing = (owner: string) => localReadiness(chain, spenders, owner);

const noKey = (lines: string[], w: Wallet) => {
  for (const l of lines) expect(l.toLowerCase()).not.toContain(w.privateKey.slice(2).toLowerCase());
};

describe('approve (issue #8 point 4)', () => {
  it('--dry-run lists the 4 missing approvals and sends nothing', async () => {
    const w = await chain.newFundedWallet(0n);
    const r = await approve(envOf(w), true);
    expect(r.code).toBe(0);
    expect(r.out.filter((l) => l.startsWith('would send: '))).toHaveLength(4);
    expect(r.out.at(-1)).toMatch(/dry run: 4 transactions would be sent; nothing sent/);
    expect(await chain.provider.getTransactionCount(w.address)).toBe(0);
    noKey([...r.out, ...r.err], w);
  });

  it('sends what is missing (one line per transaction), then the start-up check passes; a rerun sends nothing', async () => {
    const w = await chain.newFundedWallet(0n);
    expect(await missing(w.address)).toHaveLength(4);
    const r = await approve(envOf(w));
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    const sent = r.out.filter((l) => l.startsWith('sent: '));
    expect(sent).toHaveLength(4);
    for (const l of sent) expect(l).toMatch(/^sent: 0x[0-9a-f]{64} (approve|setApprovalForAll)\(0x/);
    for (const s of spenders) expect(sent.filter((l) => l.includes(s))).toHaveLength(2);
    expect(r.out.at(-1)).toMatch(/^approve: 4 transactions mined/);
    expect(await missing(w.address)).toEqual([]);

    const again = await approve(envOf(w));
    expect(again.code).toBe(0);
    expect(again.out).toEqual([expect.stringMatching(/already approved; nothing sent/)]);
    noKey([...r.out, ...r.err, ...again.out], w);
  });

  it('refuses other signature types with one line, a wallet without gas, and a funder that is not the key', async () => {
    const w = await chain.newFundedWallet(0n);
    for (const t of ['1', '2', '3']) {
      const r = await approve(envOf(w, { SIGNATURE_TYPE: t }));
      expect(r.code).toBe(1);
      expect(r.err).toHaveLength(1);
      expect(r.err[0]).toMatch(/approvals of a proxy\/Safe\/deposit wallet are made by the wallet/);
    }
    const broke = new Wallet(Wallet.createRandom().privateKey);
    const nogas = await approve(envOf(broke));
    expect(nogas.code).toBe(1);
    expect(nogas.err).toEqual([expect.stringMatching(/holds no POL for gas/)]);
    const other = await approve(envOf(w, { FUNDER_ADDRESS: Wallet.createRandom().address }));
    expect(other.err).toEqual([expect.stringMatching(/FUNDER_ADDRESS .* is not the key's address/)]);
    noKey([...nogas.err], broke);
  });

  it('the real CLI (`updown-trader approve --dry-run`) prints the plan and exits 0', async () => {
    const w = await chain.newFundedWallet(0n);
    const root = path.resolve(__dirname, '../..');
    const { stdout, stderr } = await promisify(execFile)(
      path.join(root, 'node_modules/.bin/tsx'),
      ['src/cli/main.ts', 'approve', '--dry-run'],
      { cwd: root, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...envOf(w) } },
    );
    expect(stdout).toMatch(/dry run: 4 transactions would be sent/);
    expect(stdout.toLowerCase()).not.toContain(w.privateKey.slice(2).toLowerCase());
    expect(stderr.toLowerCase()).not.toContain(w.privateKey.slice(2).toLowerCase());
  }, 60_000);
});
