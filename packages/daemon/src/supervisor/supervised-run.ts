import { FrameError, PROTOCOL_VERSION, type RunnerMessage, type SupervisorMessage } from '@x/ipc';
import { STDERR_TAIL_BYTES } from '../constants.js';
import type { LaunchedRunner, RunnerExit, RunnerLauncher } from '../launch/runner-launcher.js';
import { TailBuffer, type RunLog } from '../logs/run-log.js';
import type { PersistenceGuard } from '../persistence/persistence-guard.js';
import type { RunRecord, RunStore } from '../persistence/run-store.js';
import type { Logger } from '../process/logger.js';
import { classifyExit, type ExitEvidence, type StopPhase } from './classify-exit.js';
import { canTransition, type RunState } from './run-state.js';
import type { SupervisorEvent } from './supervisor-events.js';

/** Everything needed to start one run. */
export interface RunSpec {
  runId: string;
  name: string;
  /** Agent module for the launcher's runner, or null for a `command` run. */
  module: string | null;
  /** Program and arguments of a `command` run, or null. */
  command: string[] | null;
  params: Record<string, unknown>;
  intervalMs: number;
  maxIterations: number | null;
  stopBudget: StopBudget;
  codec: 'jsonl' | 'msgpack';
  cwd: string;
  env: Record<string, string>;
  handshakeTimeoutMs: number;
  /** Invalid frames tolerated within 60 s before the runner is killed (`protocol_error`). */
  maxInvalidFramesPerMinute: number;
}

/** Durations of the first two stop phases, in ms; the third (SIGKILL) is immediate. */
export interface StopBudget {
  /** IPC `stop` → SIGTERM. */
  ipcMs: number;
  /** SIGTERM → SIGKILL. */
  sigtermMs: number;
}

/** Collaborators of a run, passed in so tests can observe them. */
export interface SupervisedRunDeps {
  launcher: RunnerLauncher;
  store: RunStore;
  persistence: PersistenceGuard;
  log: RunLog;
  logger: Logger;
  emit(event: SupervisorEvent): void;
}

/** After the process exits, how long to wait for its last IPC frames and output: 500 ms. */
const DRAIN_AFTER_EXIT_MS = 500;

/**
 * One supervised run: launch, handshake, message handling, 3-phase stop, exit
 * classification. The state machine is in `run-state.ts`; the classification is the pure
 * `classifyExit`. A run is never reported `exited` before its process exit was observed.
 */
export class SupervisedRun {
  readonly #spec: RunSpec;
  readonly #deps: SupervisedRunDeps;
  #record: RunRecord;
  #runner: LaunchedRunner | undefined;
  #handshake: ExitEvidence['handshake'] = 'pending';
  #handshakeError: string | undefined;
  #stopPhase: StopPhase | undefined;
  #exitFrame: ExitEvidence['exitFrame'];
  #protocolError: string | undefined;
  /** Times (ms) of recent invalid frames, at most maxInvalidFramesPerMinute + 1 kept. */
  readonly #invalidFrames: number[] = [];
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  readonly #stderrTail = new TailBuffer(STDERR_TAIL_BYTES);
  #settleStarted!: (record: RunRecord) => void;
  #settleEnded!: (record: RunRecord) => void;
  /** Settles when the run is ready, or exited before becoming ready. */
  readonly started: Promise<RunRecord>;
  /** Settles when the run has exited (process exit observed and classified). */
  readonly ended: Promise<RunRecord>;
  /** ms since the Unix epoch of the last heartbeat, if any. */
  lastHeartbeatAt: number | null = null;

