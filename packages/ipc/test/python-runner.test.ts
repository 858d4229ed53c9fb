import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { createJsonlCodec } from '../src/core/jsonl-codec.js';
import { createStreamChannel } from '../src/node/stream-channel.js';
import type { InitMessage, RunnerMessage, SupervisorMessage } from '../src/protocol/schema.js';
import { validateRunnerMessage } from '../src/protocol/validate.js';

/**
 * The Python example runner (`examples/runners/python/runner.py`) against a real channel:
 * spawned as the daemon spawns it (fd 3 a socketpair, X_IPC_CODEC=jsonl), spoken to with
 * `createStreamChannel`, every frame it sends validated against the schema.
 */

const RUNNER = fileURLToPath(
  new URL('../../../examples/runners/python/runner.py', import.meta.url),
);
const python3 = spawnSync('python3', ['--version']).status === 0;
const NO_PYTHON = 'python3 is not installed, so the Python example runner cannot be run';
/** Python starts slowly on a loaded machine: wait for its messages this long. */
const WAIT = { timeout: 10_000, interval: 20 };

interface Runner {
  child: ChildProcess;
  send(message: SupervisorMessage): Promise<void>;
  /** Writes raw bytes on fd 3, bypassing the encoder. */
  write(bytes: string): void;
  /** End of the supervisor's side of fd 3: the runner sees EOF. */
  close(): void;
  messages: RunnerMessage[];
  /** Frames that failed to decode or validate: must stay empty. */
  errors: Error[];
  stdout(): string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const started: ChildProcess[] = [];
const temporary: string[] = [];

function start(env: Record<string, string> = {}): Runner {
  const child = spawn('python3', [RUNNER], {
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    env: { ...process.env, X_IPC_CODEC: 'jsonl', ...env },
  });
  started.push(child);
  const ipc = child.stdio[3] as Duplex;
  const channel = createStreamChannel<RunnerMessage, SupervisorMessage>({
    readable: ipc,
    codec: createJsonlCodec(),
    validate: validateRunnerMessage,
  });
  const messages: RunnerMessage[] = [];
  const errors: Error[] = [];
  channel.onMessage((message) => messages.push(message));
  channel.onError((error) => errors.push(error));
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  child.stderr!.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    send: (message) => channel.send(message),
    write: (bytes) => ipc.write(bytes),
    close: () => ipc.end(),
    messages,
    errors,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
  };
}

const init = (overrides: Partial<InitMessage> = {}): InitMessage => ({
  type: 'init',
  protocolVersion: 1,
  codec: 'jsonl',
  runId: 'r-0a1b2c3d',
  name: 'py',
  params: {},
  intervalMs: 50,
  ...overrides,
});

const ofType = <T extends RunnerMessage['type']>(runner: Runner, type: T) =>
  runner.messages.filter(
    (message): message is Extract<RunnerMessage, { type: T }> => message.type === type,
  );

afterEach(() => {
  for (const child of started.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
    }
  }
});

afterAll(() => {
  for (const directory of temporary) {
    rmSync(directory, { recursive: true, force: true });
  }
});

