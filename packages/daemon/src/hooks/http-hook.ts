import type { Deliver } from './hook-queue.js';

/** Longest wait between two attempts of an HTTP hook, however many retries: 30 000 ms. */
export const HOOK_HTTP_MAX_BACKOFF_MS = 30_000;

/** What {@link httpDeliverer} needs of a resolved HTTP hook. */
export interface HttpHookSpec {
  name: string;
  url: string;
  headers: Record<string, string>;
  timeoutMs: number;
  retries: number;
  backoffMs: number;
}

/**
 * Delay before retry `retry` (1 for the first retry): `backoffMs × 2^(retry−1)`, at most
 * HOOK_HTTP_MAX_BACKOFF_MS. Pure.
 */
export function retryDelayMs(backoffMs: number, retry: number): number {
  return Math.min(HOOK_HTTP_MAX_BACKOFF_MS, backoffMs * 2 ** (retry - 1));
}

/** True for an answer worth retrying: 408, 425, 429 and 5xx (a 4xx other than these will not change). */
export function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 425 || status === 429;
}

/**
 * Delivers an event as `POST <url>` with the event's JSON as body (`content-type:
 * application/json`, `x-hook-name`, `x-hook-event`, plus the hook's headers). A 2xx answer
 * delivers it. A network error, a timeout (`timeoutMs` per attempt) or a retryable status is
 * tried again up to `retries` times, after {@link retryDelayMs}; the delivery fails after the
 * last attempt, or at once on another status. Aborting `signal` (the daemon stops) ends it.
 */
export function httpDeliverer(spec: HttpHookSpec): Deliver {
  return async (event, signal) => {
    let last = '';
    for (let attempt = 0; attempt <= spec.retries; attempt += 1) {
      if (attempt > 0 && !(await sleep(retryDelayMs(spec.backoffMs, attempt), signal))) {
        break;
      }
      const outcome = await postOnce(spec, event.type, event.json, signal);
      if (outcome.ok) {
        return outcome;
      }
      last = outcome.error;
      if (!outcome.retry) {
        return { ok: false, error: last };
      }
    }
    const tries = spec.retries + 1;
    return {
      ok: false,
      error: signal.aborted
        ? `${last}; the daemon is stopping`
        : `${last} (after ${tries} attempt(s))`,
    };
  };
}

async function postOnce(
  spec: HttpHookSpec,
  type: string,
  body: string,
  signal: AbortSignal,
): Promise<{ ok: true } | { ok: false; error: string; retry: boolean }> {
  const timeout = AbortSignal.timeout(spec.timeoutMs);
  try {
    const response = await fetch(spec.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'x-daemon-hook',
        'x-hook-name': spec.name,
        'x-hook-event': type,
        ...spec.headers,
      },
      body,
      signal: AbortSignal.any([signal, timeout]),
      redirect: 'error',
    });
    const text = await readHead(response, 200);
    if (response.ok) {
      return { ok: true };
    }
    return {
      ok: false,
      retry: isRetryableStatus(response.status),
      error: `POST ${spec.url}: HTTP ${response.status}${text === '' ? '' : `: ${text}`}`,
    };
  } catch (error) {
    const why = timeout.aborted
      ? `timed out after ${spec.timeoutMs} ms`
      : ((error as Error & { cause?: Error }).cause?.message ?? (error as Error).message);
    return { ok: false, retry: !signal.aborted, error: `POST ${spec.url}: ${why}` };
  }
}

/** Waits `ms`; false when `signal` aborted first. */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve(false);
      return;
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** The first chunk of a response's body, cut to `max` characters; the rest is not read. */
async function readHead(response: Response, max: number): Promise<string> {
  const reader = response.body?.getReader();
  if (reader === undefined) {
    return '';
  }
  try {
    const first = await reader.read();
    return first.value === undefined
      ? ''
      : Buffer.from(first.value).toString('utf8', 0, max).trim();
  } catch {
    return '';
  } finally {
    void reader.cancel().catch(() => undefined);
  }
}
