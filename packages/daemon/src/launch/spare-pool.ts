import { statSync } from 'node:fs';
import type { Logger } from '../process/logger.js';
import type { LaunchedRunner, RunnerExit } from './runner-launcher.js';
import { sameSpareKey, type SpareKey } from './spare-key.js';

/** A spare that exits within this many ms of its start counts as a quick death: 5 s. */
export const SPARE_QUICK_DEATH_MS = 5_000;
/** After this many quick deaths in a row the pool stops pre-starting: 3 (no respawn loop). */
export const SPARE_MAX_QUICK_DEATHS = 3;
/** First wait before a `disabled` pool tries again: 30 s; it doubles per failed try. */
export const SPARE_RETRY_INITIAL_MS = 30_000;
/** Longest wait before a `disabled` pool tries again: 10 min. */
export const SPARE_RETRY_MAX_MS = 600_000;
/**
 * After a handover, the refill waits for the runner's `ready` (or its channel's close), at
 * most this long: 100 ms. The new spare's start-up (a Node process, ~40 ms of CPU) would
 * otherwise share the machine with the handed-over runner's import of its agent and
 * handshake: on 2 cores, the daemon, the runner and the new spare at once (issue 12).
 */
export const SPARE_REFILL_AFTER_HANDOVER_MAX_MS = 100;
/** How long `close()` waits for the spares it killed to be reaped, in ms: 2 s. */
const SPARE_CLOSE_WAIT_MS = 2_000;

/**
 * `active`: keeps `size` spares started. `disabled`: spares kept dying at start-up, none are
 * started for now (runs start cold); the pool tries again after a backoff (30 s, doubling up to
 * 10 min, reset once a spare serves a run). `closed`: `close()` was called (terminal).
 */
export type SparePoolState = 'active' | 'disabled' | 'closed';

/** What {@link SparePool.status} reports, for tests, logs and benchmarks. */
export interface SpareStatus {
  state: SparePoolState;
  /** Spares the pool keeps started. */
  size: number;
  /** Pids of the spares waiting for a run now. */
  idlePids: number[];
  /** What the next spares are started for (the last eligible launch's codec and cwd). */
  key: SpareKey;
  /** Spares started so far. */
  started: number;
  /** Spares handed to a run. */
  handedOver: number;
  /** Spares that exited on their own before a run took them. */
  died: number;
  /** Why the pool is `disabled`. */
  disabledWhy?: string | undefined;
  /** When a `disabled` pool tries again, ms since the Unix epoch. */
  retryAt?: number | undefined;
}

/** Options of {@link SparePool}. */
export interface SparePoolOptions {
  /** How many spares to keep started (≥ 1). */
  size: number;
  /** What the first spares are started for. */
  key: SpareKey;
  /** Starts one spare runner process for `key` (never sends it anything). */
  spawn(key: SpareKey): LaunchedRunner;
  /** Where the pool says that it stopped pre-starting, and why. */
  logger: Logger;
  /** @default Date.now */
  now?: () => number;
  /** First wait before a disabled pool tries again, ms. @default 30 000 (SPARE_RETRY_INITIAL_MS) */
  retryInitialMs?: number | undefined;
}

interface Spare {
  readonly runner: LaunchedRunner;
  readonly key: SpareKey;
  readonly startedAt: number;
  /** Handed to a run, or killed by the pool: its exit is not a death. */
  released: boolean;
}

/**
 * Runner processes started ahead of need ("prefork", like Android's zygote or Passenger's
 * spawner), so that a run or a restart does not wait for a cold Node start. A spare is an
 * ordinary runner waiting for `init` on fd 3; `take()` hands it over, and the pool refills in
 * the background, off the caller's path, once the runner handed over is ready (at most
 * SPARE_REFILL_AFTER_HANDOVER_MAX_MS later), so that the two do not start up at the same
 * time; a launch that found no spare refills at once. The spares follow the codec and cwd
 * of the last eligible launch (`want()`): spares for another key are killed and replaced.
 * A spare that exits by itself is replaced, except after SPARE_MAX_QUICK_DEATHS quick deaths
 * in a row, when the pool is `disabled` and says why in the daemon log.
 */
