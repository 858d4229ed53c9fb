import { connectRpc } from '@x/ipc/node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  silentLogger,
  startDaemon,
  type DaemonHandle,
  type PermissionRecord,
  type TurnRecord,
} from '../src/index.js';
import { AGENTS, kernelLauncher, tempDir, waitFor } from './helpers.js';

// permission_cancel end to end: the real kernel runner (built dist) withdraws a request whose
// turn was cancelled; the daemon records it denied by the runner and refuses a later answer.

describe.each(['subprocess', 'thread'] as const)('permission_cancel (%s)', (mode) => {
  let dir: ReturnType<typeof tempDir>;
  let daemon: DaemonHandle;

  beforeEach(async () => {
    dir = tempDir('x-pc-');
    daemon = await startDaemon({
      home: `${dir.path}/home`,
      launcher: kernelLauncher(),
      logger: silentLogger,
    });
  });
  afterEach(async () => {
    await daemon.shutdown();
    dir.remove();
  });

  it('a turn cancelled while its request is pending: denied by runner, published, and a later approve is refused', async () => {
    const connection = await connectRpc(daemon.paths.socketPath);
    const events: { method: string; params: unknown }[] = [];
    try {
      const run = await connection.request<{ runId: string }>('agent.start', {
        module: `${AGENTS}ask-permission.mjs`,
        name: 'asker',
        runnerMode: mode,
      });
      const turn = await connection.request<TurnRecord>('agent.send', {
        ref: 'asker',
        input: { tool: 'git' },
      });
      await waitFor(() => daemon.supervisor.pendingPermissions(run.runId).length === 1, 10_000);
      const [pending] = daemon.supervisor.pendingPermissions(run.runId);
      expect(pending).toMatchObject({ requestId: 'p-1', tool: 'git', decision: null });
      daemon.supervisor.onEvent((event) => events.push({ method: event.type, params: event }));

      await connection.request('agent.turn.cancel', {
        ref: 'asker',
        turnId: turn.turnId,
        reason: 'changed my mind',
      });
      expect(
        await waitFor(() => daemon.supervisor.pendingPermissions(run.runId).length === 0, 10_000),
      ).toBe(true);
      const answer = events.find((event) => event.method === 'permission_answer');
      expect(answer?.params).toMatchObject({
        request: {
          requestId: 'p-1',
          decision: 'denied',
          decidedBy: 'runner',
          reason: 'withdrawn by the runner: changed my mind',
        },
      });
      await expect(
        connection.request<PermissionRecord>('agent.permission.answer', {
          ref: 'asker',
          requestId: 'p-1',
          decision: 'granted',
        }),
      ).rejects.toMatchObject({
        code: -32024,
        message: /already answered: denied by runner \(withdrawn by the runner: changed my mind\)/,
      });
      const { turns } = await connection.request<{ turns: TurnRecord[] }>('agent.turns', {
        ref: 'asker',
        turnId: turn.turnId,
      });
      expect(turns[0]).toMatchObject({ status: 'cancelled' });
    } finally {
      connection.close();
    }
  });
});
