// The put/get part of a run's record store, in memory, for createRunner's onStore: what the
// daemon keeps in SQLite (test/daemon-approval.test.ts runs against the real one).
import type { StoreOp, StoreOpResult } from '@x/ipc';

export function memoryStore(records = new Map<string, unknown>()) {
  const batch = async (ops: StoreOp[]): Promise<StoreOpResult[]> =>
    ops.map((op): StoreOpResult => {
      const id = `${op.ns}\u0000${'key' in op ? op.key : ''}`;
      switch (op.op) {
        case 'put':
          records.set(id, structuredClone(op.value));
          return { op: 'put', written: true };
        case 'get':
          return records.has(id)
            ? { op: 'get', found: true, value: structuredClone(records.get(id)) }
            : { op: 'get', found: false };
        default:
          throw new Error(`memoryStore: ${op.op} is not implemented in this test store`);
      }
    });
  return { records, batch };
}