export class SparePool {
  readonly #options: SparePoolOptions;
  readonly #now: () => number;
  #state: SparePoolState = 'active';
  #key: SpareKey;
  #idle: Spare[] = [];
  /** Spares killed by the pool and not yet reaped (close() waits for them). */
  #killed = new Set<Spare>();
  #refill: NodeJS.Immediate | undefined;
  #quickDeaths = 0;
  #started = 0;
  #handedOver = 0;
  #died = 0;
  #disabledWhy: string | undefined;
  #retryMs: number;
  #retryAt: number | undefined;
  #retryTimer: NodeJS.Timeout | undefined;

  constructor(options: SparePoolOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#key = options.key;
    this.#retryMs = options.retryInitialMs ?? SPARE_RETRY_INITIAL_MS;
    this.#scheduleRefill();
  }

  /** The pool's state and counters. */
  get status(): SpareStatus {
    return {
      state: this.#state,
      size: this.#options.size,
      idlePids: this.#idle.flatMap((spare) =>
        spare.runner.pid === undefined ? [] : [spare.runner.pid],
      ),
      key: { ...this.#key },
      started: this.#started,
      handedOver: this.#handedOver,
      died: this.#died,
      disabledWhy: this.#disabledWhy,
      retryAt: this.#retryAt,
    };
  }

  /**
   * Hands over a spare started for `key`, or returns undefined (none idle, or the pool is not
   * active). Either way the next spares are started for `key`.
   */
  take(key: SpareKey): LaunchedRunner | undefined {
    this.#follow(key);
    const index = this.#idle.findIndex((spare) => sameSpareKey(spare.key, key));
    if (index === -1) {
      this.#scheduleRefill();
      return undefined;
    }
    const [spare] = this.#idle.splice(index, 1);
    spare.released = true;
    this.#handedOver += 1;
    // A spare lived until it was used: the deaths before it were not "in a row".
    this.#quickDeaths = 0;
    this.#retryMs = this.#options.retryInitialMs ?? SPARE_RETRY_INITIAL_MS;
    this.#refillWhenReady(spare.runner);
    return spare.runner;
  }

