/**
 * A throwaway local EVM for tests and the local rehearsal: ganache in-process on 127.0.0.1 (a
 * random free port), a fresh random mnemonic per start (no key is ever stored in the repo), and
 * the two test contracts of `contracts/` deployed by account 0 (toolchain-notes.md §3); deposit
 * wallets (`TestDepositWallet`, issue #8) are deployed on demand.
 * ganache and solc are dev dependencies, loaded lazily so production code importing the types
 * does not need them.
 */
import { createRequire } from 'node:module';
import {
  Contract,
  ContractFactory,
  HDNodeWallet,
  JsonRpcProvider,
  MaxUint256,
  Mnemonic,
  Wallet,
  getAddress,
  id as keccakText,
  isHexString,
  parseEther,
  randomBytes,
  type ContractTransactionResponse,
  type TransactionReceipt,
} from 'ethers';
import { InvariantError } from '../../src/core/errors';
import { UP_DOWN_INDEX_SETS, ROOT_COLLECTION_ID } from '../../src/chain/abi';
import type { LocalDeployment } from '../../src/chain/addresses';
import { compileTestContracts, type CompiledContract } from './compile';

/** The ids of one up/down window's condition, all read from the contract's view functions. */
export interface WindowIds {
  /** bytes32 hex question id (as passed, or keccak256 of the text). */
  readonly questionId: string;
  /** bytes32 hex condition id (`getConditionId(oracle, questionId, 2)`). */
  readonly conditionId: string;
  /** ERC-1155 position id of Up (index set 1), decimal string as in Gamma `clobTokenIds`. */
  readonly upTokenId: string;
  /** ERC-1155 position id of Down (index set 2), decimal string. */
  readonly downTokenId: string;
}

/** Start-up timings of a local chain, ms. */
export interface LocalChainTimings {
  /** Compile or cache read of the contracts. */
  readonly compileMs: number;
  /** ganache start until listening. */
  readonly listenMs: number;
  /** Deploying both contracts and approving the CTF. */
  readonly deployMs: number;
}

/** The chain id deposit-wallet signatures are made for by default (Polygon; the client signs for 137). */
export const DEFAULT_SIGNED_CHAIN_ID = 137;

/** A running local chain; every amount is a bigint in 6-decimal base units (micro-USDC / micro-shares). */
export interface LocalChain {
  /** `http://127.0.0.1:<port>`. */
  readonly rpcUrl: string;
  /** 1337. */
  readonly chainId: 1337;
  /** Provider with the settings toolchain-notes §3 requires (static network, no request cache). */
  readonly provider: JsonRpcProvider;
  /** Account 0: owner of the collateral, oracle of every condition. */
  readonly deployer: Wallet;
  /** TestCollateral, connected to the deployer. */
  readonly collateral: Contract;
  /** TestConditionalTokens, connected to the deployer. */
  readonly ctf: Contract;
  /** Addresses for `chainAddresses(1337, deployment)`. */
  readonly deployment: LocalDeployment;
  /** How long the start took, per phase (compile is ~0 ms on a cache hit). */
  readonly timings: LocalChainTimings;
  /** Creates a random wallet with 10 ETH for gas and `usdcMicros` of collateral. */
  newFundedWallet(usdcMicros: bigint): Promise<Wallet>;
  /** Prepares a 2-outcome condition with the deployer as oracle and returns its ids. */
  prepareWindow(questionId: string): Promise<WindowIds>;
  /** Splits `amountMicros` of the deployer's collateral into Up + Down and transfers both to `to`. */
  mintOutcomeTokens(to: string, conditionId: string, amountMicros: bigint): Promise<void>;
  /** Reports payouts `[1,0]` (UP) or `[0,1]` (DOWN) as the oracle. */
  resolve(conditionId: string, winner: 'UP' | 'DOWN'): Promise<void>;
  /**
   * Deploys a `TestDepositWallet` owned by `owner` (a wallet or an address) whose ERC-7739
   * signatures are checked for `signedChainId` (default 137: orders are signed for Polygon while
   * this chain runs as 1337; issue #8). Sent by the deployer. Returns the checksummed address.
   */
  deployDepositWallet(owner: Wallet | string, signedChainId?: number): Promise<string>;
  /** Stops the provider and the server. Idempotent. */
  close(): Promise<void>;
}

const CHAIN_ID = 1337;

/** Sends a contract transaction and waits for its receipt. @throws {InvariantError} when it has none. */
async function mined(pending: Promise<ContractTransactionResponse>): Promise<TransactionReceipt> {
  const receipt = await (await pending).wait();
  if (receipt === null) throw new InvariantError('local chain: transaction without receipt');
  return receipt;
}

/** Calls a contract function by name (typed access: `Contract`'s index signature is `possibly undefined`). */
function fn(contract: Contract, name: string): (...args: unknown[]) => Promise<unknown> {
  const f = contract.getFunction(name);
  return (...args: unknown[]) => f(...args) as Promise<unknown>;
}

/**
 * Starts ganache (hardfork shanghai, instant mining), compiles (or reads the cache) and deploys
 * the test contracts, and approves the CTF to pull the deployer's collateral.
 * @throws {ContractBuildError} when the contracts do not compile.
 */
