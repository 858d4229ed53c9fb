import {
  FrameError,
  IPC_ERROR_CODES,
  PROTOCOL_VERSION,
  type PermissionCancelMessage,
  type PermissionRequestMessage,
  type ReadyMessage,
  type RunnerMessage,
  type SetupDoneMessage,
  type CheckpointAckMessage,
  type CheckpointMessage,
  type UsageMessage,
  type StoreMessage,
  type StoreResultMessage,
  type ErrorDetail,
  type SupervisorMessage,
  type TurnResultMessage,
} from '@x/ipc';
import { STDERR_TAIL_BYTES } from '../constants.js';
import type { LaunchedRunner, RunnerExit, RunnerLauncher } from '../launch/runner-launcher.js';
import { unlaunchedRunner } from '../launch/unlaunched-runner.js';
import { errorTrace, safeJson, truncate } from '../logs/log-text.js';
import { TailBuffer, type RunLog } from '../logs/run-log.js';
import type { PersistenceGuard } from '../persistence/persistence-guard.js';
import type { AttemptRecord, IterationRecord, RunExit } from '../persistence/records.js';
import type { RunStore } from '../persistence/run-store.js';
import { sharedGroupMemorySampler } from '../process/group-memory-sampler.js';
import { readProcessStartTime } from '../process/proc-stat.js';
import type { Logger } from '../process/logger.js';
import { buildAttemptExit, supervisorErrorExit, workerErrorTrace } from './attempt-exit.js';
import { AttemptTimers } from './attempt-timers.js';
import type { ExitEvidence, StopPhase } from './classify-exit.js';
import { drainRunner } from './drain-runner.js';
import { LivenessMonitor } from './liveness-monitor.js';
import type { RunSpec, StopBudget } from './run-spec.js';
import { initMessageOf, launchSpecOf } from './runner-start.js';
import { ResourceMeter, type RunResources } from './resource-meter.js';
import { ServiceProber } from './service-prober.js';
import type { SupervisorEvent } from './supervisor-events.js';

/** What an attempt tells its run. */
export interface AttemptListener {
  /** The handshake completed. */
  ready(attempt: AttemptRecord): void;
  /** An iteration was persisted (or could not be: see persistence health). */
  iteration(record: IterationRecord): void;
  /** The attempt's process exited and the exit was classified and persisted. */
  exited(attempt: AttemptRecord, exit: RunExit): void;
  /** The runner answered a turn (before `exited` for every frame it sent before exiting). */
  turnResult?(message: TurnResultMessage): void;
  /** The runner asks for permission; answer with {@link RunAttempt.answerPermission}. */
  permissionRequest?(message: PermissionRequestMessage): void;
  /** The runner withdrew a request it no longer waits for (and treated as denied). */
  permissionCancel?(message: PermissionCancelMessage): void;
  /** The runner's setup succeeded (`setup_done` ok); a failed one ends in `exited`. */
  setupDone?(): void;
  /** The runner asks to store a checkpoint; answer with {@link RunAttempt.ackCheckpoint}. */
  checkpoint?(message: CheckpointMessage): void;
  /** The runner reports usage outside an iteration or turn result (`usage`). */
  usage?(message: UsageMessage): void;
  /** The runner reads or writes its records (`store`); answer with {@link RunAttempt.answerStore}. */
  store?(message: StoreMessage): void;
}

/** Collaborators of an attempt, passed in so tests can observe them. */
export interface RunAttemptDeps {
  launcher: RunnerLauncher;
  store: RunStore;
  persistence: PersistenceGuard;
  log: RunLog;
  logger: Logger;
  emit(event: SupervisorEvent): void;
  listener: AttemptListener;
}

/** After the process exits, how long to wait for its last IPC frames and output: 500 ms. */
const DRAIN_AFTER_EXIT_MS = 500;

