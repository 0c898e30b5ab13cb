/**
 * Paper parity (issue #11): a run may be linked to another — the paper twin's run (mode `shadow`)
 * to the live run it shadows — so a restarted live trader finds its twin's run and the parity
 * report finds both sides.
 */
import type { Knex } from 'knex';

/** Adds runs.linked_run_id (nullable, indexed; set null when the linked run is deleted). */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('runs', (t) => {
    t.bigInteger('linked_run_id').nullable().references('id').inTable('runs').onDelete('SET NULL');
    t.index(['linked_run_id']);
  });
}

/** Reverts {@link up}. */
export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('runs', (t) => {
    t.dropIndex(['linked_run_id']);
    t.dropColumn('linked_run_id');
  });
}
