/**
 * A JSON-RPC proxy on 127.0.0.1 in front of the local EVM (issue #9 crash tests): forwards every
 * request (single or batch) unchanged, and can hold requests — the ones with a matching call, or
 * every request once a given method went through — until {@link RpcProxy.release}. A trader
 * whose `RPC_URL` is the proxy can so be killed in the middle of a chain read or between a
 * transaction's send and its receipt.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One JSON-RPC call of a request. */
export interface RpcCall {
  readonly method: string;
  readonly params: readonly unknown[];
}

interface Held {
  readonly body: string;
  readonly res: ServerResponse;
}

/** The proxy. */
export class RpcProxy {
  /** Requests held so far (counted when held). */
  held = 0;
  /** Calls forwarded so far, by method. */
  readonly forwarded = new Map<string, number>();
  private holdIf: ((c: RpcCall) => boolean) | null = null;
  private holdAfter: string | null = null;
  private holdingAll = false;
  private readonly waiting: Held[] = [];

  private constructor(
    private readonly server: Server,
    private readonly target: string,
    /** The proxy's URL (`RPC_URL` of the trader). */
    readonly url: string,
  ) {}

  /** Starts a proxy to `target` (the EVM's JSON-RPC URL) on a free port. */
  static async start(target: string): Promise<RpcProxy> {
    let proxy: RpcProxy | null = null;
    const server = createServer((req, res) => void proxy?.onRequest(req, res));
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const { port } = server.address() as AddressInfo;
    proxy = new RpcProxy(server, target, `http://127.0.0.1:${port}`);
    return proxy;
  }

  /** Holds every request with a call matching `pred` until {@link release}. */
  holdWhen(pred: (c: RpcCall) => boolean): void {
    this.holdIf = pred;
  }

  /** Once a request with a `method` call has been forwarded and answered, holds every later request. */
  holdAllAfter(method: string): void {
    this.holdAfter = method;
  }

  /** Stops holding and forwards the held requests. */
  release(): void {
    this.holdIf = null;
    this.holdAfter = null;
    this.holdingAll = false;
    for (const h of this.waiting.splice(0)) void this.forward(h.body, h.res);
  }

  /** Closes the proxy (held requests are dropped). */
  async close(): Promise<void> {
    for (const h of this.waiting.splice(0)) h.res.socket?.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((ok) => this.server.close(() => ok()));
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString();
    const calls = parseCalls(body);
    const holdIf = this.holdIf;
    if (this.holdingAll || (holdIf !== null && calls.some((c) => holdIf(c)))) {
      this.held += 1;
      this.waiting.push({ body, res });
      return;
    }
    await this.forward(body, res);
    for (const c of calls) this.forwarded.set(c.method, (this.forwarded.get(c.method) ?? 0) + 1);
    if (this.holdAfter !== null && calls.some((c) => c.method === this.holdAfter)) this.holdingAll = true;
  }

  private async forward(body: string, res: ServerResponse): Promise<void> {
    try {
      const r = await fetch(this.target, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      const text = await r.text();
      res.writeHead(r.status, { 'content-type': 'application/json' });
      res.end(text);
    } catch {
      res.socket?.destroy();
    }
  }
}

function parseCalls(body: string): RpcCall[] {
  try {
    const json: unknown = JSON.parse(body);
    const list = Array.isArray(json) ? json : [json];
    return list.map((c) => {
      const r = (c ?? {}) as { method?: unknown; params?: unknown };
      return {
        method: typeof r.method === 'string' ? r.method : '',
        params: Array.isArray(r.params) ? r.params : [],
      };
    });
  } catch {
    return [];
  }
}

/** Selector of ERC-1155 `balanceOfBatch(address[],uint256[])` (reconciliation's chain read). */
export const BALANCE_OF_BATCH = '0x4e1273f4';

/** True for an `eth_call` whose data starts with `selector`. */
export function isCallTo(c: RpcCall, selector: string): boolean {
  const tx = (c.params[0] ?? {}) as { data?: unknown; input?: unknown };
  const data = typeof tx.data === 'string' ? tx.data : typeof tx.input === 'string' ? tx.input : '';
  return c.method === 'eth_call' && data.toLowerCase().startsWith(selector);
}
