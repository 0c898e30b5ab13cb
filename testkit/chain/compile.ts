/**
 * Compiles the test contracts in `contracts/` with solc-js (toolchain-notes.md §3: offline,
 * `evmVersion: 'shanghai'` because ganache supports hardforks only up to shanghai) and caches
 * the result as JSON in the OS temp dir, keyed by a hash of the sources, the solc version and the
 * settings, so jest suites and rehearsal runs do not recompile. solc is loaded lazily, only on a
 * cache miss (loading soljson alone costs about half a second).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { JsonFragment } from 'ethers';
import { TraderError } from '../../src/core/errors';

/** ABI and creation bytecode of one compiled contract. */
export interface CompiledContract {
  /** The JSON ABI as emitted by solc. */
  readonly abi: readonly JsonFragment[];
  /** Creation bytecode, `0x`-prefixed hex. */
  readonly bytecode: string;
}

/** The test contracts plus where the build came from. */
export interface CompiledTestContracts {
  readonly TestCollateral: CompiledContract;
  readonly TestConditionalTokens: CompiledContract;
  /** ERC-1271 / ERC-7739 deposit wallet (signature type 3; issue #8). */
  readonly TestDepositWallet: CompiledContract;
  /** SHA-256 of sources + solc version + settings (the cache key). */
  readonly sourceHash: string;
  /** Whether this call compiled (`false` when the cache answered). */
  readonly compiled: boolean;
}

/** The contracts could not be found or compiled (a broken checkout or toolchain). */
export class ContractBuildError extends TraderError {
  override name = 'ContractBuildError';
  /** Creates a build error (action `config`: fix the install or the sources). */
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'config', options);
  }
}

const SOURCES = ['TestCollateral.sol', 'TestConditionalTokens.sol', 'TestDepositWallet.sol'] as const;
const SETTINGS = {
  evmVersion: 'shanghai',
  // The optimizer quadruples compile time (0.65 s → 2.6 s on 2 cores) for no benefit on a test chain.
  optimizer: { enabled: false, runs: 200 },
  outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } },
} as const;

/** Finds `contracts/` by walking up from this file (works from `src/` under tsx/jest and from `dist/`). */
export function findContractsDir(start: string = __dirname): string {
  let dir = start;
  for (;;) {
    const candidate = path.join(dir, 'contracts');
    if (existsSync(path.join(candidate, 'TestConditionalTokens.sol'))) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) throw new ContractBuildError(`contracts/ not found above ${start}`);
    dir = parent;
  }
}

interface SolcOutput {
  errors?: { severity: string; formattedMessage: string }[];
  contracts?: Record<string, Record<string, { abi: JsonFragment[]; evm: { bytecode: { object: string } } }>>;
}

/**
 * Returns the compiled test contracts, from the cache when the key matches, else compiling
 * (about 1.1 s including loading solc) and writing the cache atomically (temp file + rename, safe with parallel workers).
 * @throws {ContractBuildError} when the sources are missing or solc reports an error.
 */
export function compileTestContracts(opts: { cacheDir?: string } = {}): CompiledTestContracts {
  const dir = findContractsDir();
  const sources: Record<string, { content: string }> = {};
  for (const file of SOURCES) sources[file] = { content: readFileSync(path.join(dir, file), 'utf8') };
  const req = createRequire(__filename);
  const solcVersion = (
    JSON.parse(readFileSync(req.resolve('solc/package.json'), 'utf8')) as { version: string }
  ).version;
  const sourceHash = createHash('sha256')
    .update(JSON.stringify({ solcVersion, SETTINGS, sources }))
    .digest('hex');
  const cacheDir = opts.cacheDir ?? path.join(tmpdir(), 'updown-trader-solc');
  const cacheFile = path.join(cacheDir, `${sourceHash.slice(0, 32)}.json`);
  if (existsSync(cacheFile)) {
    try {
      const cached = JSON.parse(readFileSync(cacheFile, 'utf8')) as Omit<CompiledTestContracts, 'compiled'>;
      if (cached.sourceHash === sourceHash) return { ...cached, compiled: false };
    } catch {
      // A truncated or foreign cache file: recompile and overwrite it.
    }
  }
  // solc's typings declare `compile: any`; the output is checked below.
  const solc = req('solc') as { compile: (input: string) => string };
  const out = JSON.parse(
    solc.compile(JSON.stringify({ language: 'Solidity', sources, settings: SETTINGS })),
  ) as SolcOutput;
  const errors = (out.errors ?? []).filter((e) => e.severity === 'error');
  if (errors.length > 0)
    throw new ContractBuildError(`solc failed: ${errors.map((e) => e.formattedMessage).join('\n')}`);
  const pick = (file: string, name: string): CompiledContract => {
    const c = out.contracts?.[file]?.[name];
    if (c === undefined) throw new ContractBuildError(`solc output lacks ${file}:${name}`);
    return { abi: c.abi, bytecode: `0x${c.evm.bytecode.object}` };
  };
  const result = {
    TestCollateral: pick('TestCollateral.sol', 'TestCollateral'),
    TestConditionalTokens: pick('TestConditionalTokens.sol', 'TestConditionalTokens'),
    TestDepositWallet: pick('TestDepositWallet.sol', 'TestDepositWallet'),
    sourceHash,
  };
  mkdirSync(cacheDir, { recursive: true });
  const tmp = `${cacheFile}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(tmp, JSON.stringify(result));
  renameSync(tmp, cacheFile);
  return { ...result, compiled: true };
}
