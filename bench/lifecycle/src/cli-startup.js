// `pnpm --filter @x/bench-lifecycle bench:cli` (and the end of `pnpm bench`): how long a user
// waits for a client command. Times `x --version`, `x agent list --json`, `x agent status`,
// `x daemon status` (`node bin.js`, what a linked or installed `x` runs), `x agent list --json`
// through the `x` found on the PATH if any (`pnpm link --global`: a shell shim) and through
// `pnpm x` (inside the repo), against `node -e 0` (the floor) and
// `pm2 jlist` / `pm2 ls` (pm2's CLI on its own God daemon), each with one agent/app running.
// Every case runs once per round, in turn, so that background load moves all of them alike:
// read the ratios. Also counts the files each x command loads as code (ES modules, CommonJS
// modules and vm scripts: fixtures/record-loads.mjs).
// Flags: --samples N (rounds, default 10), --no-pnpm (skip `pnpm x`), --out FILE.
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import Table from 'cli-table3';
import { startPm2Daemon } from './pm2-daemon.js';
import { summarize } from './stats.js';
import { startXDaemon, X_BIN, X_CLI_BIN } from './x-daemon.js';

const { values: flags } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: {
    samples: { type: 'string', default: '10' },
    'no-pnpm': { type: 'boolean', default: false },
    out: { type: 'string' },
  },
});
const samples = Number(flags.samples);
const outFile = resolve(
  flags.out ?? fileURLToPath(new URL('../bench-results/cli-startup.json', import.meta.url)),
);
const log = (text) => process.stderr.write(`${text}\n`);
const run = promisify(execFile);
const PM2_BIN = join(
  dirname(createRequire(import.meta.url).resolve('pm2/package.json')),
  'bin/pm2',
);
const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const RECORD_LOADS = fileURLToPath(new URL('../fixtures/record-loads.mjs', import.meta.url));
const AGENT = fileURLToPath(new URL('../fixtures/idle-agent.mjs', import.meta.url));
const APP = fileURLToPath(new URL('../fixtures/idle-process.cjs', import.meta.url));

/** Spawn → exit of `command args`, ms; rejects when it exits non-zero (but `daemon status`'s 0). */
function time(command, args, env) {
  return new Promise((resolveTime, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('exit', (code) => {
      const elapsed = performance.now() - started;
      if (code !== 0) {
        reject(new Error(`${command} ${args.join(' ')} exited ${code}: ${stderr}`));
      } else {
        resolveTime(elapsed);
      }
    });
  });
}

