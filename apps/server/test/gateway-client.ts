import WebSocket from 'ws';
import type { TestServer } from './harness';

export interface GatewayPayload {
  op: number;
  t?: string;
  s?: number;
  d?: any;
}

/** A raw gateway client for tests: records every payload and waits for the ones asked for. */
/** Closes every test gateway client, then the server (a file's `after`). */
export async function closeWithClients(h: { close(): Promise<void> } | undefined): Promise<void> {
  TestGateway.closeAll();
  await h?.close();
}

export class TestGateway {
  readonly received: GatewayPayload[] = [];
  closeCode: number | null = null;
  /** The highest sequence number received. */
  seq = 0;
  ready: any = null;
  private waiters: Array<{ match: (p: GatewayPayload) => boolean; resolve: (p: GatewayPayload) => void }> =
    [];
  private closeWaiters: Array<(code: number) => void> = [];

  /** Every client opened by this test file, so that one `after` can close them all. */
  private static readonly all = new Set<TestGateway>();

  static closeAll(): void {
    for (const c of TestGateway.all) c.close();
    TestGateway.all.clear();
  }

  private constructor(readonly ws: WebSocket) {
    TestGateway.all.add(this);
    ws.on('message', (data) => {
      const payload = JSON.parse(data.toString()) as GatewayPayload;
      if (payload.s) this.seq = Math.max(this.seq, payload.s);
      if (payload.t === 'READY') this.ready = payload.d;
      this.received.push(payload);
      this.waiters = this.waiters.filter((w) => {
        if (!w.match(payload)) return true;
        w.resolve(payload);
        return false;
      });
    });
    ws.on('close', (code) => {
      this.closeCode = code;
      for (const w of this.closeWaiters) w(code);
    });
  }

  static async open(h: TestServer, query = 'v=10&encoding=json'): Promise<TestGateway> {
    const ws = new WebSocket(`${h.url.replace('http', 'ws')}/gateway?${query}`);
    const client = new TestGateway(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return client;
  }

  /** Connects and identifies; resolves after READY and the GUILD_CREATEs of `guilds` guilds. */
  static async identify(
    h: TestServer,
    token: string,
    extra: Record<string, unknown> = {},
    guilds = 0,
  ): Promise<TestGateway> {
    const client = await TestGateway.open(h);
    await client.next((p) => p.op === 10);
    client.send({
      op: 2,
      d: { token, properties: { os: 'linux', browser: 'test', device: 'test' }, ...extra },
    });
    await client.dispatch('READY');
    for (let i = 0; i < guilds; i++) await client.dispatch('GUILD_CREATE');
    return client;
  }

  send(payload: unknown): void {
    this.ws.send(typeof payload === 'string' ? payload : JSON.stringify(payload));
  }

  /** The first payload (already received or coming) that matches, within a time limit. */
  next(match: (p: GatewayPayload) => boolean, timeoutMs = 5000): Promise<GatewayPayload> {
    const seen = this.received.find(match);
    if (seen) {
      this.received.splice(this.received.indexOf(seen), 1);
      return Promise.resolve(seen);
    }
    return new Promise((resolve, reject) => {
      const waiter = {
        match,
        resolve: (p: GatewayPayload) => {
          clearTimeout(timer);
          this.received.splice(this.received.indexOf(p), 1);
          resolve(p);
        },
      };
      // A waiter that timed out goes, so that it does not take a later payload from the next one (never()).
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error('timed out waiting for a gateway payload'));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  dispatch(t: string, where: (d: any) => boolean = () => true, timeoutMs?: number): Promise<any> {
    return this.next((p) => p.op === 0 && p.t === t && where(p.d), timeoutMs).then((p) => p.d);
  }

  /** Resolves true if no matching dispatch arrives within `ms`. */
  async never(t: string, where: (d: any) => boolean = () => true, ms = 300): Promise<boolean> {
    try {
      await this.dispatch(t, where, ms);
      return false;
    } catch {
      return true;
    }
  }

  closed(timeoutMs = 5000): Promise<number> {
    if (this.closeCode !== null) return Promise.resolve(this.closeCode);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('socket did not close')), timeoutMs);
      this.closeWaiters.push((code) => {
        clearTimeout(timer);
        resolve(code);
      });
    });
  }

  close(): void {
    this.ws.close();
  }
}
