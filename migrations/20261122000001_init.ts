/**
 * Initial schema (design §10). Money, prices and sizes are `numeric` in whole units (USDC,
 * shares, USDC per share); the repository converts them from and to integer micros. Every row
 * has an event time (`*_ms`, bigint ms since the epoch) and a receive/write time (`recv_ms` for
 * ticks, `created_at` timestamptz defaulting to `now()` elsewhere). Rows are scoped by `run_id`.
 */
import type { Knex } from 'knex';

/** Adds an unconstrained `numeric` column (any precision and scale). */
function numeric(t: Knex.CreateTableBuilder, name: string): Knex.ColumnBuilder {
  return t.decimal(name, null);
}

/** Adds `run_id bigint not null references runs(id) on delete cascade`. */
function runId(t: Knex.CreateTableBuilder): void {
  t.bigInteger('run_id').notNullable().references('id').inTable('runs').onDelete('CASCADE');
}

/** Adds `created_at timestamptz not null default now()` (receive/write time). */
function createdAt(knex: Knex, t: Knex.CreateTableBuilder): void {
  t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
}

/** Creates the tables runs, windows, ticks, positions, position_events, orders and fills. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('runs', (t) => {
    t.bigIncrements('id').primary();
    t.text('mode').notNullable();
    t.text('config_hash').notNullable();
    t.text('code_revision').notNullable();
    t.text('input').notNullable();
    t.jsonb('config').notNullable();
    t.jsonb('summary').nullable();
    t.timestamp('started_at', { useTz: true }).notNullable();
    t.timestamp('finished_at', { useTz: true }).nullable();
    createdAt(knex, t);
  });

  await knex.schema.createTable('windows', (t) => {
    t.text('slug').primary();
    t.text('crypto').notNullable();
    t.integer('window_sec').notNullable();
    t.bigInteger('window_epoch').notNullable();
    t.text('condition_id').notNullable();
    t.text('up_token_id').notNullable();
    t.text('down_token_id').notNullable();
    t.text('winner').nullable();
    createdAt(knex, t);
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['crypto', 'window_sec', 'window_epoch']);
  });

  // Append-only bulk data: no surrogate key and no foreign key, to keep batch inserts cheap.
  await knex.schema.createTable('ticks', (t) => {
    t.bigInteger('run_id').notNullable();
    t.bigInteger('ts_ms').notNullable();
    t.bigInteger('recv_ms').notNullable();
    t.text('crypto').notNullable();
    t.integer('window_sec').notNullable();
    t.bigInteger('window_epoch').notNullable();
    for (const c of ['up_bid', 'up_ask', 'up_bid_size', 'up_ask_size']) numeric(t, c).nullable();
    for (const c of ['down_bid', 'down_ask', 'down_bid_size', 'down_ask_size']) numeric(t, c).nullable();
    numeric(t, 'spot').nullable();
    t.index(['run_id', 'ts_ms']);
  });

  await knex.schema.createTable('positions', (t) => {
    t.bigIncrements('id').primary();
    runId(t);
    t.text('position_key').notNullable();
    t.text('strategy').notNullable();
    t.text('crypto').notNullable();
    t.integer('window_sec').notNullable();
    t.bigInteger('window_epoch').notNullable();
    t.text('side').notNullable();
    t.text('token_id').notNullable();
    t.text('state').notNullable();
    t.bigInteger('entry_time_ms').nullable();
    numeric(t, 'entry_price').nullable();
    numeric(t, 'shares').notNullable();
    numeric(t, 'cost_usdc').notNullable();
    numeric(t, 'entry_fee_usdc').notNullable();
    numeric(t, 'high_water_mark').nullable();
    t.bigInteger('trailing_activated_at_ms').nullable();
    t.text('exit_reason').nullable();
    t.bigInteger('exit_time_ms').nullable();
    numeric(t, 'exit_price').nullable();
    numeric(t, 'proceeds_usdc').nullable();
    numeric(t, 'exit_fee_usdc').nullable();
    numeric(t, 'pnl_usdc').nullable();
    t.integer('exit_attempts').notNullable();
    t.bigInteger('updated_ms').notNullable();
    createdAt(knex, t);
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['run_id', 'position_key']);
    t.index(['run_id', 'state']);
  });

  await knex.schema.createTable('position_events', (t) => {
    t.bigIncrements('id').primary();
    runId(t);
    t.bigInteger('seq').notNullable();
    t.text('position_key').notNullable();
    t.text('type').notNullable();
    t.text('from_state').nullable();
    t.text('to_state').nullable();
    t.bigInteger('ts_ms').notNullable();
    t.jsonb('data').notNullable();
    createdAt(knex, t);
    t.unique(['run_id', 'seq']);
    t.index(['run_id', 'position_key']);
  });

  await knex.schema.createTable('orders', (t) => {
    t.bigIncrements('id').primary();
    runId(t);
    t.text('client_order_id').notNullable();
    t.text('position_key').notNullable();
    t.text('purpose').notNullable();
    t.text('token_id').notNullable();
    t.text('side').notNullable();
    t.text('tif').notNullable();
    numeric(t, 'limit_price').notNullable();
    numeric(t, 'notional').nullable();
    numeric(t, 'shares').nullable();
    t.text('status').notNullable();
    t.text('reason').nullable();
    t.bigInteger('created_ms').notNullable();
    t.bigInteger('updated_ms').notNullable();
    createdAt(knex, t);
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['run_id', 'client_order_id']);
    t.index(['run_id', 'position_key']);
    t.index(['run_id', 'created_ms']);
  });

  await knex.schema.createTable('fills', (t) => {
    t.bigIncrements('id').primary();
    runId(t);
    // a replay's simulated trade ids restart at sim-1 in every run: unique per run, not globally
    t.text('trade_id').notNullable();
    t.unique(['run_id', 'trade_id']);
    t.text('client_order_id').notNullable();
    t.text('position_key').notNullable();
    numeric(t, 'price').notNullable();
    numeric(t, 'shares').notNullable();
    numeric(t, 'fee_usdc').notNullable();
    t.bigInteger('ts_ms').notNullable();
    createdAt(knex, t);
    t.index(['run_id', 'ts_ms']);
    t.index(['run_id', 'client_order_id']);
  });
}

/** Drops every table created by {@link up}. */
export async function down(knex: Knex): Promise<void> {
  for (const name of ['fills', 'orders', 'position_events', 'positions', 'ticks', 'windows', 'runs']) {
    await knex.schema.dropTableIfExists(name);
  }
}
