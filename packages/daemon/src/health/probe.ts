import { connect } from 'node:net';
import { MAX_TIMER_MS } from '../constants.js';

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

/**
 * What a TCP probe target must match: `host:port` with a port of 1–65535 (no leading zero);
 * the host is a name or IPv4 address of at most 253 characters (empty: 127.0.0.1), or an
 * IPv6 address in brackets (`[::1]:8080`). The control API's schema uses this pattern.
 */
export const TCP_TARGET_PATTERN =
  '^(?:[A-Za-z0-9._-]{0,253}|\\[[0-9A-Fa-f:.]{2,45}\\]):(?:6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3})$';

/** What an HTTP probe target must match (it must also parse as a URL: see probeTargetProblem). */
export const HTTP_TARGET_PATTERN = '^https?://[^\\x00]+$';

/** Longest probe target: 4096 characters. */
export const PROBE_TARGET_MAX_LENGTH = 4096;

const TCP_TARGET = new RegExp(TCP_TARGET_PATTERN);
const HTTP_TARGET = new RegExp(HTTP_TARGET_PATTERN);

/**
 * Why `target` cannot be checked, naming the value; undefined when it can. Pure: the control
 * API refuses such a target with -32602, and runProbe fails it (a run stored by an older
 * daemon may hold one).
 */
export function probeTargetProblem(target: unknown): string | undefined {
  if (typeof target !== 'object' || target === null) {
    return `a probe must be { http: url } or { tcp: "host:port" }, got ${shown(target)}`;
  }
  if ('http' in target) {
    return httpProblem(target.http);
  }
  if ('tcp' in target) {
    return tcpProblem(target.tcp);
  }
  return `a probe must be { http: url } or { tcp: "host:port" }, got ${shown(target)}`;
}

/**
 * Runs one check. Never throws and never rejects, whatever `target` and `timeoutMs` are: a
 * target that cannot be checked (a port outside 1–65535, a URL that does not parse, a NUL
 * byte…) fails with an error naming it.
 */
export async function runProbe(target: ProbeTarget, timeoutMs: number): Promise<ProbeResult> {
  try {
    const problem = probeTargetProblem(target);
    if (problem !== undefined) {
      return { ok: false, error: problem };
    }
    const budgetMs = timerDelay(timeoutMs);
    return 'http' in target
      ? await probeHttp(target.http, budgetMs)
      : await probeTcp(target.tcp, budgetMs);
  } catch (error) {
    // Unreachable unless Node changes what connect()/fetch() throw: still never reject.
    return { ok: false, error: `${describeProbe(target)} could not run: ${messageOf(error)}` };
  }
}

/** Describes a probe for logs: `GET http://…` or `TCP host:port`. Never throws. */
export function describeProbe(target: ProbeTarget): string {
  if (typeof target === 'object' && target !== null) {
    if ('http' in target) {
      return `GET ${String(target.http)}`;
    }
    if ('tcp' in target) {
      return `TCP ${String(target.tcp)}`;
    }
  }
  return `probe ${shown(target)}`;
}

function httpProblem(url: unknown): string | undefined {
  if (typeof url !== 'string') {
    return `an HTTP probe URL must be a string, got ${shown(url)}`;
  }
  if (url.length > PROBE_TARGET_MAX_LENGTH || !HTTP_TARGET.test(url)) {
    return `HTTP probe URL ${shown(url)} must start with http:// or https://, hold no NUL byte and be at most ${PROBE_TARGET_MAX_LENGTH} characters`;
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `HTTP probe URL ${shown(url)} does not parse as a URL (a port above 65535, a bad host…)`;
  }
  if (parsed.username !== '' || parsed.password !== '') {
    return `HTTP probe URL ${shown(url)} holds credentials, which fetch refuses; use a URL without user:password@`;
  }
  if (parsed.port === '0') {
    return `HTTP probe URL ${shown(url)} has port 0; give a port of 1–65535`;
  }
  return undefined;
}

function tcpProblem(address: unknown): string | undefined {
  if (typeof address !== 'string') {
    return `a TCP probe target must be a "host:port" string, got ${shown(address)}`;
  }
  if (!TCP_TARGET.test(address)) {
    return `TCP probe target ${shown(address)} must be host:port with a port of 1–65535 (an empty host is 127.0.0.1; an IPv6 host in brackets)`;
  }
  return undefined;
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
    const cause = (error as { cause?: { code?: string; message?: string } } | null)?.cause;
    if (typeof cause?.code === 'string') {
      return { ok: false, error: cause.code };
    }
    if ((error as Error | null)?.name === 'TimeoutError') {
      return { ok: false, error: `no answer within ${timeoutMs} ms` };
    }
    // e.g. fetch's `bad port` (6000, 6665…: ports the Fetch standard blocks) has no code.
    const detail = typeof cause?.message === 'string' ? `: ${cause.message}` : '';
    return { ok: false, error: `${messageOf(error)}${detail}` };
  }
}

function probeTcp(address: string, timeoutMs: number): Promise<ProbeResult> {
  const at = address.lastIndexOf(':');
  const named = address.slice(0, at);
  const host = named === '' ? '127.0.0.1' : named.replace(/^\[(.*)\]$/, '$1');
  const port = Number(address.slice(at + 1));
  let socket: ReturnType<typeof connect>;
  try {
    // connect() throws synchronously for a bad port or host (ERR_SOCKET_BAD_PORT…).
    socket = connect({ host, port });
  } catch (error) {
    return Promise.resolve({ ok: false, error: `TCP ${address}: ${messageOf(error)}` });
  }
  return new Promise((resolve) => {
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

/**
 * A timer delay Node takes as given: 1 ms to MAX_TIMER_MS (a longer one would fire at once);
 * NaN (a stored record gone bad) is the default timeout.
 */
function timerDelay(ms: number): number {
  if (Number.isNaN(ms)) {
    return PROBE_DEFAULTS.timeoutMs;
  }
  return Math.min(MAX_TIMER_MS, Math.max(1, Math.floor(ms)));
}

/** `value` for a message: JSON (NUL bytes escaped), cut at 200 characters. */
function shown(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
