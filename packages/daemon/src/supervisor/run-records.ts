import type { StoreMessage, StoreResultMessage } from '@x/ipc';
import type { PersistenceGuard } from '../persistence/persistence-guard.js';
import { RecordsRefusal, type RecordStore } from '../persistence/record-store.js';

/** What {@link RunRecords} works with. */
export interface RunRecordsDeps {
  runId: string;
  records: RecordStore;
  persistence: PersistenceGuard;
  /** The run's cap, bytes (`init.storeMaxBytes`). */
  maxBytes: number;
}

/**
 * A run's side of the record store (protocol `store`): applies a runner's request through
 * {@link RecordStore} and answers it. `ok: true` only once the request is committed durably;
 * refused, with the reason, while persistence is degraded (nothing is acknowledged that is
 * not on disk, as for checkpoints), when the run is over its cap, or when SQLite fails.
 */
export class RunRecords {
  constructor(private readonly deps: RunRecordsDeps) {}

  /** The answer to `message` (`store_result` with its `requestId`). */
  answer(message: StoreMessage): StoreResultMessage {
    const { requestId } = message;
    const refused = (error: string): StoreResultMessage => ({
      type: 'store_result',
      requestId,
      ok: false,
      error: error.slice(0, 4096),
    });
    const { runId, records, persistence, maxBytes } = this.deps;
    for (const [index, op] of message.ops.entries()) {
      if (op.op === 'delete' && (op.key === undefined) === (op.prefix === undefined)) {
        return refused(
          `not applied: ops[${index}] (delete) needs exactly one of key and prefix, got ${op.key === undefined ? 'neither' : 'both'}`,
        );
      }
    }
    if (persistence.degraded) {
      return refused(
        `not applied: persistence is failing (${persistence.health.lastError ?? 'unknown error'}); nothing is acknowledged that is not on disk`,
      );
    }
    let refusal: string | undefined;
    const applied = persistence.write(
      'apply store request',
      () => {
        try {
          return records.apply(runId, message.ops, maxBytes);
        } catch (error) {
          // Refused for what it asks: the store is fine, so the guard must not degrade.
          if (error instanceof RecordsRefusal) {
            refusal = error.message;
            return undefined;
          }
          throw error;
        }
      },
      undefined,
      { proves: (value) => value !== undefined },
    );
    if (refusal !== undefined) {
      return refused(refusal);
    }
    if (applied === undefined) {
      return refused(`not applied: ${persistence.health.lastError ?? 'the write failed'}`);
    }
    return {
      type: 'store_result',
      requestId,
      ok: true,
      results: applied.results,
      usedBytes: applied.usedBytes,
    };
  }
}
