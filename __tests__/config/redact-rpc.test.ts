/** Issue #8 point 13: RPC_URL often carries a provider key; it is never stored as typed. */
import { loadConfig } from '../../src/config/schema';
import { redactConfig, redactUrl } from '../../src/config/redact';

describe('RPC_URL redaction', () => {
  it.each([
    [
      'https://polygon-mainnet.g.alchemy.com/v2/SECRETKEY123',
      'https://polygon-mainnet.g.alchemy.com/[redacted]',
    ],
    ['https://rpc.example.com/?apikey=SECRETKEY123', 'https://rpc.example.com/[redacted]'],
    ['https://user:SECRETKEY123@rpc.example.com', 'https://rpc.example.com/[redacted]'],
    ['http://127.0.0.1:8545', 'http://127.0.0.1:8545'],
    ['not a url SECRETKEY123', '[redacted]'],
  ])('%s → %s', (url, want) => {
    expect(redactUrl(url)).toBe(want);
  });

  it('is applied to the config stored in the runs table', () => {
    const cfg = loadConfig({ env: { RPC_URL: 'https://polygon-mainnet.g.alchemy.com/v2/SECRETKEY123' } });
    const stored = JSON.stringify(redactConfig(cfg));
    expect(stored).not.toContain('SECRETKEY123');
    expect(stored).toContain('polygon-mainnet.g.alchemy.com');
  });
});
