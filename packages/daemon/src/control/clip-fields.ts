import type { PermissionRecord, RunRecord, TurnRecord } from '../persistence/records.js';

/** A record as a control method returns it: over-large fields replaced by null and listed. */
export type Clipped<T> = T & {
  /**
   * Fields replaced by null because their JSON was over the method's limit (or could not be
   * produced); read a turn whole with `agent.turns {turnId}` (up to TURN_FIELD_MAX_BYTES).
   */
  truncated?: string[];
};

/**
 * Largest JSON of a turn's `input` or `output`, or a permission request's `input`, in a
 * listing (`agent.status`, the `agent.turns` list): 8 KiB.
 */
export const LISTED_FIELD_MAX_BYTES = 8 * 1024;

/**
 * Largest JSON of a turn's `input` or `output` in a one-turn answer (`agent.send`,
 * `agent.turns {turnId}`, `agent.turn.cancel`): 384 KiB, so that both fit in one
 * 1 MiB control frame.
 */
export const TURN_FIELD_MAX_BYTES = 384 * 1024;

/**
 * Largest JSON of one run in an answer about that run (`agent.start`, `agent.stop`,
 * `agent.status`, the `-32003` of a failed start): 256 KiB, so that the answer fits one 1 MiB
 * control frame with its iterations and turns.
 */
export const RUN_ANSWER_MAX_BYTES = 256 * 1024;

/**
 * `run` as an answer shows it: when its JSON is over {@link RUN_ANSWER_MAX_BYTES} (a command
 * line or params near the frame limit), `params` and the options' `command` and `env` are left
 * out (null) and named in `truncated`; the run's state and exit are always kept.
 */
export function clipRun(run: RunRecord): Clipped<RunRecord> {
  if (jsonBytes(run) <= RUN_ANSWER_MAX_BYTES) {
    return run;
  }
  return {
    ...run,
    params: null as unknown as RunRecord['params'],
    options: {
      ...run.options,
      command: null,
      env: null as unknown as Record<string, string>,
    },
    truncated: ['params', 'options.command', 'options.env'],
  };
}

/** `turn` with `input` and `output` over `maxBytes` of JSON replaced by null (see {@link Clipped}). */
export function clipTurn(turn: TurnRecord, maxBytes: number): Clipped<TurnRecord> {
  return clip(turn, ['input', 'output'], maxBytes);
}

/** `request` with an `input` over `maxBytes` of JSON replaced by null (see {@link Clipped}). */
export function clipPermission(
  request: PermissionRecord,
  maxBytes: number,
): Clipped<PermissionRecord> {
  return clip(request, ['input'], maxBytes);
}

function clip<T extends object>(
  record: T,
  fields: (keyof T & string)[],
  maxBytes: number,
): Clipped<T> {
  const truncated = fields.filter((field) => jsonBytes(record[field]) > maxBytes);
  if (truncated.length === 0) {
    return record;
  }
  const copy = { ...record } as Record<string, unknown>;
  for (const field of truncated) {
    copy[field] = null;
  }
  return { ...(copy as T), truncated };
}

/** Bytes of `value`'s JSON; Infinity when it cannot be produced (nested too deep…). */
function jsonBytes(value: unknown): number {
  if (value === null || value === undefined) {
    return 0;
  }
  try {
    return Buffer.byteLength(JSON.stringify(value) ?? '');
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}
