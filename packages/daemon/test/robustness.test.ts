import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { RpcConnection } from '@x/ipc';
import { connectRpc } from '@x/ipc/node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  silentLogger,
  startDaemon,
  type DaemonHandle,
  type MonitorBacklog,
  type MonitorEvent,
  type RunRecord,
  type TurnRecord,
} from '../src/index.js';
import { fixtureLauncher, tempDir, waitFor } from './helpers.js';

const HOSTILE = fileURLToPath(new URL('./fixtures/hostile-runner.mjs', import.meta.url));
const LOG_FLOOD = fileURLToPath(new URL('./fixtures/log-flood.mjs', import.meta.url));

/** Sends one raw request line (JSON this side could not produce) and reads the answer line. */
async function rawRequest(socketPath: string, line: string): Promise<unknown> {
  const socket = connect(socketPath);
  socket.on('error', () => undefined);
  socket.setEncoding('utf8');
  socket.write(`${line}\n`);
  let text = '';
  for await (const chunk of socket) {
    text += chunk as string;
    if (text.includes('\n')) {
      break;
    }
  }
  socket.destroy();
  return JSON.parse(text.slice(0, text.indexOf('\n'))) as unknown;
}

const DEEP = 100_000;
const deepArrayText = `${'['.repeat(DEEP)}${']'.repeat(DEEP)}`;

