/**
 * Exit policies (issue #12): a position's exit-policy state (each policy's HWM, locks, stages),
 * its partial exits done or abandoned and those filled, stored with the position so a restarted
 * trader resumes the same stops. Null for positions under the default policy set.
 */
import type { Knex } from 'knex';

/** Adds positions.exit_state (jsonb, nullable). */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('positions', (t) => {
    t.jsonb('exit_state').nullable();
  });
}

/** Reverts {@link up}. */
export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('positions', (t) => {
    t.dropColumn('exit_state');
  });
}
