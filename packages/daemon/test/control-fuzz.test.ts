import { mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import fc from 'fast-check';
import { Type, type TSchema } from '@sinclair/typebox';
import { isRpcError, type RpcConnection } from '@x/ipc';
import { connectRpc } from '@x/ipc/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  CONTROL_MAX_FRAME_BYTES,
  CONTROL_PARAMS,
  DEFAULT_RESTART_POLICY,
  MONITOR_PARAMS,
  RunStore,
  isActiveState,
  silentLogger,
  startDaemon,
  statePaths,
  type DaemonHandle,
  type RunRecord,
} from '../src/index.js';
import { PROBE_TARGET_MAX_LENGTH } from '../src/health/probe.js';
import { AGENTS, kernelLauncher, runRecord, tempDir, waitFor } from './helpers.js';
import {
  invalidArbitrary,
  validArbitrary,
  type Override,
  type SchemaArbitraryOptions,
} from './schema-arbitrary.js';

/*
 * Control-method inputs generated from the methods' own params schemas (CONTROL_PARAMS,
 * MONITOR_PARAMS), sent to a real daemon (socket, SQLite, kernel runners in subprocesses and
 * worker threads). Every request must be answered, by a result or by a JSON-RPC error other
 * than -32603 (but for the documented one of an answer over 1 MiB, counted and printed); the
 * daemon must keep answering `system.ping`; nothing may reject unhandled (in a daemon process
 * of its own that is an exit: issue 16); and every run a start made must end once stopped.
 * Params invalid at one spot must be -32602 naming that spot.
 *
 * What runs is harmless: modules are fixtures or missing files under the temp dir, programs
 * are `true`, `false`, `sleep` or missing files under the temp dir, probes dial loopback only.
 * X_FUZZ_SEED replays a run (fast-check prints the seed of a failure); X_FUZZ_SCALE multiplies
 * the number of inputs.
 */

const SEED = Number(process.env.X_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const SCALE = Number(process.env.X_FUZZ_SCALE ?? 1);
const runs = (count: number) => Math.max(1, Math.round(count * SCALE));

/** How long an `agent.start` may wait for readiness before the test stops what it started. */
const START_PATIENCE_MS = 1_500;
/** Any request, a stop included, must be answered within this (a loaded 2-core machine). */
const ANSWER_WITHIN_MS = 30_000;
/** What the test's stops allow a run: its runner exits on `stop`; `sleep` on SIGTERM. */
const QUICK_STOP = { ipcMs: 500, sigtermMs: 1_000 };
/** The -32603 of an answer over the control frame limit (documented in the control API). */
const OVERSIZED_ANSWER = /^Internal error: the response could not be sent: .*exceeds maxFrameBytes/;
/** Codes the @x/ipc client makes up itself: the daemon did not answer. */
const NO_ANSWER_CODES = new Set([-32099, -32098, -32097]);

type Answer = { result: unknown } | { error: { code: number; message: string; data?: unknown } };

const shown = (value: unknown) => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 600 ? `${text.slice(0, 600)}… (${text.length} characters)` : text;
};

