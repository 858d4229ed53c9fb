import type { ReadyMessage, RunnerMessage, SetupDoneMessage } from '@x/ipc';
import { STDERR_TAIL_BYTES } from '../constants.js';
import type { LaunchedRunner, RunnerExit } from '../launch/runner-launcher.js';
import { unlaunchedRunner } from '../launch/unlaunched-runner.js';
import { errorTrace } from '../logs/log-text.js';
import { TailBuffer } from '../logs/run-log.js';
import type { AttemptRecord } from '../persistence/records.js';
import { readProcessStartTime } from '../process/proc-stat.js';
import { AttemptChecks } from './attempt-checks.js';
import { buildAttemptExit, supervisorErrorExit, workerErrorTrace } from './attempt-exit.js';
import type { RunAttemptDeps } from './attempt-listener.js';
import { routeAttemptMessage, type AttemptMessageTarget } from './attempt-messages.js';
import { AttemptHandshake } from './attempt-handshake.js';
import { stopInPhases } from './attempt-stop.js';
import { AttemptTimers } from './attempt-timers.js';
import type { ExitEvidence, StopPhase } from './classify-exit.js';
import { drainBudgetMs, drainRunner } from './drain-runner.js';
import type { RunSpec, StopBudget } from './run-spec.js';
import { RunnerLink } from './runner-link.js';
import { initMessageOf, launchSpecOf } from './runner-start.js';
import type { RunResources } from './resource-meter.js';

export type { AttemptListener, RunAttemptDeps } from './attempt-listener.js';

/**
 * One attempt of a supervised run: launch, handshake, message handling, liveness and memory
 * checks, 3-phase stop, exit classification. It persists its own attempt row and
 * iterations; the run (RunController) owns the run-level record and the restart decision.
 * An attempt never reports its exit before the process exit was observed.
 */
