/**
 * Pure classifiers of issue #8: every order-status spelling (protocol §3.7, §5.4) → outcome,
 * the POST reply classifier's spellings and failure causes, and the account-setup hints.
 */
import { classifyPost } from '../../src/execution/clob-outcome';
import { accountSetupHint } from '../../src/execution/account-errors';
import { normalizeOrderStatus, parseOrderStatus } from '../../src/execution/order-status';

const rec = (over: Record<string, unknown>) => ({
  id: '0xabc',
  status: 'MATCHED',
  size_matched: '11.9',
  associate_trades: ['t1'],
  market: '0xm',
  asset_id: '1',
  ...over,
});

describe('parseOrderStatus', () => {
  it.each([
    ['MATCHED', {}, 'filled'],
    ['matched', {}, 'filled'],
    ['Matched', {}, 'filled'],
    ['ORDER_STATUS_MATCHED', {}, 'filled'],
    ['order_status_matched', {}, 'filled'],
    ['MATCHED, associate_trades null, size_matched > 0', { associate_trades: null }, 'filled'],
    ['MATCHED, no trades, size_matched as a number', { associate_trades: [], size_matched: 2.5 }, 'filled'],
    ['MATCHED with nothing matched (poll again)', { associate_trades: null, size_matched: '0' }, 'pending'],
    ['CANCELED', { status: 'CANCELED', associate_trades: [], size_matched: '0' }, 'killed'],
    ['CANCELLED', { status: 'CANCELLED', associate_trades: null, size_matched: '0' }, 'killed'],
    [
      'ORDER_STATUS_CANCELED',
      { status: 'ORDER_STATUS_CANCELED', associate_trades: null, size_matched: '0' },
      'killed',
    ],
    ['canceled', { status: 'canceled', associate_trades: [], size_matched: '0' }, 'killed'],
    ['CANCELED after a partial FOK match (filled with what matched)', { status: 'CANCELED' }, 'filled'],
    ['LIVE', { status: 'LIVE', associate_trades: null, size_matched: '0' }, 'pending'],
    [
      'ORDER_STATUS_LIVE',
      { status: 'ORDER_STATUS_LIVE', associate_trades: null, size_matched: '0' },
      'pending',
    ],
    ['DELAYED', { status: 'DELAYED', associate_trades: null, size_matched: '0' }, 'pending'],
    ['delayed', { status: 'delayed', associate_trades: null, size_matched: '0' }, 'pending'],
    ['UNMATCHED', { status: 'UNMATCHED', associate_trades: null, size_matched: '0' }, 'pending'],
    ['LIVE with something matched (still working)', { status: 'LIVE' }, 'pending'],
    ['an unknown word', { status: 'ORDER_STATUS_SOMETHING_NEW' }, 'pending'],
    ['no status', { status: undefined }, 'pending'],
  ] as const)('%s → %s', (_name, over, kind) => {
    expect(parseOrderStatus(rec(over)).kind).toBe(kind);
  });

  it('reads trade ids and the matched size (micro-shares)', () => {
    expect(parseOrderStatus(rec({ associate_trades: ['a', '', 'b'] }))).toEqual({
      kind: 'filled',
      tradeIds: ['a', 'b'],
      matchedShares: 11_900_000,
      status: 'MATCHED',
    });
  });

  it.each([
    ['404 error object', { error: 'order not found', status: 404 }, 'not_found'],
    ['null body', null, 'not_found'],
    ['empty object', {}, 'not_found'],
    ['500 error object', { error: 'could not run the execution', status: 500 }, 'unreadable'],
    ['network error', { error: 'connect ECONNREFUSED 127.0.0.1:1' }, 'unreadable'],
    ['an array', [], 'unreadable'],
  ] as const)('%s → %s (never rejected here)', (_name, raw, kind) => {
    expect(parseOrderStatus(raw).kind).toBe(kind);
  });

  it('normalises prefixes, case and the British spelling', () => {
    expect(normalizeOrderStatus(' order_status_cancelled ')).toBe('CANCELED');
    expect(normalizeOrderStatus('STATUS_MATCHED')).toBe('MATCHED');
    expect(normalizeOrderStatus(3)).toBe('');
  });
});

