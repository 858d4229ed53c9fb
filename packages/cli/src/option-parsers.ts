import { InvalidArgumentError } from 'commander';
import { describeInexact, findInexactNumbers, formatJsonPath } from './exact-json-numbers.js';

/**
 * Smallest `--max-memory` accepted: 64 MiB. An agent runner that does nothing already has an
 * RSS of about 44 MiB (Node and the kernel, measured on Linux x64, Node 20), and the limit
 * covers the RSS of the whole process group; below 64 an idle agent is killed as `oom` at once.
 */
export const MIN_MEMORY_LIMIT_MIB = 64;

/** Parses a non-negative integer option (ms, counts). */
export function parseNonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) {
    throw new InvalidArgumentError(`expected a non-negative integer, got ${JSON.stringify(value)}`);
  }
  return n;
}

/** Parses a positive integer option. */
export function parsePositiveInt(value: string): number {
  const n = parseNonNegativeInt(value);
  if (n === 0) {
    throw new InvalidArgumentError('expected a positive integer, got 0');
  }
  return n;
}

/**
 * Parses `--max-memory <MiB>`: an integer of at least {@link MIN_MEMORY_LIMIT_MIB}.
 * @throws InvalidArgumentError below it, saying what an empty runner needs.
 */
export function parseMemoryLimitMib(value: string): number {
  const n = parsePositiveInt(value);
  if (n < MIN_MEMORY_LIMIT_MIB) {
    throw new InvalidArgumentError(
      `${n} MiB is below the minimum of ${MIN_MEMORY_LIMIT_MIB} MiB: an empty agent runner already has an RSS of about 44 MiB, and the limit covers the whole process group (the runner and every process it starts), so the run would be killed as oom at once; give ${MIN_MEMORY_LIMIT_MIB} or more`,
    );
  }
  return n;
}

/**
 * Parses `--params '{"url": "…"}'`: must be a JSON object whose numbers arrive as written.
 * @throws InvalidArgumentError for invalid JSON, a non-object, or a number literal a JSON
 *   number cannot hold exactly (see isExactNumberLiteral), naming the param and the fix.
 */
