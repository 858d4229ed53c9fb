/**
 * The `--json` and JSON-RPC examples of the CLI and control-API references, produced by real
 * runs: a daemon in a temp state directory, the built `x`, and one example agent. Each entry of
 * {@link EXAMPLES} is one step of that run; one with a `page` is written into that page between
 * its markers (see docs-example-blocks.mjs) by `pnpm --filter @x/cli docs:examples`, and
 * `test/docs-examples.test.ts` runs the same steps and fails when the documented JSON and the
 * real output differ in shape.
 *
 * To document a new command: add one line to EXAMPLES (where in the run it makes sense), put
 * the two marker lines where the page should show it, and run the generator.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';

/** The repository's root, and the example agent every example runs. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const AGENT = `${REPO_ROOT}examples/agents/fixtures/docs-example.mjs`;
const BIN = fileURLToPath(new URL('../bin.js', import.meta.url));

export const CLI_PAGE = 'apps/docs/reference/cli.md';
export const CONTROL_API_PAGE = 'apps/docs/reference/control-api.md';

/** One JSON-RPC request line, as sent on the control socket (ids are numbered when run). */
const rpc = (method, params) => ({ method, ...(params === undefined ? {} : { params }) });

/**
 * The run, in order. `x`: the arguments of `x --json …` (its stdout is the example); `rpc`: a
 * session on the control socket (a string is sent as is); `wait`: poll `agent status` until the
 * predicate holds. `page`: where the output is documented; `types`: the interfaces of the CLI
 * reference's Shapes that parts of the output must match (`''` the whole, `a.b`, `a[]` each
 * element of an array), checked by the test.
 */
export const EXAMPLES = [
  { id: 'daemon-start', x: ['daemon', 'start'] },
  {
    id: 'agent-start',
    x: ['agent', 'start', AGENT, '--name', 'docs', '--interval', '200', '--max-cost', '5'],
    types: { '': 'RunRecord', options: 'RunOptions' },
  },
  { id: 'two-iterations', wait: (status) => status.run.iterations >= 2 },
  {
    id: 'agent-send',
    x: ['agent', 'send', 'docs', '{"q":1}', '--wait'],
    page: CLI_PAGE,
    types: { '': 'TurnRecord' },
  },
  { id: 'agent-send-ask', x: ['agent', 'send', 'docs', '{"ask":"shell"}'] },
  { id: 'permission-pending', wait: (status) => status.pendingPermissions.length > 0 },
  {
    id: 'agent-status',
    x: ['agent', 'status', 'docs', '--iterations', '1'],
    page: CLI_PAGE,
    types: {
      '': 'AgentStatus',
      run: 'RunRecord',
      'run.options': 'RunOptions',
      'run.options.budget': 'RunBudget',
      'recentIterations[]': 'IterationRecord',
      'pendingPermissions[]': 'PermissionRecord',
      'recentTurns[]': 'TurnRecord',
      usage: 'RunUsage',
      persistence: 'PersistenceHealth',
    },
  },
  { id: 'agent-list', x: ['agent', 'list'], types: { 'runs[]': 'ListedRun' } },
  { id: 'agent-turns', x: ['agent', 'turns', 'docs'], types: { 'turns[]': 'TurnRecord' } },
  {
    id: 'agent-approve',
    x: ['agent', 'approve', 'docs', 'p-1', '--reason', 'looks safe'],
    types: { '': 'PermissionRecord' },
  },
  {
    id: 'agent-checkpoints',
    x: ['agent', 'checkpoints', 'docs'],
    types: { 'checkpoints[]': 'CheckpointMeta', 'threadCheckpoints[]': 'ThreadCheckpointMeta' },
  },
  {
    id: 'control-session',
    page: CONTROL_API_PAGE,
    rpc: [
      rpc('system.ping'),
      rpc('agent.status', { ref: 'docs', iterations: 1 }),
      rpc('agent.start', { module: AGENT, name: 'docs' }),
      rpc('agent.start', {
        kind: 'service',
        name: 'sleeper',
        command: ['sleep', '600'],
        restart: { mode: 'on-failure', intensity: { maxRestarts: 3 } },
      }),
      rpc('agent.status', { ref: 'sleeper', iterations: 0 }),
      rpc('agent.stop', { ref: 'sleeper', stopBudget: { sigtermMs: 1000 } }),
      rpc('agent.start', {
        command: ['python3', 'examples/runners/python/runner.py'],
        restart: { mode: 'sometimes' },
      }),
      rpc('agent.start', { kind: 'service', module: AGENT }),
      rpc('agent.logs', { ref: 'nope' }),
      rpc('agent.list', { all: 'yes' }),
      rpc('agent.teleport'),
      'not json',
      rpc('agent.turns', { ref: 'docs', limit: 1 }),
    ],
  },
  { id: 'error-not-found', x: ['agent', 'status', 'nope'], page: CLI_PAGE },
  { id: 'error-usage', x: ['agent', 'start', 'a.mjs', '--param', 'nokey'], page: CLI_PAGE },
  { id: 'error-usage-x', x: ['agent', 'status'], page: CLI_PAGE },
  { id: 'agent-stop', x: ['agent', 'stop', 'docs'], types: { '': 'RunRecord' } },
  {
    id: 'daemon-status',
    x: ['daemon', 'status'],
    types: { '': 'DaemonStatus', persistence: 'PersistenceHealth' },
  },
  { id: 'agent-start-survivor', x: ['agent', 'start', AGENT, '--name', 'survivor'] },
  { id: 'daemon-restart', x: ['daemon', 'restart'], page: CLI_PAGE },
  { id: 'daemon-stop', x: ['daemon', 'stop'] },
];

