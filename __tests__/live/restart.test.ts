/**
 * Restart of a live trader killed with -9 (issue #4): once with a position OPEN, once with one
 * EXITING (its sell filled at the venue, the answer still held). The restarted trader resumes the
 * run from the database, settles the in-flight order by asking the venue, reconciles against the
 * chain with zero discrepancies and never sells twice. Real CLI child processes against a local
 * EVM and the local exchange; a fresh PostgreSQL database (kill -9 durability is a property of a
 * server database), whatever DATABASE_URL says.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Wallet } from 'ethers';
import { Client } from 'pg';
import { canonicalTokenId } from '../../src/chain/balances';
import type { WireTrade } from '../../src/exchange-local/clob/matching';
import { startVenueStack, type VenueStack } from '../../src/exchange-local/venue-stack';
import { spawnTrader, traderEnv } from '../../src/live/rehearsal';
import { openRepository } from '../../src/persistence/open-repository';
import type {
  OrderAttemptRecord,
  OrderRecord,
  PositionEventRecord,
  PositionRecord,
} from '../../src/persistence/records';

const SERVER = 'postgres://postgres@127.0.0.1:5432';
const DB_NAME = `updown_restart_${process.pid}_${Date.now()}`;
const DATABASE_URL = `${SERVER}/${DB_NAME}`;
const TEST_MS = 150_000;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function admin<T>(job: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: `${SERVER}/postgres` });
  await c.connect();
  try {
    return await job(c);
  } finally {
    await c.end();
  }
}

/** A trader child process with its output collected. */
class Trader {
  out = '';
  err = '';
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;

