import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  CONTROL_MAX_FRAME_BYTES,
  DAEMON_RPC_CODES,
  statePaths,
  type DaemonHandle,
  type MonitorEvent,
} from '@x/daemon';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CONTROL_ERROR_CODES,
  CONTROL_METHODS,
  ControlError,
  DaemonUnavailableError,
  InvalidParamsError,
  RunActiveError,
  RunNotFoundError,
  StartFailedError,
  connect,
  socketPathOf,
  type XClient,
} from '../src/index.js';
import { AGENTS, daemonAt, tempDir } from './helpers.js';

describe('@x/client against a real daemon', () => {
  let dir: ReturnType<typeof tempDir>;
  let daemon: DaemonHandle | undefined;
  let client: XClient | undefined;
  beforeEach(async () => {
    dir = tempDir();
    daemon = await daemonAt(`${dir.path}/h`);
  });
  afterEach(async () => {
    client?.close();
    await daemon?.shutdown();
    dir.remove();
  });

  it('starts, lists, inspects, restarts, stops and removes a run with typed calls', async () => {
    client = await connect({ home: `${dir.path}/h` });
    expect(await client.system.ping()).toMatchObject({ pong: true, pid: process.pid });
    const info = await client.system.info();
    expect(info.socketPath).toBe(client.socketPath);

    const started = await client.agent.start({
      module: `${AGENTS}counter.mjs`,
      name: 'counter',
      intervalMs: 20,
    });
    expect(started.state).toBe('running');
    const { runs } = await client.agent.list();
    expect(runs.map((run) => [run.name, run.state])).toEqual([['counter', 'running']]);
    expect(runs[0]?.usage.calls).toBe(0);

    const status = await client.agent.status({ ref: 'counter', iterations: 2 });
    expect(status.run.runId).toBe(started.runId);
    expect(status.recentIterations.length).toBeLessThanOrEqual(2);

    const restarted = await client.agent.restart({ ref: 'counter' });
    expect(restarted.attempt).toBe(2);
    await expect(client.agent.remove({ ref: 'counter' })).rejects.toBeInstanceOf(RunActiveError);
    const stopped = await client.agent.stop({ ref: 'counter' });
    expect(stopped.exit?.reason).toBe('stopped');
    expect((await client.agent.logs({ ref: 'counter', lines: 5 })).runId).toBe(started.runId);
    expect((await client.agent.remove({ ref: 'counter' })).runId).toBe(started.runId);
    expect((await client.agent.list({ all: true })).runs).toEqual([]);
  });

  it('rejects with the error class of the code, carrying code, data and method', async () => {
    client = await connect({ socketPath: statePaths(`${dir.path}/h`).socketPath });
    const missing = await client.agent.status({ ref: 'nope' }).catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(RunNotFoundError);
    expect(missing).toBeInstanceOf(ControlError);
    expect(missing).toMatchObject({
      code: -32001,
      data: { ref: 'nope' },
      method: 'agent.status',
      message: expect.stringContaining('no agent run with id or name "nope"'),
    });

    // Params the types refuse still reach the daemon from JavaScript: -32602 names the field.
    const invalid = await client.agent
      .list({ limit: 0 })
      .catch((error: unknown) => error as InvalidParamsError);
    expect(invalid).toBeInstanceOf(InvalidParamsError);
    expect((invalid as InvalidParamsError).message).toMatch(/limit/);

    const failed = await client.agent
      .start({ module: `${AGENTS}no-default-export.mjs`, name: 'broken' })
      .catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(StartFailedError);
    expect((failed as StartFailedError).data).toMatchObject({ run: { name: 'broken' } });
  });

  it("refuses a request over the control socket's 1 MiB at once, naming its size; the connection goes on", async () => {
    client = await connect({ home: `${dir.path}/h` });
    const big = 'a'.repeat(CONTROL_MAX_FRAME_BYTES);
    // No timeout given: before, the daemon skipped the line and answered id null, and the
    // call waited for ever.
    const refused = await client.agent
      .send({ ref: 'anything', input: big })
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(InvalidParamsError);
    expect(refused).toMatchObject({
      code: -32602,
      method: 'agent.send',
      message: expect.stringMatching(
        new RegExp(
          `^@x/client: the agent.send request is \\d+ bytes, over the x daemon's limit of ${CONTROL_MAX_FRAME_BYTES} bytes`,
        ),
      ),
    });
    expect(await client.system.ping()).toMatchObject({ pong: true });
    // One just under the limit reaches the daemon (here: no such run).
    const fits = 'a'.repeat(CONTROL_MAX_FRAME_BYTES - 200);
    await expect(client.agent.send({ ref: 'nope', input: fits })).rejects.toBeInstanceOf(
      RunNotFoundError,
    );
  });

  it('events() streams a run, and a new stream resumes after a given id with nothing repeated', async () => {
    client = await connect({ home: `${dir.path}/h` });
    const stream = client.events({ types: ['run_state'], runs: ['done3'] });
    await stream.ready();
    await client.agent.start({
      module: `${AGENTS}counter.mjs`,
      name: 'done3',
      intervalMs: 10,
      params: { doneAt: 3 },
    });
    const seen: MonitorEvent[] = [];
    for await (const event of stream) {
      seen.push(event);
      if (event.type === 'run_state' && event.run.state === 'exited') {
        break;
      }
    }
    const states = seen.map((event) => (event.type === 'run_state' ? event.run.state : ''));
    expect(states).toEqual(['starting', 'running', 'exited']);
    expect(seen.every((event) => event.name === 'done3')).toBe(true);

    // Resume from the first event: the same later events, in order, none twice.
    const resumed = client.events({ since: seen[0].id, types: ['run_state'] });
    const again: number[] = [];
    for await (const event of resumed) {
      again.push(event.id);
      if (again.length === 2) {
        break;
      }
    }
    expect(again).toEqual(seen.slice(1).map((event) => event.id));
  });

  it('events() reconnects after the daemon restarts and goes on from the last id', async () => {
    const home = `${dir.path}/h`;
    client = await connect({ home });
    const resubscribed: unknown[] = [];
    const stream = client.events({
      types: ['run_state'],
      onResubscribe: (info) => resubscribed.push(info),
    });
    await stream.ready();
    const first = stream.next();
    await client.agent.start({ module: `${AGENTS}counter.mjs`, name: 'a', intervalMs: 50 });
    const a = (await first).value as MonitorEvent;
    expect(a.type).toBe('run_state');
    const lastBefore = stream.lastEventId;
    expect(lastBefore).toBe(a.id);

    await daemon!.shutdown(); // run `a` stopped: its events are stored, then the socket closes
    daemon = await daemonAt(home);
    const after = await connect({ home });
    try {
      await after.agent.start({ module: `${AGENTS}counter.mjs`, name: 'b', intervalMs: 50 });
    } finally {
      after.close();
    }
    const names: string[] = [];
    for await (const event of stream) {
      expect(event.id).toBeGreaterThan(lastBefore);
      names.push(`${event.name}:${event.type === 'run_state' ? event.run.state : ''}`);
      if (names.includes('b:running')) {
        break;
      }
    }
    // `a` stopping (published before the socket closed) came through too, then `b`.
    expect(names).toContain('a:exited');
    expect(names.indexOf('a:exited')).toBeLessThan(names.indexOf('b:running'));
    expect(resubscribed).toEqual([{ since: expect.any(Number), reason: 'closed' }]);
  });

  it('a reader slower than its events holds at most maxBuffered of them, and misses none', async () => {
    client = await connect({ home: `${dir.path}/h` });
    const resubscribed: unknown[] = [];
    const stream = client.events({
      maxBuffered: 3,
      onResubscribe: (info) => resubscribed.push(info),
    });
    await stream.ready();
    await client.agent.start({ module: `${AGENTS}chatty.mjs`, name: 'chatty', intervalMs: 1 });
    const ids: number[] = [];
    for await (const event of stream) {
      ids.push(event.id);
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (ids.length === 40) {
        break;
      }
    }
    // Consecutive ids: the stream let go of the daemon and resumed, skipping nothing.
    expect(ids).toEqual(ids.map((_, index) => ids[0] + index));
    expect(resubscribed.length).toBeGreaterThan(0);
    expect(resubscribed).toContainEqual({ since: expect.any(Number), reason: 'lagged' });
  });

  it('close() ends a pending next() of an event stream', async () => {
    client = await connect({ home: `${dir.path}/h` });
    const stream = client.events();
    const pending = stream.next();
    setTimeout(() => client?.close(), 50);
    await expect(pending).resolves.toEqual({ done: true, value: undefined });
  });

  it('serves every method the client knows; the daemon registers no other', async () => {
    client = await connect({ home: `${dir.path}/h` });
    for (const method of CONTROL_METHODS.filter((name) => name !== 'system.shutdown')) {
      const error = await client
        .call(method, { ref: 'nope', subscriptionId: 'nope' }, { timeoutMs: 5000 })
        .catch((reason: unknown) => reason);
      expect([method, (error as ControlError | undefined)?.code]).not.toEqual([method, -32601]);
    }
    const controlDir = fileURLToPath(new URL('../../daemon/src/control/', import.meta.url));
    const registered = readdirSync(controlDir)
      .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
      .flatMap((file) => [
        ...readFileSync(`${controlDir}${file}`, 'utf8').matchAll(/onRequest\(\s*'([a-z.]+)'/gi),
      ])
      .map((match) => match[1]);
    expect([...registered].sort()).toEqual([...CONTROL_METHODS].sort());
  });
});

describe('@x/client without a daemon', () => {
  it('connect rejects with DaemonUnavailableError naming the socket and ENOENT', async () => {
    const dir = tempDir();
    try {
      const error = await connect({ home: dir.path }).catch((reason: unknown) => reason);
      expect(error).toBeInstanceOf(DaemonUnavailableError);
      expect(error).toMatchObject({
        code: 'X_CLIENT_DAEMON_UNAVAILABLE',
        errno: 'ENOENT',
        socketPath: `${dir.path}/x.sock`,
      });
      expect((error as Error).message).toMatch(/no daemon is running.*x daemon start/);
    } finally {
      dir.remove();
    }
  });

  it("agrees with @x/daemon: error codes and the socket's path", () => {
    expect(CONTROL_ERROR_CODES).toEqual(DAEMON_RPC_CODES);
    expect(socketPathOf('/tmp/x-some/home')).toBe(statePaths('/tmp/x-some/home').socketPath);
    expect(socketPathOf('rel')).toBe(statePaths('rel').socketPath);
  });
});