describe('classifyPost', () => {
  const matched = (status: string) => ({
    success: true,
    errorMsg: '',
    orderID: '0x1',
    status,
    makingAmount: '5',
    takingAmount: '11.9',
    tradeIDs: ['t1'],
  });
  it.each(['matched', 'MATCHED', 'ORDER_STATUS_MATCHED'])('%s with tradeIDs and no hashes → filled', (s) => {
    expect(classifyPost(matched(s))).toMatchObject({ kind: 'filled', making: 5_000_000, taking: 11_900_000 });
  });
  it.each(['live', 'delayed', 'unmatched', 'ORDER_STATUS_DELAYED'])('%s → unknown (polled later)', (s) => {
    expect(classifyPost({ ...matched(s), makingAmount: '', takingAmount: '' }).kind).toBe('unknown');
  });
  it.each([
    [
      { error: "order couldn't be fully filled. FOK orders are fully filled or killed.", status: 400 },
      'killed',
      'market',
    ],
    [{ error: 'service not ready', status: 425 }, 'retry', 'venue_unavailable'],
    [{ error: 'Too Many Requests', status: 429 }, 'retry', 'rate_limited'],
    [{ error: 'could not run the execution', status: 500 }, 'retry', 'venue_unavailable'],
    [
      { error: 'Trading is currently disabled. Check polymarket.com for updates', status: 503 },
      'retry',
      'venue_unavailable',
    ],
    [
      { error: 'Trading is currently cancel-only. Check polymarket.com', status: 400 },
      'rejected',
      'venue_unavailable',
    ],
    [
      { error: 'invalid post-only order: only post-only orders are accepted', status: 400 },
      'rejected',
      'venue_unavailable',
    ],
    [{ error: 'connect ECONNREFUSED 127.0.0.1:9' }, 'retry', 'venue_unavailable'],
  ] as const)('%j → %s / %s', (res, kind, cause) => {
    expect(classifyPost(res)).toMatchObject({ kind, cause });
  });
  it('a socket hang-up may have been processed → unknown', () => {
    expect(classifyPost({ error: 'socket hang up' }).kind).toBe('unknown');
  });
});

describe('accountSetupHint', () => {
  it.each([
    ['maker address not allowed, please use the deposit wallet flow', /SIGNATURE_TYPE=3.*FUNDER_ADDRESS/],
    ['the order signer address has to be the address of the API KEY', /CLOB_API_KEY/],
    ['the order owner has to be the owner of the API KEY', /CLOB_API_KEY/],
    ['Invalid L1 Request headers', /PRIVATE_KEY/],
    ['Could not derive api key!', /PRIVATE_KEY/],
    ['Could not create api key', /PRIVATE_KEY/],
    ['Unauthorized/Invalid api key', /CLOB_API_KEY/],
    ['invalid signature', /SIGNATURE_TYPE.*FUNDER_ADDRESS/],
  ])('%s → one line naming the setting', (text, re) => {
    const hint = accountSetupHint(text, 0);
    expect(hint).toMatch(re);
    expect(hint).not.toContain('\n');
  });
  it('a type-3 signer refusal says the venue has not bound the key to the deposit wallet', () => {
    const hint = accountSetupHint('the order signer address has to be the address of the API KEY', 3);
    expect(hint).toMatch(/deposit wallet FUNDER_ADDRESS.*Polymarket support/);
    expect(hint).not.toContain('\n');
  });
  it('a balance refusal is set-up only for a BUY with a zero allowance', () => {
    const text =
      'not enough balance / allowance: the balance is not enough -> balance: 0, order amount: 5000000';
    expect(accountSetupHint(text, 0, { side: 'BUY', allowance: 0n })).toMatch(/npm run approve/);
    expect(accountSetupHint(text, 3, { side: 'BUY', allowance: 0n })).toMatch(/FUNDER_ADDRESS/);
    expect(accountSetupHint(text, 0, { side: 'BUY', allowance: 10n })).toBeNull();
    expect(accountSetupHint(text, 0, { side: 'SELL', allowance: 0n })).toBeNull();
    expect(accountSetupHint(text, 0)).toBeNull();
  });
  it('market refusals are not set-up errors', () => {
    expect(
      accountSetupHint("order couldn't be fully filled. FOK orders are fully filled or killed.", 0),
    ).toBeNull();
    expect(accountSetupHint('order 0x1 is invalid. Duplicated.', 0)).toBeNull();
  });
});
