import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { createJsonlCodec } from '../src/core/jsonl-codec.js';
import { createStreamChannel } from '../src/node/stream-channel.js';
import type {
  CheckpointAckMessage,
  InitMessage,
  RunnerMessage,
  SupervisorMessage,
} from '../src/protocol/schema.js';
import { validateRunnerMessage } from '../src/protocol/validate.js';

/**
 * The Python example runner (`examples/runners/python/runner.py`) against a real channel:
 * spawned as the daemon spawns it (fd 3 a socketpair, X_IPC_CODEC=jsonl), spoken to with
 * `createStreamChannel`, every frame it sends validated against the schema. The test plays
 * the supervisor, so it answers the runner's checkpoints itself: at once by default (as the
 * daemon does once it has committed them), or one by one with `acks: 'manual'`.
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
  /** Answers the checkpoint `requestId` (ok: true with the next seq, unless `fields` say else). */
  ack(requestId: string, fields?: Partial<CheckpointAckMessage>): Promise<void>;
  /** From now on, answers every checkpoint at once with ok: true, those unanswered first. */
  ackAll(): Promise<void>;
  messages: RunnerMessage[];
  /** Frames that failed to decode or validate: must stay empty. */
  errors: Error[];
  stdout(): string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const started: ChildProcess[] = [];
const temporary: string[] = [];

