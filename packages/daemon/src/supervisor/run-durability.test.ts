import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runRecord, tempDir } from '../../test/helpers.js';
import { CheckpointStore } from '../persistence/checkpoint-store.js';
import { PersistenceGuard } from '../persistence/persistence-guard.js';
import { RunStore } from '../persistence/run-store.js';
import { UsageLedger } from '../persistence/usage-ledger.js';
import { silentLogger } from '../process/logger.js';
import { RunDurability } from './run-durability.js';

/** A RunStore whose SQLite is made full by `max_page_count` (SQLITE_FULL, as on a full disk). */
describe('RunDurability on a full disk (real SQLite, SQLITE_FULL from max_page_count)', () => {
  let dir: ReturnType<typeof tempDir>;
  let runs: RunStore;
  let retries: (() => void)[];
  let durability: RunDurability;
  let guard: PersistenceGuard;
  let ledger: UsageLedger;

  const fillDisk = () => {
    const db = runs.database;
    db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
    for (let i = 0; ; i += 1) {
      try {
        db.prepare(
          'INSERT INTO agent_usage (run_id, attempt, day, model, input_tokens, output_tokens, cost_nano_usd, calls, calls_without_cost) VALUES (?, 9, ?, ?, 0, 0, 0, 1, 0)',
        ).run('r-1', '2000-01-01', `filler-${i}-${'m'.repeat(200)}`);
      } catch {
        break;
      }
    }
  };

  beforeEach(() => {
    dir = tempDir('x-rd-');
    runs = new RunStore(`${dir.path}/x.db`);
    runs.insertRun(runRecord('r-1', 'one', 1));
    retries = [];
    const tx = runs.database.transaction((fn: () => void) => fn());
    guard = new PersistenceGuard(silentLogger, {
      transaction: (fn) => tx(fn),
      schedule: (fn) => {
        retries.push(fn);
        return () => undefined;
      },
    });
    ledger = new UsageLedger(runs.database);
    const options = { ...runRecord('r-1', 'one', 1).options, budget: { maxCostUsd: 1 } };
    durability = new RunDurability({
      runId: 'r-1',
      checkpoints: new CheckpointStore(runs.database),
      usage: ledger,
      persistence: guard,
      options: () => options,
      now: () => Date.UTC(2026, 11, 7),
    });
  });
  afterEach(() => {
    runs.close();
    dir.remove();
  });

  it('usage SQLite refuses still counts against the budget, and is stored once there is room', () => {
    expect(durability.recordUsage(1, { costUsd: 0.6 }).exceeded).toBe(false);
    fillDisk();
    // Not stored (it waits in memory), yet judged: 0.6 + 0.6 is over $1.
    // A new row (attempt 2, a long model name) needs a page the file may not grow by.
    const model = `model-${'m'.repeat(3000)}`;
    expect(durability.recordUsage(2, { costUsd: 0.6, model }).exceeded).toBe(true);
    expect(guard.health).toMatchObject({ ok: false, deferredWrites: 1 });
    expect(ledger.runTotals('r-1').costUsd).toBeCloseTo(0.6);
    // A checkpoint is refused meanwhile: nothing is acknowledged that is not on disk.
    const ack = durability.checkpoint(
      1,
      { type: 'checkpoint', requestId: 'c-1', state: { n: 1 } },
      undefined,
    );
    expect(ack).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^not stored: persistence is failing/),
    });

    runs.database.pragma('max_page_count = 1000000');
    retries.splice(0).forEach((fn) => fn());
    expect(guard.health).toMatchObject({ ok: true, deferredWrites: 0, writtenLate: 1 });
    expect(ledger.runTotals('r-1').costUsd).toBeCloseTo(1.2);
    // Judged once, from SQLite: nothing counted twice.
    expect(durability.decide()).toMatchObject({ exceeded: true });
    expect(durability.totals().costUsd).toBeCloseTo(1.2);
  });
});
