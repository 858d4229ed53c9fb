import Database from 'better-sqlite3';
import { connectRpc } from '@x/ipc/node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DAEMON_RPC_CODES,
  RunStore,
  RunnerSupervisor,
  silentLogger,
  startDaemon,
  type AgentStatus,
  type PermissionRecord,
  type SupervisorEvent,
  type TurnRecord,
} from '../src/index.js';
import { fixtureLauncher, runRecord, tempDir, waitFor } from './helpers.js';

describe('turns and permissions through RunnerSupervisor (real runner processes)', () => {
  let dir: ReturnType<typeof tempDir>;
  let store: RunStore;
  let supervisor: RunnerSupervisor;
  let events: SupervisorEvent[];

  beforeEach(() => {
    dir = tempDir('x-tp-');
    store = new RunStore(`${dir.path}/x.db`);
    supervisor = new RunnerSupervisor({
      launcher: fixtureLauncher(),
      store,
      logsDir: `${dir.path}/logs`,
      handshakeTimeoutMs: 8000,
    });
    events = [];
    supervisor.onEvent((event) => events.push(event));
  });
  afterEach(async () => {
    await supervisor.stopAll({ ipcMs: 300, sigtermMs: 300 });
    store.close();
    dir.remove();
  });

  const start = (
    mode: string,
    extra: Partial<Parameters<RunnerSupervisor['start']>[0]> = {},
    env: Record<string, string> = {},
  ) =>
    supervisor.start({
      module: '/fixture.mjs',
      name: mode,
      env: { FIXTURE_MODE: mode, ...env },
      ...extra,
    });
  const dbRows = (sql: string, ...args: unknown[]) => {
    const db = new Database(`${dir.path}/x.db`, { readonly: true });
    try {
      return db.prepare(sql).all(...args);
    } finally {
      db.close();
    }
  };

  it('a turn sent with wait returns the runner answer, persisted and published', async () => {
    const run = await start('turns');
    const turn = await supervisor.send('turns', { q: 'hi' }, { wait: true });
    expect(turn).toMatchObject({
      turnId: 't-1',
      status: 'ok',
      output: { echo: { q: 'hi' } },
      attempt: 1,
      input: { q: 'hi' },
    });
    expect(
      dbRows('SELECT turn_id, status, output FROM agent_turns WHERE run_id = ?', run.runId),
    ).toEqual([{ turn_id: 't-1', status: 'ok', output: JSON.stringify({ echo: { q: 'hi' } }) }]);
    expect(events).toContainEqual({ type: 'turn_result', runId: run.runId, name: 'turns', turn });
    // Without wait: pending at once, then readable from the store.
    const pending = await supervisor.send('turns', 'plain text');
    expect(pending).toMatchObject({ turnId: 't-2', status: 'pending' });
    expect(await waitFor(() => supervisor.turn(run.runId, 't-2')?.status === 'ok', 5000)).toBe(
      true,
    );
    expect(supervisor.turns(run.runId, 10).map((t) => t.turnId)).toEqual(['t-2', 't-1']);
  });

  it('an error turn and a wait timeout report as such', async () => {
    await start('turns');
    await expect(
      supervisor.send('turns', { fail: 'no can do' }, { wait: true }),
    ).resolves.toMatchObject({
      status: 'error',
      error: 'no can do',
    });
    const slow = await supervisor.send('turns', { sleepMs: 5000 }, { wait: true, timeoutMs: 100 });
    expect(slow).toMatchObject({ status: 'pending' });
  });

  it('a long turn is cancelled by stopping the run; the waiting caller gets cancelled', async () => {
    await start('turns');
    const waiting = supervisor.send('turns', { sleepMs: 60_000 }, { wait: true });
    await waitFor(() => false, 200);
    const stopped = await supervisor.stop('turns');
    expect(stopped.exit?.reason).toBe('stopped');
    await expect(waiting).resolves.toMatchObject({ status: 'cancelled', error: 'stopped' });
  });

  it('a runner that exits without answering: cancelled after a stop, error after a crash', async () => {
    await start('turns-mute');
    const muted = supervisor.send('turns-mute', 'hello?', { wait: true });
    await waitFor(() => false, 200);
    await supervisor.stop('turns-mute');
    await expect(muted).resolves.toMatchObject({ status: 'cancelled', error: /run was stopped/ });

    await start('turns');
    const crashing = supervisor.send('turns', { crash: true }, { wait: true });
    await expect(crashing).resolves.toMatchObject({
      status: 'error',
      error: /the runner exited \(crashed\) before answering/,
    });
  });

  it('cancels one turn with turn_cancel', async () => {
    const run = await start('turns');
    const waiting = supervisor.send('turns', { sleepMs: 60_000 }, { wait: true });
    await waitFor(() => supervisor.turns(run.runId, 1).length === 1, 2000);
    expect(supervisor.cancelTurn('turns', 't-1', 'changed my mind')).toMatchObject({
      status: 'pending',
    });
    await expect(waiting).resolves.toMatchObject({ status: 'cancelled', error: 'changed my mind' });
    expect(() => supervisor.cancelTurn('turns', 't-9')).toThrow(
      expect.objectContaining({ code: DAEMON_RPC_CODES.TURN_NOT_FOUND }),
    );
  });

  it('refuses turns to a runner without capabilities.turns, and to a finished run', async () => {
    await start('ok');
    await expect(supervisor.send('ok', 'x')).rejects.toMatchObject({
      code: DAEMON_RPC_CODES.TURNS_NOT_ACCEPTED,
      message: /ok \(run r-[0-9a-f]+\) does not accept turns.*turn\(input, ctx\)/,
    });
    await supervisor.stop('ok');
    await expect(supervisor.send('ok', 'x')).rejects.toMatchObject({
      code: DAEMON_RPC_CODES.TURNS_NOT_ACCEPTED,
      message: /is exited, not running/,
    });
    await expect(supervisor.send('nope', 'x')).rejects.toMatchObject({
      code: DAEMON_RPC_CODES.RUN_NOT_FOUND,
    });
  });

  it('a permission request waits for a client answer; the agent sees granted; a second answer is refused', async () => {
    const run = await start('ask');
    await waitFor(() => supervisor.pendingPermissions(run.runId).length === 1, 5000);
    const [pending] = supervisor.pendingPermissions(run.runId);
    expect(pending).toMatchObject({
      requestId: 'p-1',
      tool: 'shell',
      input: { cmd: 'ls' },
      decision: null,
    });
    expect(pending.expiresAt).toBeGreaterThan(Date.now());
    const answered = supervisor.answerPermission('ask', 'p-1', 'granted', 'go ahead');
    expect(answered).toMatchObject({
      decision: 'granted',
      decidedBy: 'client',
      reason: 'go ahead',
    });
    await waitFor(() => events.some((e) => e.type === 'notify'), 5000);
    expect(events.find((e) => e.type === 'notify')).toMatchObject({
      payload: { permission: { requestId: 'p-1', decision: 'granted', reason: 'go ahead' } },
    });
    expect(events.map((e) => e.type).filter((t) => t.startsWith('permission'))).toEqual([
      'permission_request',
      'permission_answer',
    ]);
    let refusal: unknown;
    try {
      supervisor.answerPermission('ask', 'p-1', 'denied');
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toMatchObject({
      code: DAEMON_RPC_CODES.PERMISSION_ALREADY_ANSWERED,
      data: { request: { decision: 'granted', decidedBy: 'client' } },
    });
    expect(() => supervisor.answerPermission('ask', 'p-77', 'denied')).toThrow(
      expect.objectContaining({ code: DAEMON_RPC_CODES.PERMISSION_NOT_FOUND }),
    );
    expect(
      dbRows(
        'SELECT request_id, tool, decision, decided_by, reason FROM agent_permissions WHERE run_id = ?',
        run.runId,
      ),
    ).toEqual([
      {
        request_id: 'p-1',
        tool: 'shell',
        decision: 'granted',
        decided_by: 'client',
        reason: 'go ahead',
      },
    ]);
  });

  it('an unanswered request is denied at its timeout', async () => {
    const run = await start('ask', { permissionTimeoutMs: 300 });
    await waitFor(() => events.some((e) => e.type === 'notify'), 8000);
    expect(events.find((e) => e.type === 'notify')).toMatchObject({
      payload: { permission: { decision: 'denied', reason: 'timeout' } },
    });
    expect(supervisor.pendingPermissions(run.runId)).toEqual([]);
  });

  it('autoApprove grants listed tools and leaves the others pending; a turn sees its decision', async () => {
    const run = await start('ask', { autoApprove: ['read'] }, { FIXTURE_TOOL: 'read' });
    await waitFor(() => events.some((e) => e.type === 'notify'), 8000);
    expect(events.find((e) => e.type === 'notify')).toMatchObject({
      payload: { permission: { decision: 'granted', reason: 'auto-approved' } },
    });
    const asking = supervisor.send('ask', { ask: 'shell' }, { wait: true });
    await waitFor(() => supervisor.pendingPermissions(run.runId).length === 1, 5000);
    const [pending] = supervisor.pendingPermissions(run.runId);
    supervisor.answerPermission('ask', pending.requestId, 'denied', 'not today');
    await expect(asking).resolves.toMatchObject({
      status: 'ok',
      output: { decision: 'denied', reason: 'not today' },
    });
  });

  it('stopping a run denies its pending requests (stopped)', async () => {
    const run = await start('ask');
    await waitFor(() => supervisor.pendingPermissions(run.runId).length === 1, 5000);
    await supervisor.stop('ask');
    const answers = events.filter(
      (e): e is Extract<SupervisorEvent, { type: 'permission_answer' }> =>
        e.type === 'permission_answer',
    );
    expect(answers.map((e) => [e.request.decision, e.request.decidedBy, e.request.reason])).toEqual(
      [['denied', 'stopped', 'stopped']],
    );
    expect(supervisor.pendingPermissions(run.runId)).toEqual([]);
    expect(() => supervisor.answerPermission('ask', 'p-1', 'granted')).toThrow(
      expect.objectContaining({ code: DAEMON_RPC_CODES.PERMISSION_ALREADY_ANSWERED }),
    );
  });
});

describe('turns and permissions over the control socket', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => {
    dir = tempDir('x-tpc-');
  });
  afterEach(() => {
    dir.remove();
  });

  it('agent.send / agent.turns / agent.status / agent.permission.answer, with precise errors', async () => {
    const daemon = await startDaemon({
      home: `${dir.path}/home`,
      launcher: fixtureLauncher(),
      logger: silentLogger,
    });
    const connection = await connectRpc(daemon.paths.socketPath);
    try {
      await connection.request('agent.start', {
        module: '/fixture.mjs',
        name: 'ask',
        env: { FIXTURE_MODE: 'ask' },
      });
      const turn = await connection.request<TurnRecord>('agent.send', {
        ref: 'ask',
        input: [1, 2],
        wait: true,
        timeoutMs: 10_000,
      });
      expect(turn).toMatchObject({ status: 'ok', output: { echo: [1, 2] } });
      const status = await connection.request<AgentStatus>('agent.status', { ref: 'ask' });
      expect(status.recentTurns.map((t) => t.turnId)).toEqual([turn.turnId]);
      expect(status.pendingPermissions).toMatchObject([{ requestId: 'p-1', tool: 'shell' }]);
      const { turns } = await connection.request<{ turns: TurnRecord[] }>('agent.turns', {
        ref: 'ask',
        turnId: turn.turnId,
      });
      expect(turns).toEqual([turn]);
      await expect(
        connection.request('agent.permission.answer', {
          ref: 'ask',
          requestId: 'p-1',
          decision: 'maybe',
        }),
      ).rejects.toMatchObject({ code: -32602, message: /decision/ });
      const answered = await connection.request<PermissionRecord>('agent.permission.answer', {
        ref: 'ask',
        requestId: 'p-1',
        decision: 'denied',
      });
      expect(answered).toMatchObject({ decision: 'denied', decidedBy: 'client' });
      await expect(
        connection.request('agent.permission.answer', {
          ref: 'ask',
          requestId: 'p-1',
          decision: 'granted',
        }),
      ).rejects.toMatchObject({ code: -32024, message: /already answered: denied by client/ });
      await expect(
        connection.request('agent.turns', { ref: 'ask', turnId: 't-404' }),
      ).rejects.toMatchObject({ code: -32022 });
    } finally {
      connection.close();
      await daemon.shutdown();
    }
  });

  it('a daemon taking over a lost run ends its pending turns (error) and denies its pending requests', async () => {
    const home = `${dir.path}/home`;
    const first = await startDaemon({ home, launcher: fixtureLauncher(), logger: silentLogger });
    const { dbPath } = first.paths;
    await first.shutdown();
    const store = new RunStore(dbPath);
    store.insertRun({ ...runRecord('r-lost', 'lost', 1), state: 'running' });
    store.upsertTurn({
      runId: 'r-lost',
      turnId: 't-1',
      attempt: 1,
      input: 'q',
      status: 'pending',
      output: null,
      error: null,
      durationMs: null,
      usage: null,
      submittedAt: 5,
      finishedAt: null,
    });
    store.upsertPermission({
      runId: 'r-lost',
      attempt: 1,
      requestId: 'p-1',
      tool: 'shell',
      input: null,
      rationale: null,
      requestedAt: 5,
      decision: null,
      decidedBy: null,
      reason: null,
      decidedAt: null,
      expiresAt: null,
    });
    store.close();
    const daemon = await startDaemon({ home, launcher: fixtureLauncher(), logger: silentLogger });
    const connection = await connectRpc(daemon.paths.socketPath);
    try {
      const { turns } = await connection.request<{ turns: TurnRecord[] }>('agent.turns', {
        ref: 'r-lost',
      });
      expect(turns).toMatchObject([{ turnId: 't-1', status: 'error', error: /daemon_lost/ }]);
      await expect(
        connection.request('agent.permission.answer', {
          ref: 'r-lost',
          requestId: 'p-1',
          decision: 'granted',
        }),
      ).rejects.toMatchObject({
        code: DAEMON_RPC_CODES.PERMISSION_ALREADY_ANSWERED,
        data: { request: { decision: 'denied', decidedBy: 'stopped' } },
      });
    } finally {
      connection.close();
      await daemon.shutdown();
    }
  });
});
