import { existsSync } from 'node:fs';
import {
  RunStore,
  isActiveState,
  isProcessAlive,
  removeStale,
  statePaths,
  type RunRecord,
} from '@x/daemon';
import type { XClient } from '@x/client';
import { RPC_ERROR_CODES, isRpcError } from '@x/ipc';
import { connectClient, isPermissionDenied, probe } from '../daemon-client.js';
import { listRuns } from '../list-runs.js';
import { formatDuration, printJson } from '../output.js';
import { escalateStop, type ShutdownAnswer } from '../shutdown/escalate-stop.js';
import {
  describeOutcome,
  runOutcomes,
  type OutcomeSource,
  type RunOutcome,
} from '../shutdown/run-outcomes.js';
import { DAEMON_STOP_UNKNOWN_BUDGET_MS, longestStopBudgetMs } from '../shutdown/stop-budget.js';

interface StopOptions {
  home: string;
  json: boolean;
  /** Park the runs with a restart policy: the next daemon resumes them (`--resume`). */
  resume?: boolean | undefined;
}

/** What `x daemon stop` did: the `--json` document. */
export type DaemonStopReport =
  | { status: 'not_running'; home: string }
  | {
      status: 'stopped';
      pid: number;
      /** `rpc`: the daemon exited by itself; else the last signal x had to send it. */
      how: 'rpc' | 'sigterm' | 'sigkill';
      /** Active runs when the stop was asked (null: the daemon could not be asked). */
      activeRuns: number | null;
      /** The longest stop budget of those runs, ms: what x waited for before signalling. */
      budgetMs: number;
      /** From the shutdown request until the daemon was gone, ms. */
      tookMs: number;
      /** Where `runs` come from: the daemon's answer, its database afterwards, or nowhere. */
      outcomesFrom: OutcomeSource;
      /** How each run that was active ended. */
      runs: RunOutcome[];
      /** Names of the runs whose stop may have been cut short (x had to signal the daemon). */
      cutShort: string[];
      /** False when the daemon survived SIGKILL too. */
      exited: boolean;
    };

/**
 * Stops the daemon serving `home` and reports how every run ended. Reads the active runs and
 * their stop budgets first, asks `system.shutdown {wait: true}`, and escalates to SIGTERM,
 * then SIGKILL, only after the longest budget plus a margin (see escalateStop). A daemon that
 * answers with the runs' outcomes is reported from its answer; an older one (it answers at
 * once) from its database, once it has exited. A stale descriptor and socket are removed.
 * Stopping a stopped daemon is not an error.
 */
export async function stopDaemon(
  home: string,
  options: { resume?: boolean | undefined } = {},
): Promise<DaemonStopReport> {
  const paths = statePaths(home);
  const found = await probe(home);
  const descriptor =
    found.status === 'running' || found.status === 'unresponsive' ? found.descriptor : undefined;
  if (descriptor === undefined) {
    if (found.status === 'stale') {
      // Only what a dead daemon left: never a socket or descriptor a new daemon just made.
      await removeStale(paths);
    }
    return { status: 'not_running', home };
  }
  const { pid } = descriptor;
  if (found.status === 'unresponsive') {
    // Alive but not answering: a stopped (SIGSTOP) daemon can take the request, or SIGTERM,
    // only once it runs again.
    signal(pid, 'SIGCONT');
  }
  let client: XClient | undefined;
  let before: RunRecord[] | null = null;
  try {
    client = await connectClient(home);
    before = await listRuns(client);
  } catch (error) {
    if (isPermissionDenied(error)) {
      throw error; // another user's daemon: not this user's to stop, nor to signal
    }
    // Unreachable, or it cannot list: the escalation below still stops it.
  }
  const active = (before ?? []).filter((run) => isActiveState(run.state));
  const budgetMs = before === null ? DAEMON_STOP_UNKNOWN_BUDGET_MS : longestStopBudgetMs(active);
  const requestedAt = Date.now();
  let escalation;
  try {
    escalation = await escalateStop(
      {
        requestShutdown: (timeoutMs) => requestShutdown(client, timeoutMs, options.resume === true),
        isAlive: () => isProcessAlive(pid),
        signal: (name) => signal(pid, name),
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
        now: () => Date.now(),
      },
      budgetMs,
    );
  } finally {
    client?.close();
  }
  const answered = escalation.answer.kind === 'answered' ? escalation.answer.reply : undefined;
  // Once the daemon is gone its database says how each run ended (and when), for a daemon
  // that did not answer with the outcomes, and for the end times the answer leaves out.
  const ids = [
    ...active.map((run) => run.runId),
    ...(answered?.runs ?? []).map((run) => run.runId),
  ];
  const recorded = escalation.exited ? readRecordedRuns(paths.dbPath, ids) : null;

  const { runs, from } = runOutcomes(active, escalation, requestedAt, recorded);
  return {
    status: 'stopped',
    pid,
    how: escalation.how,
    activeRuns: answered?.activeRuns ?? (before === null ? null : active.length),
    budgetMs,
    tookMs: escalation.tookMs,
    outcomesFrom: from,
    runs,
    cutShort: runs.filter((run) => run.mayBeCutShort).map((run) => run.name),
    exited: escalation.exited,
  };
}

