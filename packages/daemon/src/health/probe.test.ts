import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  describeProbe,
  probeTargetProblem,
  runProbe,
  TCP_TARGET_PATTERN,
  type ProbeTarget,
} from './probe.js';

const listen = <S extends Server | HttpServer>(server: S): Promise<number> =>
  new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );

describe('runProbe never throws or rejects, and names the target it cannot check', () => {
  let tcpServer: Server;
  let httpServer: HttpServer;
  let tcpPort: number;
  let httpPort: number;
  beforeAll(async () => {
    tcpServer = createServer((socket) => socket.destroy());
    httpServer = createHttpServer((request, response) => {
      response.statusCode = request.url === '/ok' ? 200 : 503;
      response.end();
    });
    tcpPort = await listen(tcpServer);
    httpPort = await listen(httpServer);
  });
  afterAll(() => {
    tcpServer.close();
    httpServer.close();
  });

  it.each([
    ['port 0', '127.0.0.1:0'],
    ['port 65536', '127.0.0.1:65536'],
    ['port 99999 (issue 16)', '127.0.0.1:99999'],
    ['port with a leading zero', '127.0.0.1:080'],
    ['no port', '127.0.0.1'],
    ['a NUL byte in the host', 'local\u0000host:80'],
    ['a host of 254 characters', `${'a'.repeat(254)}:80`],
    ['an IPv6 host without brackets', '::1:80'],
  ])('tcp %s fails with an error naming the target', async (_, tcp) => {
    const result = await runProbe({ tcp }, 500);
    expect(result.ok).toBe(false);
    expect(result).toMatchObject({
      error: expect.stringContaining(JSON.stringify(tcp).slice(0, 100)),
    });
    expect(probeTargetProblem({ tcp })).toContain('port of 1–65535');
  });

  it.each([
    ['a malformed URL', 'http://['],
    ['a port above 65535', 'http://127.0.0.1:99999/'],
    ['port 0', 'http://127.0.0.1:0/'],
    ['a NUL byte', 'http://127.0.0.1/\u0000'],
    ['credentials', 'http://user:secret@127.0.0.1:1/'],
    ['another scheme', 'ftp://127.0.0.1/'],
    ['5000 characters', `http://127.0.0.1/${'a'.repeat(5000)}`],
  ])('http %s fails with an error naming the URL', async (_, http) => {
    const result = await runProbe({ http }, 500);
    expect(result.ok).toBe(false);
    expect(result).toMatchObject({
      error: expect.stringContaining(JSON.stringify(http).slice(0, 100)),
    });
  });

  it.each([
    ['null', null],
    ['a number', 42],
    ['an object with neither http nor tcp', {}],
    ['tcp as a number', { tcp: 8080 }],
    ['http as null', { http: null }],
  ])('a target that is %s (a stored record gone bad) fails', async (_, target) => {
    const result = await runProbe(target as unknown as ProbeTarget, 500);
    expect(result).toMatchObject({ ok: false, error: expect.stringMatching(/probe|TCP|HTTP/) });
    expect(() => describeProbe(target as unknown as ProbeTarget)).not.toThrow();
  });

  it('passes for a listening TCP port, also with an empty host and in brackets', async () => {
    await expect(runProbe({ tcp: `127.0.0.1:${tcpPort}` }, 2000)).resolves.toEqual({ ok: true });
    await expect(runProbe({ tcp: `:${tcpPort}` }, 2000)).resolves.toEqual({ ok: true });
    await expect(runProbe({ tcp: `[127.0.0.1]:${tcpPort}` }, 2000)).resolves.toEqual({
      ok: true,
    });
  });

  it('a closed port fails with ECONNREFUSED', async () => {
    const closed = createServer();
    const port = await listen(closed);
    await new Promise((resolve) => closed.close(resolve));
    await expect(runProbe({ tcp: `127.0.0.1:${port}` }, 2000)).resolves.toEqual({
      ok: false,
      error: 'ECONNREFUSED',
    });
  });

  it('HTTP passes on 2xx only', async () => {
    await expect(runProbe({ http: `http://127.0.0.1:${httpPort}/ok` }, 2000)).resolves.toEqual({
      ok: true,
    });
    await expect(runProbe({ http: `http://127.0.0.1:${httpPort}/down` }, 2000)).resolves.toEqual({
      ok: false,
      error: 'HTTP 503',
    });
  });

  it('a port fetch blocks (6000) fails with fetch’s reason', async () => {
    const result = await runProbe({ http: 'http://127.0.0.1:6000/' }, 2000);
    expect(result).toMatchObject({ ok: false, error: expect.stringMatching(/bad port/) });
  });

  it.each([
    ['NaN (the default, 1000 ms)', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['2^31', 2 ** 31],
    ['1e300', 1e300],
  ])('a timeout of %s is clamped to what a timer takes, and the check passes', async (_, ms) => {
    await expect(runProbe({ tcp: `127.0.0.1:${tcpPort}` }, ms)).resolves.toEqual({ ok: true });
    await expect(runProbe({ http: `http://127.0.0.1:${httpPort}/ok` }, ms)).resolves.toEqual({
      ok: true,
    });
  });

  it.each([
    ['0', 0],
    ['-5', -5],
  ])('a timeout of %s ms becomes 1 ms: the check settles either way', async (_, ms) => {
    for (const target of [
      { tcp: `127.0.0.1:${tcpPort}` },
      { http: `http://127.0.0.1:${httpPort}/ok` },
    ]) {
      const result = await runProbe(target, ms);
      expect(result.ok || /within 1 ms/.test((result as { error: string }).error)).toBe(true);
    }
  });
});

describe('TCP_TARGET_PATTERN', () => {
  const matches = (value: string) => new RegExp(TCP_TARGET_PATTERN).test(value);

  it('takes every port of 1–65535 and no other', () => {
    for (let port = 0; port <= 70_000; port += 1) {
      expect(matches(`h:${port}`), `port ${port}`).toBe(port >= 1 && port <= 65_535);
    }
  });

  it('takes names, IPv4, bracketed IPv6 and an empty host', () => {
    for (const host of ['', 'localhost', '127.0.0.1', 'my-host.example_1', '[::1]', '[fe80::1]']) {
      expect(matches(`${host}:80`), host).toBe(true);
    }
    for (const host of ['a b', 'a:b', '[::1', 'h\u0000', 'é', 'a'.repeat(254)]) {
      expect(matches(`${host}:80`), host).toBe(false);
    }
  });
});
