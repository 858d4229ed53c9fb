import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { Emitter, RpcError, type Event } from '@x/ipc';
import {
  HANDSHAKE_TIMEOUT_MS,
  MAX_INVALID_FRAMES_PER_MINUTE,
  RECENT_RUNS_LISTED,
  STOP_IPC_PHASE_MS,
  STOP_SIGTERM_PHASE_MS,
} from '../constants.js';
import { DAEMON_RPC_CODES } from '../errors.js';
import type { RunnerLauncher } from '../launch/runner-launcher.js';
import { RunLog, type RunLogOptions } from '../logs/run-log.js';
import { PersistenceGuard, type PersistenceHealth } from '../persistence/persistence-guard.js';
import type { IterationRecord, RunRecord, RunStore } from '../persistence/run-store.js';
import { silentLogger, type Logger } from '../process/logger.js';
import { SupervisedRun, type StopBudget } from './supervised-run.js';
import type { SupervisorEvent } from './supervisor-events.js';

/** What `start` needs: `module` or `command` (exactly one); everything else has a default. */
export interface StartRequest {
  /** Absolute path (or file: URL) of the agent module, run by the launcher's runner. */
  module?: string | undefined;
  /**
   * A program speaking runner protocol v1 on fd 3, as argv (`['python3', 'runner.py']`),
   * run instead of the launcher's runner; `init` then carries no `module`.
   */
  command?: readonly string[] | undefined;
  /** Unique among active runs; `[A-Za-z0-9._-]`, 1–64 chars. @default the module's or program's file name */
  name?: string | undefined;
  params?: Record<string, unknown> | undefined;
  /** Pause between iterations, ms. @default 1000 */
  intervalMs?: number | undefined;
  /** Stop after this many iterations. @default unlimited */
  maxIterations?: number | undefined;
  /** Stop phase durations, ms. @default { ipcMs: 2000, sigtermMs: 3000 } (5 s in all) */
  stopBudget?: Partial<StopBudget> | undefined;
  /** Working directory of the runner. @default the daemon's */
  cwd?: string | undefined;
  /** Extra environment for the runner. */
  env?: Record<string, string> | undefined;
  /** Codec on the runner's IPC channel. @default jsonl */
  codec?: 'jsonl' | 'msgpack' | undefined;
}

/** Options of {@link RunnerSupervisor}. */
export interface RunnerSupervisorOptions {
  launcher: RunnerLauncher;
  store: RunStore;
  /** Directory for per-run log files. */
  logsDir: string;
  logger?: Logger;
  /** How long a runner has to send `ready`, ms. @default 10 000 */
  handshakeTimeoutMs?: number | undefined;
  /** Invalid frames tolerated per run within 60 s before `protocol_error`. @default 20 */
  maxInvalidFramesPerMinute?: number | undefined;
  runLog?: RunLogOptions;
}

const NAME_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * Supervises agent runs: starts them through a {@link RunnerLauncher}, keeps the active
 * ones in memory (finished ones live in SQLite only, so memory stays bounded), stops them
 * in three phases, and publishes events after persisting what they report.
 */
export class RunnerSupervisor {
  readonly #runs = new Map<string, SupervisedRun>();
  readonly #events = new Emitter<SupervisorEvent>();
  readonly #persistence: PersistenceGuard;
  readonly #logger: Logger;
  #closing = false;

  constructor(private readonly options: RunnerSupervisorOptions) {
    this.#logger = options.logger ?? silentLogger;
    this.#persistence = new PersistenceGuard(this.#logger);
    mkdirSync(options.logsDir, { recursive: true, mode: 0o700 });
  }

  /** Every state change, iteration, log line and notification, after it is persisted. */
  get onEvent(): Event<SupervisorEvent> {
    return this.#events.event;
  }

  /** Health of the SQLite store. */
  get persistence(): PersistenceHealth {
    return this.#persistence.health;
  }

  /** Number of runs whose process may be alive. */
  get activeCount(): number {
    return this.#runs.size;
  }

  /** The launcher kind (`subprocess` or `thread`). */
  get launcherKind(): string {
    return this.options.launcher.kind;
  }

