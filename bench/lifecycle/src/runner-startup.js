// `pnpm --filter @x/bench-lifecycle profile:runner`: where a runner's spawn → ready goes.
// Spawns `x runner --pipe` exactly as the daemon does (same argv, fd 3 socketpair, own process
// group, X_IPC_CODEC, init sent at once) and times spawn → `ready`; times bare `node`
// children that import one layer more each, writing to fd 3 once loaded, to split the cost;
// and starts the same agent through two daemons (`agent.start`, the daemon's readyAt −
// createdAt), one with X_RUNNER_SPARES=0 (cold: the daemon's share) and one as it ships (the
// spare). Every case runs once per round, interleaved with the bare-node
// floor, so that a change in background load moves all of them alike: compare the ratios.
// Flags: --samples N (rounds, default 15), --cpu-prof DIR (profile the runners into DIR),
// --bin FILE (another runner entry), --agent FILE (another agent module),
// --runner-only (skip the import layers), --no-daemon (skip the daemon cases).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { PROTOCOL_VERSION } from '@x/ipc';
import { summarize } from './stats.js';
import { startXDaemon, X_BIN } from './x-daemon.js';

const { values: flags } = parseArgs({
  // `pnpm bench -- --samples 5` passes the `--` through.
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: {
    samples: { type: 'string', default: '15' },
    'cpu-prof': { type: 'string' },
    bin: { type: 'string' },
    agent: { type: 'string' },
    'runner-only': { type: 'boolean', default: false },
    'no-daemon': { type: 'boolean', default: false },
  },
});
const samples = Number(flags.samples);
const warmup = 2;
const AGENT = resolve(
  flags.agent ?? fileURLToPath(new URL('../fixtures/idle-agent.mjs', import.meta.url)),
);
const RUNNER_BIN = resolve(flags.bin ?? X_BIN);
const cliDir = dirname(X_BIN);
const fromCli = createRequire(`${cliDir}/package.json`);
const fromIpc = createRequire(fromCli.resolve('@x/ipc/package.json'));
const fromKernel = createRequire(fromCli.resolve('@x/kernel/package.json'));
const url = (path) => pathToFileURL(path).href;
const kernelDist = dirname(fromKernel.resolve('@x/kernel/package.json'));
const ESM = {
  commander: url(fromCli.resolve('commander')).replace(/index\.js$/, 'esm.mjs'),
  cliMain: url(resolve(cliDir, 'dist/main.js')),
  typeboxCompiler: url(fromIpc.resolve('@sinclair/typebox/compiler')),
  msgpackr: url(fromIpc.resolve('msgpackr')),
  ipc: url(fromCli.resolve('@x/ipc')),
  kernel: url(fromCli.resolve('@x/kernel')),
  kernelFiles: url(resolve(kernelDist, 'dist/index.js')),
  kernelPipe: url(resolve(kernelDist, 'dist/pipe-entry.js')),
  bundle: url(resolve(cliDir, 'dist/runner.mjs')),
};

