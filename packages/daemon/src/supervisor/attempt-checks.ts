import { FrameError, IPC_ERROR_CODES } from '@x/ipc';
import type { LaunchedRunner } from '../launch/runner-launcher.js';
import type { AttemptTimers } from './attempt-timers.js';
import { watchGroupUsage, watchLiveness } from './attempt-watchers.js';
import type { ExitEvidence } from './classify-exit.js';
import { InvalidFrameLimit } from './invalid-frame-limit.js';
import type { LivenessMonitor } from './liveness-monitor.js';
import { ResourceMeter, type RunResources } from './resource-meter.js';
import type { RunSpec } from './run-spec.js';
import { ServiceProber } from './service-prober.js';

/** What {@link AttemptChecks} reads of its attempt and acts through. */
export interface AttemptChecksDeps {
  readonly spec: Pick<
    RunSpec,
    'livenessTimeoutMs' | 'memorySampleMs' | 'maxInvalidFramesPerMinute' | 'probes'
  >;
  /** The attempt's timers: every check stops when they are cleared (the exit observed). */
  readonly timers: AttemptTimers;
  /** Runs a check; a throw is a fault of x's, which ends the attempt. */
  readonly guard: (what: string, fn: () => void) => void;
  /** Ends the attempt at once (SIGKILL to its process group, or the worker terminated). */
  kill(why: string): void;
  /** True once the runner's exit was observed or a stop began: a check then finds nothing. */
  ending(): boolean;
  /** A line for the run log. */
  log(line: string): void;
}

/** What the checks found (undefined: nothing): the evidence an attempt's exit is classified with. */
export type CheckEvidence = {
  [K in 'liveness' | 'memory' | 'unhealthy' | 'protocolError']-?: ExitEvidence[K];
};

/**
 * The checks x runs on a live attempt, each of which ends it at once (SIGKILL) when it fails,
 * once, and keeps what it found for the exit's classification: liveness by heartbeat (armed
 * by the first one), the memory of the process group against `--max-memory` (and its CPU and
 * RSS for `agent status`), invalid frames per minute, and a service's health probes.
 */
export class AttemptChecks {
  readonly #deps: AttemptChecksDeps;
  readonly #meter = new ResourceMeter();
  #liveness: LivenessMonitor | undefined;
  #invalidFrames: InvalidFrameLimit | undefined;
  readonly #found: CheckEvidence = {
    liveness: undefined,
    memory: undefined,
    unhealthy: undefined,
    protocolError: undefined,
  };

  constructor(deps: AttemptChecksDeps) {
    this.#deps = deps;
  }

  /** What the checks found so far (see {@link CheckEvidence}). */
  get evidence(): CheckEvidence {
    return { ...this.#found };
  }

  /** CPU and memory as last sampled (every `memorySampleMs`), or null before the first sample. */
  get resources(): RunResources | null {
    return this.#meter.resources;
  }

  /**
   * Samples the runner's usage every `memorySampleMs`: a process group's RSS and CPU, killed
   * over `limitBytes` (bytes; null: no limit); or a thread's heap and event-loop use (its heap
   * cap, `resourceLimits`, is its memory limit).
   */
  watchUsage(runner: LaunchedRunner, limitBytes: number | null, thread: boolean): void {
    const { spec, timers, guard } = this.#deps;
    if (runner.pid !== undefined && !thread) {
      watchGroupUsage(
        {
          pid: runner.pid,
          pgid: runner.pgid,
          limitBytes,
          sampleMs: spec.memorySampleMs,
          sampled: (usage) => this.#meter.group(usage, Date.now()),
          overLimit: (rssBytes, limit) => {
            if (this.#found.memory === undefined) {
              this.#found.memory = { rssBytes, limitBytes: limit };
              this.#deps.kill(
                `RSS ${rssBytes} bytes of the process group over the limit of ${limit} bytes: out of memory`,
              );
            }
          },
        },
        timers,
        guard,
      );
    } else if (runner.usage !== undefined) {
      const usage = runner.usage.bind(runner);
      timers.every(spec.memorySampleMs, () =>
        guard('a resource sample', () => this.#meter.thread(usage(), Date.now())),
      );
    }
  }

  /**
   * A heartbeat came: the first arms the liveness check (a runner that never sends one is not
   * liveness-checked), which kills the runner after `livenessTimeoutMs` ms of silence.
   */
  heartbeat(): void {
    if (this.#liveness === undefined) {
      const timeoutMs = this.#deps.spec.livenessTimeoutMs;
      const { timers, guard } = this.#deps;
      this.#liveness = watchLiveness(timeoutMs, timers, guard, (silenceMs) => {
        if (this.#found.liveness === undefined && !this.#deps.ending()) {
          this.#found.liveness = { lastHeartbeatAgeMs: silenceMs, timeoutMs };
          this.#deps.kill(`no heartbeat for ${silenceMs} ms (limit ${timeoutMs} ms): hung`);
        }
      });
    }
    this.#liveness.beat();
  }

  /**
   * An error of the runner's channel, logged; an invalid frame counts against
   * `maxInvalidFramesPerMinute` (past it, the runner is killed). A message type this daemon
   * does not know is a newer runner's optional message, not a fault.
   */
  channelError(error: Error): void {
    this.#deps.log(`protocol: ${error.message}`);
    if (
      !(error instanceof FrameError) ||
      error.code === IPC_ERROR_CODES.UNKNOWN_MESSAGE_TYPE ||
      this.#found.protocolError !== undefined
    ) {
      return;
    }
    this.#invalidFrames ??= new InvalidFrameLimit(this.#deps.spec.maxInvalidFramesPerMinute);
    if (this.#invalidFrames.exceeded(Date.now())) {
      this.#found.protocolError = `more than ${this.#invalidFrames.perMinute} invalid frames within 60 s (last: ${error.message})`;
      this.#deps.kill(this.#found.protocolError);
    }
  }

  /**
   * Starts a service's probes (see {@link ServiceProber}): `ready` when its readiness probe
   * first passes (at once without one), `notReady` when it never does in time; a failing
   * health probe kills it (`unhealthy`).
   */
  probeService(ready: (how: string) => void, notReady: (why: string) => void): void {
    const { spec, timers } = this.#deps;
    new ServiceProber(spec.probes, {
      ready,
      notReady,
      unhealthy: (why) => {
        this.#found.unhealthy = why;
        this.#deps.kill(why);
      },
      ended: () => this.#deps.ending(),
      after: (ms, fn) => timers.after(ms, fn),
      log: (line) => this.#deps.log(line),
    }).start();
  }
}
