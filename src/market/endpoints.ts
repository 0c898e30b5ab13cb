/**
 * Where a local exchange serves each API (one port): the paths, and the endpoints a client uses
 * from the exchange's base URL `http://127.0.0.1:PORT` (Gamma and CLOB REST on the base URL).
 */

/** Market channel path. */
export const MARKET_WS_PATH = '/ws/market';
/** RTDS path (same port as HTTP). */
export const RTDS_PATH = '/rtds';

/** The four endpoints of a venue, as the collector takes them. */
export interface VenueEndpoints {
  readonly gammaUrl: string;
  readonly clobUrl: string;
  readonly marketWsUrl: string;
  readonly rtdsUrl: string;
}

/** Endpoints of the local exchange at `base` (`http://127.0.0.1:PORT`, trailing slashes ignored). */
export function localEndpoints(base: string): VenueEndpoints {
  const http = base.replace(/\/+$/, '');
  const ws = http.replace(/^http/, 'ws');
  return {
    gammaUrl: http,
    clobUrl: http,
    marketWsUrl: `${ws}${MARKET_WS_PATH}`,
    rtdsUrl: `${ws}${RTDS_PATH}`,
  };
}
