import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LaunchSpec } from './runner-launcher.js';
import { createThreadLauncher } from './thread-launcher.js';

// Real worker threads running small plain-JS entries that keep the launcher's contract
// (workerData { port, codec, exitFlag }; exitFlag set on the thread's own exit, as the
// kernel's worker entry does).

const ENTRY_PRELUDE = `
import { workerData } from 'node:worker_threads';
process.on('exit', () => Atomics.store(workerData.exitFlag, 0, 1));
`;
const ENTRIES = {
  /** Ends on its own with exit code 1 after 300 ms (an agent calling process.exit(1)). */
  exitsWith1: `${ENTRY_PRELUDE}setTimeout(() => process.exit(1), 300);`,
  /** Ends on its own with exit code 0 after 300 ms. */
  exitsWith0: `${ENTRY_PRELUDE}setTimeout(() => process.exit(0), 300);`,
  /** Runs until terminated. */
  runsForever: `${ENTRY_PRELUDE}setInterval(() => undefined, 1000);`,
  /** An older worker entry: never sets exitFlag; ends with exit code 3 after 300 ms. */
  oldEntryExits3: `setTimeout(() => process.exit(3), 300);`,
};

let dir: string;
beforeAll(() => {
  dir = mkdtempSync('/tmp/x-tl-');
  for (const [name, source] of Object.entries(ENTRIES)) {
    writeFileSync(`${dir}/${name}.mjs`, source);
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const spec: LaunchSpec = {
  runId: 'run-tl-1',
  name: 'tl',
  codec: 'jsonl',
  cwd: '/tmp',
  env: {},
  runnerMode: 'thread',
};

function launch(entry: keyof typeof ENTRIES) {
  // execArgv []: the worker must not inherit the test runner's --conditions.
  const launcher = createThreadLauncher({ workerUrl: `${dir}/${entry}.mjs`, execArgv: [] });
  return launcher.launch(spec);
}

/** Blocks this thread for `ms`: the worker ends meanwhile, its 'exit' event waits for us. */
function blockFor(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // busy wait
  }
}

const online = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('createThreadLauncher: signal() and how the exit is reported', () => {
  it('signal() to a running thread terminates it: exit code 1, terminated', async () => {
    const runner = launch('runsForever');
    await online(600); // generous: a loaded 2-core machine can take this long to start a worker
    expect(runner.signal('SIGKILL')).toBe(true);
    expect(runner.signal('SIGKILL')).toBe(false); // once
    expect(await runner.exited).toEqual({ exitCode: 1, signal: null, terminated: true });
  });

  it.each([
    ['exitsWith1', 1],
    ['exitsWith0', 0],
  ] as const)(
    'signal() after the thread ended on its own (%s) but before its exit event: its own exit, not terminated',
    async (entry, exitCode) => {
      const runner = launch(entry);
      await online(150); // the thread starts
      blockFor(1500); // it calls process.exit meanwhile; its 'exit' event is queued behind us
      expect(runner.signal('SIGKILL')).toBe(true);
      expect(await runner.exited).toEqual({ exitCode, signal: null });
    },
  );

  it('an older entry that never sets exitFlag: an exit code other than 1 is its own', async () => {
    const runner = launch('oldEntryExits3');
    await online(150);
    blockFor(1500);
    expect(runner.signal('SIGKILL')).toBe(true);
    expect(await runner.exited).toEqual({ exitCode: 3, signal: null });
  });

  it('signal() after the exit event returns false', async () => {
    const runner = launch('exitsWith0');
    expect(await runner.exited).toEqual({ exitCode: 0, signal: null });
    expect(runner.signal('SIGTERM')).toBe(false);
  });
});
