import { connect } from 'node:net';

/** A health check: an HTTP GET that must answer 2xx, or a TCP connect that must succeed. */
export type ProbeTarget = { http: string } | { tcp: string };

/** A probe with its timing. Every duration is in ms. */
export type ProbeSpec = ProbeTarget & {
  /** Time between two checks. @default 1000 */
  intervalMs: number;
  /** A check that takes longer fails. @default 1000 */
  timeoutMs: number;
  /** Consecutive failures that make a liveness probe fail the service. @default 3 */
  failureThreshold: number;
};

export const PROBE_DEFAULTS = { intervalMs: 1000, timeoutMs: 1000, failureThreshold: 3 } as const;

/** Result of one check. */
export type ProbeResult = { ok: true } | { ok: false; error: string };

/** Runs one check. Never rejects. */
export async function runProbe(target: ProbeTarget, timeoutMs: number): Promise<ProbeResult> {
  return 'http' in target ? probeHttp(target.http, timeoutMs) : probeTcp(target.tcp, timeoutMs);
}

/** Describes a probe for logs: `GET http://…` or `TCP host:port`. */
export function describeProbe(target: ProbeTarget): string {
  return 'http' in target ? `GET ${target.http}` : `TCP ${target.tcp}`;
}

async function probeHttp(url: string, timeoutMs: number): Promise<ProbeResult> {
  try {
    const response = await fetch(url, {
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'manual',
    });
    await response.body?.cancel();
    return response.status >= 200 && response.status < 300
      ? { ok: true }
      : { ok: false, error: `HTTP ${response.status}` };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    return {
      ok: false,
      error:
        cause ??
        ((error as Error).name === 'TimeoutError'
          ? `no answer within ${timeoutMs} ms`
          : (error as Error).message),
    };
  }
}

function probeTcp(address: string, timeoutMs: number): Promise<ProbeResult> {
  const at = address.lastIndexOf(':');
  const host = at > 0 ? address.slice(0, at) : '127.0.0.1';
  const port = Number(address.slice(at + 1));
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (result: ProbeResult) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(
      () => done({ ok: false, error: `no connection within ${timeoutMs} ms` }),
      timeoutMs,
    );
    socket.once('connect', () => done({ ok: true }));
    socket.once('error', (error: NodeJS.ErrnoException) =>
      done({ ok: false, error: error.code ?? error.message }),
    );
  });
}