/**
 * One attempt of a supervised run: launch, handshake, message handling, liveness and memory
 * checks, 3-phase stop, exit classification. It persists its own attempt row and
 * iterations; the run (RunController) owns the run-level record and the restart decision.
 * An attempt never reports its exit before the process exit was observed.
 */
export class RunAttempt {
  readonly #spec: RunSpec;
  readonly #deps: RunAttemptDeps;
  readonly #record: AttemptRecord;
  #runner: LaunchedRunner | undefined;
  #handshake: ExitEvidence['handshake'] = 'pending';
  #handshakeError: string | undefined;
  #stopPhase: StopPhase | undefined;
  #exitFrame: ExitEvidence['exitFrame'];
  /** What the runner said it can do, in `ready`. */
  #capabilities: ReadyMessage['capabilities'];
  #protocolError: string | undefined;
  #hung: ExitEvidence['liveness'];
  #liveness: LivenessMonitor | undefined;
  #memory: ExitEvidence['memory'];
  #unhealthy: string | undefined;
  #exited = false;
  /** The runner's setup, when it reports it (`ready.capabilities.setup`). */
  #setup: 'pending' | 'done' | 'failed' = 'pending';
  #setupError: ErrorDetail | undefined;
  /** The exit was reported to the run (`listener.exited`), by the normal path or a fault's. */
  #reported = false;
  /** Set when x's own code failed while supervising this attempt (see #fault). */
  #supervisorError: string | undefined;
  /** Times (ms) of recent invalid frames, at most maxInvalidFramesPerMinute + 1 kept. */
  readonly #invalidFrames: number[] = [];
  /** Cleared when the exit is observed; a callback that throws is a fault (see #fault). */
  readonly #timers = new AttemptTimers((what, error) => this.#fault(what, error));
  readonly #stderrTail = new TailBuffer(STDERR_TAIL_BYTES);
  readonly #meter = new ResourceMeter();
  #settleEnded!: () => void;
  /** Settles when the attempt has exited (process exit observed, classified, persisted). */
  readonly ended: Promise<void>;
  /** ms since the Unix epoch of the last heartbeat, if any. */
  lastHeartbeatAt: number | null = null;
  /** The iteration running now (its `iteration_start` came, its `iteration_done` not yet). */
  currentIteration: { iteration: number; startedAt: number } | null = null;

