import type { Readable } from 'node:stream';
import type { Channel, CodecName, RunnerMessage, SupervisorMessage } from '@x/ipc';

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
}

/** How a launched runner ended, as observed. */
export interface RunnerExit {
  exitCode: number | null;
  signal: string | null;
  /** Set when the runner could not be started at all. */
  spawnError?: { code?: string | undefined; message: string } | undefined;
}

/** A runner that was launched: its IPC channel, its output and its exit. */
export interface LaunchedRunner {
  /** Process id, or undefined when the spawn failed (or for in-process runners). */
  readonly pid: number | undefined;
  /** Process group id (the runner leads its own group), when it is a process. */
  readonly pgid: number | undefined;
  /** Protocol channel to the runner. */
  readonly channel: Channel<RunnerMessage, SupervisorMessage>;
  /** The runner's stdout and stderr, drained by the supervisor into the run log. */
  readonly stdout: Readable | null;
  readonly stderr: Readable | null;
  /** Settles once, when the runner has exited (never rejects). */
  readonly exited: Promise<RunnerExit>;
  /**
   * Sends a signal to the runner's whole process group (or the equivalent for other kinds).
   * Returns false when there was nothing left to signal.
   */
  signal(signal: 'SIGTERM' | 'SIGKILL'): boolean;
}

/**
 * Starts runners. The daemon does not know how a runner is made: the CLI composes a
 * launcher (a subprocess running `x runner --pipe`, or an in-process thread) and gives it
 * to the supervisor.
 */
export interface RunnerLauncher {
  /** `subprocess` or `thread`: shown in status so that the isolation level is visible. */
  readonly kind: string;
  launch(spec: LaunchSpec): LaunchedRunner;
}
