import type { TurnResultMessage, Usage } from '@x/ipc';
import type { TurnRecord } from '../persistence/records.js';

/** Turns a run may have in flight (sent, not yet answered) at once: 1000. More are refused. */
export const MAX_TURNS_IN_FLIGHT = 1000;

/** Callers waiting on one turn at once: 16 (each `agent.send --wait` is one). */
const MAX_WAITERS_PER_TURN = 16;

interface InFlight {
  record: TurnRecord;
  waiters: Set<(record: TurnRecord) => void>;
  /** Sent again after its runner died while it may have been running (retryTurns). */
  retried?: boolean;
}

/**
 * The turns of one run that were sent to a runner and are not answered yet, with the
 * callers waiting on them. It only keeps books: the run persists, sends and publishes.
 * Ids are `t-1`, `t-2`, … in submission order, unique within the run (numbering resumes
 * after `firstNumber - 1`, so a run resumed by a new daemon does not reuse stored ids).
 * Memory: at most {@link MAX_TURNS_IN_FLIGHT} turns, each with at most 16 waiters.
 */
export class TurnTracker {
  readonly #runId: string;
  readonly #inFlight = new Map<string, InFlight>();
  readonly #now: () => number;
  #next: number;

  /**
   * @param firstNumber number of the first id handed out (1 for a new run).
   * @param now clock, ms since the epoch (injectable for tests).
   */
  constructor(runId: string, firstNumber = 1, now: () => number = Date.now) {
    this.#runId = runId;
    this.#next = firstNumber;
    this.#now = now;
  }

  /** Turns sent and not yet answered. */
  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** True when another turn would exceed {@link MAX_TURNS_IN_FLIGHT}. */
  get full(): boolean {
    return this.#inFlight.size >= MAX_TURNS_IN_FLIGHT;
  }

  /** A snapshot of a turn in flight, or undefined. */
  get(turnId: string): TurnRecord | undefined {
    const entry = this.#inFlight.get(turnId);
    return entry === undefined ? undefined : { ...entry.record };
  }

  /**
   * Registers a new turn (status `pending`) sent to attempt `attempt`, with a fresh id.
   * @throws Error when {@link full}: check first (the run turns that into an RPC error).
   */
  submit(input: unknown, attempt: number): TurnRecord {
    if (this.full) {
      throw new Error(`x: internal: run ${this.#runId} has ${MAX_TURNS_IN_FLIGHT} turns in flight`);
    }
    const record: TurnRecord = {
      runId: this.#runId,
      turnId: `t-${this.#next}`,
      attempt,
      input: input ?? null,
      status: 'pending',
      output: null,
      error: null,
      durationMs: null,
      usage: null,
      submittedAt: this.#now(),
      finishedAt: null,
    };
    this.#next += 1;
    this.#inFlight.set(record.turnId, { record, waiters: new Set() });
    return { ...record };
  }