  constructor(spec: RunSpec, deps: RunAttemptDeps) {
    this.#spec = spec;
    this.#deps = deps;
    this.ended = new Promise((resolve) => (this.#settleEnded = resolve));
    this.#record = {
      runId: spec.runId,
      attempt: spec.attempt,
      pid: null,
      pgid: null,
      procStart: null,
      startedAt: Date.now(),
      readyAt: null,
      endedAt: null,
      exit: null,
    };
  }

  /** A snapshot of the attempt. */
  get record(): AttemptRecord {
    return { ...this.#record };
  }

  /** CPU and memory as last sampled (every `memorySampleMs`), or null before the first sample. */
  get resources(): RunResources | null {
    return this.#exited ? null : this.#meter.resources;
  }

  /** True from launch until the exit is reported: a fault can still end it through its runner. */
  get live(): boolean {
    return this.#runner !== undefined && !this.#reported;
  }

  get handshakeCompleted(): boolean {
    return this.#handshake === 'completed';
  }

  /** Launches the runner and sends `init`. Call once. */
  start(): void {
    const { launcher, log } = this.#deps;
    const spec = this.#spec;
    log.line('x', `attempt ${spec.attempt}: starting ${spec.module ?? spec.command?.join(' ')}`);
    const thread = spec.runnerMode === 'thread';
    if (thread && spec.cwd !== process.cwd()) {
      // Workers share the daemon's working directory and cannot chdir.
      log.line(
        'x',
        `thread mode: the runner shares the daemon's working directory (${process.cwd()}), not ${spec.cwd}`,
      );
    }
    let runner: LaunchedRunner;
    try {
      runner = launcher.launch(launchSpecOf(spec, process.env.NODE_OPTIONS));
    } catch (error) {
      // A launch that throws is a spawn failure of this attempt, not an exception in the daemon.
      runner = unlaunchedRunner(error);
    }
    this.#runner = runner;
    runner.stdout?.setEncoding('utf8');
    runner.stdout?.on('data', (text: string) => log.write('stdout', text));
    runner.stderr?.setEncoding('utf8');
    runner.stderr?.on('data', (text: string) => {
      this.#stderrTail.push(text);
      log.write('stderr', text);
    });
    runner.channel.onError((error) => this.#onChannelError(error));
    runner.channel.onMessage((message) => {
      // A frame that breaks the daemon's handling ends this run, never the daemon.
      try {
        this.#onMessage(message);
      } catch (error) {
        this.#fault(`handling a ${message.type} message`, error);
      }
    });
    runner.exited
      .then(
        (exit) => this.#onExit(exit),
        (error: unknown) => this.#exitFailed(error),
      )
      .catch((error: unknown) => this.#exitFailed(error));

    if (runner.pid !== undefined) {
      this.#record.pid = runner.pid;
      this.#record.pgid = runner.pgid ?? null;
      this.#record.procStart = readProcessStartTime(runner.pid);
    }
    if (runner.threadId !== undefined) {
      log.line('x', `attempt ${spec.attempt}: worker thread ${runner.threadId} in the daemon`);
    }
    this.#persistAttempt();
    // A thread has no RSS of its own: its heap cap (resourceLimits) is its only memory limit.
    if (runner.pid !== undefined && !thread) {
      const limitBytes = spec.maxMemoryMb === null ? null : spec.maxMemoryMb * 1024 * 1024;
      this.#watchUsage(runner.pid, runner.pgid, limitBytes);
    } else if (runner.usage !== undefined) {
      const usage = runner.usage.bind(runner);
      this.#timers.every(spec.memorySampleMs, () =>
        this.#guard('a resource sample', () => this.#meter.thread(usage(), Date.now())),
      );
    }
    if (spec.kind === 'service') {
      this.#probeService();
      return;
    }
    this.#send(initMessageOf(spec));
    this.#timers.after(spec.handshakeTimeoutMs, () => {
      if (this.#handshake === 'pending') {
        this.#failHandshake(`no ready within ${spec.handshakeTimeoutMs} ms of init`);
      }
    });
  }

  /**
   * Stops the attempt in up to three phases: IPC `stop` (the runner finishes its iteration
   * and exits), after `ipcMs` SIGTERM to the process group, after `sigtermMs` more SIGKILL.
   * Resolves once the exit has been observed. Idempotent.
   */
  stop(budget: StopBudget, reason = 'stop requested'): Promise<void> {
    if (this.#exited || this.#stopPhase !== undefined) {
      return this.ended;
    }
    const thread = this.#spec.runnerMode === 'thread';
    this.#deps.log.line(
      'x',
      thread
        ? `stopping: ${reason} (budget: IPC ${budget.ipcMs} ms, then worker.terminate())`
        : `stopping: ${reason} (budget: IPC ${budget.ipcMs} ms, SIGTERM ${budget.sigtermMs} ms)`,
    );
    const sigkill = () => {
      this.#stopPhase = 'sigkill';
      this.#deps.log.line('x', 'stop: SIGKILL to the process group');
      this.#runner?.signal('SIGKILL');
    };
    const sigterm = () => {
      if (thread) {
        // A thread has no signals: its last phase is terminate(), which interrupts its JS.
        this.#stopPhase = 'terminate';
        this.#deps.log.line('x', 'stop: worker.terminate()');
        this.#runner?.signal('SIGKILL');
        return;
      }
      this.#stopPhase = 'sigterm';
      this.#deps.log.line('x', 'stop: SIGTERM to the process group');
      this.#runner?.signal('SIGTERM');
      this.#timers.after(budget.sigtermMs, sigkill);
    };
    if (
      this.#spec.kind === 'agent' &&
      this.#handshake === 'completed' &&
      this.#runner?.channel.closed === false
    ) {
      this.#stopPhase = 'ipc';
      this.#send({ type: 'stop', graceMs: budget.ipcMs, reason });
      this.#timers.after(budget.ipcMs, sigterm);
    } else {
      sigterm();
    }
    return this.ended;
  }