export function parseJsonObject(value: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (error) {
    throw new InvalidArgumentError(
      `not valid JSON (${(error as Error).message}); quote it, e.g. --params '{"url":"http://localhost"}'`,
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new InvalidArgumentError('expected a JSON object, e.g. {"url":"http://localhost"}');
  }
  const [inexact] = findInexactNumbers(value);
  if (inexact !== undefined) {
    throw new InvalidArgumentError(
      `param ${formatJsonPath(inexact.path)}: ${describeInexact(inexact)}; to pass it as a string, quote it in the JSON: "${inexact.literal}"`,
    );
  }
  return parsed as Record<string, unknown>;
}

/**
 * Collects repeatable `key=value` options into an object. With `json`, values that parse as
 * JSON (numbers, booleans, objects) are kept typed; others are strings. A JSON value with a
 * number that would not arrive as written (`big=12345678901234567890`) is refused, never
 * rounded: quote it to pass a string (`big="12345678901234567890"`).
 */
export function collectKeyValue(json: boolean) {
  return (value: string, previous: Record<string, unknown> = {}): Record<string, unknown> => {
    const at = value.indexOf('=');
    if (at <= 0) {
      throw new InvalidArgumentError(`expected key=value, got ${JSON.stringify(value)}`);
    }
    const key = value.slice(0, at);
    const raw = value.slice(at + 1);
    let parsed: unknown = raw;
    if (json) {
      try {
        parsed = JSON.parse(raw);
      } catch {
        return { ...previous, [key]: raw };
      }
      const [inexact] = findInexactNumbers(raw);
      if (inexact !== undefined) {
        const fix =
          inexact.path.length === 0
            ? `--param '${key}="${inexact.literal}"'`
            : `quote it in the JSON: "${inexact.literal}"`;
        throw new InvalidArgumentError(
          `param ${formatJsonPath([key, ...inexact.path])}: ${describeInexact(inexact)}; to pass it as a string: ${fix}`,
        );
      }
    }
    return { ...previous, [key]: parsed };
  };
}

/** Largest USD amount a budget option takes: 1e9, the daemon's `agent.start` maximum. */
export const MAX_USD = 1e9;

const USD_LITERAL = /^(?:\d+(?:\.\d+)?|\.\d+)$/;

/**
 * Parses a USD amount (`--max-cost 1.50`): plain decimal digits, ≥ 0 and at most
 * {@link MAX_USD}. No sign, exponent, hex, `NaN` or `Infinity`: `Number()` would take `0x10`,
 * `1e3` and `''`, and a budget should read as what it is.
 * @throws InvalidArgumentError naming what was given and the form expected.
 */
export function parseUsd(value: string): number {
  if (!USD_LITERAL.test(value)) {
    const why = value.trim().startsWith('-') ? 'a budget cannot be negative; ' : '';
    throw new InvalidArgumentError(
      `${why}expected an amount in USD written as plain digits, ≥ 0, e.g. 1.50 or 0.25, got ${JSON.stringify(value)}`,
    );
  }
  const usd = Number(value);
  if (usd > MAX_USD) {
    throw new InvalidArgumentError(
      `${value} is over the largest budget the daemon takes, ${MAX_USD} USD`,
    );
  }
  return usd;
}

/** Largest `--checkpoint-max-bytes`: 4 MiB, the daemon's limit (a checkpoint frame must fit 8 MiB). */
export const MAX_CHECKPOINT_BYTES = 4 * 1024 * 1024;

/**
 * Parses `--checkpoint-max-bytes <bytes>`: an integer from 1 to {@link MAX_CHECKPOINT_BYTES}.
 * @throws InvalidArgumentError otherwise, naming the limit.
 */
export function parseCheckpointMaxBytes(value: string): number {
  const bytes = parsePositiveInt(value);
  if (bytes > MAX_CHECKPOINT_BYTES) {
    throw new InvalidArgumentError(
      `${bytes} bytes is over the most a checkpoint may hold, ${MAX_CHECKPOINT_BYTES} (4 MiB); keep bulk data elsewhere and checkpoint a reference to it`,
    );
  }
  return bytes;
}

/**
 * A checkpoint to start from: a run (id or name) and a `ctx.checkpoint` seq, or a thread
 * checkpoint's id (a LangGraph checkpoint), or the run's newest `ctx.checkpoint` when neither.
 */
export interface CheckpointRef {
  runId: string;
  seq?: number;
  checkpointId?: string;
}

/** Longest thread checkpoint id after `@` (the daemon's bound): 256 characters. */
const CHECKPOINT_ID_MAX = 256;

/**
 * Parses `--from <run>[@<seq or checkpoint id>]`: `counter` (the newest checkpoint of the run
 * named counter, or of the run with that id), `r-1a2b3c4d@3` (its checkpoint 3),
 * `r-1a2b3c4d@1f0c2a3e-…` (its LangGraph checkpoint with that id: digits only make a seq,
 * anything else an id). Run names and ids never contain `@` (names are `A-Z a-z 0-9 . _ -`).
 * @throws InvalidArgumentError for an empty run, a number that is not a positive integer
 *   (`0`, `-1`, `1.5`), or an id over 256 characters.
 */
export function parseCheckpointRef(value: string): CheckpointRef {
  const at = value.lastIndexOf('@');
  const runId = at === -1 ? value : value.slice(0, at);
  const after = at === -1 ? undefined : value.slice(at + 1);
  if (runId === '' || runId.includes('@') || after === '') {
    throw new InvalidArgumentError(
      `expected <run>[@<seq>] or <run>@<checkpoint id> (a run id or name, and a checkpoint seq or LangGraph checkpoint id from \`x agent checkpoints <run>\`), e.g. counter, r-1a2b3c4d@3 or r-1a2b3c4d@1f0c…, got ${JSON.stringify(value)}`,
    );
  }
  if (after === undefined) {
    return { runId };
  }
  if (!/^[-+]?[\d.e]+$/.test(after)) {
    if (after.length > CHECKPOINT_ID_MAX) {
      throw new InvalidArgumentError(
        `the checkpoint id after @ is ${after.length} characters, over ${CHECKPOINT_ID_MAX}; copy it from \`x agent checkpoints ${runId}\``,
      );
    }
    return { runId, checkpointId: after };
  }
  const seq = Number(after);
  if (!/^\d+$/.test(after) || !Number.isSafeInteger(seq) || seq < 1) {
    throw new InvalidArgumentError(
      `the checkpoint seq after @ must be a positive integer (see \`x agent checkpoints ${runId}\`), got ${JSON.stringify(after)}`,
    );
  }
  return { runId, seq };
}