  constructor(env: Readonly<Record<string, string>>, url: string) {
    this.child = spawnTrader(env, url);
    this.child.stdout?.on('data', (d: Buffer) => (this.out += d.toString()));
    this.child.stderr?.on('data', (d: Buffer) => (this.err = (this.err + d.toString()).slice(-20_000)));
    this.exited = new Promise((ok) => this.child.once('exit', (code) => ok(code)));
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  tail(): string {
    return `--- stdout:\n${this.out.slice(-3_000)}\n--- stderr:\n${this.err.slice(-3_000)}`;
  }

  /** Resolves once `test` holds; throws with the trader's output when it exits or `ms` pass. */
  async until(what: string, test: () => boolean, ms = 60_000, everyMs = 10): Promise<void> {
    const start = Date.now();
    while (!test()) {
      if (!this.running) throw new Error(`the trader exited while waiting for ${what}\n${this.tail()}`);
      if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}\n${this.tail()}`);
      await sleep(everyMs);
    }
  }

  async kill9(): Promise<void> {
    if (this.running) this.child.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM, then the exit code (SIGKILL after 30 s). */
  async stop(): Promise<number | null | 'timeout'> {
    if (!this.running) return this.exited;
    this.child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'timeout'>((ok) => (timer = setTimeout(() => ok('timeout'), 30_000)));
    const code = await Promise.race([this.exited, late]);
    clearTimeout(timer);
    if (code === 'timeout') await this.kill9();
    return code;
  }
}

interface RunRows {
  positions: PositionRecord[];
  events: PositionEventRecord[];
  attempts: OrderAttemptRecord[];
  orders: OrderRecord[];
}

async function runRows(address: string): Promise<RunRows> {
  const repo = await openRepository({ databaseUrl: DATABASE_URL });
  try {
    const runId = await repo.latestRunOf('live', address);
    if (runId === null) throw new Error(`no live run stored for ${address}`);
    return {
      positions: await repo.loadPositions(runId),
      events: await repo.loadPositionEvents(runId),
      attempts: await repo.loadOrderAttempts(runId),
      orders: await repo.loadOrders(runId),
    };
  } finally {
    await repo.close();
  }
}

const same = (a: string, b: string): boolean => canonicalTokenId(a) === canonicalTokenId(b);

let stack: VenueStack | null = null;
let dir = '';
const traders: Trader[] = [];

beforeAll(async () => {
  await admin((c) => c.query(`CREATE DATABASE "${DB_NAME}"`));
});

afterAll(async () => {
  await admin((c) => c.query(`DROP DATABASE IF EXISTS "${DB_NAME}" WITH (FORCE)`));
});

afterEach(async () => {
  for (const t of traders.splice(0)) await t.kill9();
  await stack?.close();
  stack = null;
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
  dir = '';
});

/** A fresh stack, wallet and trader, started and reconciled, playback running. */
async function start(extra: Readonly<Record<string, string>> = {}): Promise<{
  s: VenueStack;
  wallet: Wallet;
  env: Record<string, string>;
  trader: Trader;
  mine: () => WireTrade[];
}> {
  dir = mkdtempSync(join(tmpdir(), 'restart-'));
  const s = await startVenueStack({ windows: 2, manual: true, speed: 40, rtdsInput: null });
  stack = s;
  const wallet = new Wallet(Wallet.createRandom().privateKey, s.chain.provider);
  await s.onboard(wallet, 1_000n * 1_000_000n);
  const env = traderEnv(s, wallet.privateKey, dir, DATABASE_URL, extra);
  const trader = new Trader(env, s.exchange.url);
  traders.push(trader);
  await trader.until('start reconciliation', () => trader.out.includes('start reconciliation'));
  const me = wallet.address.toLowerCase();
  const mine = (): WireTrade[] =>
    s.exchange.clob.tradeLog().filter((t) => t.maker_address.toLowerCase() === me);
  s.exchange.play();
  return { s, wallet, env, trader, mine };
}

/** Restarts with `env`; returns the trader once its start reconciliation is printed. */
async function restart(s: VenueStack, env: Record<string, string>): Promise<Trader> {
  const t = new Trader(env, s.exchange.url);
  traders.push(t);
  await t.until('start reconciliation', () => /start reconciliation: \d+ discrepancies/.test(t.out));
  return t;
}

const sellOrders = (trades: readonly WireTrade[], token: string): Set<string> =>
  new Set(trades.filter((t) => t.side === 'SELL' && same(t.asset_id, token)).map((t) => t.taker_order_id));

test(
  'kill -9 with a position OPEN: the restart restores it, reconciles with 0 discrepancies, sells at most once',
  async () => {
    const { s, wallet, env, trader, mine } = await start();
    await trader.until('the first entry fill', () => mine().some((t) => t.side === 'BUY'), 90_000, 2);
    s.exchange.pause(); // no tick until the restart: the position stays OPEN
    const token = mine().find((t) => t.side === 'BUY')!.asset_id;
    writeFileSync(join(dir, 'KILL'), 'stop entries\n');
    await sleep(2_500); // the journal is flushed every second
    await trader.kill9();
    const before = await runRows(wallet.address);
    const openAtKill = before.positions.filter((p) => same(p.tokenId, token) && p.state === 'OPEN');
    expect(openAtKill.length).toBeGreaterThan(0);

    const again = await restart(s, env);
    expect(again.out).toContain('(resumed); start reconciliation: 0 discrepancies');
    s.exchange.play();
    await sleep(3_000);
    s.exchange.pause();
    expect(await again.stop()).toBe(0);

    const { positions, events } = await runRows(wallet.address);
    const mineAll = mine();
    const ofToken = positions.filter((p) => same(p.tokenId, token));
    for (const k of openAtKill.map((p) => p.positionKey))
      expect(events.some((e) => e.type === 'RESTORED' && e.positionKey === k)).toBe(true);
    expect(events.filter((e) => e.type === 'RECONCILED')).toEqual([]);
    for (const p of positions) expect(['OPEN', 'CLOSED']).toContain(p.state);

    const held = (await s.chain.ctf.getFunction('balanceOf').staticCall(wallet.address, token)) as bigint;
    const open = ofToken.filter((p) => p.state === 'OPEN');
    const sold = ofToken.filter((p) => p.state === 'CLOSED' && (p.proceedsUsdc ?? 0) > 0).length;
    if (open.length > 0) {
      // shares of the open positions vs the chain (a sale may leave < 0.01 share of dust)
      const shares = open.reduce((a, p) => a + BigInt(p.shares), 0n);
      expect(held - shares >= 0n && held - shares <= BigInt(sold) * 10_000n).toBe(true);
    }
    expect(sellOrders(mineAll, token).size).toBeLessThanOrEqual(Math.max(1, sold));
    expect(sellOrders(mineAll, token).size).toBeLessThanOrEqual(ofToken.length);
  },
  TEST_MS,
);

test(
  'kill -9 with a position EXITING (sell filled, answer held): the restart settles it from the venue, no second sell',
  async () => {
    // a long request timeout: the killed trader is surely still waiting for the held answer
    const { s, wallet, env, trader, mine } = await start({ CLOB_REQUEST_TIMEOUT_MS: '30000' });
    await trader.until('the first entry fill', () => mine().some((t) => t.side === 'BUY'), 90_000, 2);
    s.exchange.pause(); // no tick: the position stays OPEN until the flatten
    const killFile = join(dir, 'KILL');
    writeFileSync(killFile, 'stop entries\n');
    await sleep(1_500); // entries stopped: the next order is an exit
    const sellsBefore = mine().filter((t) => t.side === 'SELL').length;
    s.exchange.clob.faults.timeoutAfterFillNext(1, 20_000);
    writeFileSync(killFile, 'flatten\n');
    await trader.until(
      'the exit fill',
      () => mine().filter((t) => t.side === 'SELL').length > sellsBefore,
      30_000,
      2,
    );
    await trader.kill9();
    const held = mine().filter((t) => t.side === 'SELL')[sellsBefore]!;
    expect(s.exchange.clob.faults.stats.timeouts).toBe(1);
    // killed while EXITING: the sell's attempt was stored before it was posted
    const before = await runRows(wallet.address);
    const exiting = before.attempts.find(
      (a) => a.venueOrderId.toLowerCase() === held.taker_order_id.toLowerCase(),
    );
    expect(exiting).toBeDefined();
    const key = exiting!.clientOrderId.slice(0, exiting!.clientOrderId.indexOf(':'));
    // the exit order is stored as sent, its outcome unseen
    expect(before.orders.find((o) => o.clientOrderId === exiting!.clientOrderId)?.status).toBe('pending');
    // and the position is stored EXITING with the order (write-ahead snapshot)
    expect(before.positions.find((x) => x.positionKey === key)?.state).toBe('EXITING');
    s.exchange.clob.faults.reset();
    writeFileSync(killFile, 'stop entries\n'); // a restarted trader must not flatten again

    const restartEnv = { ...env, CLOB_REQUEST_TIMEOUT_MS: '1000' };
    const again = await restart(s, restartEnv);
    expect(again.out).toContain('(resumed); start reconciliation: 0 discrepancies');
    s.exchange.play();
    await sleep(3_000);
    s.exchange.pause();
    expect(await again.stop()).toBe(0);

    const { positions, events, attempts } = await runRows(wallet.address);
    const p = positions.find((x) => x.positionKey === key);
    expect(p).toBeDefined();
    expect(p!.state).toBe('CLOSED');
    expect(p!.proceedsUsdc ?? 0).toBeGreaterThan(0);
    expect(p!.exitReason).toBe('manual');
    expect(p!.exitFeeUsdc ?? 0).toBeGreaterThan(0); // the fee schedule is loaded before the fill is priced
    expect(events.some((e) => e.type === 'RESTORED' && e.positionKey === key)).toBe(true);
    // no line of the trader's output carries the key
    expect(again.out + again.err).not.toContain(env.PRIVATE_KEY!.slice(2));
    expect(events.filter((e) => e.type === 'RECONCILED')).toEqual([]);

    // no second sell: one SELL order for the position, and per token no more than positions sold
    const keyOf = new Map(
      attempts.map((a) => [a.venueOrderId.toLowerCase(), a.clientOrderId.split(':')[0]] as const),
    );
    const all = mine();
    const sellsOfKey = new Set(
      all
        .filter((t) => t.side === 'SELL' && keyOf.get(t.taker_order_id.toLowerCase()) === key)
        .map((t) => t.taker_order_id),
    );
    expect(sellsOfKey.size).toBe(1);
    const sold = positions.filter(
      (x) => same(x.tokenId, held.asset_id) && x.state === 'CLOSED' && (x.proceedsUsdc ?? 0) > 0,
    ).length;
    expect(sellOrders(all, held.asset_id).size).toBeLessThanOrEqual(sold);
  },
  TEST_MS,
);
