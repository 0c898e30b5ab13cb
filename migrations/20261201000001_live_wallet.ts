/**
 * Live restart (issue #4): the trading wallet of a live run, so a restarted trader finds the run
 * it continues, and one row per signed order attempt, written before the order is posted, so the
 * trader can ask the venue about an order whose outcome it never saw.
 */
import type { Knex } from 'knex';

/** Adds runs.wallet (lowercase 0x address, indexed) and creates order_attempts. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('runs', (t) => {
    t.text('wallet').nullable();
    t.index(['wallet']);
  });
  await knex.schema.createTable('order_attempts', (t) => {
    t.bigIncrements('id').primary();
    t.bigInteger('run_id').notNullable().references('id').inTable('runs').onDelete('CASCADE');
    t.text('client_order_id').notNullable();
    // the EIP-712 hash of the order signed for this attempt
    t.text('venue_order_id').notNullable();
    t.bigInteger('signed_ms').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['run_id', 'venue_order_id']);
    t.index(['run_id', 'client_order_id']);
  });
}

/** Reverts {@link up}. */
export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('order_attempts');
  await knex.schema.alterTable('runs', (t) => {
    t.dropIndex(['wallet']);
    t.dropColumn('wallet');
  });
}
