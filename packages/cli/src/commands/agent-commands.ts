import { resolve } from 'node:path';
import type {
  AgentStatus,
  ForkOrigin,
  RestartPolicyInput,
  RunBudgetOptions,
  RunRecord,
  RunResources,
  UsageTotals,
} from '@x/daemon';
import { isActiveState } from '@x/daemon/light';
import {
  formatBudget,
  pausedField,
  resumeHint,
  usageCells,
  usageFields,
} from '../budget-format.js';
import { REQUEST_TIMEOUT_MS, withDaemon } from '../daemon-client.js';
import { CliError } from '../errors.js';
import { EXIT_CODES } from '../exit-codes.js';
import { followFile } from '../follow-file.js';
import { listRuns } from '../list-runs.js';
import { formatDuration, formatTime, printFields, printJson, printTable } from '../output.js';
import { formatPersistence } from '../persistence-health.js';
import { resourceCells, resourcesField } from '../resources-format.js';
import { printPendingPermissions } from './permission-commands.js';
import { printTurns } from './turn-commands.js';

interface Base {
  home: string;
  json: boolean;
}

export interface AgentStartOptions extends Base {
  module?: string | undefined;
  /** A command line, split like a shell would split plain words (execa parseCommandString). */
  command?: string | undefined;
  name?: string | undefined;
  params?: Record<string, unknown> | undefined;
  intervalMs?: number | undefined;
  maxIterations?: number | undefined;
  ipcGraceMs?: number | undefined;
  sigtermGraceMs?: number | undefined;
  codec?: 'jsonl' | 'msgpack' | undefined;
  env?: Record<string, string> | undefined;
  restart?: RestartPolicyInput | undefined;
  maxMemoryMb?: number | undefined;
  /** `--auto-approve [tools...]`: true for every tool, or tool names. */
  autoApprove?: boolean | string[] | undefined;
  /** `--permission-timeout <ms>`. */
  permissionTimeoutMs?: number | undefined;
  /** `--heartbeat-interval <ms>`. */
  heartbeatIntervalMs?: number | undefined;
  /** `--liveness-timeout <ms>`. */
  livenessTimeoutMs?: number | undefined;
  /** `subprocess` or `thread` (agent modules only); undefined: the daemon's default. */
  runnerMode?: 'subprocess' | 'thread' | undefined;
  /** `--max-cost`, `--max-tokens`, `--max-cost-per-day`, `--on-budget`. */
  budget?: RunBudgetOptions | undefined;
  /** `--checkpoint-max-bytes <bytes>`. */
  checkpointMaxBytes?: number | undefined;
  /** `--from <run>[@<seq or checkpoint id>]`: the checkpoint the run starts from. */
  from?: { runId: string; seq?: number | undefined; checkpointId?: string | undefined } | undefined;
}

/** `x agent start <module>`: starts a run and waits until it is ready (or failed to start). */
export async function agentStart(options: AgentStartOptions): Promise<void> {
  const module = options.module === undefined ? undefined : resolve(options.module);
  const command = options.command === undefined ? undefined : await parseCommand(options.command);
  const run = await withDaemon(options.home, (client) =>
    client.agent.start({
      module,
      command,
      name: options.name,
      params: options.params,
      intervalMs: options.intervalMs,
      maxIterations: options.maxIterations,
      stopBudget: stopBudget(options),
      cwd: process.cwd(),
      env: options.env,
      codec: options.codec,
      restart: options.restart,
      maxMemoryMb: options.maxMemoryMb,
      autoApprove: options.autoApprove,
      permissionTimeoutMs: options.permissionTimeoutMs,
      heartbeatIntervalMs: options.heartbeatIntervalMs,
      livenessTimeoutMs: options.livenessTimeoutMs,
      runnerMode: options.runnerMode,
      budget: options.budget,
      checkpointMaxBytes: options.checkpointMaxBytes,
      from: options.from,
    }),
  );
  if (options.json) {
    printJson(run);
    return;
  }
  if (run.state === 'backoff') {
    process.stdout.write(
      `${run.name} (run ${run.runId}) failed its first attempt (${run.exit?.explanation ?? '?'}); restarting at ${formatTime(run.nextRestartAt)}\n`,
    );
  } else {
    process.stdout.write(`started ${run.name} (run ${run.runId}, pid ${run.pid ?? '-'})\n`);
  }
  const budget = formatBudget(run.options.budget);
  const from = run.options.from;
  printFields([
    run.module === null ? ['command', run.options.command?.join(' ')] : ['module', run.module],
    ['interval', `${run.options.intervalMs} ms`],
    ...(budget === null ? [] : [['budget', budget] as [string, string]]),
    ...(from == null ? [] : [['from', describeOrigin(from)] as [string, string]]),
    ['log', run.logPath],
  ]);
}

