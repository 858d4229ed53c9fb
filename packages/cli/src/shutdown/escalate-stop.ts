import { DAEMON_STOP_KILL_WAIT_MS, DAEMON_STOP_MARGIN_MS } from './stop-budget.js';

/** One run as `system.shutdown {wait: true}` reports it once it has stopped. */
export interface ShutdownRun {
  runId: string;
  name: string;
  state: string;
  exit: { reason: string; stopPhase: string | null; explanation: string } | null;
  /** ms since the epoch, if the daemon sends whole records. */
  endedAt?: number | null;
}

/**
 * `system.shutdown` result: `runs` only from a daemon that honours `{ wait: true }` (it answers
 * once every run has stopped); an older daemon answers at once with `stopping` and `activeRuns`.
 */
export interface ShutdownReply {
  stopping: boolean;
  activeRuns: number;
  runs?: ShutdownRun[];
}

/** How the `system.shutdown` call ended. */
export type ShutdownAnswer =
  | { kind: 'answered'; reply: ShutdownReply }
  /** No answer within the wait: the daemon is stuck, or a run outlives its budget. */
  | { kind: 'timeout' }
  /** The connection closed first (the daemon exited, or crashed). */
  | { kind: 'closed'; message: string }
  /** No connection at all. */
  | { kind: 'unreachable'; message: string };

/** What {@link escalateStop} acts on; tests pass fakes. */
export interface StopCollaborators {
  /** Calls `system.shutdown {wait: true}`, waiting at most `timeoutMs` for the answer. */
  requestShutdown(timeoutMs: number): Promise<ShutdownAnswer>;
  /** Whether the daemon process still exists. */
  isAlive(): boolean;
  /** Signals the daemon process (not its group: its runners are its to stop). */
  signal(name: 'SIGTERM' | 'SIGKILL'): void;
  sleep(ms: number): Promise<void>;
  now(): number;
}

/** What {@link escalateStop} did. */
export interface StopEscalation {
  /** `rpc`: the daemon exited by itself; else the last signal the CLI had to send. */
  how: 'rpc' | 'sigterm' | 'sigkill';
  answer: ShutdownAnswer;
  /** When the CLI sent its first signal (ms since the epoch), or null. */
  signalledAt: number | null;
  /** False only when the daemon survived even SIGKILL (then nothing more can be done). */
  exited: boolean;
  /** From the shutdown request to the end (ms). */
  tookMs: number;
}

/** How often the daemon process is checked while waiting for it to exit: 50 ms. */
const EXIT_POLL_MS = 50;

/**
 * Stops a daemon whose runs may take `budgetMs` to stop (see longestStopBudgetMs):
 * 1. asks `system.shutdown {wait: true}` and waits up to budget + DAEMON_STOP_MARGIN_MS
 *    (10 s) for the answer; a daemon that honours `wait` answers once its runs have
 *    stopped, and then has the margin to exit; one that answers at once (older daemons),
 *    or whose connection closes, has the rest of budget + margin;
 * 2. if the process is still there, SIGTERM (the daemon's graceful shutdown, which goes on
 *    if one is under way) and budget + margin again;
 * 3. then SIGKILL, and up to DAEMON_STOP_KILL_WAIT_MS (5 s) for the process to go.
 * An unreachable daemon goes straight to step 2.
 */
export async function escalateStop(
  io: StopCollaborators,
  budgetMs: number,
): Promise<StopEscalation> {
  const waitMs = budgetMs + DAEMON_STOP_MARGIN_MS;
  const started = io.now();
  const answer = await io.requestShutdown(waitMs);
  const exitDeadline =
    answer.kind === 'answered' && Array.isArray(answer.reply.runs)
      ? io.now() + DAEMON_STOP_MARGIN_MS
      : answer.kind === 'answered' || answer.kind === 'closed'
        ? started + waitMs
        : io.now();
  const done = (how: StopEscalation['how'], signalledAt: number | null, exited: boolean) => ({
    how,
    answer,
    signalledAt,
    exited,
    tookMs: io.now() - started,
  });
  if (await waitForExit(io, exitDeadline)) {
    return done('rpc', null, true);
  }
  const signalledAt = io.now();
  io.signal('SIGTERM');
  if (await waitForExit(io, io.now() + waitMs)) {
    return done('sigterm', signalledAt, true);
  }
  io.signal('SIGKILL');
  return done('sigkill', signalledAt, await waitForExit(io, io.now() + DAEMON_STOP_KILL_WAIT_MS));
}

async function waitForExit(io: StopCollaborators, deadline: number): Promise<boolean> {
  while (io.now() < deadline) {
    if (!io.isAlive()) {
      return true;
    }
    await io.sleep(Math.min(EXIT_POLL_MS, deadline - io.now()));
  }
  return !io.isAlive();
}
