import { existsSync } from 'node:fs';
import { linesSince, readLogTail, statePaths } from '@x/daemon';
import { withDaemon } from '../daemon-client.js';
import { CliError } from '../errors.js';
import { EXIT_CODES } from '../exit-codes.js';
import { followFile } from '../follow-file.js';
import { formatTime, printJson } from '../output.js';

interface Base {
  home: string;
  json: boolean;
}

/** Most lines `x daemon logs` prints from what is already written: 10 000. */
const DAEMON_LOG_LINES_MAX = 10_000;

/**
 * `x agent restart <run>`: a new attempt of the same run with the same settings (stopped first
 * when active); prints the run as it came back. A restart waits like `x agent start`.
 */
export async function agentRestart(
  options: Base & {
    ref: string;
    ipcGraceMs?: number | undefined;
    sigtermGraceMs?: number | undefined;
  },
): Promise<void> {
  const stopBudget =
    options.ipcGraceMs === undefined && options.sigtermGraceMs === undefined
      ? undefined
      : { ipcMs: options.ipcGraceMs, sigtermMs: options.sigtermGraceMs };
  // No request timeout: a restart waits for the stop and the new attempt's ready, like a start.
  const run = await withDaemon(options.home, (client) =>
    client.agent.restart({ ref: options.ref, stopBudget }),
  );
  if (options.json) {
    printJson(run);
    return;
  }
  const what = `${run.name} (run ${run.runId}, attempt ${run.attempt})`;
  if (run.state === 'backoff') {
    process.stdout.write(
      `restarted ${what}: it failed again (${run.exit?.explanation ?? '?'}); next try at ${formatTime(run.nextRestartAt)}\n`,
    );
  } else if (run.state === 'paused') {
    process.stdout.write(
      `restarted ${what}, pid ${run.pid ?? '-'}: paused (${run.pause?.reason ?? 'paused'}); \`x agent resume ${run.name}\` resumes it\n`,
    );
  } else {
    process.stdout.write(`restarted ${what}, pid ${run.pid ?? '-'}\n`);
  }
}

/** `x agent rm <run>`: forgets a finished run, its history and its log files. */
export async function agentRemove(options: Base & { ref: string }): Promise<void> {
  const removed = await withDaemon(options.home, (client) =>
    client.agent.remove({ ref: options.ref }),
  );
  if (options.json) {
    printJson(removed);
    return;
  }
  const { rows } = removed;
  process.stdout.write(
    `removed ${removed.name} (run ${removed.runId}): ${rows.attempts} attempt(s), ${rows.iterations} iteration(s), ${rows.turns} turn(s), ${rows.permissions} permission request(s), ${rows.checkpoints} checkpoint(s), ${removed.logFiles.length} log file(s)\n`,
  );
  if (removed.logError !== null) {
    process.stderr.write(`x: its log files could not all be deleted: ${removed.logError}\n`);
  }
}

/**
 * `x daemon logs`: the last lines of the detached daemon's own log (`<home>/daemon.log`, and
 * `daemon.log.1` before it), read from the file (a daemon need not be running); `--since`
 * keeps those logged since a time; `--follow` prints new lines until Ctrl-C. `--json`: one
 * document `{ path, lines }`, or with `--follow` one `{ line }` per line.
 * @throws CliError (exit 1) when there is no daemon log (never detached, or foreground only).
 */
export async function daemonLogs(
  options: Base & { lines?: number | undefined; since?: number | undefined; follow: boolean },
): Promise<void> {
  const path = statePaths(options.home).daemonLogPath;
  if (!existsSync(path) && !options.follow) {
    throw new CliError(
      `x: no daemon log at ${path}: no daemon was started detached for ${options.home} (\`x daemon start --foreground\` logs to its stderr)`,
      EXIT_CODES.FAILURE,
    );
  }
  const tail = existsSync(path)
    ? readLogTail(path, options.since === undefined ? (options.lines ?? 100) : DAEMON_LOG_LINES_MAX)
    : [];
  const lines =
    options.since === undefined
      ? tail
      : linesSince(tail, options.since).slice(-(options.lines ?? DAEMON_LOG_LINES_MAX));
  const print = (line: string) =>
    process.stdout.write(options.json ? `${JSON.stringify({ line })}\n` : `${line}\n`);
  if (options.json && !options.follow) {
    printJson({ path, lines });
    return;
  }
  lines.forEach(print);
  if (options.follow) {
    await followFile(path, print);
  }
}