/**
 * Where a forked run started: `checkpoint 3 of run r-1`, or for a thread checkpoint
 * `thread checkpoint 1f0… of run r-1 (thread r-1, resumed as thread r-2)` (LangGraph's).
 */
function describeOrigin(from: ForkOrigin): string {
  if (from.checkpointId === undefined) {
    return `checkpoint ${from.seq ?? '?'} of run ${from.runId}`;
  }
  const renamed = from.threadId !== undefined && from.threadId !== from.sourceThreadId;
  return `thread checkpoint ${from.checkpointId} of run ${from.runId} (thread ${from.sourceThreadId ?? '?'}${renamed ? `, resumed as thread ${from.threadId}` : ''})`;
}

/** `x agent stop <run>`: 3-phase stop; prints how the run ended. */
export async function agentStop(
  options: Base & {
    ref: string;
    ipcGraceMs?: number | undefined;
    sigtermGraceMs?: number | undefined;
  },
): Promise<void> {
  const started = Date.now();
  const run = await withDaemon(options.home, (client) =>
    client.agent.stop({
      ref: options.ref,
      stopBudget: stopBudget(options),
    }),
  );
  if (options.json) {
    printJson(run);
    return;
  }
  const exit = run.exit;
  const phase =
    exit?.stopPhase === null || exit?.stopPhase === undefined
      ? ''
      : ` in the ${exit.stopPhase} phase`;
  process.stdout.write(
    `${run.name} (run ${run.runId}) ${exit?.reason ?? run.state}${phase} after ${formatDuration(Date.now() - started)}: ${exit?.explanation ?? ''}\n`,
  );
}

/**
 * `x agent list`: active runs and recent finished ones; `--all`: every run, over as many
 * `agent.list` pages as the daemon needs. `--json` prints one document `{ runs }`.
 */
export async function agentList(options: Base & { all: boolean }): Promise<void> {
  const runs = await withDaemon(options.home, (client) => listRuns(client, { all: options.all }));
  if (options.json) {
    printJson({ runs });
    return;
  }
  if (runs.length === 0) {
    process.stdout.write('no agent runs; start one with `x agent start <module> --name <name>`\n');
    return;
  }
  const now = Date.now();
  printTable(
    [
      'NAME',
      'RUN',
      'STATE',
      'PID',
      'ATTEMPT',
      'ITERATIONS',
      'CPU',
      'MEM',
      'TOKENS',
      'COST',
      'AGE',
      'EXIT',
    ],
    runs.map((run) => [
      run.name,
      run.runId,
      run.state,
      isActiveState(run.state) && run.state !== 'backoff' ? (run.pid ?? '-') : '-',
      run.attempt,
      run.iterations,
      ...resourceCells((run as RunRecord & { resources?: RunResources | null }).resources),
      // Every run of agent.list carries its usage (daemons since issue 10).
      ...usageCells((run as RunRecord & { usage?: UsageTotals }).usage),
      formatDuration(now - run.createdAt),
      run.exit === null
        ? '-'
        : run.exit.stopPhase === null
          ? run.exit.reason
          : `${run.exit.reason} (${run.exit.stopPhase})`,
    ]),
  );
}

