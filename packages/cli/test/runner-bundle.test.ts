import { spawn } from 'node:child_process';
import {
  copyFileSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import {
  PROTOCOL_VERSION,
  getCodec,
  validateRunnerMessage,
  type CodecName,
  type RunnerMessage,
  type SupervisorMessage,
} from '@x/ipc';
import { createStreamChannel } from '@x/ipc/node';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, FIXTURES, x } from './helpers.js';

// `x runner --pipe` loads dist/runner.mjs (scripts/build-runner.mjs), @x/kernel/pipe bundled
// into one module. These tests run the built bin.js and bundle (turbo builds before testing).

const CLI_ROOT = fileURLToPath(new URL('../', import.meta.url));
const BUNDLE = `${CLI_ROOT}dist/runner.mjs`;
const COUNTER = `${FIXTURES}counter.mjs`;

/**
 * A preload (`--import`) that reports what the runner loads, on stderr: every ES module URL
 * resolved (a module hook, Node ≥ 20.6) and, at exit, every CommonJS file in require.cache.
 */
const HOOKS = `import { writeSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  writeSync(2, 'x-test-esm ' + result.url + '\\n');
  return result;
}`;
const PRELOAD = `import { register, createRequire } from 'node:module';
import { writeSync } from 'node:fs';
register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(HOOKS)}));
const cache = createRequire('/').cache;
process.on('exit', () => writeSync(2, Object.keys(cache).map((f) => 'x-test-cjs ' + f + '\\n').join('')));`;

interface Runner {
  messages: RunnerMessage[];
  stderr(): string;
  /** ES module URLs and CommonJS files the runner loaded (complete once it has exited). */
  loaded(): string[];
  next<T extends RunnerMessage['type']>(type: T): Promise<Extract<RunnerMessage, { type: T }>>;
  send(message: SupervisorMessage): Promise<void>;
  exited: Promise<number | null>;
}

const children: { kill(signal: NodeJS.Signals): boolean }[] = [];
const dirs: string[] = [];
afterAll(() => {
  children.forEach((child) => child.kill('SIGKILL'));
  dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true }));
});

/** Spawns `bin` as the daemon does: `runner --pipe`, a socketpair on fd 3, X_IPC_CODEC. */
function spawnRunner(bin: string, codec: CodecName = 'jsonl'): Runner {
  const child = spawn(
    process.execPath,
    ['--import', `data:text/javascript,${encodeURIComponent(PRELOAD)}`, bin, 'runner', '--pipe'],
    { stdio: ['ignore', 'ignore', 'pipe', 'pipe'], env: { ...process.env, X_IPC_CODEC: codec } },
  );
  children.push(child);
  let stderr = '';
  (child.stdio[2] as Readable).setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const channel = createStreamChannel<RunnerMessage, SupervisorMessage>({
    readable: child.stdio[3] as Socket,
    codec: getCodec(codec),
    validate: validateRunnerMessage,
  });
  const messages: RunnerMessage[] = [];
  channel.onMessage((message) => messages.push(message));
  return {
    messages,
    stderr: () => stderr,
    loaded: () => [...stderr.matchAll(/^x-test-(?:esm|cjs) (.*)$/gm)].map((match) => match[1]),
    next: (type) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          clearInterval(poll);
          reject(new Error(`no ${type} within 15 s; stderr: ${stderr}`));
        }, 15_000);
        const found = () => messages.find((message) => message.type === type);
        const poll = setInterval(() => {
          const message = found();
          if (message !== undefined) {
            clearInterval(poll);
            clearTimeout(timer);
            resolve(message as never);
          }
        }, 5);
      }),
    send: (message) => channel.send(message),
    exited: new Promise((resolve) => child.once('close', (code) => resolve(code))),
  };
}

const init = (codec: CodecName, overrides: Record<string, unknown> = {}) =>
  ({
    type: 'init',
    protocolVersion: PROTOCOL_VERSION,
    codec,
    runId: 'r-bundle',
    name: 'bundle',
    module: COUNTER,
    params: {},
    intervalMs: 3_600_000,
    ...overrides,
  }) as SupervisorMessage;