function start(
  env: Record<string, string> = {},
  { acks = 'auto' }: { acks?: 'auto' | 'manual' } = {},
): Runner {
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
  let autoAck = acks === 'auto';
  let seq = 0;
  const answered = new Set<string>();
  const ack = (requestId: string, fields: Partial<CheckpointAckMessage> = {}) => {
    answered.add(requestId);
    return channel.send({
      type: 'checkpoint_ack',
      requestId,
      ok: true,
      ...(fields.ok === false ? {} : { seq: ++seq, savedAt: Date.now() }),
      ...fields,
    });
  };
  channel.onMessage((message) => {
    messages.push(message);
    if (message.type === 'checkpoint' && autoAck) {
      void ack(message.requestId);
    }
  });
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
    ack,
    ackAll: async () => {
      autoAck = true;
      for (const message of messages) {
        if (message.type === 'checkpoint' && !answered.has(message.requestId)) {
          await ack(message.requestId);
        }
      }
    },
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
        capabilities: { steps: true, turns: false, checkpoints: true, pause: true },
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
        'checkpoint',
        'iteration_done',
        'iteration_start',
        'checkpoint',
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
    [{ usage: { inputTokens: 1.5 } }, /usage\.inputTokens is 1\.5; expected an integer >= 0/],
    [{ usage: { costUsd: -1 } }, /usage\.costUsd is -1; expected a number >= 0/],
    [{ usage: { model: '' } }, /usage\.model is ''/],
    [{ usage: { tokens: 3 } }, /usage must be an object of inputTokens, outputTokens/],
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

/** The published JSON Schema, as a runner in another language would check its frames. */
const schemaFile = fileURLToPath(
  new URL('../schema/runner-protocol-v1.schema.json', import.meta.url),
);
const restored = (state: unknown) => ({ seq: 7, attempt: 2, savedAt: 1_800_000_000_000, state });
const indexOf = (runner: Runner, predicate: (message: RunnerMessage) => boolean) =>
  runner.messages.findIndex(predicate);
const logs = (runner: Runner) =>
  ofType(runner, 'log').map((message) => `${message.level} ${message.message}`);

describe(
  python3 ? `${title}: durable agent` : `${title}: durable agent (skipped: ${NO_PYTHON})`,
  () => {
    it.skipIf(!python3)(
      'init.restored {completed: 41}: numbers iterations from 42, says where it resumed, and checkpoints the count on',
      async () => {
        const runner = start();
        await runner.send(
          init({ maxIterations: 43, restored: restored({ completed: 41, summary: 'before' }) }),
        );
        expect(await runner.exited).toEqual({ code: 0, signal: null });
        expect(ofType(runner, 'iteration_start').map((message) => message.iteration)).toEqual([
          42, 43,
        ]);
        const checkpoints = ofType(runner, 'checkpoint');
        expect(
          checkpoints.map(({ requestId, iteration, state }) => ({ requestId, iteration, state })),
        ).toEqual([
          {
            requestId: 'c-1',
            iteration: 42,
            state: { completed: 42, summary: expect.any(String) },
          },
          {
            requestId: 'c-2',
            iteration: 43,
            state: { completed: 43, summary: expect.any(String) },
          },
        ]);
        expect(logs(runner)).toContain(
          'info resuming after iteration 41 (checkpoint seq 7, saved by attempt 2)',
        );
        // exit.iterations counts this process's iterations; maxIterations the run's.
        expect(runner.messages.at(-1)).toMatchObject({
          type: 'exit',
          reason: 'max_iterations',
          iterations: 2,
        });
        expect(runner.errors).toEqual([]);
      },
    );

    it.skipIf(!python3)(
      'init.restored already at maxIterations: exit max_iterations with 0 iterations, none started',
      async () => {
        const runner = start();
        await runner.send(
          init({ maxIterations: 3, restored: restored({ completed: 3, summary: 's' }) }),
        );
        expect(await runner.exited).toEqual({ code: 0, signal: null });
        expect(ofType(runner, 'iteration_start')).toEqual([]);
        expect(runner.messages.at(-1)).toEqual({
          type: 'exit',
          reason: 'max_iterations',
          iterations: 0,
          summary: 's',
        });
      },
    );

    it
      .skipIf(!python3)
      .each([[{ count: 3 }], ['text'], [null], [{ completed: -1 }], [{ completed: 1.5 }]])(
      'init.restored.state %j, not a state it saves: exits 78 (EX_CONFIG) and writes nothing on fd 3',
      async (state) => {
        const runner = start();
        await runner.send(init({ restored: restored(state) }));
        expect(await runner.exited).toEqual({ code: 78, signal: null });
        expect(runner.stderr()).toMatch(
          /init\.restored\.state is .* not a state this runner saves/,
        );
        expect(runner.messages).toEqual([]);
      },
    );

    it.skipIf(!python3)(
      'an iteration is reported only after the checkpoint_ack with its requestId; heartbeats go on meanwhile, and an ack for another id is ignored',
      async () => {
        const runner = start({}, { acks: 'manual' });
        await runner.send(init({ intervalMs: 20, heartbeatIntervalMs: 40 }));
        await vi.waitFor(() => expect(ofType(runner, 'checkpoint')).toHaveLength(1), WAIT);
        await runner.ack('c-99');
        const heartbeats = ofType(runner, 'heartbeat').length;
        await vi.waitFor(
          () => expect(ofType(runner, 'heartbeat').length).toBeGreaterThan(heartbeats + 3),
          WAIT,
        );
        expect(ofType(runner, 'iteration_done')).toEqual([]);
        expect(ofType(runner, 'iteration_start')).toHaveLength(1);
        expect(runner.stderr()).toMatch(
          /ignored a checkpoint_ack for 'c-99': none such is awaited/,
        );

        await runner.ack('c-1');
        await vi.waitFor(() => expect(ofType(runner, 'iteration_done')).toHaveLength(1), WAIT);
        expect(ofType(runner, 'iteration_done')[0]).toMatchObject({ iteration: 1, status: 'ok' });
        expect(indexOf(runner, (message) => message.type === 'iteration_done')).toBeGreaterThan(
          indexOf(runner, (message) => message.type === 'checkpoint'),
        );
        // The wait for the ack is part of the iteration's wall time.
        expect(ofType(runner, 'iteration_done')[0].durationMs).toBeGreaterThanOrEqual(100);

        await runner.ackAll();
        await vi.waitFor(
          () => expect(ofType(runner, 'iteration_done').length).toBeGreaterThan(2),
          WAIT,
        );
        await runner.send({ type: 'stop', graceMs: 2000 });
        expect(await runner.exited).toEqual({ code: 0, signal: null });
        expect(runner.errors).toEqual([]);
      },
    );

    it.skipIf(!python3)(
      'checkpoint_ack ok: false: logs a warn with the reason, still reports the iteration ok, and the next checkpoint carries the count on',
      async () => {
        const runner = start({}, { acks: 'manual' });
        await runner.send(init({ intervalMs: 20 }));
        await vi.waitFor(() => expect(ofType(runner, 'checkpoint')).toHaveLength(1), WAIT);
        await runner.ack('c-1', { ok: false, error: 'disk full' });
        await vi.waitFor(() => expect(ofType(runner, 'checkpoint')).toHaveLength(2), WAIT);
        expect(logs(runner)).toContain(
          'warn checkpoint c-1 of iteration 1 refused: disk full; a restart resumes from the last stored one',
        );
        expect(ofType(runner, 'iteration_done')).toEqual([
          expect.objectContaining({ iteration: 1, status: 'ok' }),
        ]);
        expect(ofType(runner, 'checkpoint')[1]).toMatchObject({
          requestId: 'c-2',
          iteration: 2,
          state: { completed: 2 },
        });
        await runner.ackAll();
        await runner.send({ type: 'stop', graceMs: 2000 });
        expect(await runner.exited).toEqual({ code: 0, signal: null });
        expect(runner.errors).toEqual([]);
      },
    );

    it.skipIf(!python3)(
      'pause while a checkpoint is awaited: the iteration is reported after its ack, then none starts while heartbeats go on; resume starts them again',
      async () => {
        const runner = start({}, { acks: 'manual' });
        await runner.send(init({ intervalMs: 20, heartbeatIntervalMs: 40 }));
        await vi.waitFor(() => expect(ofType(runner, 'checkpoint')).toHaveLength(1), WAIT);
        await runner.send({ type: 'pause', reason: 'budget reached: $5.00' });
        await runner.ack('c-1');
        await vi.waitFor(() => expect(ofType(runner, 'iteration_done')).toHaveLength(1), WAIT);

        const heartbeats = ofType(runner, 'heartbeat').length;
        await vi.waitFor(
          () => expect(ofType(runner, 'heartbeat').length).toBeGreaterThan(heartbeats + 4),
          WAIT,
        );
        expect(ofType(runner, 'iteration_start')).toHaveLength(1);
        expect(ofType(runner, 'checkpoint')).toHaveLength(1);
        expect(logs(runner)).toContain(
          'info paused (budget reached: $5.00): no iteration starts until resume',
        );

        await runner.ackAll();
        await runner.send({ type: 'resume' });
        await vi.waitFor(
          () => expect(ofType(runner, 'iteration_done').length).toBeGreaterThan(2),
          WAIT,
        );
        expect(logs(runner)).toContain('info resumed');
        await runner.send({ type: 'stop', graceMs: 2000 });
        expect(await runner.exited).toEqual({ code: 0, signal: null });
        expect(runner.errors).toEqual([]);
      },
    );

    it.skipIf(!python3)('stop while paused: exit stopped at once, without a resume', async () => {
      const runner = start();
      await runner.send(init({ intervalMs: 20 }));
      await vi.waitFor(
        () => expect(ofType(runner, 'iteration_done').length).toBeGreaterThan(0),
        WAIT,
      );
      await runner.send({ type: 'pause', reason: 'test' });
      await vi.waitFor(() => expect(logs(runner).join('\n')).toMatch(/paused \(test\)/), WAIT);
      await runner.send({ type: 'stop', graceMs: 2000 });
      expect(await runner.exited).toEqual({ code: 0, signal: null });
      expect(runner.messages.at(-1)).toMatchObject({
        type: 'exit',
        reason: 'stopped',
        iterations: ofType(runner, 'iteration_done').length,
      });
      expect(ofType(runner, 'iteration_start')).toHaveLength(
        ofType(runner, 'iteration_done').length,
      );
    });

    it.skipIf(!python3)(
      'stop while a checkpoint_ack is awaited: waits for the ack, then reports the iteration and exits stopped',
      async () => {
        const runner = start({}, { acks: 'manual' });
        await runner.send(init({ intervalMs: 20, heartbeatIntervalMs: 40 }));
        await vi.waitFor(() => expect(ofType(runner, 'checkpoint')).toHaveLength(1), WAIT);
        await runner.send({ type: 'stop', graceMs: 10_000 });
        const heartbeats = ofType(runner, 'heartbeat').length;
        await vi.waitFor(
          () => expect(ofType(runner, 'heartbeat').length).toBeGreaterThan(heartbeats + 2),
          WAIT,
        );
        expect(ofType(runner, 'exit')).toEqual([]);
        await runner.ack('c-1');
        expect(await runner.exited).toEqual({ code: 0, signal: null });
        expect(runner.messages.slice(-2)).toEqual([
          expect.objectContaining({ type: 'iteration_done', iteration: 1, status: 'ok' }),
          expect.objectContaining({ type: 'exit', reason: 'stopped', iterations: 1 }),
        ]);
        expect(logs(runner).filter((line) => line.startsWith('warn'))).toEqual([]);
      },
    );

    it.skipIf(!python3)(
      'stop while a checkpoint_ack is awaited and none comes: after graceMs - 250 ms, reports the iteration unconfirmed and exits stopped',
      async () => {
        const runner = start({}, { acks: 'manual' });
        await runner.send(init({ intervalMs: 20 }));
        await vi.waitFor(() => expect(ofType(runner, 'checkpoint')).toHaveLength(1), WAIT);
        const stoppedAt = Date.now();
        await runner.send({ type: 'stop', graceMs: 700 });
        expect(await runner.exited).toEqual({ code: 0, signal: null });
        expect(Date.now() - stoppedAt).toBeGreaterThanOrEqual(400);
        expect(runner.messages.slice(-3)).toEqual([
          {
            type: 'log',
            level: 'warn',
            message:
              'checkpoint c-1 of iteration 1 unconfirmed (the stop grace ran out); a restart may redo this iteration',
          },
          expect.objectContaining({ type: 'iteration_done', iteration: 1 }),
          expect.objectContaining({ type: 'exit', reason: 'stopped', iterations: 1 }),
        ]);
      },
    );

    it.skipIf(!python3)(
      'a state over init.checkpointMaxBytes is not sent: a warn says so and the iteration is still reported',
      async () => {
        const runner = start();
        await runner.send(init({ maxIterations: 1, checkpointMaxBytes: 10 }));
        expect(await runner.exited).toEqual({ code: 0, signal: null });
        expect(ofType(runner, 'checkpoint')).toEqual([]);
        expect(logs(runner).join('\n')).toMatch(
          /warn checkpoint of iteration 1 not sent: its state is \d+ bytes of JSON, over checkpointMaxBytes 10/,
        );
        expect(ofType(runner, 'iteration_done')).toEqual([
          expect.objectContaining({ iteration: 1, status: 'ok' }),
        ]);
      },
    );

    it.skipIf(!python3)(
      'params.usage: one usage message per iteration, before its checkpoint, valid against the published JSON Schema (ajv, draft 2020-12)',
      async () => {
        const usage = {
          inputTokens: 1200,
          outputTokens: 300,
          costUsd: 0.0045,
          model: 'gpt-4o-mini',
        };
        const runner = start();
        await runner.send(init({ maxIterations: 2, params: { usage } }));
        expect(await runner.exited).toEqual({ code: 0, signal: null });
        expect(ofType(runner, 'usage')).toEqual([
          { type: 'usage', ...usage },
          { type: 'usage', ...usage },
        ]);
        expect(runner.messages.map((message) => message.type).slice(2, 6)).toEqual([
          'iteration_start',
          'usage',
          'checkpoint',
          'iteration_done',
        ]);
        // Reported once: not repeated in iteration_done.usage (protocol: "the three add up").
        for (const done of ofType(runner, 'iteration_done')) {
          expect(done).not.toHaveProperty('usage');
        }
        const ajv = new Ajv2020({ strict: true });
        ajv.addSchema(JSON.parse(readFileSync(schemaFile, 'utf8')) as object, 'protocol');
        const validate = ajv.getSchema('protocol#/$defs/RunnerMessage')!;
        for (const message of runner.messages) {
          expect(validate(message), `${message.type}: ${ajv.errorsText(validate.errors)}`).toBe(
            true,
          );
        }
        expect(runner.errors).toEqual([]);
      },
    );
  },
);