/** How long one `x` command or one wait may take, ms (the machine may be loaded). */
const STEP_TIMEOUT_MS = 60_000;

/**
 * Runs every step of {@link EXAMPLES} against a new daemon in a temp state directory under
 * /tmp, and returns what each printed: `{ id, command, exitCode, json }` for `x` steps (`json`:
 * stdout parsed), `{ id, lines: [{ sent, received }] }` for `rpc` steps. The daemon is stopped
 * and the directory removed whatever happens.
 * @throws Error naming the step when a command prints no JSON or a wait times out.
 */
export async function runExamples(examples = EXAMPLES) {
  const home = mkdtempSync('/tmp/x-docs-');
  const startedAt = Date.now();
  const results = [];
  try {
    for (const example of examples) {
      if (example.x !== undefined) {
        results.push({ id: example.id, ...(await runX(home, example)) });
      } else if (example.rpc !== undefined) {
        results.push({ id: example.id, lines: await runSession(`${home}/x.sock`, example.rpc) });
      } else if (example.wait !== undefined) {
        await waitForStatus(home, example);
      }
    }
  } finally {
    await xRaw(home, ['daemon', 'stop']);
    rmSync(home, { recursive: true, force: true });
  }
  return { home, startedAt, results };
}

async function runX(home, example) {
  const { code, stdout, stderr } = await xRaw(home, [...example.x, '--json']);
  let json;
  try {
    json = JSON.parse(stdout);
  } catch {
    throw new Error(
      `docs example ${example.id}: \`x --json ${example.x.join(' ')}\` printed no JSON (exit ${code}):\n${stdout}\n${stderr}`,
    );
  }
  return { command: `x --json ${example.x.map(shellWord).join(' ')}`, exitCode: code, json };
}

async function waitForStatus(home, example) {
  const deadline = Date.now() + STEP_TIMEOUT_MS;
  for (;;) {
    const { stdout } = await xRaw(home, ['agent', 'status', 'docs', '--json']);
    try {
      if (example.wait(JSON.parse(stdout))) {
        return;
      }
    } catch {
      // Not yet JSON of a status (the run is starting): ask again.
    }
    if (Date.now() > deadline) {
      throw new Error(`docs example ${example.id}: still waiting after ${STEP_TIMEOUT_MS} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Runs the built `x` in the repository's root with `--home`; never rejects. */
function xRaw(home, args) {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, '--home', home, ...args],
      { cwd: REPO_ROOT, timeout: STEP_TIMEOUT_MS, env: withoutHome(process.env) },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** The environment without X_HOME: `--home` names the directory (and the docs omit it). */
function withoutHome(env) {
  const copy = { ...env };
  delete copy.X_HOME;
  return copy;
}

/** A word of a command line as a shell user types it: quoted when it holds shell syntax. */
function shellWord(word) {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}

/**
 * Sends each request as one line on the control socket and waits for one response line before
 * the next (as the session script of the control-API reference does).
 */
async function runSession(socketPath, requests) {
  const socket = connect(socketPath);
  socket.setEncoding('utf8');
  let buffer = '';
  let answered;
  const received = [];
  socket.on('data', (text) => {
    buffer += text;
    let at;
    while ((at = buffer.indexOf('\n')) !== -1) {
      received.push(buffer.slice(0, at));
      buffer = buffer.slice(at + 1);
      answered?.();
    }
  });
  await new Promise((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const lines = [];
  let id = 0;
  try {
    for (const request of requests) {
      const sent =
        typeof request === 'string'
          ? request
          : JSON.stringify({ jsonrpc: '2.0', id: (id += 1), ...request });
      const before = received.length;
      await new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`docs example: no answer to ${sent}`)),
          STEP_TIMEOUT_MS,
        );
        answered = () => {
          clearTimeout(timer);
          resolve();
        };
        socket.write(`${sent}\n`);
      });
      lines.push({ sent, received: received[before] });
    }
  } finally {
    socket.end();
  }
  return lines;
}