/**
 * `agent.status` with the iteration in progress: `{ iteration, startedAt }` (ms since the
 * epoch) while a step runs, null between steps; absent from daemons that do not report it.
 */
type AgentStatusWithCurrent = AgentStatus & {
  currentIteration?: { iteration: number; startedAt: number } | null;
};

/** `current: iteration 12 running for 3m04s`, or no field when no step is known to run. */
function currentIterationField(
  current: AgentStatusWithCurrent['currentIteration'],
  now: number,
): [string, string][] {
  if (current === undefined || current === null) {
    return [];
  }
  const running = formatDuration(Math.max(0, now - current.startedAt));
  return [['current', `iteration ${current.iteration} running for ${running}`]];
}

/** `x agent status <run>`: one run in detail with its recent iterations. */
export async function agentStatus(
  options: Base & { ref: string; iterations: number },
): Promise<void> {
  const status = await withDaemon(options.home, (client) =>
    client.agent.status(
      { ref: options.ref, iterations: options.iterations },
      { timeoutMs: REQUEST_TIMEOUT_MS },
    ),
  );
  if (options.json) {
    printJson(status);
    return;
  }
  const { run } = status;
  const now = Date.now();
  printFields([
    ['name', run.name],
    ['run', run.runId],
    ['state', run.state],
    ...pausedField(run, now),
    ['pid', isActiveState(run.state) ? run.pid : `${run.pid ?? '-'} (exited)`],
    run.module === null ? ['command', run.options.command?.join(' ')] : ['module', run.module],
    ['launcher', run.launcher],
    ['iterations', run.iterations],
    ...currentIterationField(status.currentIteration, now),
    [
      'attempt',
      `${run.attempt} (${run.restarts} restart(s), policy ${run.options.restart?.mode ?? 'no'})`,
    ],
    [
      'next restart',
      run.nextRestartAt === null
        ? '-'
        : `${formatTime(run.nextRestartAt)} (in ${formatDuration(Math.max(0, run.nextRestartAt - now))})`,
    ],
    [
      'last reasons',
      run.lastReasons.length === 0
        ? '-'
        : run.lastReasons
            .slice(-5)
            .map((r) => `#${r.attempt} ${r.reason}`)
            .join(', '),
    ],
    ...resourcesField((status as { resources?: RunResources | null }).resources, now),
    ['memory limit', run.options.maxMemoryMb == null ? '-' : `${run.options.maxMemoryMb} MiB`],
    // Daemons before issue 10 send no usage.
    ...usageFields(status.usage, run.options.budget),
    [
      'auto-approve',
      run.options.autoApprove == null
        ? '-'
        : run.options.autoApprove === true
          ? 'every tool'
          : run.options.autoApprove.join(', '),
    ],
    ['last summary', run.lastSummary],
    ['started', `${formatTime(run.createdAt)} (${formatDuration(now - run.createdAt)} ago)`],
    ['ready', run.readyAt === null ? '-' : `after ${formatDuration(run.readyAt - run.createdAt)}`],
    ['ended', formatTime(run.endedAt)],
    [
      'exit',
      run.exit === null
        ? '-'
        : `${run.exit.reason}${run.exit.stopPhase === null ? '' : ` (${run.exit.stopPhase})`}: ${run.exit.explanation}`,
    ],
    ['exit code', run.exit === null ? '-' : (run.exit.exitCode ?? run.exit.signal ?? '-')],
    ['log', run.logPath],
    ['persistence', formatPersistence(status.persistence, now)],
  ]);
  if (run.state === 'paused' && run.pause != null) {
    process.stdout.write(`${resumeHint(run.name, run.pause)}\n`);
  }
  // Old daemons do not send these: absent means none.
  const pending = status.pendingPermissions ?? [];
  if (pending.length > 0) {
    process.stdout.write(
      `\npending permission requests (answer with \`x agent approve|deny ${run.name} <request>\`):\n`,
    );
    printPendingPermissions(pending, now);
  }
  if ((status.recentTurns ?? []).length > 0) {
    process.stdout.write('\n');
    printTurns(status.recentTurns);
  }
  if (status.recentIterations.length > 0) {
    process.stdout.write('\n');
    printTable(
      ['ATTEMPT', 'ITERATION', 'STATUS', 'DURATION', 'FINISHED', 'SUMMARY'],
      status.recentIterations.map((it) => [
        it.attempt,
        it.iteration,
        it.status,
        `${it.durationMs}ms`,
        formatTime(it.finishedAt),
        truncate(it.error ?? it.summary ?? '', 60),
      ]),
    );
    // The newest failure's stack (what the agent threw, kept by the runner), bounded.
    const failed = status.recentIterations.find((it) => it.errorDetail?.stack !== undefined);
    if (failed?.errorDetail?.stack !== undefined) {
      const stack = failed.errorDetail.stack.split('\n').slice(0, 8).join('\n');
      process.stdout.write(`\niteration ${failed.iteration} threw:\n${stack}\n`);
    }
  }
  if (
    run.exit !== null &&
    run.exit.stderrTail.trim() !== '' &&
    run.exit.reason !== 'completed' &&
    run.exit.reason !== 'stopped'
  ) {
    process.stdout.write(`\nstderr (tail):\n${run.exit.stderrTail.trimEnd()}\n`);
  }
}

