/**
 * Live feed (issue #3): raw feed frames kept for re-replay (design §10 "raw feed messages"), and the
 * oracle settlement of each window (start price, end price, expected winner: UP iff end ≥ start).
 */
import type { Knex } from 'knex';

/** Adds windows.start_price / end_price / expected_winner and creates raw_frames. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('windows', (t) => {
    t.decimal('start_price', null).nullable();
    t.decimal('end_price', null).nullable();
    t.text('expected_winner').nullable();
  });
  // Append-only bulk data like ticks: no foreign key, ordered by id within a run.
  await knex.schema.createTable('raw_frames', (t) => {
    t.bigIncrements('id').primary();
    t.bigInteger('run_id').notNullable();
    t.text('channel').notNullable();
    t.bigInteger('recv_ms').notNullable();
    t.bigInteger('venue_ts_ms').nullable();
    t.text('text').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['run_id', 'id']);
  });
}

/** Reverts {@link up}. */
export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('raw_frames');
  await knex.schema.alterTable('windows', (t) => {
    t.dropColumn('start_price');
    t.dropColumn('end_price');
    t.dropColumn('expected_winner');
  });
}
