/**
 * The knex implementation of the repository port, for PostgreSQL and embedded PGlite: the only
 * code that writes SQL (design §2). Integer micros are stored as `numeric` whole units
 * (formatMicros/parseMicros) and integer ms as `bigint`; int8 and numeric come back as strings on
 * both backends (see `db.ts`) and are converted back to numbers here.
 */
import type { ParityRecord } from '../parity/parity-record';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PGlite } from '@electric-sql/pglite';
import type { Knex } from 'knex';
import { tryLockWallet, type WalletLock } from './wallet-lock';
import type { Client as PgClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { InvariantError } from '../core/errors';
import { isPgLite, migrateLatest } from './db';
import type {
  FillRecord,
  OrderAttemptRecord,
  OrderRecord,
  PositionEventRecord,
  PositionRecord,
  RawFrameRecord,
  RunRecord,
  TickRecord,
  WindowRecord,
} from './records';
import type { Repository } from './repository';
import {
  chunk,
  EVENT,
  FILL,
  fromRow,
  lastByKey,
  MAX_PARAMS,
  ORDER,
  ORDER_ATTEMPT,
  POSITION,
  RAW_FRAME,
  PARITY,
  RUN,
  storedWallet,
  toRow,
  WINDOW,
  type Row,
} from './row-spec';
import { encodeTickCopy, TICK_COPY_COLUMNS } from './tick-copy';

/** A stored run as {@link KnexRepository.loadRun} returns it (not part of the port). */
export interface StoredRun extends RunRecord {
  readonly id: number;
  readonly finishedAtMs: number | null;
  readonly summary: Record<string, unknown> | null;
}

/**
 * {@link Repository} over knex (PostgreSQL or PGlite). A write that needs several statements runs
 * in one transaction, so a batch is stored whole or not at all.
 */
export class KnexRepository implements Repository {
  /** Run ids known to exist (runs are never deleted while the app runs). */
  private readonly knownRuns = new Set<number>();

  /**
   * Wraps an open knex instance; {@link close} destroys it, then calls `onClose` (the release of
   * the data-directory lock, `open-repository.ts`).
   */
  constructor(
    private readonly db: Knex,
    private readonly onClose?: () => Promise<void>,
  ) {}

  /** Applies pending migrations (see `migrateLatest`). */
  async migrate(): Promise<void> {
    await migrateLatest(this.db);
  }

  /** Inserts a run row (its wallet lowercased) and returns its id (a positive safe integer). */
  async createRun(run: RunRecord): Promise<number> {
    const extra = {
      started_at: new Date(run.startedAtMs),
      wallet: storedWallet(run.wallet),
      linked_run_id: run.linkedRunId ?? null,
    };
    const rows: Row[] = await this.db('runs')
      .insert(toRow(RUN, run, extra))
      .returning('id');
    return Number(rows[0]?.['id']);
  }

  /** Returns the id of the newest run with this mode and wallet (case-insensitive), or null. */
  async latestRunOf(mode: RunRecord['mode'], wallet: string): Promise<number | null> {
    const r: Row | undefined = await this.db('runs')
      .where({ mode, wallet: wallet.toLowerCase() })
      .orderBy('id', 'desc')
      .first('id');
    return r === undefined ? null : Number(r['id']);
  }

  /** Returns the id of the newest run of `mode` (any wallet), or null. */
  async latestRun(mode: RunRecord['mode']): Promise<number | null> {
    const r: Row | undefined = await this.db('runs').where({ mode }).orderBy('id', 'desc').first('id');
    return r === undefined ? null : Number(r['id']);
  }

  /** Returns the id of the newest run of `mode` linked to `runId` (a live run's twin), or null. */
  async linkedRunOf(runId: number, mode: RunRecord['mode']): Promise<number | null> {
    const r: Row | undefined = await this.db('runs')
      .where({ mode, linked_run_id: runId })
      .orderBy('id', 'desc')
      .first('id');
    return r === undefined ? null : Number(r['id']);
  }

  /**
   * Stores the finish time (ms) and the summary JSON of a run.
   * @throws {InvariantError} when the run does not exist.
   */
  async finishRun(runId: number, finishedAtMs: number, summary: Record<string, unknown>): Promise<void> {
    const n = await this.db('runs')
      .where({ id: runId })
      .update({ finished_at: new Date(finishedAtMs), summary: JSON.stringify(summary) });
    if (n === 0) throw new InvariantError(`finishRun: run ${runId} does not exist`);
  }

  /** Returns a run with its finish time and summary, or undefined (reports, tests). */
  async loadRun(runId: number): Promise<StoredRun | undefined> {
    const r: Row | undefined = await this.db('runs').where({ id: runId }).first();
    if (r === undefined) return undefined;
    const finished = r['finished_at'] as Date | null;
    return {
      ...fromRow(RUN, r),
      wallet: r['wallet'] as string | null,
      linkedRunId: r['linked_run_id'] === null ? null : Number(r['linked_run_id']),
      id: Number(r['id']),
      startedAtMs: (r['started_at'] as Date).getTime(),
      finishedAtMs: finished === null ? null : finished.getTime(),
      summary: r['summary'] as Record<string, unknown> | null,
    };
  }

  /** Inserts or updates windows by slug; a known winner is never reset to null. */
  async upsertWindows(windows: readonly WindowRecord[]): Promise<void> {
    const now = this.db.fn.now();
    const rows = lastByKey(windows, (w) => w.slug).map((w) => toRow(WINDOW, w, { updated_at: now }));
    // known facts are never overwritten with null (a later upsert may not know them)
    const keep = new Set(['winner', 'start_price', 'end_price', 'expected_winner']);
    const merge: Row = { updated_at: now };
    for (const [, col] of WINDOW) {
      if (col === 'slug') continue;
      merge[col] = keep.has(col)
        ? this.db.raw('coalesce(excluded.??, windows.??)', [col, col])
        : this.db.raw('excluded.??', [col]);
    }
    await this.write(rows, WINDOW.length + 1, (q, part) =>
      q('windows').insert(part).onConflict('slug').merge(merge),
    );
  }

  /**
   * Inserts ticks with one `COPY … FROM STDIN` (pg) or `COPY … FROM '/dev/blob'` (PGlite), so a
   * batch is stored whole or not at all.
   * @throws {RangeError} when a time, size or price is not a safe integer.
   * @throws {InvariantError} when the run does not exist.
   */
  async insertTicks(runId: number, ticks: readonly TickRecord[]): Promise<void> {
    if (ticks.length === 0) return;
    const chunks = encodeTickCopy(runId, ticks);
    await this.requireRun(runId);
    // knex types the raw connection as `any`: a pg Client, or the PGlite instance for knex-pglite.
    const client = this.db.client as {
      acquireConnection(): Promise<PgClient | PGlite>;
      releaseConnection(conn: PgClient | PGlite): Promise<void>;
    };
    const conn = await client.acquireConnection();
    try {
      if (isPgLite(this.db)) {
        const sql = `copy ticks (${TICK_COPY_COLUMNS}) from '/dev/blob'`;
        await (conn as PGlite).query(sql, [], { blob: new Blob(chunks) });
      } else {
        const sql = `copy ticks (${TICK_COPY_COLUMNS}) from stdin`;
        await pipeline(Readable.from(chunks), (conn as PgClient).query(copyFrom(sql)));
      }
    } finally {
      await client.releaseConnection(conn);
    }
  }

  /**
   * Inserts or updates positions by (run, positionKey).
   * @throws {InvariantError} when the run does not exist.
   */
  async upsertPositions(runId: number, positions: readonly PositionRecord[]): Promise<void> {
    const extra = { run_id: runId, updated_at: this.db.fn.now() };
    const rows = lastByKey(positions, (p) => p.positionKey).map((p) => toRow(POSITION, p, extra));
    await this.write(rows, POSITION.length + 2, (q, part) =>
      q('positions').insert(part).onConflict(['run_id', 'position_key']).merge(),
    );
  }

  /**
   * Appends journal rows, all or none.
   * @throws {InvariantError} when a (run, seq) exists already or repeats within the batch, or the
   * run does not exist.
   */
  async appendPositionEvents(runId: number, events: readonly PositionEventRecord[]): Promise<void> {
    const rows = events.map((e) => toRow(EVENT, e, { run_id: runId }));
    await this.write(rows, EVENT.length + 1, (q, part) => q('position_events').insert(part));
  }

  /**
   * Inserts or updates orders by (run, clientOrderId).
   * @throws {InvariantError} when the run does not exist.
   */
  async upsertOrders(runId: number, orders: readonly OrderRecord[]): Promise<void> {
    const extra = { run_id: runId, updated_at: this.db.fn.now() };
    const rows = lastByKey(orders, (o) => o.clientOrderId).map((o) => toRow(ORDER, o, extra));
    await this.write(rows, ORDER.length + 2, (q, part) =>
      q('orders').insert(part).onConflict(['run_id', 'client_order_id']).merge(),
    );
  }

  /**
   * Inserts fills; a trade id stored before in the same run (or earlier in the batch) is ignored.
   * @throws {InvariantError} when the run does not exist.
   */
  async insertFills(runId: number, fills: readonly FillRecord[]): Promise<void> {
    const rows = fills.map((f) => toRow(FILL, f, { run_id: runId }));
    await this.write(rows, FILL.length + 1, (q, part) =>
      q('fills').insert(part).onConflict(['run_id', 'trade_id']).ignore(),
    );
  }

  /** Returns the positions of a run ordered by positionKey (byte order). */
  async loadPositions(runId: number): Promise<PositionRecord[]> {
    const rows: Row[] = await this.db('positions')
      .where({ run_id: runId })
      .orderByRaw('position_key collate "C"');
    return rows.map((r) => {
      const rec = fromRow(POSITION, r);
      // no exit state (the default policy set): the record as it was before issue #12
      if (rec.exitState === null) {
        const { exitState: _none, ...rest } = rec;
        return rest;
      }
      return rec;
    });
  }

  /** Returns the journal of a run ordered by seq. */
  async loadPositionEvents(runId: number): Promise<PositionEventRecord[]> {
    const rows: Row[] = await this.db('position_events').where({ run_id: runId }).orderBy('seq');
    return rows.map((r) => fromRow(EVENT, r));
  }

  /** Returns the highest journal seq of a run; 0 when it has none (or the run is unknown). */
  async maxEventSeq(runId: number): Promise<number> {
    const rows: Row[] = await this.db('position_events').where({ run_id: runId }).max({ seq: 'seq' });
    const seq = rows[0]?.['seq'];
    return seq === null || seq === undefined ? 0 : Number(seq);
  }

  /** Returns the orders of a run ordered by createdMs, then clientOrderId (byte order). */
  async loadOrders(runId: number): Promise<OrderRecord[]> {
    const rows: Row[] = await this.db('orders')
      .where({ run_id: runId })
      .orderByRaw('created_ms, client_order_id collate "C"');
    return rows.map((r) => fromRow(ORDER, r));
  }

  /** Inserts or updates parity rows by (live run, position key) (issue #11). */
  async upsertParity(liveRunId: number, shadowRunId: number, rows: readonly ParityRecord[]): Promise<void> {
    const extra = { live_run_id: liveRunId, shadow_run_id: shadowRunId, updated_at: this.db.fn.now() };
    const out = lastByKey(rows, (r) => r.positionKey).map((r) => toRow(PARITY, r, extra));
    await this.write(out, PARITY.length + 3, (q, part) =>
      q('parity').insert(part).onConflict(['live_run_id', 'position_key']).merge(),
    );
  }

  /** Returns the parity rows of a live run by window epoch, then position key (byte order). */
  async loadParity(liveRunId: number): Promise<ParityRecord[]> {
    const rows: Row[] = await this.db('parity')
      .where({ live_run_id: liveRunId })
      .orderByRaw('window_epoch, position_key collate "C"');
    return rows.map((r) => fromRow(PARITY, r));
  }

  /** Returns the fills of a run ordered by tsMs, then tradeId (byte order). */
  async loadFills(runId: number): Promise<FillRecord[]> {
    const rows: Row[] = await this.db('fills')
      .where({ run_id: runId })
      .orderByRaw('ts_ms, trade_id collate "C"');
    return rows.map((r) => fromRow(FILL, r));
  }

  /**
   * Inserts signed order attempts; a venue order id stored before in the same run (or earlier in
   * the batch) is ignored.
   * @throws {InvariantError} when the run does not exist.
   */
  async insertOrderAttempts(runId: number, attempts: readonly OrderAttemptRecord[]): Promise<void> {
    const rows = attempts.map((a) => toRow(ORDER_ATTEMPT, a, { run_id: runId }));
    await this.write(rows, ORDER_ATTEMPT.length + 1, (q, part) =>
      q('order_attempts').insert(part).onConflict(['run_id', 'venue_order_id']).ignore(),
    );
  }

  /** Returns the order attempts of a run ordered by signedMs, then venueOrderId (byte order). */
  async loadOrderAttempts(runId: number): Promise<OrderAttemptRecord[]> {
    const rows: Row[] = await this.db('order_attempts')
      .where({ run_id: runId })
      .orderByRaw('signed_ms, venue_order_id collate "C"');
    return rows.map((r) => fromRow(ORDER_ATTEMPT, r));
  }

  /** Returns the number of ticks stored for a run. */
  async countTicks(runId: number): Promise<number> {
    const rows: Row[] = await this.db('ticks').where({ run_id: runId }).count({ n: '*' });
    return Number(rows[0]?.['n'] ?? 0);
  }

  /** Appends raw frames in multi-row inserts (one transaction when chunked). */
  async insertRawFrames(runId: number, frames: readonly RawFrameRecord[]): Promise<void> {
    if (frames.length === 0) return;
    await this.requireRun(runId);
    const rows = frames.map((f) => toRow(RAW_FRAME, { ...f, text: storableText(f.text) }, { run_id: runId }));
    await this.write(rows, RAW_FRAME.length + 1, (q, part) => q('raw_frames').insert(part));
  }

  /** Returns the raw frames of a run in insertion order. */
  async loadRawFrames(runId: number): Promise<RawFrameRecord[]> {
    const rows: Row[] = await this.db('raw_frames').where({ run_id: runId }).orderBy('id');
    return rows.map((r) => fromRow(RAW_FRAME, r));
  }

  /** Returns the windows with these slugs (all when omitted), ordered by slug (byte order). */
  async loadWindows(slugs?: readonly string[]): Promise<WindowRecord[]> {
    if (slugs !== undefined && slugs.length === 0) return [];
    const all = this.db('windows').orderByRaw('slug collate "C"');
    const rows: Row[] = await (slugs === undefined ? all : all.whereRaw('slug = any(?)', [[...slugs]]));
    return rows.map((r) => fromRow(WINDOW, r));
  }

  /** See {@link Repository.lockWallet}. */
  lockWallet(address: string): Promise<WalletLock | null> {
    return tryLockWallet(this.db, address);
  }

  /** Destroys the knex pool (and shuts PGlite down), then releases the data directory. */
  async close(): Promise<void> {
    try {
      await this.db.destroy();
    } finally {
      await this.onClose?.();
    }
  }

  /**
   * Runs `stmt` per chunk of rows under {@link MAX_PARAMS} parameters; several chunks share a
   * transaction.
   * @throws {InvariantError} (cause: the driver's error) on a foreign-key violation (unknown run)
   * or a unique violation (e.g. a duplicate event seq); the driver's error otherwise.
   */
  private async write(
    rows: readonly Row[],
    columns: number,
    stmt: (q: Knex, part: Row[]) => Knex.QueryBuilder,
  ): Promise<void> {
    const parts = chunk(rows, Math.floor(MAX_PARAMS / columns));
    try {
      if (parts.length === 1 && parts[0] !== undefined) await stmt(this.db, parts[0]);
      else if (parts.length > 1) {
        await this.db.transaction(async (trx) => {
          for (const part of parts) await stmt(trx, part);
        });
      }
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (code === '23503') throw new InvariantError('write for a run that does not exist', { cause: err });
      if (code === '23505')
        throw new InvariantError(`duplicate key: ${(err as Error).message}`, { cause: err });
      throw err;
    }
  }

  /**
   * Checks once per run id that the run exists (ticks have no foreign key, for speed).
   * @throws {InvariantError} when the run does not exist.
   */
  private async requireRun(runId: number): Promise<void> {
    if (this.knownRuns.has(runId)) return;
    const found: Row | undefined = await this.db('runs').where({ id: runId }).first('id');
    if (found === undefined) throw new InvariantError(`run ${runId} does not exist`);
    this.knownRuns.add(runId);
  }
}

/**
 * PostgreSQL text cannot hold NUL (0x00): a frame with one (only ever a malformed frame, which the
 * parser rejects either way) is stored with each NUL replaced by U+FFFD.
 */
export function storableText(text: string): string {
  return text.includes('\u0000') ? text.replaceAll('\u0000', '\uFFFD') : text;
}