  /**
   * Ends a turn with the runner's `turn_result` and answers its waiters.
   * Returns the finished record, or undefined for a turn not in flight (unknown or already ended).
   */
  settle(result: TurnResultMessage): TurnRecord | undefined {
    return this.#finish(result.turnId, {
      status: result.status,
      output: result.output ?? null,
      error: result.error ?? null,
      ...(result.errorDetail === undefined ? {} : { errorDetail: result.errorDetail }),
      durationMs: result.durationMs,
      // The sums: the split by model went to the usage ledger.
      usage: result.usage === undefined ? null : withoutModels(result.usage),
    });
  }

  /**
   * Ends one turn in flight as `error` without a runner answer (it could not be delivered),
   * recording `error`. Returns the finished record, or undefined for a turn not in flight.
   */
  fail(turnId: string, error: string): TurnRecord | undefined {
    const entry = this.#inFlight.get(turnId);
    if (entry === undefined) {
      return undefined;
    }
    return this.#finish(turnId, {
      status: 'error',
      output: null,
      error,
      durationMs: this.#now() - entry.record.submittedAt,
      usage: null,
    });
  }

  /**
   * Ends every turn in flight without a runner answer (the runner exited): `cancelled` after a
   * requested stop, else `error`; `error` is the text recorded. Returns the ended records.
   */
  endAll(status: 'error' | 'cancelled', error: string): TurnRecord[] {
    const ended: TurnRecord[] = [];
    for (const turnId of [...this.#inFlight.keys()]) {
      const record = this.#inFlight.get(turnId)!.record;
      const finished = this.#finish(turnId, {
        status,
        output: null,
        error,
        durationMs: this.#now() - record.submittedAt,
        usage: null,
      });
      if (finished !== undefined) {
        ended.push(finished);
      }
    }
    return ended;
  }

  /**
   * The runner exited (not stopped) with turns in flight. A runner runs turns one at a time,
   * oldest first (the kernel does; the protocol docs ask the same of others), so only the
   * oldest may have been running: it ends `error` with `error`, unless `retry` (the agent
   * declared its turns idempotent) and it was not retried yet, when it is kept to run once
   * more. The others had not started: they are kept, in order, with their waiters, for the
   * next attempt ({@link kept}). Returns the turns that ended.
   */
  carryOver(error: string, retry: boolean): TurnRecord[] {
    const [oldest] = [...this.#inFlight.entries()].sort(
      ([, a], [, b]) => a.record.submittedAt - b.record.submittedAt,
    );
    if (oldest === undefined) {
      return [];
    }
    const [turnId, entry] = oldest;
    if (retry && entry.retried !== true) {
      entry.retried = true;
      return [];
    }
    const ended = this.#finish(turnId, {
      status: 'error',
      output: null,
      error,
      durationMs: this.#now() - entry.record.submittedAt,
      usage: null,
    });
    return ended === undefined ? [] : [ended];
  }

  /**
   * Turns kept for the next attempt, oldest first, now assigned to `attempt` (to be sent to it
   * in this order).
   */
  kept(attempt: number): TurnRecord[] {
    const entries = [...this.#inFlight.values()].sort(
      (a, b) => a.record.submittedAt - b.record.submittedAt,
    );
    return entries.map((entry) => {
      entry.record.attempt = attempt;
      return { ...entry.record };
    });
  }

  /**
   * Takes back turns a previous daemon left pending (stored), to deliver them to the run's
   * next attempt: they have no waiter (their callers' connections died with it).
   */
  adopt(turns: readonly TurnRecord[]): void {
    for (const record of turns) {
      if (!this.#inFlight.has(record.turnId)) {
        this.#inFlight.set(record.turnId, { record: { ...record }, waiters: new Set() });
      }
    }
  }

  /**
   * Resolves with the turn once it ends, or with its `pending` snapshot after `timeoutMs`
   * (never rejects; undefined `timeoutMs` waits for the end, which {@link endAll} guarantees).
   * Resolves at once with undefined for a turn not in flight, or when 16 callers already wait.
   */
  wait(turnId: string, timeoutMs?: number): Promise<TurnRecord | undefined> {
    const entry = this.#inFlight.get(turnId);
    if (entry === undefined || entry.waiters.size >= MAX_WAITERS_PER_TURN) {
      return Promise.resolve(undefined);
    }
    return new Promise((resolve) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const waiter = (record: TurnRecord) => {
        clearTimeout(timer);
        resolve(record);
      };
      entry.waiters.add(waiter);
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => {
          entry.waiters.delete(waiter);
          resolve({ ...entry.record });
        }, timeoutMs);
        // The daemon's server keeps the process alive; a waiting caller must not.
        timer.unref();
      }
    });
  }

  #finish(
    turnId: string,
    result: Pick<
      TurnRecord,
      'status' | 'output' | 'error' | 'errorDetail' | 'durationMs' | 'usage'
    >,
  ): TurnRecord | undefined {
    const entry = this.#inFlight.get(turnId);
    if (entry === undefined) {
      return undefined;
    }
    this.#inFlight.delete(turnId);
    const record: TurnRecord = { ...entry.record, ...result, finishedAt: this.#now() };
    for (const waiter of entry.waiters) {
      waiter({ ...record });
    }
    return record;
  }
}

/** A turn's usage without its split by model (`models`) and its `counted` flag. */
function withoutModels(usage: NonNullable<TurnResultMessage['usage']>): Usage {
  const { models: _models, counted: _counted, ...totals } = usage;
  return totals;
}