/** Spawn → first frame on fd 3, in ms, and the main thread's CPU time by then. */
function time(args, { init = false, env = {} } = {}) {
  return new Promise((resolveTime, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, {
      cwd: cliDir,
      env: { ...process.env, X_IPC_CODEC: 'jsonl', ...env },
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const fd3 = child.stdio[3];
    fd3.on('error', () => undefined);
    let elapsed;
    let cpuMs;
    fd3.once('data', () => {
      elapsed = performance.now() - started;
      cpuMs = readCpuMs(child.pid);
      if (init) {
        // A runner then gets `stop`; the bare children exit by themselves.
        fd3.write(`${JSON.stringify({ type: 'stop', graceMs: 1000 })}\n`);
      }
    });
    if (init) {
      fd3.write(
        `${JSON.stringify({
          type: 'init',
          protocolVersion: PROTOCOL_VERSION,
          codec: 'jsonl',
          runId: 'r-startup',
          name: 'startup',
          module: AGENT,
          params: {},
          intervalMs: 3_600_000,
          heartbeatIntervalMs: 1000,
        })}\n`,
      );
    }
    child.once('error', reject);
    child.once('exit', (code) =>
      elapsed === undefined
        ? reject(new Error(`child exited (${code}) before writing fd 3: ${stderr}`))
        : resolveTime({ ms: elapsed, cpuMs }),
    );
  });
}

/**
 * CPU time of a process's main thread so far, ms: the first field of /proc/<pid>/schedstat
 * (ns on a CPU). Less sensitive to other load on the machine than the wall time.
 */
function readCpuMs(pid) {
  try {
    return Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
  } catch {
    return Number.NaN;
  }
}

const writeFd3 = `(await import('node:fs')).writeSync(3, '{"type":"ready"}\\n');`;
const importing = (...specifiers) => [
  '--input-type=module',
  '-e',
  `${specifiers.map((s) => `await import('${s}');`).join('')}${writeFd3}`,
];
const profile =
  flags['cpu-prof'] === undefined
    ? []
    : ['--cpu-prof', '--cpu-prof-dir', resolve(flags['cpu-prof'])];
if (flags['cpu-prof'] !== undefined) {
  mkdirSync(resolve(flags['cpu-prof']), { recursive: true });
}

const FLOOR = 'node -e (floor)';
const RUNNER = 'x runner --pipe: spawn → ready (as the daemon starts it)';
const DAEMON_COLD = 'the same through a daemon, X_RUNNER_SPARES=0: readyAt − createdAt';
const DAEMON_SPARE = 'through a daemon with its default spare: readyAt − createdAt';
const layers = [
  ['node, ESM entry', () => time(importing())],
  ['+ commander', () => time(importing(ESM.commander))],
  ['+ @x/cli/main (commander + program)', () => time(importing(ESM.cliMain))],
  ['+ typebox/compiler', () => time(importing(ESM.typeboxCompiler))],
  ['+ msgpackr', () => time(importing(ESM.msgpackr))],
  ['+ @x/ipc (root: schema, TypeBox, rpc)', () => time(importing(ESM.ipc))],
  [
    '+ @x/kernel (root, one bundled file: what an agent imports)',
    () => time(importing(ESM.kernel)),
  ],
  [
    '+ @x/kernel root as tsc wrote it (dist/index.js, ~20 files)',
    () => time(importing(ESM.kernelFiles)),
  ],
  ['+ @x/kernel/pipe (unbundled runner modules)', () => time(importing(ESM.kernelPipe))],
  ...(existsSync(fileURLToPath(ESM.bundle))
    ? [['+ dist/runner.mjs (the runner bundle)', () => time(importing(ESM.bundle))]]
    : []),
];
const cases = [
  [FLOOR, () => time(['-e', `require('node:fs').writeSync(3, '{"type":"ready"}\\n')`])],
  ...(flags['runner-only'] ? [] : layers),
  [RUNNER, () => time([...profile, RUNNER_BIN, 'runner', '--pipe'], { init: true })],
];

// Two daemons: one as it ships (a spare runner started ahead) and one with X_RUNNER_SPARES=0,
// where every start is a cold `x runner --pipe`: the figures the spare's default is decided on.
const daemons = flags['no-daemon']
  ? []
  : [
      [DAEMON_COLD, await startXDaemon({ env: { X_RUNNER_SPARES: '0' } })],
      [DAEMON_SPARE, await startXDaemon()],
    ];
for (const [label, daemon] of daemons) {
  let n = 0;
  cases.push([
    label,
    async () => {
      const run = await daemon.rpc.request(
        'agent.start',
        { module: AGENT, name: `startup-${(n += 1)}`, intervalMs: 3_600_000 },
        { timeoutMs: 30_000 },
      );
      daemon.track(run.pid);
      await daemon.rpc.request('agent.stop', { ref: run.runId }, { timeoutMs: 30_000 });
      return { ms: run.readyAt - run.createdAt, cpuMs: Number.NaN };
    },
  ]);
}

const load = [loadavg()[0]];
const wall = new Map(cases.map(([label]) => [label, []]));
const cpu = new Map(cases.map(([label]) => [label, []]));
try {
  for (let round = 0; round < warmup + samples; round += 1) {
    for (const [label, run] of cases) {
      const { ms, cpuMs } = await run();
      if (round >= warmup) {
        wall.get(label).push(ms);
        cpu.get(label).push(cpuMs);
      }
    }
  }
} finally {
  await Promise.all(daemons.map(([, daemon]) => daemon.close()));
}
load.push(loadavg()[0]);

const floor = summarize(wall.get(FLOOR));
process.stdout.write(
  `${samples} rounds, each case once per round after the floor; 1-min load average ${load.map((l) => l.toFixed(2)).join(' → ')}\n`,
);
for (const [label] of cases) {
  const w = summarize(wall.get(label));
  const c = summarize(cpu.get(label).filter((v) => !Number.isNaN(v)));
  const cpuText = Number.isNaN(c.p50) ? '      —' : `${c.p50.toFixed(1).padStart(5)} ms`;
  process.stdout.write(
    `${label.padEnd(64)} p50 ${w.p50.toFixed(1).padStart(6)} ms  p95 ${w.p95.toFixed(1).padStart(6)} ms  ${(w.p50 / floor.p50).toFixed(2).padStart(5)}× floor  main-thread CPU p50 ${cpuText}\n`,
  );
}