/** Prints a stop report: the JSON document, or a line and one line per run. */
export function printDaemonStop(report: DaemonStopReport, json: boolean): void {
  if (json) {
    printJson(report);
    return;
  }
  if (report.status === 'not_running') {
    process.stdout.write(`x daemon is not running (${report.home})\n`);
    return;
  }
  const gone = report.exited ? 'stopped' : 'did not exit even after SIGKILL';
  const runs =
    report.activeRuns === null
      ? 'its runs could not be read'
      : report.activeRuns === 0
        ? 'no run was active'
        : `${report.activeRuns} run(s) were active`;
  process.stdout.write(
    `x daemon ${gone} (pid ${report.pid}, via ${report.how} after ${formatDuration(report.tookMs)}); ${runs}\n`,
  );
  for (const run of report.runs) {
    process.stdout.write(`  ${describeOutcome(run)}\n`);
  }
  if (report.how !== 'rpc') {
    process.stdout.write(
      `x waited ${formatDuration(report.budgetMs)} (the longest stop budget of its runs) plus a margin, then had to send ${report.how === 'sigkill' ? 'SIGTERM and SIGKILL' : 'SIGTERM'}${report.cutShort.length === 0 ? '' : `; may have been cut short: ${report.cutShort.join(', ')}`}\n`,
    );
  }
}

/** `x daemon stop`. */
export async function daemonStop(options: StopOptions): Promise<void> {
  printDaemonStop(await stopDaemon(options.home, options), options.json);
}

async function requestShutdown(
  client: XClient | undefined,
  timeoutMs: number,
  resume: boolean,
): Promise<ShutdownAnswer> {
  if (client === undefined) {
    return { kind: 'unreachable', message: 'no connection to the daemon' };
  }
  try {
    const reply = await client.system.shutdown(resume ? { wait: true, resume } : { wait: true }, {
      timeoutMs,
    });
    return { kind: 'answered', reply };
  } catch (error) {
    if (isRpcError(error) && error.code === RPC_ERROR_CODES.REQUEST_TIMEOUT) {
      return { kind: 'timeout' };
    }
    return { kind: 'closed', message: (error as Error).message };
  } finally {
    // Nothing more to ask; an open connection would only hold up the daemon's exit.
    client.close();
  }
}

/**
 * The runs as the database holds them after the daemon exited, for a daemon that did not
 * report outcomes itself; null when the database cannot be read.
 */
function readRecordedRuns(
  dbPath: string,
  runIds: readonly string[],
): Map<string, RunRecord> | null {
  if (runIds.length === 0) {
    return new Map();
  }
  if (!existsSync(dbPath)) {
    return null;
  }
  try {
    const store = new RunStore(dbPath);
    try {
      const recorded = new Map<string, RunRecord>();
      for (const runId of new Set(runIds)) {
        const stored = store.getRun(runId);
        if (stored !== undefined) {
          recorded.set(runId, stored);
        }
      }
      return recorded;
    } finally {
      store.close();
    }
  } catch {
    return null;
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}