if (process.env.NODE_EXTRA_CA_CERTS !== undefined || process.env.NODE_OPTIONS !== undefined) {
  // Both are read at every Node start (a CA bundle adds ~40 ms here), the floor's included:
  // they shrink every ratio. turbo (`pnpm bench`) does not pass NODE_EXTRA_CA_CERTS on.
  log('note: NODE_OPTIONS / NODE_EXTRA_CA_CERTS are set; every command timed pays for them');
}
const xDaemon = await startXDaemon();
const pm2Daemon = await startPm2Daemon();
try {
  const started = await xDaemon.rpc.request('agent.start', {
    module: AGENT,
    name: 'idle',
    intervalMs: 60_000,
  });
  xDaemon.track(started.pid);
  const [app] = await pm2Daemon.api.start({ script: APP, name: 'idle', autorestart: false });
  pm2Daemon.track(app?.process?.pid ?? app?.pid);

  const xEnv = { ...process.env, X_HOME: xDaemon.home };
  const pm2Env = { ...process.env, PM2_HOME: pm2Daemon.home };
  const node = process.execPath;
  /** @type {[name: string, command: string, args: string[], env: NodeJS.ProcessEnv, x: boolean][]} */
  const cases = [
    ['node -e 0 (floor)', node, ['-e', '0'], process.env, false],
    ['x --version', node, [X_CLI_BIN, '--version'], xEnv, true],
    ['x agent list --json', node, [X_CLI_BIN, 'agent', 'list', '--json'], xEnv, true],
    ['x agent status idle', node, [X_CLI_BIN, 'agent', 'status', 'idle'], xEnv, true],
    ['x daemon status', node, [X_CLI_BIN, 'daemon', 'status'], xEnv, true],
    ['x agent list --json (node bin.js)', node, [X_BIN, 'agent', 'list', '--json'], xEnv, true],
    ['pm2 jlist', node, [PM2_BIN, 'jlist'], pm2Env, false],
    ['pm2 ls', node, [PM2_BIN, 'ls'], pm2Env, false],
  ];
  // `x` as a user put it on the PATH (`pnpm link --global` in packages/cli: a shell shim).
  const onPath = await run('sh', ['-c', 'command -v x'])
    .then(({ stdout }) => stdout.trim())
    .catch(() => '');
  if (onPath !== '') {
    cases.push([
      'x agent list --json (x on PATH)',
      onPath,
      ['agent', 'list', '--json'],
      xEnv,
      false,
    ]);
  }
  if (!flags['no-pnpm']) {
    cases.push([
      'pnpm x agent list --json',
      'pnpm',
      ['--silent', '--dir', REPO, 'x', 'agent', 'list', '--json'],
      xEnv,
      false,
    ]);
  }

  log(`cli startup: ${cases.length} commands, 2 warm-up rounds then ${samples} rounds`);
  /** @type {Map<string, number[]>} */
  const wall = new Map(cases.map(([name]) => [name, []]));
  for (let round = -2; round < samples; round += 1) {
    for (const [name, command, args, env] of cases) {
      const ms = await time(command, args, env);
      if (round >= 0) {
        wall.get(name)?.push(ms);
      }
    }
  }
  /** @type {Map<string, number>} */
  const modules = new Map();
  for (const [name, command, args, env, isX] of cases) {
    if (isX) {
      const { stderr } = await run(command, ['--import', RECORD_LOADS, ...args], { env });
      // A CommonJS entry is seen by both hooks: count files, not reports.
      modules.set(
        name,
        new Set(stderr.split('\n').filter((line) => line.startsWith('loaded '))).size,
      );
    }
  }

  const results = Object.fromEntries(
    cases.map(([name]) => [
      name,
      { ...summarize(wall.get(name) ?? []), modules: modules.get(name) ?? null },
    ]),
  );
  const floor = results['node -e 0 (floor)'].p50;
  const jlist = results['pm2 jlist'].p50;
  const table = new Table({
    head: ['command', 'median ms', 'p95 ms', '× node -e 0', '× pm2 jlist', 'modules'],
    style: { head: [], border: [] },
  });
  for (const [name, result] of Object.entries(results)) {
    table.push([
      name,
      result.p50.toFixed(1),
      result.p95.toFixed(1),
      `${(result.p50 / floor).toFixed(2)}×`,
      `${(result.p50 / jlist).toFixed(2)}×`,
      result.modules ?? '',
    ]);
  }
  const load = loadavg()[0];
  mkdirSync(dirname(outFile), { recursive: true });
  writeFileSync(
    outFile,
    `${JSON.stringify({ node: process.version, cpus: cpus().length, loadAverage1m: load, startupEnv: { NODE_OPTIONS: process.env.NODE_OPTIONS ?? null, NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS ?? null }, samples, results }, null, 2)}\n`,
  );
  process.stdout.write(
    `cli startup: median of ${samples} rounds, Node ${process.version}, ${cpus().length} cores, load ${load.toFixed(2)}\n${table.toString()}\n`,
  );
  log(`wrote ${outFile}`);
} finally {
  await pm2Daemon.close();
  await xDaemon.close();
}
// pm2's client may keep timers alive after its daemon is gone (see run.js): end explicitly.
process.exit(0);
