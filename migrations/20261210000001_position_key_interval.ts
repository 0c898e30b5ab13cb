/**
 * Position keys unique per window (issue #9 "Inputs"): keys written before carried no window
 * length (`${strategy}_${crypto}_${windowEpoch}[_n]`), so a 15m and a 1h window starting at the
 * same second shared one. This rewrites the keys of old rows to the new form
 * `${strategy}_${crypto}_${interval}_${windowEpoch}[_n]` (core/ids `positionKey`), and the client
 * order ids that embed them (`${key}:entry`, `${key}:exit:R.A`), in positions, position_events
 * (and the key or client order ids quoted in the event's own `data`), orders, fills and
 * order_attempts.
 *
 * The window length comes from the positions row (window_sec), the only table that stores it; rows
 * of the other tables follow their position by (run_id, old key). Keys that no position row
 * explains (audit keys such as `reconcile_${tokenId}`) are left alone. Idempotent: a rewritten key
 * no longer has the old shape (its interval label holds a letter where the old key held the
 * epoch), so a second run changes nothing. Plain SQL understood by PostgreSQL and PGlite; knex runs
 * the migration in one transaction, so a failure leaves every row as it was. Two positions that
 * already collided before this migration (one row for two windows) cannot be told apart: the row
 * keeps the window it was last written with.
 */
import type { Knex } from 'knex';

/** SQL of the interval label of `window_sec` (core/ids `intervalLabel`: 900 → `15m`, 3600 → `1h`). */
const LABEL = `(case when p.window_sec % 3600 = 0 then (p.window_sec / 3600)::text || 'h'
  when p.window_sec % 60 = 0 then (p.window_sec / 60)::text || 'm'
  else p.window_sec::text || 's' end)`;

/** SQL of the old key's base `${strategy}_${crypto}_${windowEpoch}` of positions row `p`. */
const OLD_BASE = `(p.strategy || '_' || p.crypto || '_' || p.window_epoch::text)`;

/** SQL of the prefix shared by old and new keys: `${strategy}_${crypto}_`. */
const PREFIX = `(p.strategy || '_' || p.crypto || '_')`;

/**
 * The old → new key of every positions row whose key has the old shape: the old base, optionally
 * followed by `_n` (n ≥ 2, the reversal sequence). Columns run_id, old_key, new_key.
 */
const KEY_MAP = `select p.run_id, p.position_key as old_key,
    ${PREFIX} || ${LABEL} || '_' || substr(p.position_key, length(${PREFIX}) + 1) as new_key
  from positions p
  where p.position_key = ${OLD_BASE}
    or (left(p.position_key, length(${OLD_BASE}) + 1) = ${OLD_BASE} || '_'
      and substr(p.position_key, length(${OLD_BASE}) + 2) ~ '^[1-9][0-9]*$')`;

/** SQL rewriting client order id column `col` of the row from `m.old_key` to `m.new_key`. */
function newClientOrderId(col: string): string {
  return `case when left(${col}, length(m.old_key) + 1) = m.old_key || ':'
    then m.new_key || substr(${col}, length(m.old_key) + 1) else ${col} end`;
}

/** Rewrites old-form position keys and the client order ids that embed them. */
export async function up(knex: Knex): Promise<void> {
  // positions last: every statement reads the old keys from it
  await knex.raw(`update position_events e set position_key = m.new_key,
      data = case when strpos(e.data::text, '"' || m.old_key) = 0 then e.data
        else replace(replace(e.data::text, '"' || m.old_key || '"', '"' || m.new_key || '"'),
          '"' || m.old_key || ':', '"' || m.new_key || ':')::jsonb end
    from (${KEY_MAP}) m
    where e.run_id = m.run_id and e.position_key = m.old_key`);
  for (const table of ['orders', 'fills']) {
    await knex.raw(`update ${table} o set position_key = m.new_key,
        client_order_id = ${newClientOrderId('o.client_order_id')}
      from (${KEY_MAP}) m
      where o.run_id = m.run_id and o.position_key = m.old_key`);
  }
  // order_attempts has no key column: match the key as the client order id's prefix up to `:`
  await knex.raw(`update order_attempts a set client_order_id = ${newClientOrderId('a.client_order_id')}
    from (${KEY_MAP}) m
    where a.run_id = m.run_id and left(a.client_order_id, length(m.old_key) + 1) = m.old_key || ':'`);
  await knex.raw(`update positions q set position_key = m.new_key
    from (${KEY_MAP}) m
    where q.run_id = m.run_id and q.position_key = m.old_key`);
}

/**
 * Nothing to revert: the rewritten keys stay readable by the code of issue #9 onwards, and the
 * old shape cannot tell a 15m from a 1h window, so it is not restored.
 */
export async function down(): Promise<void> {
  // intentionally empty: see above
}
