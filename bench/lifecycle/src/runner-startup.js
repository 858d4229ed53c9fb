// `pnpm --filter @x/bench-lifecycle profile:runner`: where a runner's spawn → ready goes.
// Spawns `x runner --pipe` exactly as the daemon does (same argv, fd 3 socketpair, own process
// group, X_IPC_CODEC, init sent at once) and times spawn → `ready`; then times bare `node`
// children that import one layer more each, writing to fd 3 once loaded, to split the cost.
// Flags: --samples N (default 15), --cpu-prof DIR (profile the runners into DIR),
// --bin FILE (another runner entry, e.g. a bundle), --agent FILE (another agent module),
// --runner-only (skip the import layers).
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { PROTOCOL_VERSION } from '@x/ipc';
import { summarize } from './stats.js';
import { X_BIN } from './x-daemon.js';

const { values: flags } = parseArgs({
  // `pnpm bench -- --samples 5` passes the `--` through.
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: {
    samples: { type: 'string', default: '15' },
    'cpu-prof': { type: 'string' },
    bin: { type: 'string' },
    agent: { type: 'string' },
    'runner-only': { type: 'boolean', default: false },
  },
});
const samples = Number(flags.samples);
const AGENT = resolve(
  flags.agent ?? fileURLToPath(new URL('../fixtures/idle-agent.mjs', import.meta.url)),
);
const RUNNER_BIN = resolve(flags.bin ?? X_BIN);
const cliDir = dirname(X_BIN);
const fromCli = createRequire(`${cliDir}/package.json`);
const fromIpc = createRequire(fromCli.resolve('@x/ipc/package.json'));
const url = (path) => pathToFileURL(path).href;
const ESM = {
  commander: url(fromCli.resolve('commander')).replace(/index\.js$/, 'esm.mjs'),
  cliMain: url(resolve(cliDir, 'dist/main.js')),
  typeboxCompiler: url(fromIpc.resolve('@sinclair/typebox/compiler')),
  msgpackr: url(fromIpc.resolve('msgpackr')),
  ipc: url(fromCli.resolve('@x/ipc')),
  kernel: url(fromCli.resolve('@x/kernel')),
};

/** Spawn → first frame on fd 3, in ms. */
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

/** User + system CPU time of a process so far, ms (from /proc/<pid>/stat, 10 ms ticks). */
function readCpuMs(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 of proc(5), utime and stime, counted from field 3 (state).
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_S;
  } catch {
    return Number.NaN;
  }
}
const CLOCK_TICKS_PER_S = 100;

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

const cases = [
  ['node -e (floor)', () => time(['-e', `require('node:fs').writeSync(3, '{"type":"ready"}\\n')`])],
  ['node, ESM entry', () => time(importing())],
  ['+ commander', () => time(importing(ESM.commander))],
  ['+ @x/cli/main (commander + program)', () => time(importing(ESM.cliMain))],
  ['+ typebox/compiler', () => time(importing(ESM.typeboxCompiler))],
  ['+ msgpackr', () => time(importing(ESM.msgpackr))],
  ['+ @x/ipc (typebox, msgpackr, validators compiled)', () => time(importing(ESM.ipc))],
  ['+ @x/kernel (@x/ipc + kernel)', () => time(importing(ESM.kernel))],
  ['+ @x/cli/main + @x/kernel', () => time(importing(ESM.cliMain, ESM.kernel))],
  [
    'x runner --pipe: spawn → ready (as the daemon starts it)',
    () => time([...profile, RUNNER_BIN, 'runner', '--pipe'], { init: true }),
  ],
];

const results = {};
for (const [label, run] of flags['runner-only'] ? cases.slice(-1) : cases) {
  const times = [];
  const cpu = [];
  for (let i = 0; i < samples + 2; i += 1) {
    const { ms, cpuMs } = await run();
    if (i >= 2) {
      times.push(ms);
      cpu.push(cpuMs);
    }
  }
  results[label] = { wall: summarize(times), cpu: summarize(cpu) };
  const { wall } = results[label];
  process.stdout.write(
    `${label.padEnd(56)} p50 ${wall.p50.toFixed(1).padStart(6)} ms  p95 ${wall.p95.toFixed(1).padStart(6)} ms  CPU p50 ${results[label].cpu.p50.toFixed(0).padStart(4)} ms\n`,
  );
}