export async function startLocalChain(): Promise<LocalChain> {
  const t0 = Date.now();
  const build = compileTestContracts();
  const t1 = Date.now();
  const req = createRequire(__filename);
  const ganache = req('ganache') as typeof import('ganache');
  const mnemonic = Mnemonic.fromEntropy(randomBytes(16)).phrase; // fresh per start, never persisted
  const server = ganache.server({
    logging: { quiet: true },
    wallet: { mnemonic, totalAccounts: 1, defaultBalance: 1_000_000 },
    chain: { chainId: CHAIN_ID, hardfork: 'shanghai' },
    miner: { instamine: 'eager' },
  });
  try {
    await server.listen(0, '127.0.0.1');
  } catch (err) {
    await server.close().catch(() => undefined);
    throw err;
  }
  const rpcUrl = `http://127.0.0.1:${server.address().port}`;
  const provider = new JsonRpcProvider(rpcUrl, CHAIN_ID, { staticNetwork: true, cacheTimeout: -1 });
  const t2 = Date.now();

  const key = HDNodeWallet.fromPhrase(mnemonic, undefined, "m/44'/60'/0'/0/0").privateKey;
  const deployer = new Wallet(key, provider);
  // One transaction at a time from the deployer: ethers fetches the pending nonce per send.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(job: () => Promise<T>): Promise<T> => {
    const next = queue.then(job, job);
    queue = next.catch(() => undefined);
    return next;
  };

  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    provider.destroy();
    await server.close();
  };

  try {
    const deploy = async (c: CompiledContract): Promise<Contract> => {
      const factory = new ContractFactory(c.abi, c.bytecode, deployer);
      const deployed = await factory.deploy();
      await deployed.waitForDeployment();
      return new Contract(await deployed.getAddress(), c.abi, deployer);
    };
    const collateral = await deploy(build.TestCollateral);
    const ctf = await deploy(build.TestConditionalTokens);
    const collateralAddress = await collateral.getAddress();
    const ctfAddress = await ctf.getAddress();
    await mined(fn(collateral, 'approve')(ctfAddress, MaxUint256) as Promise<ContractTransactionResponse>);
    const t3 = Date.now();

    const tx = (c: Contract, name: string, ...args: unknown[]): Promise<TransactionReceipt> =>
      serial(() => mined(fn(c, name)(...args) as Promise<ContractTransactionResponse>));
    const questions = new Map<string, string>();

    const chain: LocalChain = {
      rpcUrl,
      chainId: CHAIN_ID,
      provider,
      deployer,
      collateral,
      ctf,
      deployment: { chainId: CHAIN_ID, conditionalTokens: ctfAddress, collateral: collateralAddress },
      timings: { compileMs: t1 - t0, listenMs: t2 - t1, deployMs: t3 - t2 },

      async newFundedWallet(usdcMicros) {
        const wallet = new Wallet(Wallet.createRandom().privateKey, provider);
        await serial(async () => {
          const sent = await deployer.sendTransaction({ to: wallet.address, value: parseEther('10') });
          await sent.wait();
        });
        if (usdcMicros > 0n) await tx(collateral, 'mint', wallet.address, usdcMicros);
        return wallet;
      },

      async prepareWindow(question) {
        const questionId = isHexString(question, 32) ? question : keccakText(question);
        await tx(ctf, 'prepareCondition', deployer.address, questionId, 2n);
        const conditionId = String(await fn(ctf, 'getConditionId')(deployer.address, questionId, 2n));
        questions.set(conditionId, questionId);
        const ids: string[] = [];
        for (const indexSet of UP_DOWN_INDEX_SETS) {
          const collectionId = await fn(ctf, 'getCollectionId')(ROOT_COLLECTION_ID, conditionId, indexSet);
          const positionId = await fn(ctf, 'getPositionId')(collateralAddress, collectionId);
          if (typeof positionId !== 'bigint')
            throw new InvariantError('local chain: getPositionId returned no uint256');
          ids.push(positionId.toString());
        }
        const [upTokenId, downTokenId] = ids as [string, string];
        return { questionId, conditionId, upTokenId, downTokenId };
      },

      async mintOutcomeTokens(to, conditionId, amountMicros) {
        await tx(collateral, 'mint', deployer.address, amountMicros);
        const receipt = await tx(
          ctf,
          'splitPosition',
          collateralAddress,
          ROOT_COLLECTION_ID,
          conditionId,
          [...UP_DOWN_INDEX_SETS],
          amountMicros,
        );
        if (to.toLowerCase() === deployer.address.toLowerCase()) return;
        const ids = receipt.logs
          .map((log) => ctf.interface.parseLog(log))
          .find((parsed) => parsed?.name === 'TransferBatch')
          ?.args.getValue('ids') as bigint[] | undefined;
        if (ids === undefined)
          throw new InvariantError('local chain: splitPosition emitted no TransferBatch');
        const values = ids.map(() => amountMicros);
        // The event's `Result` is frozen and ethers mutates arguments while resolving them: copy it.
        await tx(ctf, 'safeBatchTransferFrom', deployer.address, to, [...ids], values, '0x');
      },

      async resolve(conditionId, winner) {
        const questionId = questions.get(conditionId);
        if (questionId === undefined)
          throw new InvariantError(`local chain: condition ${conditionId} was not prepared by prepareWindow`);
        await tx(ctf, 'reportPayouts', questionId, winner === 'UP' ? [1n, 0n] : [0n, 1n]);
      },

      async deployDepositWallet(owner, signedChainId = DEFAULT_SIGNED_CHAIN_ID) {
        const ownerAddress = typeof owner === 'string' ? getAddress(owner) : owner.address;
        const c = build.TestDepositWallet;
        return serial(async () => {
          const factory = new ContractFactory(c.abi, c.bytecode, deployer);
          const deployed = await factory.deploy(ownerAddress, BigInt(signedChainId));
          await deployed.waitForDeployment();
          return getAddress(await deployed.getAddress());
        });
      },

      close,
    };
    return chain;
  } catch (err) {
    await close();
    throw err;
  }
}
