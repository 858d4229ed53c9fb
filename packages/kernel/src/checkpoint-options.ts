import type { CheckpointStore } from './checkpoint-taker.js';
import type { CheckpointReceipt } from './define-agent.js';
import { describeValue } from './describe-value.js';
import { CheckpointError, KERNEL_ERROR_CODES } from './errors.js';
import { findJsonProblem } from './json-value.js';

/** The checkpoint options of `createRunner`, as given (unchecked). */
interface CheckpointOptions {
  readonly restored?: unknown;
  readonly checkpointMaxBytes?: unknown;
  readonly onCheckpoint?: unknown;
  readonly onUsage?: unknown;
  readonly onStore?: unknown;
}

/**
 * What is wrong with the checkpoint options of `createRunner`, or undefined: `restored` must
 * be `{ seq, state, attempt, savedAt }` (integers ≥ 1, ≥ 1 and ≥ 0, a JSON state),
 * `checkpointMaxBytes` a safe integer ≥ 1, `onCheckpoint` and `onUsage` functions.
 */
export function checkCheckpointOptions(options: CheckpointOptions): string | undefined {
  const { restored, checkpointMaxBytes, onCheckpoint, onUsage, onStore } = options;
  if (
    checkpointMaxBytes !== undefined &&
    !(Number.isSafeInteger(checkpointMaxBytes) && (checkpointMaxBytes as number) >= 1)
  ) {
    return `checkpointMaxBytes must be an integer >= 1 (bytes), got ${describeValue(checkpointMaxBytes)}`;
  }
  for (const [name, value] of [
    ['onCheckpoint', onCheckpoint],
    ['onUsage', onUsage],
    ['onStore', onStore],
  ] as const) {
    if (value !== undefined && typeof value !== 'function') {
      return `${name} must be a function when given, got ${describeValue(value)}`;
    }
  }
  return restored === undefined ? undefined : restoredProblem(restored);
}

function restoredProblem(restored: unknown): string | undefined {
  if (typeof restored !== 'object' || restored === null || Array.isArray(restored)) {
    return `restored must be an object { seq, state, attempt, savedAt }, got ${describeValue(restored)}`;
  }
  const record = restored as Record<string, unknown>;
  for (const [field, min] of [
    ['seq', 1],
    ['attempt', 1],
    ['savedAt', 0],
  ] as const) {
    const value = record[field];
    if (!(Number.isSafeInteger(value) && (value as number) >= min)) {
      return `restored.${field} must be an integer >= ${min}, got ${describeValue(value)}`;
    }
  }
  if (!('state' in record)) {
    return 'restored.state is missing; give the state that was stored (null for none)';
  }
  const problem = findJsonProblem(record.state, 'restored.state');
  return problem === undefined ? undefined : problem;
}

/**
 * The checkpoint store of an in-process runner: hands `handler` a copy of the state made
 * through JSON (what a restart would get back), and checks what it resolves with.
 */
export function storeWith(
  handler: (state: unknown, meta: { readonly iteration: number }) => Promise<CheckpointReceipt>,
): CheckpointStore {
  return async (state, meta) => {
    const receipt: unknown = await handler(JSON.parse(JSON.stringify(state)), {
      iteration: meta.iteration,
    });
    const { seq, savedAt } = (receipt ?? {}) as Partial<Record<string, unknown>>;
    if (typeof seq !== 'number' || typeof savedAt !== 'number') {
      throw new CheckpointError(
        KERNEL_ERROR_CODES.CHECKPOINT_REFUSED,
        `@x/kernel: ctx.checkpoint: onCheckpoint must resolve with { seq: number, savedAt: number }, got ${describeValue(receipt)}`,
      );
    }
    return { seq, savedAt };
  };
}
