#!/usr/bin/env node
// Retention soak (issue 16, item 6): a fleet of fast runners against a real daemon, with the
// database size sampled over time. By hand, not in CI: it takes as long as you ask.
//
//   node bench/retention-soak/soak.mjs [--runners 50] [--interval 100] [--minutes 10]
//        [--sample 30] [--max-per-run 2000] [--home /tmp/x-soak] [--runner-mode subprocess]
//
// Starts `x daemon start --max-iterations-per-run <n>` for a fresh X_HOME, starts the runners
// (examples/agents/fixtures/counter.mjs), prints a sample every --sample seconds (x.db, WAL,
// `databaseBytes` from `x daemon status --json`, iterations counted and stored, the daemon's
// RSS), then the longest prune step the daemon logged, and stops the daemon.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = `${root}packages/cli/bin.js`;
const counter = `${root}examples/agents/fixtures/counter.mjs`;
const Database = createRequire(`${root}packages/daemon/package.json`)('better-sqlite3');

const { values: opts } = parseArgs({
  options: {
    runners: { type: 'string', default: '50' },
    interval: { type: 'string', default: '100' },
    minutes: { type: 'string', default: '10' },
    sample: { type: 'string', default: '30' },
    'max-per-run': { type: 'string', default: '2000' },
    home: { type: 'string', default: '/tmp/x-soak' },
    'runner-mode': { type: 'string', default: 'subprocess' },
  },
});
const home = opts.home;
const env = { ...process.env, X_HOME: home };
const x = (...args) => execFileSync(process.execPath, [bin, ...args], { env, encoding: 'utf8' });
const xJson = (...args) => JSON.parse(x(...args, '--json'));
const size = (path) => (existsSync(path) ? statSync(path).size : 0);
const mib = (bytes) => (bytes / 1024 / 1024).toFixed(1);

rmSync(home, { recursive: true, force: true });
x('daemon', 'start', '--max-iterations-per-run', opts['max-per-run']);
const { pid } = xJson('daemon', 'status');
const runners = Number(opts.runners);
for (let i = 0; i < runners; i += 1) {
  x(
    'agent',
    'start',
    counter,
    '--name',
    `soak-${i}`,
    '--interval',
    opts.interval,
    '--runner-mode',
    opts['runner-mode'],
  );
}
console.log(
  `${runners} runners at ${opts.interval} ms (${opts['runner-mode']}), --max-iterations-per-run ${opts['max-per-run']}, daemon pid ${pid}, X_HOME=${home}`,
);

const started = Date.now();
const rows = [];
const sample = () => {
  const db = new Database(`${home}/x.db`, { readonly: true });
  const stored = db.prepare('SELECT count(*) AS n FROM agent_iterations').get().n;
  const events = db.prepare('SELECT count(*) AS n FROM events').get().n;
  db.close();
  const info = xJson('daemon', 'status');
  const counted = xJson('agent', 'list').runs.reduce((sum, run) => sum + run.iterations, 0);
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
  const row = {
    min: ((Date.now() - started) / 60_000).toFixed(1),
    'x.db MiB': mib(size(`${home}/x.db`)),
    'wal MiB': mib(size(`${home}/x.db-wal`)),
    'status MiB': mib(info.databaseBytes),
    iterations: counted,
    stored,
    events,
    'daemon RSS MiB': (rssKb / 1024).toFixed(0),
    active: info.activeRuns,
  };
  rows.push(row);
  console.log(
    Object.entries(row)
      .map(([k, v]) => `${k}=${v}`)
      .join(' '),
  );
};

sample();
const end = started + Number(opts.minutes) * 60_000;
while (Date.now() < end) {
  await new Promise((resolve) =>
    setTimeout(resolve, Math.min(Number(opts.sample) * 1000, end - Date.now())),
  );
  sample();
}

const passes = readFileSync(`${home}/daemon.log`, 'utf8')
  .split('\n')
  .flatMap((line) => {
    const m =
      /retention: pruned (\d+) iteration.* in (\d+) step\(s\), (\d+) ms in all, longest ([\d.]+) ms/.exec(
        line,
      );
    return m === null
      ? []
      : [
          {
            iterations: Number(m[1]),
            steps: Number(m[2]),
            busy: Number(m[3]),
            longest: Number(m[4]),
          },
        ];
  });
x('daemon', 'stop');
console.table(rows);
if (passes.length > 0) {
  const longest = passes.reduce((a, b) => (b.longest > a.longest ? b : a));
  console.log(
    `${passes.length} prune pass(es) that deleted something; longest step ${longest.longest} ms (a pass of ${longest.iterations} iterations in ${longest.steps} steps, ${longest.busy} ms in all); ` +
      `iterations per pass ${Math.min(...passes.map((p) => p.iterations))}..${Math.max(...passes.map((p) => p.iterations))}`,
  );
}