  /**
   * True while the runner can take a turn: handshake completed, it announced
   * `capabilities.turns`, no stop has begun, and it has not exited.
   */
  get acceptsTurns(): boolean {
    return (
      this.#handshake === 'completed' &&
      this.#capabilities?.turns === true &&
      this.#stopPhase === undefined &&
      !this.#exited &&
      this.#runner?.channel.closed === false
    );
  }

  /** True when the runner announced `capabilities.turns` in its `ready`. */
  get turnsCapable(): boolean {
    return this.#capabilities?.turns === true;
  }

  /**
   * Sends a turn (see {@link acceptsTurns}); the answer comes as `listener.turnResult`.
   * Resolves once the runner's channel took it.
   * @throws IpcError (as a rejection) when it cannot be delivered: `X_IPC_BACKPRESSURE` (the
   *   runner is not reading), `X_IPC_ENCODE_FAILED` / `X_IPC_FRAME_TOO_LARGE` (the input),
   *   `X_IPC_CHANNEL_CLOSED`; a runner that was never launched rejects with a plain Error.
   */
  sendTurn(turnId: string, input: unknown): Promise<void> {
    const runner = this.#runner;
    if (runner === undefined) {
      return Promise.reject(new Error('the runner was not launched'));
    }
    return runner.channel.send(
      input === undefined ? { type: 'turn', turnId } : { type: 'turn', turnId, input },
    );
  }