  /**
   * Starts a run and resolves once it is ready, or once it exited before becoming ready
   * (then `state` is `exited` and `exit` says why).
   * @throws RpcError NAME_IN_USE (-32002) when an active run has the name;
   *   SHUTTING_DOWN (-32004) during shutdown; TypeError-like INVALID_PARAMS for a bad name.
   */
  async start(request: StartRequest): Promise<RunRecord> {
    if (this.#closing) {
      throw new RpcError(
        DAEMON_RPC_CODES.SHUTTING_DOWN,
        'x: the daemon is shutting down; start the agent after it restarts',
      );
    }
    const { module, command } = request;
    if ((module === undefined) === (command === undefined || command.length === 0)) {
      throw new RpcError(
        -32602,
        'Invalid params: give exactly one of module (an agent module) and command (a program and its arguments)',
        {
          field: '/module',
        },
      );
    }
    const target = module ?? command![0];
    const name = request.name ?? basename(target, extname(target));
    if (!NAME_PATTERN.test(name)) {
      throw new RpcError(
        -32602,
        `Invalid params: name ${JSON.stringify(name)} must be 1-64 characters of A-Z a-z 0-9 . _ -`,
        { field: '/name' },
      );
    }
    const clash = [...this.#runs.values()].find((run) => run.record.name === name);
    if (clash !== undefined) {
      throw new RpcError(
        DAEMON_RPC_CODES.NAME_IN_USE,
        `x: an agent named ${name} is already ${clash.state} (run ${clash.record.runId}); stop it first or pick another --name`,
        { name, runId: clash.record.runId },
      );
    }
    const runId = this.#newRunId();
    const log = new RunLog(join(this.options.logsDir, `${name}-${runId}.log`), this.options.runLog);
    const run = new SupervisedRun(
      {
        runId,
        name,
        module: module ?? null,
        command: command === undefined ? null : [...command],
        params: request.params ?? {},
        intervalMs: request.intervalMs ?? 1000,
        maxIterations: request.maxIterations ?? null,
        stopBudget: {
          ipcMs: request.stopBudget?.ipcMs ?? STOP_IPC_PHASE_MS,
          sigtermMs: request.stopBudget?.sigtermMs ?? STOP_SIGTERM_PHASE_MS,
        },
        codec: request.codec ?? 'jsonl',
        cwd: request.cwd ?? process.cwd(),
        env: request.env ?? {},
        handshakeTimeoutMs: this.options.handshakeTimeoutMs ?? HANDSHAKE_TIMEOUT_MS,
        maxInvalidFramesPerMinute:
          this.options.maxInvalidFramesPerMinute ?? MAX_INVALID_FRAMES_PER_MINUTE,
      },
      {
        launcher: this.options.launcher,
        store: this.options.store,
        persistence: this.#persistence,
        log,
        logger: this.#logger,
        emit: (event) => this.#events.fire(event),
      },
    );
    this.#runs.set(runId, run);
    void run.ended.then(() => this.#runs.delete(runId));
    run.start();
    return run.started;
  }

  /**
   * Stops a run (3 phases) and resolves with its record once its exit was observed.
   * Stopping an exited run returns its record unchanged.
   * @throws RpcError RUN_NOT_FOUND (-32001).
   */
  async stop(ref: string, budget?: Partial<StopBudget>): Promise<RunRecord> {
    const run = this.#findActive(ref);
    if (run === undefined) {
      const record = this.get(ref);
      if (record === undefined) {
        throw new RpcError(
          DAEMON_RPC_CODES.RUN_NOT_FOUND,
          `x: no agent run with id or name ${JSON.stringify(ref)}; see \`x agent list --all\``,
          { ref },
        );
      }
      return record;
    }
    const defaults = run.record.options.stopBudget;
    return run.stop({
      ipcMs: budget?.ipcMs ?? defaults.ipcMs,
      sigtermMs: budget?.sigtermMs ?? defaults.sigtermMs,
    });
  }

  /** Stops every active run in parallel and refuses new ones. Resolves when all have exited. */
  async stopAll(budget?: Partial<StopBudget>): Promise<RunRecord[]> {
    this.#closing = true;
    return Promise.all([...this.#runs.values()].map((run) => this.stop(run.record.runId, budget)));
  }

  /** A run by id, or the active (else latest) run with that name. */
  get(ref: string): RunRecord | undefined {
    const active = this.#findActive(ref);
    if (active !== undefined) {
      return active.record;
    }
    const store = this.options.store;
    return this.#persistence.run(
      'read run',
      () => store.getRun(ref) ?? store.latestByName(ref),
      undefined,
    );
  }

  /** Active runs plus the most recent finished ones (all with `all`), newest first. */
  list(options: { all?: boolean } = {}): RunRecord[] {
    const stored = this.#persistence.run(
      'list runs',
      () => this.options.store.listRuns(options.all === true ? null : RECENT_RUNS_LISTED),
      [] as RunRecord[],
    );
    const byId = new Map(stored.map((record) => [record.runId, record]));
    for (const run of this.#runs.values()) {
      byId.set(run.record.runId, run.record);
    }
    return [...byId.values()].sort((a, b) => b.createdAt - a.createdAt);
  }

  /** The last `limit` stored iterations of a run, newest first. */
  iterations(runId: string, limit: number): IterationRecord[] {
    return this.#persistence.run(
      'read iterations',
      () => this.options.store.recentIterations(runId, limit),
      [],
    );
  }

  /** Last heartbeat time of an active run (ms since the epoch), or null. */
  lastHeartbeatAt(runId: string): number | null {
    return this.#runs.get(runId)?.lastHeartbeatAt ?? null;
  }

  #findActive(ref: string): SupervisedRun | undefined {
    return this.#runs.get(ref) ?? [...this.#runs.values()].find((run) => run.record.name === ref);
  }

  #newRunId(): string {
    for (;;) {
      const id = `r-${randomBytes(4).toString('hex')}`;
      if (
        !this.#runs.has(id) &&
        this.#persistence.run('check id', () => this.options.store.getRun(id), undefined) ===
          undefined
      ) {
        return id;
      }
    }
  }
}
