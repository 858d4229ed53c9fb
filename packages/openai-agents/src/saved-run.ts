/** The record-store methods {@link saveRun} and {@link readSavedRun} use (`ctx.store`). */
export interface RunStore {
  put(ns: string, key: string, value: unknown): Promise<boolean>;
  get(ns: string, key: string): Promise<unknown>;
}

/** The record-store namespace of saved run states. */
export const SAVED_RUN_NAMESPACE = 'openai-agents';

/**
 * A run state saved by `runWithX`: `state` is `RunState.toString()`. `status`: stopped on
 * tool approvals not yet all answered (`interrupted`), with every approval answered
 * (`answered`), or ended without interruption (`ended`).
 */
export interface SavedRun {
  status: 'interrupted' | 'answered' | 'ended';
  state: string;
}

/** Saves a run's state under `key`; resolves once the supervisor committed it. */
export async function saveRun(
  store: RunStore,
  key: string,
  status: SavedRun['status'],
  state: string,
): Promise<void> {
  await store.put(SAVED_RUN_NAMESPACE, key, { status, state } satisfies SavedRun);
}

/** The state saved under `key`, or undefined when there is none (or it is not one). */
export async function readSavedRun(store: RunStore, key: string): Promise<SavedRun | undefined> {
  const value = (await store.get(SAVED_RUN_NAMESPACE, key)) as Partial<SavedRun> | undefined;
  if (
    value === null ||
    typeof value !== 'object' ||
    !['interrupted', 'answered', 'ended'].includes(value.status as string) ||
    typeof value.state !== 'string'
  ) {
    return undefined;
  }
  return { status: value.status as SavedRun['status'], state: value.state };
}
