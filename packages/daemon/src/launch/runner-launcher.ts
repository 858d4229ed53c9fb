import type { Readable } from 'node:stream';
import type { Channel, CodecName, RunnerMessage, SupervisorMessage } from '@x/ipc';
import type { ThreadUsage } from '../supervisor/resource-meter.js';

/**
 * How an agent module's runner is hosted: `subprocess` (`x runner --pipe`, its own process
 * and process group) or `thread` (a `worker_threads` worker inside the daemon). A `command`
 * run and a service are always subprocesses. See apps/docs/guide/runner-modes.md for the
 * isolation each gives.
 */
export const RUNNER_MODES = ['subprocess', 'thread'] as const;
export type RunnerMode = (typeof RUNNER_MODES)[number];

/** True for `subprocess` and `thread`. */
export function isRunnerMode(value: unknown): value is RunnerMode {
  return value === 'subprocess' || value === 'thread';
}

/** What the supervisor asks a launcher to start. */
export interface LaunchSpec {
  runId: string;
  name: string;
  /** Codec the runner must read on its IPC channel. */
  codec: CodecName;
  /** Working directory of the runner. */
  cwd: string;
  /** Extra environment variables (added to the daemon's environment). */
  env: Record<string, string>;
  /** Run this program (argv) instead of the launcher's own runner, when the launcher can. */
  command?: readonly string[] | undefined;
  /**
   * How to host the runner; a `command` is always a subprocess.
   * @default the launcher's `defaultMode`, else `subprocess`
   */
  runnerMode?: RunnerMode | undefined;
  /**
   * Memory limit in MiB, or null for none. A thread launcher caps the worker's V8 heap with it
   * (`resourceLimits.maxOldGenerationSizeMb`); a subprocess gets `--max-old-space-size` from the
   * supervisor (NODE_OPTIONS) and an RSS limit.
   */
  maxMemoryMb?: number | null | undefined;
}

/** How a launched runner ended, as observed. */
export interface RunnerExit {
  exitCode: number | null;
  signal: string | null;
  /** Set when the runner could not be started at all. */
  spawnError?: { code?: string | undefined; message: string } | undefined;
  /**
   * A thread runner's uncaught error (the worker's `error` event), e.g. `code`
   * `ERR_WORKER_OUT_OF_MEMORY` when it reached its `resourceLimits`. `stack` is for the log.
   */
  error?: RunnerError | undefined;
  /** True when a thread runner ended because the launcher called `worker.terminate()`. */
  terminated?: boolean | undefined;
}

/** An uncaught error that ended a thread runner, as observed by the launcher. */
export interface RunnerError {
  code?: string | undefined;
  name?: string | undefined;
  message: string;
  stack?: string | undefined;
}

/** A runner that was launched: its IPC channel, its output and its exit. */
export interface LaunchedRunner {
  /** Process id, or undefined when the spawn failed (or for in-process runners). */
  readonly pid: number | undefined;
  /** Process group id (the runner leads its own group), when it is a process. */
  readonly pgid: number | undefined;
  /** `worker.threadId` of a thread runner; undefined for a process. */
  readonly threadId?: number | undefined;
  /** Protocol channel to the runner. */
  readonly channel: Channel<RunnerMessage, SupervisorMessage>;
  /** The runner's stdout and stderr, drained by the supervisor into the run log. */
  readonly stdout: Readable | null;
  readonly stderr: Readable | null;
  /** Settles once, when the runner has exited (never rejects). */
  readonly exited: Promise<RunnerExit>;
  /**
   * Sends a signal to the runner's whole process group. A thread runner has no signals:
   * both map to `worker.terminate()`, which interrupts running JavaScript, even a sync loop.
   * Returns false when there was nothing left to signal.
   */
  signal(signal: 'SIGTERM' | 'SIGKILL'): boolean;
  /**
   * A thread runner's own measure (a process's is read from /proc by the daemon): its event
   * loop's active time so far and its V8 heap in use. Absent for processes.
   */
  usage?(): ThreadUsage;
}

/**
 * Starts runners. The daemon does not know how a runner is made: the CLI composes a
 * launcher (a subprocess running `x runner --pipe`, or an in-process thread) and gives it
 * to the supervisor.
 */
export interface RunnerLauncher {
  /**
   * `subprocess` or `thread` (for a launcher of several modes: its default mode), shown in
   * `system.info` so that the isolation level is visible.
   */
  readonly kind: string;
  /**
   * The modes this launcher can start. `subprocess` in it also means it can run `command`
   * runs and services. @default [kind] when kind is a RunnerMode, else ['subprocess']
   */
  readonly modes?: readonly RunnerMode[] | undefined;
  /** Mode of an agent module run that asks for none. @default `kind` when it is a RunnerMode */
  readonly defaultMode?: RunnerMode | undefined;
  /** Why the modes or the default are what they are, when it matters (e.g. win32). */
  readonly modeNote?: string | undefined;
  launch(spec: LaunchSpec): LaunchedRunner;
  /**
   * Releases what the launcher holds besides runs (e.g. the subprocess launcher's spare
   * runners). The daemon calls it once at shutdown, after every run has stopped. Runs
   * launched before are not touched.
   */
  close?(): Promise<void> | void;
}