const title = 'examples/runners/python/runner.py';
describe(python3 ? title : `${title} (every test skipped: ${NO_PYTHON})`, () => {
  it.skipIf(!python3)(
    'answers init with ready, reports iterations, and on stop sends exit stopped and exits 0',
    async () => {
      const runner = start();
      await runner.send(init());
      await vi.waitFor(
        () => expect(ofType(runner, 'iteration_done').length).toBeGreaterThan(2),
        WAIT,
      );
      await runner.send({ type: 'stop', graceMs: 2000, reason: 'test' });
      expect(await runner.exited).toEqual({ code: 0, signal: null });

      const [ready] = runner.messages;
      expect(ready).toEqual({
        type: 'ready',
        protocolVersion: 1,
        codec: 'jsonl',
        pid: runner.child.pid,
        capabilities: { steps: true, turns: false },
      });
      const starts = ofType(runner, 'iteration_start');
      const dones = ofType(runner, 'iteration_done');
      expect(starts.map((message) => message.iteration)).toEqual(
        dones.map((message) => message.iteration),
      );
      expect(dones[0]).toMatchObject({ iteration: 1, status: 'ok' });
      expect(dones[0].summary).toMatch(/^load average \d+\.\d\d \d+\.\d\d \d+\.\d\d/);
      expect(runner.messages.at(-1)).toEqual({
        type: 'exit',
        reason: 'stopped',
        iterations: dones.length,
        summary: dones.at(-1)!.summary,
      });
      expect(runner.stdout()).toContain(`python runner ${runner.child.pid}: run r-0a1b2c3d`);
      expect(runner.errors).toEqual([]);
    },
  );

  it.skipIf(!python3)(
    'with report "files" and maxIterations 2, counts the entries of dir and exits 0 after exit max_iterations',
    async () => {
      const directory = mkdtempSync(join(tmpdir(), 'x-python-runner-'));
      temporary.push(directory);
      for (const name of ['a.txt', 'b.txt', 'c.txt']) {
        writeFileSync(join(directory, name), name);
      }
      const runner = start();
      await runner.send(init({ params: { report: 'files', dir: directory }, maxIterations: 2 }));
      expect(await runner.exited).toEqual({ code: 0, signal: null });
      expect(runner.messages.map((message) => message.type)).toEqual([
        'ready',
        'log',
        'iteration_start',
        'iteration_done',
        'iteration_start',
        'iteration_done',
        'exit',
      ]);
      expect(ofType(runner, 'iteration_done')[1]).toMatchObject({
        iteration: 2,
        status: 'ok',
        summary: `3 entries in ${directory}`,
      });
      expect(ofType(runner, 'exit')).toEqual([
        {
          type: 'exit',
          reason: 'max_iterations',
          iterations: 2,
          summary: `3 entries in ${directory}`,
        },
      ]);
      expect(runner.errors).toEqual([]);
    },
  );

  it.skipIf(!python3).each([
    [{ colour: 'blue' }, /unknown 'colour'/],
    [{ report: 'weather' }, /report is 'weather'/],
    [{ report: 'files', dir: '/nonexistent/x-python-runner' }, /is not a directory/],
    [{ dir: 42 }, /dir 42 is not a directory/],
  ])(
    'params %j: exits 78 (EX_CONFIG) with a message on stderr and writes nothing on fd 3',
    async (params, why) => {
      const runner = start();
      await runner.send(init({ params }));
      expect(await runner.exited).toEqual({ code: 78, signal: null });
      expect(runner.stderr()).toMatch(/^python runner: invalid params: /);
      expect(runner.stderr()).toMatch(why);
      expect(runner.messages).toEqual([]);
    },
  );

  it.skipIf(!python3)(
    'init with protocol version 2: exits 76 (EX_PROTOCOL) and writes nothing on fd 3',
    async () => {
      const runner = start();
      await runner.send(init({ protocolVersion: 2 }));
      expect(await runner.exited).toEqual({ code: 76, signal: null });
      expect(runner.stderr()).toMatch(/protocol version 2, this runner speaks version 1/);
      expect(runner.messages).toEqual([]);
    },
  );

  it.skipIf(!python3)('a first message other than init: exits 76', async () => {
    const runner = start();
    await runner.send({ type: 'stop', graceMs: 0 });
    expect(await runner.exited).toEqual({ code: 76, signal: null });
    expect(runner.stderr()).toMatch(/first message was stop, expected init/);
    expect(runner.messages).toEqual([]);
  });

  it.skipIf(!python3)('X_IPC_CODEC=msgpack: exits 64 (EX_USAGE) before reading', async () => {
    const runner = start({ X_IPC_CODEC: 'msgpack' });
    expect(await runner.exited).toEqual({ code: 64, signal: null });
    expect(runner.stderr()).toMatch(/speaks jsonl only/);
  });

  it.skipIf(!python3)('started by hand, without fd 3: exits 64 (EX_USAGE)', async () => {
    const child = spawn('python3', [RUNNER], { stdio: ['ignore', 'ignore', 'pipe'] });
    started.push(child);
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).toBe(64);
    expect(stderr).toMatch(/fd 3 is not an IPC socket/);
  });

  it.skipIf(!python3)('exits 0 when fd 3 reaches EOF (the supervisor went away)', async () => {
    const runner = start();
    await runner.send(init({ intervalMs: 60_000 }));
    await vi.waitFor(() => expect(ofType(runner, 'iteration_done')).toHaveLength(1), WAIT);
    runner.close();
    expect(await runner.exited).toEqual({ code: 0, signal: null });
  });

  it.skipIf(!python3)(
    'skips a malformed line and a blank line, answers a turn with turn_result error, sends heartbeats',
    async () => {
      const runner = start();
      await runner.send(init({ intervalMs: 60_000, heartbeatIntervalMs: 50 }));
      runner.write('{"type":"stop",\n\n \r\n');
      await runner.send({ type: 'turn', turnId: 't-1', input: 'hello' });
      await vi.waitFor(() => {
        expect(ofType(runner, 'heartbeat').length).toBeGreaterThan(1);
        expect(ofType(runner, 'turn_result')).toHaveLength(1);
      }, WAIT);
      expect(ofType(runner, 'turn_result')).toEqual([
        {
          type: 'turn_result',
          turnId: 't-1',
          status: 'error',
          error: 'this runner does not accept turns',
          durationMs: 0,
        },
      ]);
      expect(runner.stderr()).toMatch(/skipped a malformed frame/);
      await runner.send({ type: 'stop', graceMs: 2000 });
      expect(await runner.exited).toEqual({ code: 0, signal: null });
      expect(runner.messages.at(-1)).toMatchObject({
        type: 'exit',
        reason: 'stopped',
        iterations: 1,
      });
      expect(runner.errors).toEqual([]);
    },
  );
});
