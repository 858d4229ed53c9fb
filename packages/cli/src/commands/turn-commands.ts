import { readFileSync } from 'node:fs';
import type { TurnRecord } from '@x/daemon';
import { REQUEST_TIMEOUT_MS, withDaemon } from '../daemon-client.js';
import { CliError } from '../errors.js';
import { describeInexact, findInexactNumbers, formatJsonPath } from '../exact-json-numbers.js';
import { EXIT_CODES } from '../exit-codes.js';
import {
  formatDuration,
  formatTime,
  printFields,
  printJson,
  printTable,
  oneLine,
} from '../output.js';

interface Base {
  home: string;
  json: boolean;
}

/**
 * The input of `x agent send`: parsed as JSON when it is valid JSON (`42`, `{"q":1}`,
 * `"text"`), else the string itself; `-` reads it from stdin (same rule).
 * @throws CliError (exit 2) when the JSON has a number that would not arrive as written
 *   (`12345678901234567890`, see isExactNumberLiteral): it is refused, never rounded.
 */
export function parseTurnInput(text: string): unknown {
  const raw = text === '-' ? readFileSync(0, 'utf8').replace(/\n$/, '') : text;
  let input: unknown;
  try {
    input = JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
  const [inexact] = findInexactNumbers(raw);
  if (inexact !== undefined) {
    const where = inexact.path.length === 0 ? '' : ` ${formatJsonPath(inexact.path)}`;
    throw new CliError(
      `x: agent send: input${where}: ${describeInexact(inexact)}; to send it as a string, quote it in the JSON: "${inexact.literal}"`,
      EXIT_CODES.USAGE,
    );
  }
  return input;
}

/**
 * `x agent send <run> <input>`: submits a turn. Without `--wait`, prints the turn id (read the
 * result later with `x agent turns <run> <turn-id>`); with it, prints the output.
 * @throws CliError exit 1 when the turn ended `error` or `cancelled`; exit 124 (TIMEOUT) when
 *   `--timeout` passed first (the turn keeps running).
 */
export async function agentSend(
  options: Base & { ref: string; input: string; wait: boolean; timeoutMs?: number | undefined },
): Promise<void> {
  const input = parseTurnInput(options.input);
  const turn = await withDaemon(options.home, (client) =>
    client.agent.send({
      ref: options.ref,
      input,
      wait: options.wait,
      timeoutMs: options.wait ? options.timeoutMs : undefined,
    }),
  );
  warnTruncated([turn]);
  if (!options.wait) {
    if (options.json) {
      printJson(turn);
    } else {
      process.stdout.write(`${turn.turnId}\n`);
    }
    return;
  }
  checkTurn(options.ref, turn, options.timeoutMs);
  if (options.json) {
    printJson(turn);
  } else {
    printOutput(turn.output);
  }
}

/** `x agent turns <run> [turn-id]`: recent turns, or one turn with its output. */
export async function agentTurns(
  options: Base & { ref: string; turnId?: string | undefined; limit: number },
): Promise<void> {
  const result = await withDaemon(options.home, (client) =>
    client.agent.turns(
      { ref: options.ref, turnId: options.turnId, limit: options.limit },
      { timeoutMs: REQUEST_TIMEOUT_MS },
    ),
  );
  warnTruncated(result.turns);
  if (options.json) {
    printJson(options.turnId === undefined ? result : result.turns[0]);
    return;
  }
  if (options.turnId !== undefined) {
    const turn = result.turns[0];
    printFields([
      ['turn', turn.turnId],
      ['run', turn.runId],
      ['status', turn.status],
      ['attempt', turn.attempt],
      ['submitted', formatTime(turn.submittedAt)],
      ['duration', turn.durationMs === null ? '-' : formatDuration(turn.durationMs)],
      ['error', turn.error],
      ['input', JSON.stringify(turn.input)],
    ]);
    if (turn.status === 'ok') {
      process.stdout.write('\n');
      printOutput(turn.output);
    }
    return;
  }
  if (result.turns.length === 0) {
    process.stdout.write(`no turns for run ${result.runId}; send one with \`x agent send\`\n`);
    return;
  }
  printTurns(result.turns);
}

/** `x agent cancel <run> <turn-id>`: asks the runner to cancel a turn in flight. */
export async function agentCancel(
  options: Base & { ref: string; turnId: string; reason?: string | undefined },
): Promise<void> {
  const turn = await withDaemon(options.home, (client) =>
    client.agent.turn.cancel(
      { ref: options.ref, turnId: options.turnId, reason: options.reason },
      { timeoutMs: REQUEST_TIMEOUT_MS },
    ),
  );
  if (options.json) {
    printJson(turn);
    return;
  }
  process.stdout.write(
    turn.status === 'pending'
      ? `cancelling turn ${turn.turnId} of run ${turn.runId}\n`
      : `turn ${turn.turnId} of run ${turn.runId} already ended: ${turn.status}\n`,
  );
}

/** A table of turns (also used by `x agent status`). */
export function printTurns(turns: TurnRecord[]): void {
  printTable(
    ['TURN', 'STATUS', 'DURATION', 'SUBMITTED', 'RESULT'],
    turns.map((turn) => [
      turn.turnId,
      turn.status,
      turn.durationMs === null ? '-' : `${turn.durationMs}ms`,
      formatTime(turn.submittedAt),
      oneLine(turn.error ?? (turn.output === null ? '' : JSON.stringify(turn.output)), 60),
    ]),
  );
}

/** Maps a waited turn that did not end `ok` to its exit code (the one place is main.ts). */
function checkTurn(ref: string, turn: TurnRecord, timeoutMs: number | undefined): void {
  const which = `turn ${turn.turnId} of ${ref}`;
  if (turn.status === 'pending') {
    throw new CliError(
      // Pending is all x knows: the runner says when a turn ends, not when it starts.
      `x: ${which} has no result after ${timeoutMs ?? '?'} ms (--timeout): it is queued or running (turns run one at a time, between steps, so a step waiting on a permission request holds them back: \`x agent status ${ref}\` shows it); read its result later with \`x agent turns ${ref} ${turn.turnId}\``,
      EXIT_CODES.TIMEOUT,
      turn,
    );
  }
  if (turn.status === 'cancelled') {
    throw new CliError(
      `x: ${which} was cancelled${turn.error === null ? '' : `: ${turn.error}`}`,
      EXIT_CODES.FAILURE,
      turn,
    );
  }
  if (turn.status === 'error') {
    throw new CliError(
      `x: ${which} failed: ${turn.error ?? 'no detail'}`,
      EXIT_CODES.FAILURE,
      turn,
    );
  }
}

/** Says on stderr which turns came with fields left out (too large for one answer). */
function warnTruncated(turns: readonly (TurnRecord & { truncated?: string[] })[]): void {
  for (const turn of turns) {
    if (turn.truncated !== undefined && turn.truncated.length > 0) {
      process.stderr.write(
        `x: turn ${turn.turnId}: ${turn.truncated.join(' and ')} left out (too large for one answer; shown as null)\n`,
      );
    }
  }
}

/** A string output as is; anything else as JSON. */
function printOutput(output: unknown): void {
  process.stdout.write(
    typeof output === 'string' ? `${output}\n` : `${JSON.stringify(output ?? null, null, 2)}\n`,
  );
}