describe('daemon robustness against hostile runners and large answers (real daemon, socket, SQLite)', () => {
  let dir: ReturnType<typeof tempDir>;
  let daemon: DaemonHandle | undefined;
  const connections: RpcConnection[] = [];
  beforeEach(() => {
    dir = tempDir('x-rb-');
  });
  afterEach(async () => {
    for (const connection of connections.splice(0)) {
      connection.close();
    }
    await daemon?.shutdown();
    daemon = undefined;
    dir.remove();
  });
  const start = async (logger = silentLogger) => {
    daemon = await startDaemon({
      home: `${dir.path}/home`,
      launcher: fixtureLauncher(),
      logger,
    });
    const rpc = await connectRpc(daemon.paths.socketPath);
    connections.push(rpc);
    return { daemon, rpc };
  };

  it('a notify nested 100 000 deep (object, then array) is stored with payloadError; the daemon keeps serving', async () => {
    const { daemon: d, rpc } = await start();
    await rpc.request('agent.start', { command: [process.execPath, HOSTILE], name: 'deep' });
    const backlog = () =>
      rpc.request<MonitorBacklog>('monitor.backlog', { ref: 'deep', types: ['notify', 'log'] });
    let events: MonitorEvent[] = [];
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && !events.some((event) => event.type === 'log')) {
      events = (await backlog()).events;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(events.map((event) => event.type)).toEqual(['notify', 'notify', 'log']);
    const [object, array] = events;
    expect(object).toMatchObject({ name: 'deep', payload: {}, omitted: ['payload.a'] });
    expect(object.payloadError).toMatch(/could not be serialised \(Maximum call stack/);
    expect(array).toMatchObject({ payload: { ok: 1 }, omitted: ['payload.deep'] });
    await expect(
      rpc.request('system.ping', undefined, { timeoutMs: 10_000 }),
    ).resolves.toMatchObject({
      pong: true,
    });
    // The run log got a line for each, without recursing either.
    const logs = await rpc.request<{ lines: string[] }>('agent.logs', { ref: 'deep' });
    expect(logs.lines.join('\n')).toMatch(
      /\[notify\] \[object not serialisable: Maximum call stack size exceeded\]/,
    );
    expect(d.supervisor.get('deep')?.state).toBe('running');

    // A turn input nested as deep is refused up front, naming the field and the limit.
    const refused = await rawRequest(
      d.paths.socketPath,
      `{"jsonrpc":"2.0","id":7,"method":"agent.send","params":{"ref":"deep","wait":true,"input":${deepArrayText}}}`,
    );
    expect(refused).toMatchObject({
      id: 7,
      error: {
        code: -32602,
        message: expect.stringContaining('/input nests objects/arrays more than 256 levels deep'),
      },
    });
    // And the runner still takes ordinary turns.
    await expect(
      rpc.request<TurnRecord>('agent.send', { ref: 'deep', input: 'hi', wait: true }),
    ).resolves.toMatchObject({ status: 'ok', output: { echo: 'hi' } });
  }, 60_000);

  it('a supervisor event listener that throws is logged; the daemon and the other listeners go on', async () => {
    const errors: string[] = [];
    const { daemon: d, rpc } = await start({ ...silentLogger, error: (line) => errors.push(line) });
    d.supervisor.onEvent(() => {
      throw new Error('listener boom');
    });
    await rpc.request('agent.start', { command: [process.execPath, HOSTILE], name: 'boom' });
    expect(await waitFor(() => d.events.stats.events >= 3, 10_000)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 50)); // a rethrow would come in a microtask
    expect(
      errors.some((line) => line.includes('event listener failed: Error: listener boom')),
    ).toBe(true);
    await expect(rpc.request('system.ping')).resolves.toMatchObject({ pong: true });
  }, 60_000);

  it('a 1000-event backlog of ~1.2 KB events is answered in pages of at most 768 KiB', async () => {
    const { daemon: d, rpc } = await start();
    await rpc.request('agent.start', {
      command: [process.execPath, LOG_FLOOD, '1000'],
      name: 'flood',
      env: { FLOOD_PAD: '1100' },
    });
    // Its run_state events and 1000 log lines.
    expect(await waitFor(() => d.events.stats.events > 1000, 30_000)).toBe(true);

    // One request for all 1000 at once: answered, with part of them and `more`.
    const first = await rpc.request<MonitorBacklog>(
      'monitor.backlog',
      { since: 0, limit: 1000, types: ['log'] },
      { timeoutMs: 10_000 },
    );
    const pageBytes = first.events.reduce((sum, event) => sum + JSON.stringify(event).length, 0);
    console.log(
      `backlog page: ${first.events.length} of 1000 events, ${pageBytes} bytes (limit ${768 * 1024})`,
    );
    expect(first.more).toBe(true);
    expect(first.events.length).toBeGreaterThan(500);
    expect(first.events.length).toBeLessThan(1000);
    expect(pageBytes).toBeLessThanOrEqual(768 * 1024);
    // Paging by `since` reads them all, in order, once.
    const ids = first.events.map((event) => event.id);
    let page = first;
    while (page.more) {
      page = await rpc.request<MonitorBacklog>(
        'monitor.backlog',
        { since: ids.at(-1), limit: 1000, types: ['log'] },
        { timeoutMs: 10_000 },
      );
      ids.push(...page.events.map((event) => event.id));
    }
    expect(ids).toHaveLength(1000);
    expect(ids.every((id, i) => i === 0 || id > ids[i - 1])).toBe(true);
    // The newest 1000 without `since`: the newest that fit, and `more`.
    const newest = await rpc.request<MonitorBacklog>(
      'monitor.backlog',
      { limit: 1000, types: ['log'] },
      { timeoutMs: 10_000 },
    );
    expect(newest.more).toBe(true);
    expect(newest.events.at(-1)?.id).toBe(ids.at(-1));
    // agent.logs of those lines (~1.1 MiB) is cut to the newest 768 KiB, saying how many were left out.
    const logs = await rpc.request<{ lines: string[]; omittedLines: number }>(
      'agent.logs',
      { ref: 'flood', lines: 2000 },
      { timeoutMs: 10_000 },
    );
    expect(logs.omittedLines).toBeGreaterThan(0);
    expect(logs.lines.at(-1)).toMatch(/flood 1000 x+/);
  }, 60_000);

  it('a long history never makes an answer too large: agent.list pages, one run is clipped', async () => {
    const { rpc } = await start();
    // Two stored runs with 600 KB of params each: one agent.list {all} answer would be ~1.2 MB,
    // over the 1 MiB frame (issue 16: it failed with -32603 once a few hundred runs were stored).
    const params = { pad: 'p'.repeat(600_000) };
    for (const name of ['big-1', 'big-2']) {
      await rpc
        .request('agent.start', { command: ['/bin/true'], name, params }, { timeoutMs: 10_000 })
        .catch(() => undefined); // exits before ready: stored as failed
    }
    const listed = await rpc.request<{ runs: (RunRecord & { truncated?: string[] })[] }>(
      'agent.list',
      { all: true },
      { timeoutMs: 10_000 },
    );
    expect(listed.runs.map((run) => [run.name, run.params, run.truncated])).toEqual([
      ['big-2', null, ['params']],
      ['big-1', null, ['params']],
    ]);
    const status = await rpc.request<{ run: RunRecord & { truncated?: string[] } }>(
      'agent.status',
      { ref: 'big-1' },
    );
    expect(status.run).toMatchObject({ name: 'big-1', params: null, state: 'failed' });
    expect(status.run.truncated).toContain('params');
    await expect(rpc.request('system.ping')).resolves.toMatchObject({ pong: true });
  }, 60_000);

  it('a turn the runner cannot take (it stopped reading) ends as error at once instead of staying pending', async () => {
    const { rpc } = await start();
    await rpc.request('agent.start', {
      command: [process.execPath, HOSTILE],
      name: 'deaf',
      env: { FIXTURE_MODE: 'deaf' },
    });
    const input = 'x'.repeat(700_000);
    let undelivered: TurnRecord | undefined;
    let sent = 0;
    // 16 MiB (the channel's bound) of turns pile up, then the next one cannot be queued.
    while (undelivered === undefined && sent < 40) {
      sent += 1;
      const turn = await rpc.request<TurnRecord & { truncated?: string[] }>(
        'agent.send',
        { ref: 'deaf', input, wait: true, timeoutMs: 300 },
        { timeoutMs: 10_000 },
      );
      if (turn.status !== 'pending') {
        undelivered = turn;
      }
    }
    console.log(`deaf runner: turn ${sent} could not be delivered`);
    expect(undelivered).toMatchObject({
      status: 'error',
      error: expect.stringMatching(
        /^could not be delivered to the runner: @x\/ipc: peer is not reading/,
      ),
      truncated: ['input'],
    });
    expect(sent).toBeGreaterThan(10);
    const stored = await rpc.request<{ turns: TurnRecord[] }>('agent.turns', {
      ref: 'deaf',
      turnId: undelivered!.turnId,
    });
    expect(stored.turns[0]).toMatchObject({ status: 'error' });
  }, 60_000);
});