  constructor(spec: RunSpec, deps: SupervisedRunDeps) {
    this.#spec = spec;
    this.#deps = deps;
    this.started = new Promise((resolve) => (this.#settleStarted = resolve));
    this.ended = new Promise((resolve) => (this.#settleEnded = resolve));
    this.#record = {
      runId: spec.runId,
      name: spec.name,
      module: spec.module,
      params: spec.params,
      options: {
        command: spec.command,
        intervalMs: spec.intervalMs,
        maxIterations: spec.maxIterations,
        stopBudget: spec.stopBudget,
        codec: spec.codec,
        cwd: spec.cwd,
      },
      launcher: deps.launcher.kind,
      state: 'starting',
      pid: null,
      pgid: null,
      createdAt: Date.now(),
      readyAt: null,
      endedAt: null,
      iterations: 0,
      lastSummary: null,
      exit: null,
      logPath: deps.log.path,
    };
  }

  /** A snapshot of the run. */
  get record(): RunRecord {
    return { ...this.#record };
  }

  get state(): RunState {
    return this.#record.state;
  }

  /** Launches the runner and sends `init`. Call once. */
  start(): void {
    const { store, persistence, launcher, log } = this.#deps;
    const spec = this.#spec;
    persistence.run('insert run', () => store.insertRun(this.#record), undefined);
    this.#emitState();
    log.line(
      'x',
      `starting run ${spec.runId} (${spec.name}): ${spec.module ?? spec.command?.join(' ')}`,
    );

    const runner = launcher.launch({
      runId: spec.runId,
      name: spec.name,
      codec: spec.codec,
      cwd: spec.cwd,
      env: spec.env,
      command: spec.command ?? undefined,
    });
    this.#runner = runner;
    runner.stdout?.setEncoding('utf8');
    runner.stdout?.on('data', (text: string) => log.write('stdout', text));
    runner.stderr?.setEncoding('utf8');
    runner.stderr?.on('data', (text: string) => {
      this.#stderrTail.push(text);
      log.write('stderr', text);
    });
    runner.channel.onError((error) => this.#onChannelError(error));
    runner.channel.onMessage((message) => this.#onMessage(message));
    void runner.exited.then((exit) => this.#onExit(exit));

    if (runner.pid !== undefined) {
      this.#record.pid = runner.pid;
      this.#record.pgid = runner.pgid ?? null;
      persistence.run(
        'update pid',
        () => store.updateRun(spec.runId, { pid: runner.pid, pgid: runner.pgid ?? null }),
        undefined,
      );
    }
    this.#send({
      type: 'init',
      protocolVersion: PROTOCOL_VERSION,
      codec: spec.codec,
      runId: spec.runId,
      name: spec.name,
      ...(spec.module === null ? {} : { module: spec.module }),
      params: spec.params,
      intervalMs: spec.intervalMs,
      ...(spec.maxIterations === null ? {} : { maxIterations: spec.maxIterations }),
    });
    this.#after(spec.handshakeTimeoutMs, () => {
      if (this.#handshake === 'pending') {
        this.#failHandshake(`no ready within ${spec.handshakeTimeoutMs} ms of init`);
      }
    });
  }

  /**
   * Stops the run in up to three phases: IPC `stop` (the runner finishes its iteration and
   * exits), after `ipcMs` SIGTERM to the process group, after `sigtermMs` more SIGKILL.
   * Resolves with the record once the exit has been observed. Idempotent.
   */
  stop(budget: StopBudget = this.#spec.stopBudget, reason = 'stop requested'): Promise<RunRecord> {
    const state = this.#record.state;
    if (state === 'exited' || state === 'stopping') {
      return this.ended;
    }
    this.#transition('stopping');
    this.#deps.log.line(
      'x',
      `stopping: ${reason} (budget: IPC ${budget.ipcMs} ms, SIGTERM ${budget.sigtermMs} ms)`,
    );
    const sigkill = () => {
      this.#stopPhase = 'sigkill';
      this.#deps.log.line('x', 'stop: SIGKILL to the process group');
      this.#runner?.signal('SIGKILL');
    };
    const sigterm = () => {
      this.#stopPhase = 'sigterm';
      this.#deps.log.line('x', 'stop: SIGTERM to the process group');
      this.#runner?.signal('SIGTERM');
      this.#after(budget.sigtermMs, sigkill);
    };
    if (this.#handshake === 'completed' && this.#runner?.channel.closed === false) {
      this.#stopPhase = 'ipc';
      this.#send({ type: 'stop', graceMs: budget.ipcMs, reason });
      this.#after(budget.ipcMs, sigterm);
    } else {
      sigterm();
    }
    return this.ended;
  }

  #onMessage(message: RunnerMessage): void {
    if (this.#record.state === 'exited') {
      return;
    }
    if (this.#handshake !== 'completed') {
      this.#onHandshakeMessage(message);
      return;
    }
    const { store, persistence, log } = this.#deps;
    const emit = (event: SupervisorEvent) => this.#deps.emit(event);
    const { runId, name } = this.#spec;
    switch (message.type) {
      case 'iteration_done': {
        const iteration = {
          runId,
          iteration: message.iteration,
          status: message.status,
          durationMs: message.durationMs,
          summary: message.summary ?? null,
          error: message.error ?? null,
          usage: message.usage ?? null,
          finishedAt: Date.now(),
        };
        // Persisted first; events go out only for what is stored (or could not be, see health).
        const fresh = persistence.run(
          'record iteration',
          () => store.recordIteration(iteration),
          true,
        );
        if (fresh) {
          this.#record.iterations += 1;
          if (iteration.summary !== null) {
            this.#record.lastSummary = iteration.summary;
          }
          emit({ type: 'iteration_done', runId, name, iteration });
        }
        if (message.status === 'error') {
          log.line('x', `iteration ${message.iteration} failed: ${message.error ?? 'no detail'}`);
        }
        break;
      }
      case 'log':
        log.line('agent', `[${message.level}] ${message.message}`);
        emit({ type: 'log', runId, name, level: message.level, message: message.message });
        break;
      case 'notify':
        log.line('agent', `[notify] ${truncate(safeJson(message.payload), 2000)}`);
        emit({ type: 'notify', runId, name, payload: message.payload });
        break;
      case 'error':
        log.line('x', `runner error${message.fatal ? ' (fatal)' : ''}: ${message.message}`);
        break;
      case 'exit':
        this.#exitFrame = {
          reason: message.reason,
          iterations: message.iterations,
          summary: message.summary,
        };
        break;
      case 'heartbeat':
        this.lastHeartbeatAt = Date.now();
        break;
      case 'iteration_start':
        break;
      case 'ready':
        log.line('x', 'protocol: duplicate ready ignored');
        break;
    }
  }

  #onHandshakeMessage(message: RunnerMessage): void {
    if (this.#handshake === 'failed') {
      return;
    }
    if (message.type !== 'ready') {
      this.#failHandshake(`runner sent ${message.type} before ready`);
      return;
    }
    if (message.protocolVersion !== PROTOCOL_VERSION) {
      this.#failHandshake(
        `runner speaks protocol version ${message.protocolVersion}, the daemon speaks version ${PROTOCOL_VERSION}`,
      );
      return;
    }
    this.#handshake = 'completed';
    this.#record.readyAt = Date.now();
    if (message.pid !== undefined && this.#record.pid === null) {
      this.#record.pid = message.pid;
    }
    const wasStopping = this.#record.state === 'stopping';
    if (!wasStopping) {
      this.#record.state = 'running';
    }
    const { readyAt, pid } = this.#record;
    this.#deps.persistence.run(
      'mark ready',
      () =>
        this.#deps.store.updateRun(this.#spec.runId, { state: this.#record.state, readyAt, pid }),
      undefined,
    );
    this.#deps.log.line('x', `ready (pid ${pid ?? 'n/a'})`);
    this.#emitState();
    this.#settleStarted(this.record);
  }

  #onChannelError(error: Error): void {
    this.#deps.log.line('x', `protocol: ${error.message}`);
    if (!(error instanceof FrameError) || this.#protocolError !== undefined) {
      return;
    }
    const now = Date.now();
    const limit = this.#spec.maxInvalidFramesPerMinute;
    this.#invalidFrames.push(now);
    while (this.#invalidFrames.length > 0 && this.#invalidFrames[0] <= now - 60_000) {
      this.#invalidFrames.shift();
    }
    if (this.#invalidFrames.length > limit) {
      this.#protocolError = `more than ${limit} invalid frames within 60 s (last: ${error.message})`;
      this.#deps.log.line('x', `${this.#protocolError}; killing the process group`);
      this.#runner?.signal('SIGKILL');
    } else if (this.#invalidFrames.length > limit + 1) {
      this.#invalidFrames.shift();
    }
  }

  #failHandshake(why: string): void {
    this.#handshake = 'failed';
    this.#handshakeError = why;
    this.#deps.log.line('x', `handshake failed: ${why}; killing the process group`);
    this.#runner?.signal('SIGKILL');
  }

  async #onExit(exit: RunnerExit): Promise<void> {
    const stopPhase = this.#stopPhase;
    const runner = this.#runner!;
    // The exit event can come before the last frames and output are read: drain briefly.
    await Promise.race([
      Promise.all([
        new Promise<void>((resolve) =>
          runner.channel.closed ? resolve() : runner.channel.onClose(() => resolve()),
        ),
        streamEnded(runner.stdout),
        streamEnded(runner.stderr),
      ]),
      new Promise<void>((resolve) => setTimeout(resolve, DRAIN_AFTER_EXIT_MS).unref()),
    ]);
    for (const timer of this.#timers) {
      clearTimeout(timer);
    }
    this.#timers.clear();
    // Reap anything the runner left in its process group (no orphans).
    runner.signal('SIGKILL');
    runner.channel.close();

    const classification = classifyExit({
      exitCode: exit.exitCode,
      signal: exit.signal,
      spawnError: exit.spawnError,
      handshake: this.#handshake,
      handshakeError: this.#handshakeError,
      stopPhase,
      protocolError: this.#protocolError,
      exitFrame: this.#exitFrame,
    });
    this.#record.exit = {
      ...classification,
      exitCode: exit.exitCode,
      signal: exit.signal,
      stderrTail: this.#stderrTail.toString(),
    };
    this.#record.endedAt = Date.now();
    this.#record.state = 'exited';
    const { exit: recordExit, endedAt } = this.#record;
    this.#deps.persistence.run(
      'record exit',
      () =>
        this.#deps.store.updateRun(this.#spec.runId, {
          state: 'exited',
          endedAt,
          exit: recordExit,
        }),
      undefined,
    );
    this.#deps.log.line('x', `exited (${classification.reason}): ${classification.explanation}`);
    this.#deps.log.close();
    this.#deps.logger.info(
      `run ${this.#spec.runId} (${this.#spec.name}) exited: ${classification.explanation}`,
    );
    this.#emitState();
    this.#settleStarted(this.record);
    this.#settleEnded(this.record);
  }

  #transition(to: RunState): void {
    const from = this.#record.state;
    if (!canTransition(from, to)) {
      throw new Error(`x: internal: run ${this.#spec.runId} cannot go from ${from} to ${to}`);
    }
    this.#record.state = to;
    this.#deps.persistence.run(
      'update state',
      () => this.#deps.store.updateRun(this.#spec.runId, { state: to }),
      undefined,
    );
    this.#emitState();
  }

  #emitState(): void {
    this.#deps.emit({ type: 'run_state', run: this.record });
  }

  #send(message: SupervisorMessage): void {
    this.#runner?.channel.send(message).catch((error: Error) => {
      this.#deps.log.line('x', `could not send ${message.type}: ${error.message}`);
    });
  }

  #after(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      fn();
    }, ms);
    this.#timers.add(timer);
  }
}

function streamEnded(stream: NodeJS.ReadableStream | null): Promise<void> {
  if (stream === null) {
    return Promise.resolve();
  }
  const readable = stream as NodeJS.ReadableStream & {
    readableEnded?: boolean;
    destroyed?: boolean;
  };
  if (readable.readableEnded === true || readable.destroyed === true) {
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    stream.once('end', resolve);
    stream.once('close', resolve);
  });
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
