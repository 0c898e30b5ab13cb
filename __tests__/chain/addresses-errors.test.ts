import { getAddress, makeError } from 'ethers';
import { ConfigError } from '../../src/core/errors';
import { POLYGON_ADDRESSES, chainAddresses } from '../../src/chain/addresses';
import {
  ChainDataError,
  ChainNetworkError,
  ChainRevertError,
  ChainUnknownOutcomeError,
  classifyChainError,
  redactRpcUrl,
} from '../../src/chain/errors';

describe('chain addresses', () => {
  it('lists EIP-55 checksummed Polygon addresses', () => {
    for (const [name, value] of Object.entries(POLYGON_ADDRESSES)) {
      if (name === 'chainId') continue;
      expect(getAddress(String(value))).toBe(value);
    }
  });

  it('maps 137 to USDC.e (V1) and pUSD (V2) with the exchange spenders', () => {
    const a = chainAddresses(137);
    expect(a.conditionalTokens).toBe('0x4D97DCd97eC945f40cF65F87097ACe5EA0476045');
    expect(a.collateralV1).toBe(POLYGON_ADDRESSES.usdcE);
    expect(a.collateralV2).toBe(POLYGON_ADDRESSES.pUsd);
    expect(a.spendersV2).toContain(POLYGON_ADDRESSES.ctfExchangeV2);
  });

  it('takes local addresses from the deployment and refuses unknown chains', () => {
    const local = {
      chainId: 1337 as const,
      conditionalTokens: '0x' + '1'.repeat(40),
      collateral: '0x' + '2'.repeat(40),
    };
    expect(chainAddresses(1337, local)).toMatchObject({ collateralV1: local.collateral, spendersV1: [] });
    expect(() => chainAddresses(1337)).toThrow(ConfigError);
    expect(() => chainAddresses(31337, local)).toThrow(ConfigError);
    expect(() => chainAddresses(1)).toThrow(/unsupported chain id 1/);
  });
});

describe('chain error classification', () => {
  const rpcUrl = 'https://polygon-mainnet.example.com/v2/SECRET-API-KEY?token=x';

  it('redacts paths, queries and user info from RPC URLs', () => {
    expect(redactRpcUrl(rpcUrl)).toBe('https://polygon-mainnet.example.com/…');
    expect(redactRpcUrl('http://user:pw@127.0.0.1:8545')).toBe('http://127.0.0.1:8545');
    expect(redactRpcUrl('not a url')).toBe('<invalid rpc url>');
  });

  it('classifies reverts, network failures, ambiguous writes and bad data', () => {
    const revert = makeError('execution reverted', 'CALL_EXCEPTION', {
      action: 'call',
      data: '0x',
      reason: 'x',
      transaction: { to: null, data: '0x' },
      invocation: null,
      revert: null,
    });
    const network = makeError('timeout', 'TIMEOUT', { operation: 'request', reason: 'timeout' });
    const bad = makeError('could not decode', 'BAD_DATA', { value: '0x' });
    const r = classifyChainError(revert, { op: 'balanceOf', rpcUrl });
    expect(r).toBeInstanceOf(ChainRevertError);
    expect(r.action).toBe('rejected');
    const n = classifyChainError(network, { op: 'balanceOf', rpcUrl });
    expect(n).toBeInstanceOf(ChainNetworkError);
    expect(n.action).toBe('retryable');
    expect(n.message).toBe('balanceOf at https://polygon-mainnet.example.com/… failed: timeout');
    const w = classifyChainError(network, { op: 'redeemPositions', rpcUrl, write: true, txHash: '0xabc' });
    expect(w).toBeInstanceOf(ChainUnknownOutcomeError);
    expect((w as ChainUnknownOutcomeError).txHash).toBe('0xabc');
    expect(classifyChainError(bad, { op: 'balanceOf', rpcUrl })).toBeInstanceOf(ChainDataError);
    expect(String(n)).not.toContain('SECRET');
  });
});
