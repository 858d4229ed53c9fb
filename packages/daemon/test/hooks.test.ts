import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connectRpc } from '@x/ipc/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger, startDaemon, type DaemonHandle, type SystemInfo } from '../src/index.js';
import { AGENTS, kernelLauncher, tempDir, waitFor } from './helpers.js';

// Event hooks end to end: a real daemon with real kernel agents, a real local HTTP server
// and real commands.

describe('event hooks (real daemon, HTTP server and commands)', () => {
  const dir = tempDir('x-hk-');
  const failedFile = `${dir.path}/failed.ndjson`;
  const posts: { headers: Record<string, unknown>; body: Record<string, unknown> }[] = [];
  let server: Server;
  let daemon: DaemonHandle;

  beforeAll(async () => {
    server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        posts.push({ headers: request.headers, body: JSON.parse(body) as Record<string, unknown> });
        response.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/chat`;
    daemon = await startDaemon({
      home: `${dir.path}/home`,
      launcher: kernelLauncher(),
      logger: silentLogger,
      hooks: [
        { name: 'chat', on: ['permission_request'], url },
        {
          name: 'on-failed',
          on: ['run_state'],
          filter: { states: ['failed'] },
          command: ['sh', '-c', `cat >> ${failedFile}`],
        },
        // Never returns: its queue of 2 fills and the rest is dropped.
        { name: 'stuck', on: ['*'], command: ['sleep', '600'], timeoutMs: 600_000, queue: 2 },
      ],
    });
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    dir.remove();
  });

  it('an HTTP hook receives a permission_request, a command hook a run that ended failed, and a hanging hook delays nothing', async () => {
    const connection = await connectRpc(daemon.paths.socketPath);
    try {
      await connection.request('agent.start', {
        module: `${AGENTS}ask-permission-step.mjs`,
        name: 'asker',
        params: { tool: 'git' },
      });
      await connection
        .request('agent.start', {
          module: `${AGENTS}crash-at.mjs`,
          name: 'crasher',
          params: { at: 1, code: 3 },
          intervalMs: 10,
        })
        .catch(() => undefined); // it may crash before the start answers

      expect(await waitFor(() => posts.length >= 1, 20_000)).toBe(true);
      expect(posts[0].headers).toMatchObject({
        'x-hook-name': 'chat',
        'x-hook-event': 'permission_request',
      });
      expect(posts[0].body).toMatchObject({
        type: 'permission_request',
        name: 'asker',
        request: { tool: 'git', decision: null },
      });
      expect(typeof posts[0].body.id).toBe('number');

      const failed = () => {
        try {
          return readFileSync(failedFile, 'utf8')
            .trim()
            .split('\n')
            .map(
              (line) =>
                JSON.parse(line) as {
                  name: string;
                  run: { state: string; exit: { reason: string } };
                },
            );
        } catch {
          return [];
        }
      };
      expect(await waitFor(() => failed().length >= 1, 20_000)).toBe(true);
      expect(failed()[0]).toMatchObject({
        type: 'run_state',
        name: 'crasher',
        run: { state: 'failed', exit: { reason: 'crashed' } },
      });

      // The stuck hook holds one event in delivery and two queued; more events overflow it.
      const info = await connection.request<SystemInfo>('system.info');
      const stuck = info.hooks?.find((hook) => hook.name === 'stuck');
      expect(stuck).toMatchObject({ busy: true, queued: 2, delivered: 0 });
      expect(stuck!.dropped).toBeGreaterThan(0);
      expect(info.hooks?.find((hook) => hook.name === 'chat')).toMatchObject({
        delivered: 1,
        failed: 0,
        dropped: 0,
      });
      expect(daemon.hookStats().map((hook) => hook.name)).toEqual(['chat', 'on-failed', 'stuck']);

      const started = Date.now();
      await connection.request('agent.list', {});
      // Generous: a loaded 2-core machine; a blocked daemon would not answer at all.
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      connection.close();
    }
    // Shutdown is not held up by the stuck hook: it gets HOOK_CLOSE_GRACE_MS, then its group is killed.
    const started = Date.now();
    await daemon.shutdown();
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});