  /** Asks the runner to cancel a queued or running turn (it answers `turn_result` cancelled). */
  cancelTurn(turnId: string, reason?: string): void {
    if (this.#exited) {
      return;
    }
    this.#send(
      reason === undefined
        ? { type: 'turn_cancel', turnId }
        : { type: 'turn_cancel', turnId, reason },
    );
  }

  /** Answers a `permission_request` (a no-op once the runner exited or its channel closed). */
  /** Answers a `checkpoint` (a no-op once the runner exited or its channel closed). */
  ackCheckpoint(ack: CheckpointAckMessage): void {
    if (!this.#exited && this.#runner?.channel.closed === false) {
      this.#send(ack);
    }
  }

  /** Answers a `store` (a no-op once the runner exited or its channel closed). */
  answerStore(result: StoreResultMessage): void {
    if (!this.#exited && this.#runner?.channel.closed === false) {
      this.#send(result);
    }
  }

  /** True when the runner announced `capabilities.pause`: it can be told `pause` and `resume`. */
  get pausable(): boolean {
    return this.#capabilities?.pause === true;
  }

  /** True when the agent declared its turns idempotent (`capabilities.retryTurns`). */
  get retryTurns(): boolean {
    return this.#capabilities?.retryTurns === true;
  }

  /** Tells a pausable runner to start no new iteration or turn (`pause`), or to go on (`resume`). */
  setPaused(paused: boolean, reason = 'paused'): void {
    if (this.pausable && !this.#exited && this.#runner?.channel.closed === false) {
      this.#send(paused ? { type: 'pause', reason: reason.slice(0, 1024) } : { type: 'resume' });
    }
  }

  answerPermission(requestId: string, decision: 'granted' | 'denied', reason?: string): void {
    if (this.#exited || this.#runner?.channel.closed !== false) {
      return;
    }
    this.#send(
      reason === undefined
        ? { type: 'permission_response', requestId, decision }
        : { type: 'permission_response', requestId, decision, reason },
    );
  }

  #onMessage(message: RunnerMessage): void {
    if (this.#exited || this.#spec.kind === 'service') {
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
        this.currentIteration = null;
        const iteration: IterationRecord = {
          runId,
          attempt: this.#spec.attempt,
          iteration: message.iteration,
          status: message.status,
          durationMs: message.durationMs,
          summary: message.summary ?? null,
          error: message.error ?? null,
          ...(message.errorDetail === undefined ? {} : { errorDetail: message.errorDetail }),
          usage: message.usage ?? null,
          finishedAt: Date.now(),
        };
        // Persisted first; events go out only for what is stored (or could not be, see health).
        // Undefined when it waits in memory (a full disk) or was refused: told as new.
        const fresh =
          persistence.persist('record iteration', iteration, (record) =>
            store.recordIteration(record),
          ) ?? true;
        if (fresh) {
          this.#deps.listener.iteration(iteration);
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
        if (this.#liveness === undefined) {
          this.#watchLiveness();
        }
        this.#liveness?.beat();
        this.lastHeartbeatAt = Date.now();
        break;
      case 'ready':
        log.line('x', 'protocol: duplicate ready ignored');
        break;
      case 'turn_result':
        this.#deps.listener.turnResult?.(message);
        break;
      case 'permission_request':
        log.line('x', `permission request ${message.requestId}: ${message.tool}`);
        this.#deps.listener.permissionRequest?.(message);
        break;
      case 'permission_cancel':
        this.#deps.listener.permissionCancel?.(message);
        break;
      case 'checkpoint':
        if (this.#deps.listener.checkpoint === undefined) {
          this.ackCheckpoint({
            type: 'checkpoint_ack',
            requestId: message.requestId,
            ok: false,
            error: 'this supervisor stores no checkpoints',
          });
        } else {
          this.#deps.listener.checkpoint(message);
        }
        break;
      case 'usage':
        this.#deps.listener.usage?.(message);
        break;
      case 'store':
        if (this.#deps.listener.store === undefined) {
          this.answerStore({
            type: 'store_result',
            requestId: message.requestId,
            ok: false,
            error: 'this supervisor keeps no records for the run',
          });
        } else {
          this.#deps.listener.store(message);
        }
        break;
      case 'setup_done':
        this.#onSetupDone(message);
        break;
      case 'iteration_start':
        this.currentIteration = { iteration: message.iteration, startedAt: Date.now() };
        break;
      default:
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
    // A thread runner's pid is the daemon's own: not a runner process to show or reap.
    if (
      message.pid !== undefined &&
      this.#record.pid === null &&
      this.#spec.runnerMode !== 'thread'
    ) {
      this.#record.pid = message.pid;
    }
    this.#capabilities = message.capabilities;
    this.#markReady('ready');
  }

  /** True when the runner reported a failed setup (`setup_done` with `ok: false`). */
  get setupFailed(): boolean {
    return this.#setup === 'failed';
  }

  /** True when the runner announced `setup_done` (`ready.capabilities.setup`) and sent it not yet. */
  get awaitingSetup(): boolean {
    return this.#capabilities?.setup === true && this.#setup === 'pending';
  }

  #onSetupDone(message: SetupDoneMessage): void {
    if (this.#setup !== 'pending') {
      this.#deps.log.line('x', 'protocol: duplicate setup_done ignored');
      return;
    }
    if (message.ok) {
      this.#setup = 'done';
      this.#deps.listener.setupDone?.();
      return;
    }
    const error = message.error;
    this.#setup = 'failed';
    this.#setupError = error ?? { name: 'Error', message: 'setup failed (no detail)' };
    this.#deps.log.line(
      'x',
      `setup failed: ${error === undefined ? 'no detail' : `${error.name}: ${error.message}`}${error?.config === true ? ' (configuration error: not restarted)' : ''}`,
    );
  }

  #markReady(how: string): void {
    this.#handshake = 'completed';
    this.#record.readyAt = Date.now();
    this.#persistAttempt();
    this.#deps.log.line(
      'x',
      `attempt ${this.#spec.attempt}: ${how} (pid ${this.#record.pid ?? 'n/a'})`,
    );
    this.#deps.listener.ready(this.record);
  }

  /** A service is ready when its readiness probe first passes (or at once without one). */
  #probeService(): void {
    new ServiceProber(this.#spec.probes, {
      ready: (how) => this.#markReady(how),
      notReady: (why) => this.#failHandshake(why),
      unhealthy: (why) => {
        this.#unhealthy = why;
        this.#kill(why);
      },
      ended: () => this.#exited || this.#stopPhase !== undefined,
      after: (ms, fn) => this.#timers.after(ms, fn),
      log: (line) => this.#deps.log.line('x', line),
    }).start();
  }

  #onChannelError(error: Error): void {
    this.#deps.log.line('x', `protocol: ${error.message}`);
    // A message type this daemon does not know is a newer runner's optional message, not a fault.
    if (
      !(error instanceof FrameError) ||
      error.code === IPC_ERROR_CODES.UNKNOWN_MESSAGE_TYPE ||
      this.#protocolError !== undefined
    ) {
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
      this.#kill(this.#protocolError);
    }
  }

  /**
   * Armed by the first heartbeat: a runner that never sends one is not liveness-checked. The
   * silence is judged on a monotonic clock after pending input was read (LivenessMonitor).
   */
  #watchLiveness(): void {
    const timeoutMs = this.#spec.livenessTimeoutMs;
    const periodMs = Math.max(100, Math.min(1000, Math.floor(timeoutMs / 4)));
    const liveness = new LivenessMonitor(timeoutMs, periodMs * 2);
    this.#liveness = liveness;
    const judge = () => {
      const { silenceMs, hung } = liveness.check();
      if (hung && this.#hung === undefined && this.#stopPhase === undefined && !this.#exited) {
        this.#hung = { lastHeartbeatAgeMs: silenceMs, timeoutMs };
        this.#kill(`no heartbeat for ${silenceMs} ms (limit ${timeoutMs} ms): hung`);
      }
    };
    // setImmediate: after the I/O phase, so heartbeats that waited while the daemon stalled count.
    this.#timers.every(periodMs, () => setImmediate(() => this.#guard('a liveness check', judge)));
  }

  /**
   * Samples the RSS and CPU time of the runner's whole process group (its children count), else
   * of its pid, every `memorySampleMs` (one /proc scan per tick shared by every run): for
   * {@link resources}, and against the memory limit, if any.
   */
  #watchUsage(pid: number, pgid: number | undefined, limitBytes: number | null): void {
    const sampler = sharedGroupMemorySampler(this.#spec.memorySampleMs);
    const watch = sampler.watchUsage(pid, pgid, (usage) =>
      this.#guard('a memory check', () => {
        this.#meter.group(usage, Date.now());
        const rssBytes = usage?.rssBytes ?? null;
        if (
          limitBytes !== null &&
          rssBytes !== null &&
          rssBytes > limitBytes &&
          this.#memory === undefined
        ) {
          this.#memory = { rssBytes, limitBytes };
          this.#kill(
            `RSS ${rssBytes} bytes of the process group over the limit of ${limitBytes} bytes: out of memory`,
          );
        }
      }),
    );
    this.#timers.hold(watch);
  }

  /** Ends the attempt at once (SIGKILL to the group): for faults where a graceful stop is moot. */
  #kill(why: string): void {
    this.#deps.log.line(
      'x',
      `${why}; ${this.#spec.runnerMode === 'thread' ? 'terminating the worker' : 'killing the process group'}`,
    );
    this.#runner?.signal('SIGKILL');
  }

  #failHandshake(why: string): void {
    this.#handshake = 'failed';
    this.#handshakeError = why;
    this.#kill(`handshake failed: ${why}`);
  }

  async #onExit(exit: RunnerExit): Promise<void> {
    const stopPhase = this.#stopPhase;
    const runner = this.#runner!;
    await drainRunner(runner, DRAIN_AFTER_EXIT_MS);
    this.#exited = true;
    this.#timers.clear();
    // Reap anything the runner left in its process group (no orphans).
    runner.signal('SIGKILL');
    runner.channel.close();
    if (exit.error !== undefined) {
      const trace = workerErrorTrace(exit.error);
      this.#deps.log.line('x', `worker error: ${trace}`);
      this.#stderrTail.push(`${trace}\n`);
    }
    const endedAt = Date.now();
    const { runExit, attemptExit } = buildAttemptExit({
      exit,
      handshake: this.#handshake,
      handshakeError: this.#handshakeError,
      stopPhase,
      protocolError: this.#protocolError,
      liveness: this.#hung,
      memory: this.#memory,
      unhealthy: this.#unhealthy,
      service: this.#spec.kind === 'service',
      exitFrame: this.#exitFrame,
      supervisorError: this.#supervisorError,
      setupError: this.#setupError,
      stderrTail: this.#stderrTail.toString(),
      readyAt: this.#record.readyAt,
      endedAt,
      lastHeartbeatAt: this.lastHeartbeatAt,
    });
    this.#record.endedAt = endedAt;
    this.#record.exit = attemptExit;
    this.#persistAttempt();
    const { reason, explanation } = runExit;
    this.#deps.log.line('x', `attempt ${this.#spec.attempt}: exited (${reason}): ${explanation}`);
    this.#deps.logger.info(
      `run ${this.#spec.runId} (${this.#spec.name}) attempt ${this.#spec.attempt} exited: ${explanation}`,
    );
    this.#reported = true;
    this.#deps.listener.exited(this.record, runExit);
    this.#settleEnded();
  }

  #persistAttempt(): void {
    const record = this.record;
    this.#deps.persistence.persist(
      'record attempt',
      record,
      (latest) => this.#deps.store.upsertAttempt(latest),
      { key: `attempt:${record.runId}:${record.attempt}` },
    );
  }

  #send(message: SupervisorMessage): void {
    this.#runner?.channel.send(message).catch((error: Error) => {
      this.#deps.log.line('x', `could not send ${message.type}: ${error.message}`);
    });
  }

  /** Runs `fn`; a throw is a fault of x's, which ends this attempt (see #fault). */
  #guard(what: string, fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.#fault(what, error);
    }
  }

  /**
   * Ends the attempt for a fault of x's own code found by its run (see #fault); the exit is
   * classified `supervisor_error`.
   */
  abort(what: string, error: unknown): void {
    this.#fault(what, error);
  }

  /**
   * x's own code failed while supervising this attempt (a bug, caught at the run's boundary):
   * the stack goes to the run log and the daemon log, and the runner is killed, so its exit is
   * classified `supervisor_error` and the run ends; the daemon and the other runs go on.
   */
  #fault(what: string, error: unknown): void {
    const trace = errorTrace(error);
    this.#deps.log.line('x', `internal error while ${what}: ${trace}`);
    this.#deps.logger.error(
      `run ${this.#spec.runId} (${this.#spec.name}): internal error while ${what}: ${trace}`,
    );
    this.#supervisorError ??= `internal error while ${what}: ${trace.split('\n')[0]}`;
    if (!this.#exited) {
      this.#runner?.signal('SIGKILL');
    }
  }

  /** Handling the exit failed: the attempt still ends, so that its run is not left active. */
  #exitFailed(error: unknown): void {
    this.#fault('handling the runner exit', error);
    if (this.#reported) {
      return;
    }
    this.#reported = true;
    this.#exited = true;
    this.#timers.clear();
    try {
      this.#record.endedAt ??= Date.now();
      this.#deps.listener.exited(
        this.record,
        supervisorErrorExit(this.#supervisorError, this.#stderrTail.toString()),
      );
    } catch (again) {
      this.#deps.logger.error(
        `run ${this.#spec.runId} (${this.#spec.name}): could not end the attempt: ${errorTrace(again)}`,
      );
    } finally {
      this.#settleEnded();
    }
  }
}
