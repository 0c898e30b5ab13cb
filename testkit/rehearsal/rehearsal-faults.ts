/**
 * The fault plan of the local rehearsal (issues #4, #8): every fault switch of the local CLOB,
 * armed one after another while `trade --mode live` trades. A fault counts as fired only when the
 * path it exercises ran (issue #8 point 12), read from the exchange's own counters
 * (`faults.stats`): a kill that killed an order, a 500 answered after a real fill, a SELL that met
 * a balance still settling, a status spelling served in a reply or an order record.
 */
import type { VenueStack } from '../exchange-local/venue-stack';
import type { ClobFaultStats, StatusSpelling } from '../exchange-local/clob/faults';

/** One fault switch of the plan. */
export interface RehearsalFault {
  readonly name: string;
  /** Arms the switch on the exchange. */
  arm(s: VenueStack): void;
  /** True once the path the switch exercises ran (and, for some, disarms what lingers). */
  fired(s: VenueStack): boolean;
}

/** Spellings the status fault answers in, one order each (polymarket-protocol.md §3.7, §5.4). */
export const REHEARSED_SPELLINGS: readonly StatusSpelling[] = [
  'ORDER_STATUS_MATCHED',
  'matched',
  'DELAYED',
  'LIVE',
  'MATCHED',
];

/** A fault that fired when the counter `stat` of `faults.stats` grew past its value at arming. */
type Counter = keyof Omit<ClobFaultStats, 'spellingsServed'> | 'pendingBalanceSeen';

/** A counter of `faults.stats`, or the sum of the two pending-balance counters. */
function read(s: VenueStack, stat: Counter): number {
  const st = s.exchange.clob.faults.stats;
  return stat === 'pendingBalanceSeen' ? st.pendingBalanceReads + st.pendingBalanceRefusals : st[stat];
}

function counter(
  name: string,
  stat: Counter,
  arm: (s: VenueStack) => void,
  disarm?: (s: VenueStack) => void,
): RehearsalFault {
  let base = -1;
  return {
    name,
    arm: (s) => {
      base = read(s, stat);
      arm(s);
    },
    fired: (s) => {
      if (base < 0 || read(s, stat) <= base) return false;
      disarm?.(s);
      return true;
    },
  };
}

/** The plan, in arming order: each switch waits for the previous one to fire. */
export function faultPlan(): RehearsalFault[] {
  const faults = (s: VenueStack) => s.exchange.clob.faults;
  return [
    counter('fok_kill', 'killed', (s) => faults(s).killNext()),
    // settlement lags fills until a SELL meets a balance still settling — the trader's balance
    // pre-check read it (`pendingBalanceReads`) or the exchange refused the sale
    // (`pendingBalanceRefusals`) — then it follows fills again
    counter(
      'delayed_settlement',
      'pendingBalanceSeen',
      (s) => (faults(s).settlementDelayMs = 1_500),
      (s) => (faults(s).settlementDelayMs = 0),
    ),
    counter('http_425', 'httpErrors', (s) => faults(s).httpErrorNext(425)),
    counter('http_429', 'httpErrors', (s) => faults(s).httpErrorNext(429)),
    counter('http_500', 'httpErrors', (s) => faults(s).httpErrorNext(500)),
    counter('version_mismatch', 'versionMismatches', (s) => faults(s).versionMismatchNext()),
    counter('timeout_after_fill', 'timeouts', (s) => faults(s).timeoutAfterFillNext(1, 1_500)),
    counter('error_after_fill', 'errorsAfterFill', (s) => faults(s).errorAfterFillNext()),
    counter('no_tx_hash', 'unsettledTrades', (s) => faults(s).noTxHashNext()),
    {
      name: 'status_spellings',
      arm: (s) => {
        for (const sp of REHEARSED_SPELLINGS) faults(s).statusSpellingNext(sp);
      },
      // fired once two spellings were served; the rest are served as orders come
      fired: (s) => faults(s).stats.statusSpellings >= 2,
    },
  ];
}