export class RunAttempt {
  readonly #spec: RunSpec;
  readonly #deps: RunAttemptDeps;
  readonly #messageTarget: AttemptMessageTarget;
  readonly #record: AttemptRecord;
  #runner: LaunchedRunner | undefined;
  readonly #handshake = new AttemptHandshake();
  #stopPhase: StopPhase | undefined;
  #exitFrame: ExitEvidence['exitFrame'];
  #exited = false;
  /** What the run's parts (turns, pause, permissions, durability) ask of the runner. */
  readonly link: RunnerLink;
  /** The exit was reported to the run (`listener.exited`), by the normal path or a fault's. */
  #reported = false;
  /** Set when x's own code failed while supervising this attempt (see #fault). */
  #supervisorError: string | undefined;
  /** Cleared when the exit is observed; a callback that throws is a fault (see #fault). */
  readonly #timers = new AttemptTimers((what, error) => this.#fault(what, error));
  readonly #stderrTail = new TailBuffer(STDERR_TAIL_BYTES);
  /** Liveness, memory, invalid frames, a service's probes: what they found, for the exit. */
  readonly #checks: AttemptChecks;
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
    this.link = new RunnerLink({
      attempt: spec.attempt,
      budgeted: spec.budgeted,
      handshake: this.#handshake,
      runner: () => this.#runner,
      exited: () => this.#exited,
      stopping: () => this.#stopPhase !== undefined,
      log: (line) => deps.log.line('x', line),
    });
    this.#checks = new AttemptChecks({
      spec,
      timers: this.#timers,
      guard: this.#guardFn,
      kill: (why) => this.#kill(why),
      ending: () => this.#exited || this.#stopPhase !== undefined,
      log: (line) => deps.log.line('x', line),
    });
    this.#messageTarget = this.#newMessageTarget(spec, deps);
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
    return this.#exited ? null : this.#checks.resources;
  }

  /** True from launch until the exit is reported: a fault can still end it through its runner. */
  get live(): boolean {
    return this.#runner !== undefined && !this.#reported;
  }

  get handshakeCompleted(): boolean {
    return this.#handshake.completed;
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
    runner.channel.onError((error) => this.#checks.channelError(error));
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
    const limitBytes = spec.maxMemoryMb === null ? null : spec.maxMemoryMb * 1024 * 1024;
    this.#checks.watchUsage(runner, limitBytes, thread);
    if (spec.kind === 'service') {
      this.#checks.probeService(
        (how) => this.#markReady(how),
        (why) => this.#failHandshake(why),
      );
      return;
    }
    this.link.send(initMessageOf(spec));
    this.#timers.after(spec.handshakeTimeoutMs, () => {
      if (this.#handshake.state === 'pending') {
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
    stopInPhases({
      thread: this.#spec.runnerMode === 'thread',
      ipc:
        this.#spec.kind === 'agent' &&
        this.#handshake.completed &&
        this.#runner?.channel.closed === false,
      budget,
      reason,
      log: (line) => this.#deps.log.line('x', line),
      enter: (phase) => (this.#stopPhase = phase),
      sendStop: (graceMs, why) => this.link.send({ type: 'stop', graceMs, reason: why }),
      signal: (signal) => this.#runner?.signal(signal),
      after: (ms, fn) => this.#timers.after(ms, fn),
    });
    return this.ended;
  }

  #onMessage(message: RunnerMessage): void {
    if (this.#exited || this.#spec.kind === 'service') {
      return;
    }
    if (!this.#handshake.completed) {
      this.#onHandshakeMessage(message);
      return;
    }
    routeAttemptMessage(message, this.#messageTarget);
  }

  /** What the message handlers may change of this attempt (see attempt-messages.ts). */
  #newMessageTarget(spec: RunSpec, deps: RunAttemptDeps): AttemptMessageTarget {
    return {
      runId: spec.runId,
      name: spec.name,
      attempt: spec.attempt,
      store: deps.store,
      persistence: deps.persistence,
      log: deps.log,
      listener: deps.listener,
      emit: (event) => deps.emit(event),
      setCurrentIteration: (iteration) => {
        this.currentIteration = iteration === null ? null : { iteration, startedAt: Date.now() };
      },
      setExitFrame: (frame) => (this.#exitFrame = frame),
      heartbeat: () => {
        this.#checks.heartbeat();
        this.lastHeartbeatAt = Date.now();
      },
      setupDone: (message) => this.#onSetupDone(message),
      ackCheckpoint: (ack) => this.link.ackCheckpoint(ack),
      answerStore: (result) => this.link.answerStore(result),
    };
  }

  #onHandshakeMessage(message: RunnerMessage): void {
    const ready = this.#handshake.check(message);
    if (typeof ready === 'string') {
      this.#failHandshake(ready);
      return;
    }
    if (ready === undefined) {
      return;
    }
    // A thread runner's pid is the daemon's own: not a runner process to show or reap.
    if (
      ready.pid !== undefined &&
      this.#record.pid === null &&
      this.#spec.runnerMode !== 'thread'
    ) {
      this.#record.pid = ready.pid;
    }
    this.#markReady('ready', ready.capabilities);
  }

  /** True when the runner reported a failed setup (`setup_done` with `ok: false`). */
  get setupFailed(): boolean {
    return this.#handshake.setup === 'failed';
  }

  /** True when the runner announced `setup_done` (`ready.capabilities.setup`) and sent it not yet. */
  get awaitingSetup(): boolean {
    return this.#handshake.awaitingSetup;
  }

  #onSetupDone(message: SetupDoneMessage): void {
    const outcome = this.#handshake.setupDone(message);
    if (outcome === 'duplicate') {
      this.#deps.log.line('x', 'protocol: duplicate setup_done ignored');
    } else if (outcome === 'done') {
      this.#deps.listener.setupDone?.();
    } else {
      const error = message.error;
      this.#deps.log.line(
        'x',
        `setup failed: ${error === undefined ? 'no detail' : `${error.name}: ${error.message}`}${error?.config === true ? ' (configuration error: not restarted)' : ''}`,
      );
    }
  }

  #markReady(how: string, capabilities?: ReadyMessage['capabilities']): void {
    this.#handshake.complete(capabilities);
    this.link.ready();
    this.#record.readyAt = Date.now();
    this.#persistAttempt();
    this.#deps.log.line(
      'x',
      `attempt ${this.#spec.attempt}: ${how} (pid ${this.#record.pid ?? 'n/a'})`,
    );
    this.#deps.listener.ready(this.record);
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
    this.#handshake.fail(why);
    this.#kill(`handshake failed: ${why}`);
  }

  async #onExit(exit: RunnerExit): Promise<void> {
    const stopPhase = this.#stopPhase;
    const runner = this.#runner!;
    const drainMs = drainBudgetMs(runner);
    if (!(await drainRunner(runner, drainMs))) {
      this.#deps.log.line(
        'x',
        `the runner's IPC channel or output was still open ${drainMs} ms after its exit; frames and output after that are not read`,
      );
    }
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
      handshake: this.#handshake.state,
      handshakeError: this.#handshake.error,
      stopPhase,
      ...this.#checks.evidence,
      service: this.#spec.kind === 'service',
      exitFrame: this.#exitFrame,
      supervisorError: this.#supervisorError,
      setupError: this.#handshake.setupError,
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

  /** Runs `fn`; a throw is a fault of x's, which ends this attempt (see #fault). */
  #guard(what: string, fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.#fault(what, error);
    }
  }

  readonly #guardFn = (what: string, fn: () => void) => this.#guard(what, fn);

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
