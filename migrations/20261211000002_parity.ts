/**
 * Paper parity (issue #11): one row per pair of a live position and its paper twin's (or a
 * position of one side only), keyed by (live run, position key); see `src/parity/parity-record.ts`.
 * Prices and money as numeric whole units (like the other tables), times as bigint ms.
 */
import type { Knex } from 'knex';

/** Creates the parity table. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('parity', (t) => {
    t.bigIncrements('id').primary();
    t.bigInteger('live_run_id').notNullable().references('id').inTable('runs').onDelete('CASCADE');
    t.bigInteger('shadow_run_id').notNullable().references('id').inTable('runs').onDelete('CASCADE');
    t.text('position_key').notNullable();
    t.text('kind').notNullable();
    t.text('reason').nullable();
    t.text('strategy').notNullable();
    t.text('crypto').notNullable();
    t.integer('window_sec').notNullable();
    t.bigInteger('window_epoch').notNullable();
    for (const c of ['live_entry_time_ms', 'paper_entry_time_ms', 'live_exit_time_ms', 'paper_exit_time_ms'])
      t.bigInteger(c).nullable();
    for (const c of [
      'live_entry_price',
      'paper_entry_price',
      'live_exit_price',
      'paper_exit_price',
      'live_shares',
      'paper_shares',
      'live_fees_usdc',
      'paper_fees_usdc',
      'live_pnl_usdc',
      'paper_pnl_usdc',
      'entry_slippage',
      'exit_slippage',
      'pnl_diff_usdc',
      'entry_slippage_ticks',
      'exit_slippage_ticks',
    ])
      t.decimal(c, null).nullable(); // unconstrained numeric, as in the initial schema
    t.text('live_exit_reason').nullable();
    t.text('paper_exit_reason').nullable();
    t.integer('live_exit_attempts').nullable();
    t.integer('paper_exit_attempts').nullable();
    t.boolean('reason_agrees').nullable();
    t.bigInteger('latency_ms').nullable();
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['live_run_id', 'position_key']);
  });
}

/** Reverts {@link up}. */
export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('parity');
}