describe('control methods fuzzed from their schemas against a real daemon (socket, SQLite, runners)', () => {
  let dir: ReturnType<typeof tempDir>;
  let daemon: DaemonHandle;
  let rpc: RpcConnection;
  /** Runs the test keeps up for the other methods: a turn agent, and one that asks permission. */
  const fixtures = new Map<string, string>();
  /** Ids of runs that ended during the test: refs for agent.stop/status/logs/turns. */
  const ended: string[] = [];
  /** Requests answered with the documented -32603 of an oversized answer. */
  const oversized: string[] = [];
  /** Unhandled rejections and uncaught exceptions, with the request that was in flight. */
  const crashes: string[] = [];
  let inFlight = 'nothing';
  const onCrash = (reason: unknown) => {
    crashes.push(
      `during ${inFlight}:\n${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`,
    );
  };

  beforeAll(async () => {
    process.on('unhandledRejection', onCrash);
    process.on('uncaughtException', onCrash);
    dir = tempDir('x-fz-');
    mkdirSync(`${dir.path}/m`);
    daemon = await startDaemon({
      home: `${dir.path}/home`,
      launcher: kernelLauncher(),
      logger: silentLogger,
      handshakeTimeoutMs: 5_000,
    });
    rpc = await connectRpc(daemon.paths.socketPath);
    for (const [name, module, extra] of [
      ['echo', 'turn-echo.mjs', {}],
      ['asker', 'ask-permission.mjs', { permissionTimeoutMs: 1_500 }],
    ] as const) {
      const run = await rpc.request<RunRecord>('agent.start', {
        module: `${AGENTS}${module}`,
        name,
        ...extra,
      });
      fixtures.set(name, run.runId);
    }
  }, 60_000);

  afterAll(async () => {
    rpc?.close();
    await daemon?.shutdown();
    dir?.remove();
    process.off('unhandledRejection', onCrash);
    process.off('uncaughtException', onCrash);
  }, 60_000);

  afterEach(async () => {
    // After each batch: the daemon is up and answers, and nothing crashed.
    await expect(
      rpc.request('system.ping', undefined, { timeoutMs: ANSWER_WITHIN_MS }),
    ).resolves.toMatchObject({ pong: true });
    expect(crashes).toEqual([]);
  });

  async function call(
    method: string,
    params: unknown,
    connection = rpc,
    timeoutMs = ANSWER_WITHIN_MS,
  ): Promise<Answer> {
    try {
      return { result: await connection.request(method, params, { timeoutMs }) };
    } catch (error) {
      if (isRpcError(error)) {
        return { error: { code: error.code, message: error.message, data: error.data } };
      }
      throw error;
    }
  }

  /**
   * Sends one raw line (a batch) on a connection of its own and reads the answer line; lines of
   * notifications before it (`monitor.event`, once a batch item subscribed) are skipped.
   */
  async function rawLine(socketPath: string, line: string): Promise<unknown> {
    const socket = connect(socketPath);
    socket.on('error', () => undefined);
    socket.setEncoding('utf8');
    socket.write(`${line}\n`);
    let text = '';
    try {
      for await (const chunk of socket) {
        text += chunk as string;
        let at;
        while ((at = text.indexOf('\n')) !== -1) {
          const message = JSON.parse(text.slice(0, at)) as unknown;
          text = text.slice(at + 1);
          const notification =
            typeof message === 'object' && message !== null && 'method' in message;
          if (!notification) {
            return message;
          }
        }
      }
      throw new Error(`the connection closed before an answer to ${shown(line)}`);
    } finally {
      socket.destroy();
    }
  }

  /** The request fits in one control frame (a longer line is skipped: no id to answer). */
  const fits = (method: string, params: unknown) =>
    Buffer.byteLength(JSON.stringify({ jsonrpc: '2.0', id: 1, method, params })) + 1 <=
    CONTROL_MAX_FRAME_BYTES;

  /**
   * Asserts the daemon answered, with anything but -32603, and nothing crashed meanwhile. The
   * one -32603 the control API documents, an answer over the 1 MiB frame, is let through and
   * counted (answers about one run are clipped since; see the 128 KiB arguments case below).
   */
  function expectAnswered(method: string, params: unknown, answer: Answer): void {
    const what = `${method} ${shown(params)}`;
    if ('error' in answer) {
      const { code, message } = answer.error;
      expect(NO_ANSWER_CODES.has(code), `no answer to ${what}: ${message}`).toBe(false);
      if (code === -32603 && OVERSIZED_ANSWER.test(message)) {
        oversized.push(what);
      } else {
        expect(code, `${what} → ${code} ${message}`).not.toBe(-32603);
      }
    }
    expect(crashes, `crashed during ${what}`).toEqual([]);
  }

  /** Stops every active run but the fixtures; every stop must be answered. */
  async function stopStrays(): Promise<void> {
    const { runs: listed } = await rpc.request<{ runs: RunRecord[] }>('agent.list', {});
    const strays = listed.filter(
      (run) => isActiveState(run.state) && ![...fixtures.values()].includes(run.runId),
    );
    await Promise.all(
      strays.map(async (run) => {
        const params = { ref: run.runId, stopBudget: QUICK_STOP };
        expectAnswered('agent.stop', params, await call('agent.stop', params));
        ended.push(run.runId);
      }),
    );
  }

  /** Every run but the fixtures is over: none left `starting` (issue 16, 7c) or running. */
  async function expectNothingLeftActive(after: string): Promise<void> {
    const { runs: listed } = await rpc.request<{ runs: RunRecord[] }>('agent.list', { all: true });
    const active = listed
      .filter((run) => isActiveState(run.state) && ![...fixtures.values()].includes(run.runId))
      .map((run) => `${run.name} (${run.runId}) is ${run.state}`);
    expect(active, `after ${after}`).toEqual([]);
  }

  /** `params` with what the supervisor checks beyond the schema made to hold. */
  const plausible = (params: Record<string, unknown>, preferCommand: boolean) => {
    const fixed = { ...params };
    if (fixed.kind === 'service' || (fixed.command !== undefined && preferCommand)) {
      delete fixed.module;
      fixed.command ??= ['true'];
      delete fixed.runnerMode;
    } else {
      delete fixed.command;
      fixed.module ??= `${AGENTS}turn-echo.mjs`;
    }
    const heartbeat = fixed.heartbeatIntervalMs as number | undefined;
    const liveness = fixed.livenessTimeoutMs as number | undefined;
    if ((liveness ?? 10_000) <= (heartbeat ?? 1000)) {
      delete fixed.livenessTimeoutMs;
      delete fixed.heartbeatIntervalMs;
    }
    return fixed;
  };

  const tmp = () => dir.path;
  /** agent.start params made harmless, and mostly well-formed beyond what a schema says. */
  const startOptions = (): SchemaArbitraryOptions => ({
    // Fewer fields at once: each may be refused on its own, and most starts should reach a runner.
    optionalWeights: [2, 1],
    overrides: {
      // module: a fixture agent, or a file that is not there (the generated name under the temp dir).
      '/module': (derived) =>
        fc.oneof(
          fc.constantFrom(
            ...['turn-echo.mjs', 'exit-78.mjs', 'no-default-export.mjs', 'setup-fails.mjs'].map(
              (file) => `${AGENTS}${file}`,
            ),
          ),
          derived.map((text) => `${tmp()}/m/${String(text)}`.slice(0, 4096)),
        ),
      // The program: harmless ones, or a generated name under the temp dir (not there).
      '/command': (derived) =>
        fc
          .tuple(
            derived as fc.Arbitrary<string[]>,
            fc.constantFrom('true', 'false', 'sleep', 'generated'),
          )
          .map(([command, program]) => [
            program === 'generated' ? `${tmp()}/m/${command[0]}`.slice(0, 131_071) : program,
            ...command.slice(1),
          ]),
      // Probes dial loopback only: the generated port, a loopback host.
      '/probes/*/tcp': (derived) =>
        fc
          .tuple(
            derived as fc.Arbitrary<string>,
            fc.constantFrom('', '127.0.0.1', 'localhost', '[::1]'),
          )
          .map(([target, host]) => `${host}${target.slice(target.lastIndexOf(':'))}`),
      // Loopback URLs with a generated path most of the time; else as generated, with the
      // host made loopback when it parses (one that does not must be refused: -32602).
      '/probes/*/http': (derived) =>
        fc.oneof(
          fc
            .tuple(fc.constantFrom('http', 'https'), fc.integer({ min: 1, max: 65_535 }), derived)
            .map(([scheme, port, target]) => {
              const origin = `${scheme}://127.0.0.1:${port}/`;
              let path = 'lone-surrogate';
              try {
                // Valid means within the 4096 characters too: a 4-byte character is 2 UTF-16
                // units but 12 once encoded, so drop whole code points until the URL fits.
                const points = Array.from(String(target).slice(8, 2000));
                path = encodeURI(points.join(''));
                while (origin.length + path.length > PROBE_TARGET_MAX_LENGTH) {
                  points.length = Math.floor(points.length * 0.75);
                  path = encodeURI(points.join(''));
                }
              } catch {
                // encodeURI throws on a lone surrogate.
              }
              return `${origin}${path}`;
            }),
          (derived as fc.Arbitrary<string>).map((target) => {
            try {
              const url = new URL(target);
              url.hostname = '127.0.0.1';
              return url.href;
            } catch {
              return target;
            }
          }),
        ),
      // An existing directory most of the time (the supervisor refuses a missing cwd: -32602).
      '/cwd': (derived) =>
        fc.oneof(
          { weight: 1, arbitrary: derived },
          { weight: 4, arbitrary: fc.constantFrom(tmp(), '/', AGENTS) },
        ),
      // What the supervisor checks beyond the schema (-32602: exactly one of module and
      // command, a service is a command, thread mode for agent modules only, liveness longer
      // than the heartbeat) made to hold, but one time in five left as generated.
      '': (derived) =>
        fc
          .tuple(derived as fc.Arbitrary<Record<string, unknown>>, fc.nat(9))
          .map(([params, dice]) => (dice < 2 ? params : plausible(params, dice % 2 === 0))),
    },
  });

  const outcomes = new Map<string, number>();
  const count = (tally: Map<string, number>, key: string) =>
    tally.set(key, (tally.get(key) ?? 0) + 1);
  const outcome = (answer: Answer) =>
    'error' in answer
      ? `${answer.error.code} ${answer.error.message.slice(0, 60)}`
      : `run ${(answer.result as RunRecord | undefined)?.state ?? 'result'}`;

  it('agent.start: generated params are each answered, and every run they start ends when stopped', async () => {
    const arbitrary = validArbitrary(CONTROL_PARAMS['agent.start'], startOptions());
    await fc.assert(
      fc.asyncProperty(arbitrary, async (params) => {
        fc.pre(fits('agent.start', params));
        inFlight = `agent.start ${shown(params)}`;
        const pending = call('agent.start', params);
        let answer = await Promise.race([
          pending,
          new Promise<undefined>((resolve) =>
            setTimeout(() => resolve(undefined), START_PATIENCE_MS),
          ),
        ]);
        if (answer === undefined) {
          // Still waiting for readiness (a probe nobody answers): a stop must end the wait.
          await stopStrays();
          answer = await pending;
        }
        expectAnswered('agent.start', params, answer);
        count(outcomes, outcome(answer));
        await stopStrays();
        await expectNothingLeftActive(`agent.start ${shown(params)}`);
      }),
      { numRuns: runs(80), seed: SEED },
    );
    console.info(`agent.start outcomes (seed ${SEED}):`, Object.fromEntries(outcomes));
    if (oversized.length > 0) {
      console.info('answered with the documented -32603 of an oversized answer:', oversized);
    }
    // Enough of them got as far as a runner to mean something: a run, or its failed start. The
    // seed changes per run (printed above), and ~25 % of starts reach a runner on average: a
    // bound of one in eight keeps the check against a degenerate generator without flaking.
    const reached = [...outcomes].filter(
      ([key]) => key.startsWith('run ') || key.startsWith('-32003'),
    );
    expect(reached.reduce((sum, [, n]) => sum + n, 0)).toBeGreaterThanOrEqual(runs(80) / 8);
  }, 240_000);

  it('interleaved agent.start, agent.stop, agent.send and agent.status on two names: each answered, one active run per name, all end when stopped', async () => {
    const names = fc.constantFrom('i1', 'i2');
    const start = fc
      .tuple(validArbitrary(CONTROL_PARAMS['agent.start'], startOptions()), names, fc.boolean())
      .map(([params, name, preferCommand]) => ({
        ...plausible(params as Record<string, unknown>, preferCommand),
        name,
      }));
    const operation = fc.oneof(
      { weight: 3, arbitrary: start.map((params) => ['agent.start', params] as const) },
      names.map((ref) => ['agent.stop', { ref, stopBudget: QUICK_STOP }] as const),
      fc
        .tuple(names, fc.jsonValue({ maxDepth: 2 }), fc.boolean())
        .map(
          ([ref, input, wait]) => ['agent.send', { ref, input, wait, timeoutMs: 2_000 }] as const,
        ),
      names.map((ref) => ['agent.status', { ref }] as const),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(operation, fc.integer({ min: 0, max: 300 })), {
          minLength: 2,
          maxLength: 6,
        }),
        async (operations) => {
          // A longer line is skipped and answered with id null: no call could be matched to it.
          fc.pre(operations.every(([[method, params]]) => fits(method, params)));
          inFlight = `interleaved ${shown(operations)}`;
          const answers = await Promise.all(
            operations.map(async ([[method, params], delayMs]) => {
              await new Promise((resolve) => setTimeout(resolve, delayMs));
              const pending = call(method, params);
              const answer = await Promise.race([
                pending,
                new Promise<undefined>((resolve) =>
                  setTimeout(() => resolve(undefined), START_PATIENCE_MS * 2),
                ),
              ]);
              return [method, params, answer ?? pending] as const;
            }),
          );
          const { runs: listed } = await rpc.request<{ runs: RunRecord[] }>('agent.list', {});
          const active = listed.filter(
            (run) => isActiveState(run.state) && (run.name === 'i1' || run.name === 'i2'),
          );
          expect(
            active.map((run) => run.name).sort(),
            `two active runs of one name after ${shown(operations)}`,
          ).toEqual([...new Set(active.map((run) => run.name))].sort());
          await stopStrays();
          for (const [method, params, answer] of answers) {
            expectAnswered(method, params, await answer);
          }
          await expectNothingLeftActive(`interleaved ${shown(operations)}`);
        },
      ),
      { numRuns: runs(25), seed: SEED },
    );
  }, 240_000);

  /**
   * Every method with a params schema but agent.start (fuzzed on its own) and system.shutdown
   * (it stops the daemon), so that a method added later is fuzzed too; refs and ids reach the
   * fixture runs part of the time.
   */
  const methods = (): [string, TSchema, SchemaArbitraryOptions][] => {
    const refs: Override = (derived) =>
      fc.oneof(
        derived,
        fc.constantFrom(...fixtures.keys(), ...fixtures.values(), ...ended.slice(-5)),
      );
    const ids =
      (prefix: string): Override =>
      (derived) =>
        fc.oneof(
          derived,
          fc.integer({ min: 1, max: 8 }).map((n) => `${prefix}-${n}`),
        );
    const overrides: Record<string, SchemaArbitraryOptions['overrides']> = {
      // Never the fixtures: the other methods need them running.
      'agent.stop': {
        '/ref': (derived) =>
          ended.length === 0 ? derived : fc.oneof(derived, fc.constantFrom(...ended.slice(-5))),
      },
      'agent.turns': { '/ref': refs, '/turnId': ids('t') },
      'agent.turn.cancel': { '/ref': refs, '/turnId': ids('t') },
      'agent.permission.answer': { '/ref': refs, '/requestId': ids('p') },
      'monitor.unsubscribe': { '/subscriptionId': ids('s') },
    };
    const schemas: Record<string, TSchema> = { ...CONTROL_PARAMS, ...MONITOR_PARAMS };
    return Object.entries(schemas)
      .filter(([method]) => method !== 'agent.start' && method !== 'system.shutdown')
      .map(([method, schema]) => [
        method,
        schema,
        { overrides: overrides[method] ?? { '/ref': refs } },
      ]);
  };

  it('every other method: generated params are each answered, never with -32603', async () => {
    // monitor.* on a connection of their own: a subscription replays the backlog to it.
    const monitorRpc = await connectRpc(daemon.paths.socketPath);
    const tally = new Map<string, number>();
    try {
      for (const [method, schema, options] of methods()) {
        const connection = method.startsWith('monitor.') ? monitorRpc : rpc;
        await fc.assert(
          fc.asyncProperty(validArbitrary(schema, options), async (params) => {
            fc.pre(fits(method, params));
            inFlight = `${method} ${shown(params)}`;
            const answer = await call(method, params, connection);
            expectAnswered(method, params, answer);
            count(tally, `${method} ${'error' in answer ? answer.error.code : 'ok'}`);
          }),
          { numRuns: runs(40), seed: SEED },
        );
        await expect(call('system.ping', {})).resolves.toMatchObject({ result: { pong: true } });
      }
      console.info(`other methods' answers (seed ${SEED}):`, Object.fromEntries(tally));
      // The fixtures are still there to be fuzzed against (agent.stop never got them).
      for (const runId of fixtures.values()) {
        expect(
          (await rpc.request<{ run: RunRecord }>('agent.status', { ref: runId })).run.state,
        ).toBe('running');
      }
    } finally {
      monitorRpc.close();
    }
  }, 240_000);

  it('a JSON-RPC batch of generated requests (and notifications) gets one answer per request id', async () => {
    const request = fc.oneof(
      ...methods().map(([method, schema, options]) =>
        validArbitrary(schema, { ...options, optionalWeights: [2, 1] }).map((params) => ({
          method,
          params,
        })),
      ),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(request, fc.nat(9)), { minLength: 1, maxLength: 20 }),
        async (items) => {
          // Ids are unique numbers and strings; one item in ten is a notification (no id).
          const batch = items.map(([{ method, params }, dice], index) =>
            dice === 0 && index > 0
              ? { jsonrpc: '2.0', method, params }
              : { jsonrpc: '2.0', id: index % 2 === 0 ? index : `id-${index}`, method, params },
          );
          const line = JSON.stringify(batch);
          fc.pre(Buffer.byteLength(line) + 1 <= CONTROL_MAX_FRAME_BYTES);
          inFlight = `batch ${shown(batch)}`;
          const answers = (await rawLine(daemon.paths.socketPath, line)) as {
            id: unknown;
            error?: { code: number; message: string };
          }[];
          const ids = batch
            .filter((item) => 'id' in item)
            .map((item) => (item as { id: unknown }).id);
          expect(Array.isArray(answers), shown(answers)).toBe(true);
          expect(answers.map((answer) => answer.id).sort(), inFlight).toEqual([...ids].sort());
          for (const answer of answers) {
            if (answer.error !== undefined) {
              expectAnswered('batch item', answer, { error: answer.error });
            }
          }
        },
      ),
      { numRuns: runs(30), seed: SEED },
    );
  });

  it('system.*: any params are answered (they take none); system.shutdown is left out: it stops the daemon', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('system.ping', 'system.info'),
        validArbitrary(Type.Unknown()),
        async (method, params) => {
          fc.pre(fits(method, params));
          inFlight = `${method} ${shown(params)}`;
          expectAnswered(method, params, await call(method, params));
        },
      ),
      { numRuns: runs(20), seed: SEED },
    );
  });

  it('every method: params invalid at one spot are -32602 naming that spot (or its union), never -32603', async () => {
    const all: [string, TSchema, SchemaArbitraryOptions][] = [
      ['agent.start', CONTROL_PARAMS['agent.start'], startOptions()],
      ...methods(),
    ];
    for (const [method, schema, options] of all) {
      await fc.assert(
        fc.asyncProperty(invalidArbitrary(schema, options), async ({ value, path }) => {
          fc.pre(fits(method, value));
          inFlight = `${method} ${shown(value)}`;
          const answer = await call(method, value);
          const what = `${method} ${shown(value)} (invalid at ${path})`;
          expect(answer, what).toMatchObject({ error: { code: -32602 } });
          const field = (answer as { error: { data?: { field?: string } } }).error.data?.field;
          // The field named is the spot, or the union or object holding it.
          const spot = path === '' ? '/' : path;
          // (Params that are not an object at all: @x/ipc names no field; see the report.)
          expect(
            (field === undefined && spot === '/') ||
              (field !== undefined &&
                (field === '/' || spot === field || spot.startsWith(`${field}/`))),
            `${what} named ${field}: ${(answer as { error: { message: string } }).error.message}`,
          ).toBe(true);
        }),
        { numRuns: runs(method === 'agent.start' ? 150 : 30), seed: SEED },
      );
    }
    await expectNothingLeftActive('invalid params');
  }, 120_000);

  it('issue 16: a service probing 127.0.0.1:99999 is -32602 naming the field, and the daemon survives', async () => {
    for (const probes of [
      { readiness: { tcp: '127.0.0.1:99999' } },
      { liveness: { tcp: '127.0.0.1:99999' } },
      { readiness: { tcp: '127.0.0.1:0' } },
      { readiness: { http: 'http://127.0.0.1:99999/' } },
      { liveness: { http: 'http://[::1/' } },
    ]) {
      const params = { kind: 'service', name: 't', command: ['sleep', '100'], probes };
      inFlight = `agent.start ${shown(params)}`;
      const answer = await call('agent.start', params);
      const which = Object.keys(probes)[0];
      expect(answer, shown(params)).toMatchObject({
        error: {
          code: -32602,
          message: expect.stringMatching(/99999|port of 1–65535|0\b|does not parse/),
          data: { field: expect.stringMatching(new RegExp(`^/probes/${which}/(tcp|http)$`)) },
        },
      });
    }
    await expectNothingLeftActive('refused probes');
  });

  // Found by this fuzzer, when runners were spawned with execa: a spawn error repeated the
  // whole command line (execa's message) in the exit's `explanation` and `evidence`, and the
  // -32003 message repeats the explanation:
  // a failed start of a 262 KB command is a 1 MiB answer, so agent.start (and agent.status of
  // that run, for ever) answer -32603 instead of saying why. Fault: launch/ and supervisor/
  // (clip the spawn error), and agent.start's -32003; this case passes once that is fixed.
  it('agent.start of a missing program with two 128 KiB arguments answers -32003 within the 1 MiB frame, and so does agent.status of the run', async () => {
    const big = 'a'.repeat(131_071);
    const params = { name: 'big-args', command: [`${tmp()}/m/missing`, big, big] };
    const started = await call('agent.start', params);
    expect(started, 'agent.start').toMatchObject({ error: { code: -32003 } });
    expect(await call('agent.status', { ref: 'big-args' }), 'agent.status').toHaveProperty(
      'result',
    );
  });

  it('issue 16 (7c): a NUL byte in an argument, the program, cwd or env is -32602, and no run is created', async () => {
    const before = (await rpc.request<{ runs: RunRecord[] }>('agent.list', { all: true })).runs
      .length;
    for (const params of [
      { command: ['sleep', '1\u00002'], name: 'nul' },
      { command: ['sl\u0000eep', '1'], name: 'nul' },
      { command: ['true'], cwd: '/tmp\u0000', name: 'nul' },
      { command: ['true'], env: { A: '\u0000' }, name: 'nul' },
      { command: ['true'], restart: { mode: 'always' }, env: { 'A=B': '1' }, name: 'nul' },
    ]) {
      inFlight = `agent.start ${shown(params)}`;
      expect(await call('agent.start', params), shown(params)).toMatchObject({
        error: { code: -32602, message: expect.stringMatching(/NUL|without =/) },
      });
    }
    const after = (await rpc.request<{ runs: RunRecord[] }>('agent.list', { all: true })).runs;
    expect(after.length).toBe(before);
  });
});