  /** Schedules the refill once `runner` (just handed over) says `ready`, or closes, or 100 ms. */
  #refillWhenReady(runner: LaunchedRunner): void {
    let pending = true;
    const refill = () => {
      if (pending) {
        pending = false;
        clearTimeout(timer);
        onReady.dispose();
        onClose.dispose();
        this.#scheduleRefill();
      }
    };
    const timer = setTimeout(refill, SPARE_REFILL_AFTER_HANDOVER_MAX_MS);
    timer.unref();
    const onReady = runner.channel.onMessage((message) => {
      if (message.type === 'ready') {
        refill();
      }
    });
    const onClose = runner.channel.onClose(refill);
  }

  /**
   * Starts the next spares for `key` (in the background). A key whose working directory is
   * not an existing directory is not followed: one bad launch must not turn every spare into
   * a quick death.
   */
  want(key: SpareKey): void {
    this.#follow(key);
    this.#scheduleRefill();
  }

  /** Starts the next spares for `key`, unless its working directory is no directory. */
  #follow(key: SpareKey): void {
    if (!sameSpareKey(this.#key, key) && isDirectory(key.cwd)) {
      this.#key = { ...key };
      // Deaths under another key say nothing about this one.
      this.#quickDeaths = 0;
    }
  }

  /**
   * Stops pre-starting and kills every idle spare's process group (SIGKILL: a spare has run no
   * user code), then waits until they are reaped (at most 2 s). Idempotent.
   */
  async close(): Promise<void> {
    if (this.#state !== 'closed') {
      this.#state = 'closed';
      clearTimeout(this.#retryTimer);
      if (this.#refill !== undefined) {
        clearImmediate(this.#refill);
        this.#refill = undefined;
      }
      for (const spare of this.#idle.splice(0)) {
        this.#kill(spare);
      }
    }
    const reaped = Promise.all([...this.#killed].map((spare) => spare.runner.exited));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      reaped,
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, SPARE_CLOSE_WAIT_MS);
        timer.unref();
      }),
    ]);
    clearTimeout(timer);
  }

  #scheduleRefill(): void {
    if (this.#state !== 'active' || this.#refill !== undefined) {
      return;
    }
    this.#refill = setImmediate(() => {
      this.#refill = undefined;
      this.#fill();
    });
    // A pending refill must not keep an embedding process alive.
    this.#refill.unref();
  }

  #fill(): void {
    if (this.#state !== 'active') {
      return;
    }
    for (const spare of this.#idle.filter((idle) => !sameSpareKey(idle.key, this.#key))) {
      this.#idle.splice(this.#idle.indexOf(spare), 1);
      this.#kill(spare);
    }
    while (this.#state === 'active' && this.#idle.length < this.#options.size) {
      this.#start(this.#key);
    }
  }

  #start(key: SpareKey): void {
    let runner: LaunchedRunner;
    try {
      runner = this.#options.spawn(key);
    } catch (error) {
      this.#death(0, `spawn threw: ${(error as Error).message}`);
      return;
    }
    const spare: Spare = { runner, key: { ...key }, startedAt: this.#now(), released: false };
    this.#started += 1;
    this.#idle.push(spare);
    void runner.exited.then((exit) => {
      this.#killed.delete(spare);
      if (spare.released) {
        return;
      }
      spare.released = true;
      const index = this.#idle.indexOf(spare);
      if (index !== -1) {
        this.#idle.splice(index, 1);
      }
      this.#died += 1;
      this.#death(this.#now() - spare.startedAt, describeExit(exit));
    });
  }

  #death(livedMs: number, how: string): void {
    this.#quickDeaths = livedMs < SPARE_QUICK_DEATH_MS ? this.#quickDeaths + 1 : 0;
    if (this.#quickDeaths >= SPARE_MAX_QUICK_DEATHS && this.#state === 'active') {
      this.#state = 'disabled';
      this.#disabledWhy = `${SPARE_MAX_QUICK_DEATHS} spare runners in a row exited within ${SPARE_QUICK_DEATH_MS} ms of their start (last: ${how})`;
      const retryMs = this.#retryMs;
      this.#retryMs = Math.min(SPARE_RETRY_MAX_MS, retryMs * 2);
      this.#retryAt = this.#now() + retryMs;
      this.#options.logger.warn(
        `spare runners: stopped pre-starting: ${this.#disabledWhy}; runs start cold, and the pool tries again in ${retryMs} ms. Check that \`x runner --pipe\` starts (the daemon log, a run's log)`,
      );
      this.#retryTimer = setTimeout(() => this.#retry(), retryMs);
      this.#retryTimer.unref();
      return;
    }
    this.#scheduleRefill();
  }

  #retry(): void {
    if (this.#state !== 'disabled') {
      return;
    }
    this.#state = 'active';
    this.#retryAt = undefined;
    // One more quick death disables it again, for twice as long.
    this.#quickDeaths = SPARE_MAX_QUICK_DEATHS - 1;
    this.#options.logger.info('spare runners: trying to pre-start again');
    this.#scheduleRefill();
  }

  #kill(spare: Spare): void {
    spare.released = true;
    this.#killed.add(spare);
    spare.runner.signal('SIGKILL');
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function describeExit(exit: RunnerExit): string {
  if (exit.spawnError !== undefined) {
    return `spawn failed: ${exit.spawnError.message}`;
  }
  return exit.signal !== null ? `signal ${exit.signal}` : `exit code ${exit.exitCode}`;
}
