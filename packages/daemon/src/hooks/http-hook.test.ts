import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { httpDeliverer, isRetryableStatus, retryDelayMs } from './http-hook.js';

const event = { id: 7, type: 'run_state', json: '{"id":7,"type":"run_state"}', bytes: 27 };

let server: Server | undefined;
afterEach(
  () => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())),
);

/** A real local HTTP server answering each request with the next status of `statuses` (or hanging on 0). */
async function serve(
  statuses: number[],
): Promise<{ url: string; requests: { headers: IncomingMessage['headers']; body: string }[] }> {
  const requests: { headers: IncomingMessage['headers']; body: string }[] = [];
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      requests.push({ headers: request.headers, body });
      const status = statuses[Math.min(requests.length - 1, statuses.length - 1)];
      if (status !== 0) {
        response.writeHead(status).end(status >= 400 ? 'nope' : 'ok');
      }
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, requests };
}

const spec = (url: string, extra = {}) => ({
  name: 'h',
  url,
  headers: { 'x-token': 't' },
  timeoutMs: 2_000,
  retries: 3,
  backoffMs: 10,
  ...extra,
});

describe('httpDeliverer (real local HTTP server)', () => {
  it('POSTs the event JSON with its headers', async () => {
    const { url, requests } = await serve([204]);
    const result = await httpDeliverer(spec(url))(event, new AbortController().signal);
    expect(result).toEqual({ ok: true });
    expect(requests).toHaveLength(1);
    expect(requests[0].body).toBe(event.json);
    expect(requests[0].headers).toMatchObject({
      'content-type': 'application/json',
      'x-hook-name': 'h',
      'x-hook-event': 'run_state',
      'x-token': 't',
    });
  });

  it('a 503 then a 500 then a 200: delivered on the third attempt', async () => {
    const { url, requests } = await serve([503, 500, 200]);
    expect(await httpDeliverer(spec(url))(event, new AbortController().signal)).toEqual({
      ok: true,
    });
    expect(requests).toHaveLength(3);
  });

  it('a 500 every time: fails after 1 + retries attempts, with the status and body', async () => {
    const { url, requests } = await serve([500]);
    const result = await httpDeliverer(spec(url, { retries: 2 }))(
      event,
      new AbortController().signal,
    );
    expect(result).toEqual({
      ok: false,
      error: `POST ${url}: HTTP 500: nope (after 3 attempt(s))`,
    });
    expect(requests).toHaveLength(3);
  });

  it('a 400 is not retried', async () => {
    const { url, requests } = await serve([400]);
    const result = await httpDeliverer(spec(url))(event, new AbortController().signal);
    expect(result).toMatchObject({ ok: false, error: `POST ${url}: HTTP 400: nope` });
    expect(requests).toHaveLength(1);
  });

  it('a server that never answers: each attempt times out', async () => {
    const { url, requests } = await serve([0]);
    const started = Date.now();
    const result = await httpDeliverer(spec(url, { timeoutMs: 200, retries: 1 }))(
      event,
      new AbortController().signal,
    );
    expect(result).toMatchObject({
      ok: false,
      error: expect.stringContaining('timed out after 200 ms'),
    });
    expect(requests).toHaveLength(2);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('nobody listening: a connection error, retried', async () => {
    const { url } = await serve([200]);
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    server = undefined;
    const result = await httpDeliverer(spec(url, { retries: 1 }))(
      event,
      new AbortController().signal,
    );
    expect(result).toMatchObject({
      ok: false,
      error: expect.stringMatching(/ECONNREFUSED.*after 2 attempt/),
    });
  });
});

describe('retryDelayMs', () => {
  it.each([
    [500, 1, 500],
    [500, 2, 1_000],
    [500, 3, 2_000],
    [500, 10, 30_000],
    [0, 4, 0],
  ])('backoff %i ms, retry %i → %i ms', (backoff, retry, expected) => {
    expect(retryDelayMs(backoff, retry)).toBe(expected);
  });
});

describe('isRetryableStatus', () => {
  it.each([
    [500, true],
    [503, true],
    [429, true],
    [408, true],
    [400, false],
    [404, false],
    [301, false],
  ])('%i → %s', (status, expected) => {
    expect(isRetryableStatus(status)).toBe(expected);
  });
});