describe('issue 16: a run an older daemon stored with params the API now refuses does not kill the next daemon', () => {
  const crashes: unknown[] = [];
  const onCrash = (reason: unknown) => crashes.push(reason);
  let dir: ReturnType<typeof tempDir>;
  let daemon: DaemonHandle | undefined;
  beforeAll(() => {
    process.on('unhandledRejection', onCrash);
    process.on('uncaughtException', onCrash);
  });
  afterAll(() => {
    process.off('unhandledRejection', onCrash);
    process.off('uncaughtException', onCrash);
  });
  afterEach(async () => {
    await daemon?.shutdown();
    daemon = undefined;
    dir.remove();
  });

  const RUN_ID = 'r-0ld99999';
  const quickRestarts = (mode: 'always' | 'on-failure') => ({
    ...DEFAULT_RESTART_POLICY,
    mode,
    backoff: { initialMs: 50, multiplier: 1, maxMs: 50, jitter: 0 },
    intensity: { maxRestarts: 2, periodMs: 60_000 },
  });

  /**
   * Stores `run` as `running` (its daemon died), starts a daemon on that home, and waits for
   * recovery to resume it and for it to end: the run `failed`, no crash, and `system.ping`
   * answered. Returns the run and its log.
   */
  async function recover(
    options: Partial<RunRecord['options']>,
    fields: Partial<RunRecord> = {},
  ): Promise<{ run: RunRecord | undefined; log: string }> {
    dir = tempDir('x-fr-');
    const home = `${dir.path}/home`;
    mkdirSync(home, { recursive: true, mode: 0o700 });
    const base = runRecord(RUN_ID, 'old-run', Date.now() - 10_000);
    const stored = new RunStore(statePaths(home).dbPath);
    stored.insertRun({
      ...base,
      module: null,
      state: 'running',
      pid: null,
      logPath: `${dir.path}/old-run.log`,
      ...fields,
      options: { ...base.options, cwd: dir.path, ...options },
    });
    stored.close();

    daemon = await startDaemon({ home, launcher: kernelLauncher(), logger: silentLogger });
    const rpc = await connectRpc(daemon.paths.socketPath);
    try {
      const ended = await waitFor(() => daemon?.supervisor.get(RUN_ID)?.state === 'failed', 20_000);
      const run = daemon.supervisor.get(RUN_ID);
      expect(ended, `run is ${run?.state}: ${shown(run?.exit)}`).toBe(true);
      expect(crashes).toEqual([]);
      await expect(
        rpc.request('system.ping', undefined, { timeoutMs: ANSWER_WITHIN_MS }),
      ).resolves.toMatchObject({ pong: true });
      const logs = await rpc.request<{ lines: string[] }>('agent.logs', { ref: RUN_ID });
      return { run, log: logs.lines.join('\n') };
    } finally {
      rpc.close();
    }
  }

  it.each([
    ['readiness', 'always'],
    ['liveness', 'always'],
    ['readiness', 'on-failure'],
  ] as const)(
    'a %s probe of 127.0.0.1:99999 (restart %s): recovery resumes it, the probe fails naming the target, the daemon stays up',
    async (which, mode) => {
      const probe = { tcp: '127.0.0.1:99999', intervalMs: 50, timeoutMs: 200, failureThreshold: 2 };
      const { run, log } = await recover({
        kind: 'service',
        command: ['sleep', '100'],
        probes: {
          readiness: which === 'readiness' ? probe : null,
          readinessTimeoutMs: 300,
          liveness: which === 'liveness' ? probe : null,
        },
        restart: quickRestarts(mode),
      });
      expect(run?.attempt).toBeGreaterThan(1);
      const why = /TCP probe target "127\.0\.0\.1:99999" must be host:port with a port of 1–65535/;
      expect(run?.exit?.explanation).toMatch(why);
      expect(log).toMatch(why);
    },
    60_000,
  );

  it.each<[string, Partial<RunRecord['options']>]>([
    ['an argument', { command: ['sleep', '1\u00002'] }],
    ['the program', { command: ['sl\u0000eep', '1'] }],
    ['an env value', { command: ['sleep', '1'], env: { A: '\u0000' } }],
    ['cwd', { command: ['sleep', '1'], cwd: '/tmp\u0000' }],
  ])(
    'issue 16 (7c): a NUL byte in %s (restart always): the restart fails to spawn, the run ends, the daemon stays up',
    async (_, options) => {
      const { run } = await recover({
        ...options,
        restart: quickRestarts('always'),
      });
      expect(run?.exit?.reason).toBe('spawn_failed');
    },
    60_000,
  );

  it('a memory limit of 16 MiB (restart always): the run ends, the daemon stays up', async () => {
    const { run } = await recover(
      { command: null, maxMemoryMb: 16, restart: quickRestarts('always') },
      { module: `${AGENTS}turn-echo.mjs` },
    );
    expect(run?.state).toBe('failed');
  }, 60_000);
});
