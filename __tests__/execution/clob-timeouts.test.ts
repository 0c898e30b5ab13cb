/**
 * Issue #8 point 6 (venue side): every outbound call of the CLOB venue is bounded. Against a
 * local HTTP server that accepts requests and never answers, each path ends in an event or a
 * classified error within the timeout — never a hung promise.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { TraderError } from '../../src/core/errors';
import type { OrderCommand, VenueEvent } from '../../src/core/types';
import { TimeoutError } from '../../src/platform/with-timeout';
import { ClobVenue, type ClobVenueOptions } from '../../src/execution/clob-venue';

const TIMEOUT_MS = 200;
let server: Server;
let held: IncomingMessage[];
let opts: ClobVenueOptions;

beforeEach(async () => {
  held = [];
  server = createServer((req) => held.push(req)); // holds every request, answers none
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.address() as AddressInfo).port;
  opts = {
    host: `http://127.0.0.1:${port}`,
    chainId: 137,
    account: privateKeyToAccount(generatePrivateKey()),
    creds: { key: 'k', secret: randomBytes(32).toString('base64url'), passphrase: 'p' },
    requestTimeoutMs: TIMEOUT_MS,
    retry: { retries: 1, minTimeoutMs: 5, maxTimeoutMs: 10 },
  };
});
afterEach(async () => {
  server.closeAllConnections();
  await new Promise<void>((ok) => server.close(() => ok()));
});

const cmd = (side: 'BUY' | 'SELL'): OrderCommand => ({
  clientOrderId: `t-${side}`,
  positionKey: 'p',
  purpose: side === 'BUY' ? 'entry' : 'exit',
  tokenId: '123',
  window: { crypto: 'BTC', windowSec: 300, windowEpoch: 0 },
  side,
  tif: 'FOK',
  limitPrice: 500_000,
  ...(side === 'BUY' ? { notional: 5_000_000 } : { shares: 10_000_000 }),
  createdMs: 0,
});

async function outcome(venue: ClobVenue, c: OrderCommand): Promise<VenueEvent> {
  const got: VenueEvent[] = [];
  venue.setListener((e) => got.push(e));
  venue.submit(c);
  await venue.idle();
  return got[0]!;
}

describe('ClobVenue against a venue that never answers', () => {
  it('a BUY whose order building hangs → rejected venue_unavailable (nothing was sent)', async () => {
    const venue = await ClobVenue.create(opts);
    // a hung call would end this test by jest's timeout: the event itself proves the bound
    const ev = await outcome(venue, cmd('BUY'));
    expect(ev).toMatchObject({ kind: 'rejected', cause: 'venue_unavailable' });
    expect(held.some((r) => r.url === '/order')).toBe(false);
  });

  it('a SELL whose balance refresh hangs → rejected venue_unavailable', async () => {
    const venue = await ClobVenue.create(opts);
    const ev = await outcome(venue, cmd('SELL'));
    expect(ev).toMatchObject({ kind: 'rejected', cause: 'venue_unavailable' });
    expect(ev.kind === 'rejected' && ev.reason).toMatch(/balance not read/);
  });

  it('resolveUnknown returns null (still unknown) when the order query hangs', async () => {
    const venue = await ClobVenue.create(opts);
    venue.adoptUnknown(cmd('BUY'), [`0x${'1'.repeat(64)}`]);
    expect(await venue.resolveUnknown('t-BUY')).toBeNull();
    expect(venue.unknownOrders()).toEqual(['t-BUY']);
  });

  it('updateCollateral rejects with a TimeoutError', async () => {
    const venue = await ClobVenue.create(opts);
    await expect(venue.updateCollateral()).rejects.toBeInstanceOf(TimeoutError);
  });

  it('creating credentials that never come → config error within the timeout', async () => {
    const noCreds: ClobVenueOptions = { ...opts };
    delete (noCreds as { creds?: unknown }).creds;
    const err = await ClobVenue.create(noCreds).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TraderError);
    expect((err as TraderError).action).toBe('config');
    expect((err as Error).message).toMatch(/no answer within 200 ms/);
  });
});
