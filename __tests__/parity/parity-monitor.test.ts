/**
 * The parity monitor (issue #11) on the in-memory repository: final rows only (a pair once both
 * sides are CLOSED; a lone position once CLOSED and its window over, with the reason from the
 * other side's failed entry), written once; `[PARITY]` lines for the open count (appearing and
 * clearing), for each disagreeing row and once per finished window; the summary's verdict. Also
 * the same rows through the knex repository (PGlite or PostgreSQL) round trip.
 */
import pino from 'pino';
import { Writable } from 'node:stream';
import { ParityMonitor } from '../../src/parity/parity-monitor';
import type { Repository } from '../../src/persistence/repository';
import type { OrderRecord } from '../../src/trader/journal-records';
import { MemoryRepository } from '../../testkit/persistence/memory-repository';
import { openTestRepository, usingPostgres } from '../helpers/test-db';
import { closedPosition, EPOCH, openPosition } from '../helpers/parity-positions';

const END = (EPOCH + 900) * 1000;

const killedEntry = (key: string): OrderRecord => ({
  clientOrderId: `${key}:entry`,
  positionKey: key,
  purpose: 'entry',
  tokenId: 't',
  side: 'BUY',
  tif: 'FOK',
  limitPrice: 510_000,
  notional: 5_000_000,
  shares: null,
  status: 'killed',
  reason: 'FOK not filled',
  createdMs: 0,
  updatedMs: 0,
});

async function rig(repo: Repository) {
  const base = { configHash: 'h', codeRevision: 't', input: 'x', startedAtMs: 0, config: {} };
  const liveRunId = await repo.createRun({ ...base, mode: 'live', wallet: '0xabc' });
  const shadowRunId = await repo.createRun({ ...base, mode: 'shadow', linkedRunId: liveRunId });
  const lines: { msg: string; parity?: string }[] = [];
  const out = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n'))
        if (l !== '') lines.push(JSON.parse(l) as { msg: string });
      done();
    },
  });
  const monitor = new ParityMonitor({
    repo,
    liveRunId,
    shadowRunId,
    log: pino({ level: 'info' }, out),
    thresholds: { pnlTolerancePct: 10, exitAgreementPct: 90 },
    simLatencyMs: 0,
  });
  return { liveRunId, shadowRunId, lines, monitor };
}

const K1 = `fast_BTC_15m_${EPOCH}`;
const K2 = `fast_BTC_15m_${EPOCH}_2`;

const repos: [string, () => Promise<Repository>][] = [
  ['MemoryRepository', async () => new MemoryRepository()],
  [usingPostgres() ? 'KnexRepository on PostgreSQL' : 'KnexRepository on PGlite', openTestRepository],
];

describe.each(repos)('%s', (_name, open) => {
  let repo: Repository;
  beforeAll(async () => {
    repo = await open();
  }, 60_000);
  afterAll(async () => {
    await repo.close();
  });

  it('writes final rows once and logs [PARITY] lines (count, disagreement, window)', async () => {
    const { liveRunId, shadowRunId, lines, monitor } = await rig(repo);
    // live: K1 open; paper: K1 open and K2 open → counts differ (paper 2, live 1)
    await repo.upsertPositions(liveRunId, [
      openPosition(K1, { entryTimeMs: EPOCH * 1000 + 10_250, entryPrice: 520_000 }),
    ]);
    await repo.upsertPositions(shadowRunId, [openPosition(K1), openPosition(K2)]);
    await monitor.check(EPOCH * 1000 + 20_000);
    expect(lines.map((l) => l.msg)).toEqual(['[PARITY] BTC: paper=2 live=1 positions']);
    expect(await repo.loadParity(liveRunId)).toEqual([]); // nothing final yet

    // live K1 stopped out lower; paper K1 trailed; paper K2 closed; live K2 was killed at the venue
    await repo.upsertPositions(liveRunId, [
      closedPosition(K1, {
        entryPrice: 520_000,
        entryTimeMs: EPOCH * 1000 + 10_250,
        exitReason: 'stop_loss',
        exitPrice: 550_000,
        pnlUsdc: 300_000,
      }),
      openPosition(K2, { state: 'CLOSED', entryTimeMs: null, entryPrice: null, shares: 0, costUsdc: 0 }),
    ]);
    await repo.upsertOrders(liveRunId, [killedEntry(K2)]);
    await repo.upsertPositions(shadowRunId, [closedPosition(K1), closedPosition(K2)]);
    await monitor.check(EPOCH * 1000 + 70_000); // window not over: K2 (paper only) not final yet
    let rows = await repo.loadParity(liveRunId);
    expect(rows.map((r) => [r.positionKey, r.kind])).toEqual([[K1, 'pair']]);
    expect(rows[0]).toMatchObject({
      entrySlippage: 20_000,
      entrySlippageTicks: 2,
      exitSlippage: 30_000,
      exitSlippageTicks: 3,
      pnlDiffUsdc: -500_000,
      reasonAgrees: false,
      latencyMs: 250,
      liveExitReason: 'stop_loss',
      paperExitReason: 'trailing_stop',
    });

    await monitor.check(END + 1_000);
    rows = await repo.loadParity(liveRunId);
    expect(rows.map((r) => [r.positionKey, r.kind, r.reason])).toEqual([
      [K1, 'pair', null],
      [K2, 'only_paper', 'entry_killed'],
    ]);
    await monitor.check(END + 2_000); // nothing new: no line repeated
    const msgs = lines.map((l) => l.msg);
    expect(msgs).toEqual([
      '[PARITY] BTC: paper=2 live=1 positions',
      '[PARITY] BTC: paper=0 live=0 positions (agree again)',
      `[PARITY] ${K1}: exit reason live=stop_loss paper=trailing_stop; entry slippage 2 ticks; exit slippage 3 ticks; pnl -0.5 USDC`,
      `[PARITY] ${K2}: only_paper (entry_killed)`,
      `[PARITY] window BTC 900 ${EPOCH}: pairs 1, exit reasons agree 0, pnl live 0.3 paper 1.6 USDC`,
    ]);
    expect(monitor.summary).toMatchObject({ pairs: 1, onlyPaper: 1, verdict: 'fail' });

    // a restarted monitor does not log rows written before
    const again = new ParityMonitor({
      repo,
      liveRunId,
      shadowRunId,
      log: pino({ level: 'silent' }),
      thresholds: { pnlTolerancePct: 10, exitAgreementPct: 90 },
      simLatencyMs: 0,
    });
    await again.check(END + 3_000);
    expect((await repo.loadParity(liveRunId)).length).toBe(2);
  });
});
