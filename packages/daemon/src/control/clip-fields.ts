import type { PermissionRecord, TurnRecord } from '../persistence/records.js';

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
