import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunnerMessage } from '@x/ipc';
import { startRunner, type RunnerHarness, type RunnerMode } from './runner-harness.js';
import { fixtures, initFor } from './spawn-runner.js';

// Issue 16: an agent author's mistake gets a clear error where it was made, and never a
// frame the supervisor refuses. Real runners from the built kernel, in both modes: a
// process speaking on fd 3 (`x runner --pipe`) and a worker thread (`@x/kernel/worker`).

const fixture = (name: string) => join(fixtures.counter, '..', name);
const ofType = <T extends RunnerMessage['type']>(runner: RunnerHarness, type: T) =>
  runner.messages.filter(
    (message): message is Extract<RunnerMessage, { type: T }> => message.type === type,
  );
const logs = (runner: RunnerHarness, level?: string) =>
  ofType(runner, 'log')
    .filter((log) => level === undefined || log.level === level)
    .map((log) => log.message);

const running = new Set<RunnerHarness>();
function start(mode: RunnerMode): RunnerHarness {
  const runner = startRunner(mode);
  running.add(runner);
  return runner;
}
afterEach(async () => {
  await Promise.all([...running].map((runner) => runner.dispose()));
  running.clear();
});

describe.each(['subprocess', 'thread'] as RunnerMode[])('a %s runner', (mode) => {
  // Regression (item 9): ctx.log('tick') and ctx.log('warning', …) went out unchecked; the
  // daemon refused each frame and killed the run as protocol_error after 20 of them.
  it("ctx.log('tick') logs at info; a bad level, no argument, an object or 3 arguments throw a TypeError naming the fix; no frame is refused", async () => {
    const runner = start(mode);
    await runner.send(initFor(fixture('log-mistakes.mjs'), { maxIterations: 25 }));
    expect(await runner.next('exit')).toEqual({
      type: 'exit',
      reason: 'max_iterations',
      iterations: 25,
      summary: 'tick 25',
    });
    expect(await runner.exitCode).toBe(0);
    expect(runner.channelErrors).toEqual([]);
    expect(logs(runner, 'info')).toEqual(Array.from({ length: 25 }, () => 'tick'));
    expect(logs(runner, 'error')).toEqual([
      `TypeError: @x/kernel: ctx.log: level must be one of 'debug', 'info', 'warn', 'error', got "warning"; call ctx.log(level, message), or ctx.log(message) for level 'info'`,
      "TypeError: @x/kernel: ctx.log expects (level, message) or (message), got no arguments; e.g. ctx.log('info', 'started')",
      'TypeError: @x/kernel: ctx.log(level, message): message must be a string, got object; pass String(value) or JSON.stringify(value)',
      'TypeError: @x/kernel: ctx.log takes (level, message), got 3 arguments; join the parts into one message string',
    ]);
  });

  // Regression (item 10): one bad field cost the whole iteration (the frame was refused or
  // could not be encoded), so the daemon stored fewer iterations than the exit reported.
  it('a step result with one bad field keeps its iteration, without that field, and says why in a warn line', async () => {
    const runner = start(mode);
    await runner.send(initFor(fixture('bad-step-results.mjs'), { maxIterations: 4 }));
    expect(await runner.next('exit')).toMatchObject({ iterations: 4, summary: 'fine' });
    expect(runner.channelErrors).toEqual([]);
    expect(ofType(runner, 'iteration_done').map(({ durationMs: _, ...rest }) => rest)).toEqual([
      { type: 'iteration_done', iteration: 1, status: 'ok', summary: 'counted' },
      { type: 'iteration_done', iteration: 2, status: 'ok' },
      { type: 'iteration_done', iteration: 3, status: 'ok' },
      {
        type: 'iteration_done',
        iteration: 4,
        status: 'ok',
        summary: 'fine',
        usage: { inputTokens: 10, outputTokens: 2, costUsd: 0.01 },
      },
    ]);
    expect(logs(runner, 'warn')).toEqual([
      'iteration 1: usage.inputTokens must be a non-negative integer, got 10n; usage not recorded',
      'iteration 2: usage.inputTokens must be a non-negative integer, got 1.5; usage not recorded',
      'iteration 3: summary must be a string, got 42; summary not recorded (return { summary: String(value) } to keep it)',
    ]);
  });

  // Regression (item 11): a teardown cut short by the grace was reported as a clean stop.
  it('a teardown cut short by the stop grace is reported: a warn line and the exit summary say after how long', async () => {
    const runner = start(mode);
    await runner.send(initFor(fixture('teardown-hangs.mjs'), { intervalMs: 60_000 }));
    await runner.next('iteration_done');
    await runner.send({ type: 'stop', graceMs: 1000 });
    const exit = await runner.next('exit');
    const abandoned = /^teardown abandoned after (\d+) ms: the stop grace period ran out; stepped$/;
    expect(exit).toMatchObject({ reason: 'stopped', iterations: 1 });
    expect(exit.summary).toMatch(abandoned);
    // The grace less the 250 ms reserve, plus the 200 ms teardown may take of it.
    expect(Number(abandoned.exec(exit.summary ?? '')?.[1])).toBeGreaterThanOrEqual(900);
    expect(logs(runner, 'warn')).toEqual([
      expect.stringMatching(/^teardown abandoned after \d+ ms: the stop grace period ran out$/),
    ]);
    expect(await runner.exitCode).toBe(0);
  });

  // Regression (item 12a, c): a failed setup was only a summary string; now setup_done
  // carries the error whole, announced by ready.capabilities.setup.
  it('setup throwing: ready announces setup_done, which carries name, message and stack; exit code 1', async () => {
    const runner = start(mode);
    await runner.send(initFor(join(fixtures.examples, 'setup-fails.mjs')));
    expect(await runner.exitCode).toBe(1);
    await runner.next('exit'); // a worker's exit event can come before its port's last messages
    expect(runner.messages.map((message) => message.type)).toEqual([
      'ready',
      'setup_done',
      'log',
      'error',
      'exit',
    ]);
    expect(runner.messages[0]).toMatchObject({ capabilities: { setup: true } });
    expect(runner.messages[1]).toEqual({
      type: 'setup_done',
      ok: false,
      error: {
        name: 'Error',
        message: 'cannot reach the model endpoint',
        stack: expect.stringMatching(
          /^Error: cannot reach the model endpoint\n\s+at .*setup-fails\.mjs:6:11/,
        ) as unknown,
      },
    });
    expect(logs(runner, 'error')).toEqual([
      expect.stringMatching(/^setup failed: Error: cannot reach the model endpoint\n\s+at /),
    ]);
    expect(runner.messages[4]).toEqual({
      type: 'exit',
      reason: 'error',
      iterations: 0,
      summary: 'setup failed: Error: cannot reach the model endpoint',
    });
  });

  it('an agent without setup sends setup_done ok right after ready', async () => {
    const runner = start(mode);
    await runner.send(initFor(fixtures.counter, { params: { doneAt: 1 } }));
    await runner.next('exit');
    expect(runner.messages.slice(0, 2)).toEqual([
      expect.objectContaining({
        type: 'ready',
        capabilities: {
          steps: true,
          turns: false,
          setup: true,
          checkpoints: true,
          pause: true,
          usageAcks: true,
        },
      }),
      { type: 'setup_done', ok: true },
    ]);
  });

  // Item 12b: "configuration error, do not restart" ends the run with 78 (EX_CONFIG).
  it('a ConfigError thrown by setup: setup_done says config, the fatal error frame has code X_AGENT_CONFIG, stderr has the reason, exit 78', async () => {
    const runner = start(mode);
    await runner.send(initFor(fixture('config-error.mjs'), { params: { in: 'setup' } }));
    expect(await runner.exitCode).toBe(78);
    expect(await runner.next('setup_done')).toEqual({
      type: 'setup_done',
      ok: false,
      error: {
        name: 'ConfigError',
        message: 'OPENAI_API_KEY is not set; export it before `x agent start`',
        stack: expect.stringContaining('config-error.mjs') as unknown,
        code: 'X_AGENT_CONFIG',
        config: true,
      },
    });
    expect(await runner.next('error')).toEqual({
      type: 'error',
      message:
        'setup failed: ConfigError: OPENAI_API_KEY is not set; export it before `x agent start`',
      code: 'X_AGENT_CONFIG',
      fatal: true,
    });
    expect(await runner.next('exit')).toMatchObject({ reason: 'error', iterations: 0 });
    expect(runner.stderr()).toContain(
      'x runner: setup failed: ConfigError: OPENAI_API_KEY is not set',
    );
  });

  it('an error with code X_AGENT_CONFIG thrown by a step ends the run after that iteration, exit 78', async () => {
    const runner = start(mode);
    await runner.send(initFor(fixture('config-error.mjs'), { params: { in: 'step' } }));
    expect(await runner.exitCode).toBe(78);
    // The frames first: a worker's exit event can come before its port's last messages.
    const exit = await runner.next('exit');
    expect(ofType(runner, 'iteration_done')[1]).toMatchObject({
      iteration: 2,
      status: 'error',
      error: 'Error: model gpt-9 does not exist',
      errorDetail: { name: 'Error', code: 'X_AGENT_CONFIG', config: true },
    });
    expect(exit).toEqual({
      type: 'exit',
      reason: 'error',
      iterations: 2,
      summary:
        'configuration error in iteration 2: Error: model gpt-9 does not exist; a restart will not fix it',
    });
  });

  it('a ConfigError thrown by a turn ends that turn as error, then the run, exit 78', async () => {
    const runner = start(mode);
    await runner.send(initFor(fixture('config-error.mjs'), { intervalMs: 60_000 }));
    await runner.next('iteration_done');
    await runner.send({ type: 'turn', turnId: 't-1', input: 'deploy' });
    expect(await runner.exitCode).toBe(78);
    expect(await runner.next('turn_result')).toMatchObject({
      status: 'error',
      error: 'ConfigError: no tool named deploy',
      errorDetail: { name: 'ConfigError', config: true },
    });
    expect(await runner.next('exit')).toMatchObject({ reason: 'error', iterations: 1 });
  });

  // Regression (item 16): a step error kept only its message; `throw { code }` became
  // "[object Object]".
  it('a step error keeps name, message and stack (errorDetail) and logs the stack; a thrown object is shown as JSON', async () => {
    const runner = start(mode);
    await runner.send(initFor(fixture('step-throws.mjs'), { maxIterations: 3 }));
    await runner.next('exit');
    const [first, second, third] = ofType(runner, 'iteration_done');
    expect(first).toMatchObject({
      status: 'error',
      error: 'TypeError: bad input',
      errorDetail: {
        name: 'TypeError',
        message: 'bad input',
        stack: expect.stringMatching(
          /^TypeError: bad input\n\s+at .*step-throws\.mjs:7:13/,
        ) as unknown,
      },
    });
    expect(second).toMatchObject({
      status: 'error',
      error: '{"code":"E1"}',
      errorDetail: { name: 'NonError', message: '{"code":"E1"}', code: 'E1' },
    });
    expect(third).toMatchObject({ status: 'ok', summary: 'recovered' });
    expect(logs(runner, 'error')).toEqual([
      expect.stringMatching(/^iteration 1 failed: TypeError: bad input\n\s+at .*step-throws\.mjs/),
      'iteration 2 failed: {"code":"E1"}',
    ]);
  });

  // Regression (items 17 and 14): a Map was sent as {}, a BigInt dropped the frame; a
  // permission request not awaited stayed pending until the 30-minute timeout.
  it('notify rejects a Map or a BigInt at the call, a Map output ends the turn as error, and an unawaited permission request is withdrawn when its turn ends', async () => {
    const runner = start(mode);
    await runner.send(initFor(fixture('turn-mistakes.mjs')));
    const answer = async (turnId: string, input: string) => {
      await runner.send({ type: 'turn', turnId, input });
      for (;;) {
        const result = ofType(runner, 'turn_result').find((r) => r.turnId === turnId);
        if (result !== undefined) {
          return result;
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };
    expect((await answer('t-1', 'notify-map')).output).toBe(
      'TypeError: @x/kernel: ctx.notify(payload): Map at payload.x: JSON has no Map (it would arrive as {}); use Object.fromEntries(map)',
    );
    expect((await answer('t-2', 'notify-bigint')).output).toBe(
      'TypeError: @x/kernel: ctx.notify(payload): BigInt 1n at payload.big: JSON has no BigInt; convert it to a string (String(value)) or a number (Number(value))',
    );
    expect(await answer('t-3', 'output-map')).toMatchObject({
      status: 'error',
      error:
        "the turn's output is not JSON: Map at output.x: JSON has no Map (it would arrive as {}); use Object.fromEntries(map)",
    });
    expect(await answer('t-4', 'unawaited-permission')).toMatchObject({
      status: 'ok',
      output: 'asked',
    });
    const cancel = await runner.next('permission_cancel');
    expect(cancel).toEqual({
      type: 'permission_cancel',
      requestId: (await runner.next('permission_request')).requestId,
      reason: 'turn t-4 ended before the request was answered',
    });
    expect(ofType(runner, 'notify')).toEqual([]);
    expect(runner.channelErrors).toEqual([]);
    await runner.send({ type: 'stop', graceMs: 1000 });
    expect(await runner.exitCode).toBe(0);
  });
});

// Regression (item 18): Node 20 gives a SyntaxError from import() no location, so the exit-78
// message on stderr (what the daemon shows) said only "Unexpected token ';'".
describe('module load failures name file:line:column on stderr (exit 78)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync('/tmp/x-kern-load-');
    writeFileSync(
      join(dir, 'syntax.mjs'),
      'export default {\n  step() {\n    return { summary: "x" ;\n  },\n};\n',
    );
    writeFileSync(join(dir, 'imports-broken.mjs'), "export { default } from './helper.mjs';\n");
    writeFileSync(join(dir, 'helper.mjs'), 'const ok = 1;\nexport default { step() { ok +; } };\n');
    writeFileSync(
      join(dir, 'missing-export.mjs'),
      "import { nope } from './helper-ok.mjs';\nexport default { step() { return nope; } };\n",
    );
    writeFileSync(join(dir, 'helper-ok.mjs'), 'export const yes = 1;\n');
    writeFileSync(
      join(dir, 'throws.mjs'),
      "export const a = 1;\n  throw new TypeError('bad config file');\n",
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(['subprocess', 'thread'] as RunnerMode[])(
    'a syntax error in the agent module (%s): the error, file:line:column, the line and a caret',
    async (mode) => {
      const runner = start(mode);
      const file = join(dir, 'syntax.mjs');
      await runner.send(initFor(file));
      expect(await runner.exitCode).toBe(78);
      expect(runner.stderr()).toBe(
        `x: agent module ${file} failed to load: SyntaxError: Unexpected token ';' at ${file}:3:27\n` +
          '    return { summary: "x" ;\n' +
          '                          ^\n',
      );
      expect(runner.messages).toEqual([]);
    },
  );

  it.each([
    [
      'a syntax error in a module it imports names that module',
      'imports-broken.mjs',
      () => `SyntaxError: Unexpected token ';' at ${join(dir, 'helper.mjs')}:2:31`,
    ],
    [
      'an import of a missing export names the importing line and column',
      'missing-export.mjs',
      () =>
        `SyntaxError: The requested module './helper-ok.mjs' does not provide an export named 'nope' at ${join(dir, 'missing-export.mjs')}:1:10`,
    ],
    [
      'an error thrown while the module runs names where it was thrown',
      'throws.mjs',
      () => `TypeError: bad config file at ${join(dir, 'throws.mjs')}:2:9`,
    ],
  ])('%s', async (_name, module, expected) => {
    const runner = start('subprocess');
    await runner.send(initFor(join(dir, module)));
    expect(await runner.exitCode).toBe(78);
    expect(runner.stderr()).toContain(`failed to load: ${expected()}`);
  });
});