describe('the bundled runner (dist/runner.mjs)', () => {
  it('is built: one ES module that imports nothing but Node built-ins', () => {
    const source = readFileSync(BUNDLE, 'utf8');
    const specifiers = [...source.matchAll(/^import .*? from "([^"]+)";$/gm)].map((m) => m[1]);
    expect(specifiers.length).toBeGreaterThan(0);
    expect(specifiers.filter((specifier) => !specifier?.startsWith('node:'))).toEqual([]);
    expect(source).toMatch(/^export \{[^}]*\brunPipe\b/m);
    // A runner checks what it receives; the checks of what it sends (a third of the bundle,
    // parsed at every start) are left out (@x/ipc's generated checks are marked pure).
    expect(source).toContain('SUPERVISOR_MESSAGE_CHECKS');
    expect(source).not.toContain('RUNNER_MESSAGE_CHECKS');
  });

  it('the thread launcher gets its own bundle, dist/worker.mjs, which runs itself in a worker', async () => {
    const source = readFileSync(`${CLI_ROOT}dist/worker.mjs`, 'utf8');
    const specifiers = [...source.matchAll(/^import .*? from "([^"]+)";$/gm)].map((m) => m[1]);
    expect(specifiers.filter((specifier) => !specifier?.startsWith('node:'))).toEqual([]);
    expect(source).toMatch(/^if \(!isMainThread\) \{/m);
    const { createLauncher } = (await import(`${CLI_ROOT}dist/launcher.js`)) as {
      createLauncher: (options: { env: NodeJS.ProcessEnv }) => { modes?: readonly string[] };
    };
    // The built launcher offers thread mode (it found a worker entry).
    expect(createLauncher({ env: { X_RUNNER_SPARES: '0' } }).modes).toContain('thread');
  });

  it('`x runner --pipe` without fd 3 exits 64 (EX_USAGE) and says who starts it', async () => {
    const result = await x('/tmp', ['runner', '--pipe']);
    expect(result.code).toBe(64);
    expect(result.stderr).toContain('file descriptor 3 is not an IPC socket');
  });

  it('a jsonl runner loads the bundle, reports ready, and loads no TypeBox, msgpackr or @x/ipc module', async () => {
    const runner = spawnRunner(BIN);
    await runner.send(init('jsonl'));
    const ready = await runner.next('ready');
    expect(ready).toMatchObject({ protocolVersion: PROTOCOL_VERSION, codec: 'jsonl' });
    await runner.next('iteration_done');
    await runner.send({ type: 'stop', graceMs: 2000 });
    expect(await runner.exited).toBe(0);
    expect(runner.messages.at(-1)).toMatchObject({ type: 'exit', reason: 'stopped' });

    const loaded = runner.loaded();
    expect(loaded).toContain(`file://${BUNDLE}`);
    // The agent's own `import { defineAgent } from '@x/kernel'`: the root's bundle, one file
    // (packages/kernel/scripts/build-root.mjs), no @x/ipc.
    expect(loaded.filter((url) => url.includes('/kernel/dist/'))).toEqual([
      expect.stringMatching(/\/kernel\/dist\/kernel\.js$/),
    ]);
    expect(loaded.filter((url) => /\/kernel\/dist\/pipe-entry\.js$|\/ipc\//.test(url))).toEqual([]);
    expect(loaded.filter((url) => /typebox|msgpackr/.test(url))).toEqual([]);
  });

  it('a msgpack runner requires msgpackr on first use, from @x/cli’s dependencies, and reports ready', async () => {
    const runner = spawnRunner(BIN, 'msgpack');
    await runner.send(init('msgpack'));
    expect(await runner.next('ready')).toMatchObject({ codec: 'msgpack' });
    await runner.send({ type: 'stop', graceMs: 2000 });
    expect(await runner.exited).toBe(0);
    expect(runner.loaded().some((file) => /\/msgpackr\/dist\/node\.cjs$/.test(file))).toBe(true);
    expect(runner.loaded().filter((file) => /typebox/.test(file))).toEqual([]);
  });

  it('an invalid init is explained with the offending field (TypeBox required on that path only); a valid one then works', async () => {
    const runner = spawnRunner(BIN);
    await runner.send(init('jsonl', { intervalMs: -1 }));
    await runner.send(init('jsonl'));
    await runner.next('ready');
    expect(runner.stderr()).toMatch(/x runner: .*\/intervalMs.*greater or equal to 0/);
    await runner.send({ type: 'stop', graceMs: 2000 });
    expect(await runner.exited).toBe(0);
    expect(runner.loaded().some((file) => /typebox\/build\/cjs\/errors\//.test(file))).toBe(true);
  });

  it('without dist/runner.mjs (an unbuilt checkout) bin.js falls back to @x/kernel/pipe', async () => {
    const dir = mkdtempSync('/tmp/x-rb-');
    dirs.push(dir);
    copyFileSync(BIN, `${dir}/bin.js`);
    writeFileSync(`${dir}/package.json`, '{ "type": "module" }\n');
    symlinkSync(`${CLI_ROOT}node_modules`, `${dir}/node_modules`);
    const runner = spawnRunner(`${dir}/bin.js`);
    await runner.send(init('jsonl'));
    await runner.next('ready');
    await runner.send({ type: 'stop', graceMs: 2000 });
    expect(await runner.exited).toBe(0);
    expect(runner.loaded().some((url) => url.endsWith('/kernel/dist/pipe-entry.js'))).toBe(true);
  });
});
