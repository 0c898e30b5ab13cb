/**
 * Book comparison for tests and the smoke command: whether two L2 books hold exactly the same
 * levels (prices in micro-USDC, sizes in micro-shares, best first).
 */
import type { Level } from '../book/order-book';

/** Levels of a book as plain pairs, or null for no book. */
export function levelPairs(
  book: { readonly bids: readonly Level[]; readonly asks: readonly Level[] } | null | undefined,
): { bids: [number, number | null][]; asks: [number, number | null][] } | null {
  if (book === null || book === undefined) return null;
  return { bids: book.bids.map((l) => [l.price, l.size]), asks: book.asks.map((l) => [l.price, l.size]) };
}

/** True when every token's book in `mine` equals the one `theirs` returns for it. */
export function booksEqual(
  tokenIds: Iterable<string>,
  mine: (
    tokenId: string,
  ) => { readonly bids: readonly Level[]; readonly asks: readonly Level[] } | null | undefined,
  theirs: (
    tokenId: string,
  ) => { readonly bids: readonly Level[]; readonly asks: readonly Level[] } | null | undefined,
): boolean {
  for (const id of tokenIds) {
    if (JSON.stringify(levelPairs(mine(id))) !== JSON.stringify(levelPairs(theirs(id)))) return false;
  }
  return true;
}