/**
 * `x agent logs <run>`: the last lines of a run's log (`--lines`, default 100), or those logged
 * since a time (`--since`, ms since the epoch; then at most `--lines`, default 10 000);
 * `--follow` keeps printing new ones.
 */
export async function agentLogs(
  options: Base & {
    ref: string;
    lines?: number | undefined;
    since?: number | undefined;
    follow: boolean;
  },
): Promise<void> {
  const logs = await withDaemon(options.home, (client) =>
    client.agent.logs(
      { ref: options.ref, lines: options.lines, since: options.since },
      { timeoutMs: REQUEST_TIMEOUT_MS },
    ),
  );
  if (logs.omittedLines > 0) {
    process.stderr.write(
      `x: ${logs.omittedLines} older line(s) left out (an answer holds at most 768 KiB); the whole log is ${logs.path ?? 'not on disk'}\n`,
    );
  }
  if (options.json && !options.follow) {
    printJson(logs);
    return;
  }
  for (const line of logs.lines) {
    process.stdout.write(options.json ? `${JSON.stringify({ line })}\n` : `${line}\n`);
  }
  if (options.follow) {
    if (logs.path === null) {
      throw new CliError(`x: run ${logs.runId} has no log file to follow`, EXIT_CODES.FAILURE);
    }
    await follow(options, logs.runId, logs.path);
  }
}

/** Follows a run's log until the run exits and its log was read to the end (or Ctrl-C). */
async function follow(options: Base, runId: string, path: string): Promise<void> {
  await followFile(
    path,
    (line) => process.stdout.write(options.json ? `${JSON.stringify({ line })}\n` : `${line}\n`),
    async (settled) => {
      const status = await withDaemon(options.home, (client) =>
        client.agent.status({ ref: runId, iterations: 0 }),
      );
      return settled && !isActiveState(status.run.state);
    },
  );
}

/** Splits `--command` (execa, loaded here only: ~100 modules that no other command needs). */
async function parseCommand(line: string): Promise<string[]> {
  const { parseCommandString } = await import('execa');
  const argv = parseCommandString(line);
  if (argv.length === 0) {
    throw new CliError(
      'x: agent start: --command is empty; give a program and its arguments',
      EXIT_CODES.USAGE,
    );
  }
  return argv;
}

function stopBudget(options: {
  ipcGraceMs?: number | undefined;
  sigtermGraceMs?: number | undefined;
}) {
  if (options.ipcGraceMs === undefined && options.sigtermGraceMs === undefined) {
    return undefined;
  }
  return { ipcMs: options.ipcGraceMs, sigtermMs: options.sigtermGraceMs };
}

function truncate(text: string, max: number): string {
  const line = text.replace(/\s+/g, ' ');
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
