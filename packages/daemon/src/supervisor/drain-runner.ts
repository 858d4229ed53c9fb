import type { LaunchedRunner } from '../launch/runner-launcher.js';

/**
 * After a runner process exits, how long to wait for its last IPC frames and output: 500 ms.
 * The kernel is gone, so what is still coming is what the pipes and the socket held when it
 * exited (a few hundred KiB at most); a grandchild that keeps stdout open must not hold the
 * exit up for longer.
 */
export const PROCESS_DRAIN_AFTER_EXIT_MS = 500;

/**
 * After a thread runner exits, how long to wait for its port to close: 10 000 ms. Node
 * delivers a `MessagePort`'s `close` after every message the worker posted before it ended,
 * and those are already in this process, bounded by the port's flow control (about 1 MiB
 * unacknowledged, up to the channel's 16 MiB queue when the worker awaited its sends): the
 * wait is the daemon's own processing of them, one port message per event-loop turn, which a
 * loaded machine can stretch past a second. The run's last `iteration_done` may be behind
 * 80 000 log frames; a 500 ms cap dropped it (the run ended with no summary). The cap only
 * guards against a close that never comes.
 */
export const THREAD_DRAIN_AFTER_EXIT_MS = 10_000;

/** How long to drain `runner` after its exit: a thread's budget or a process's. */
export function drainBudgetMs(runner: LaunchedRunner): number {
  return runner.threadId === undefined ? PROCESS_DRAIN_AFTER_EXIT_MS : THREAD_DRAIN_AFTER_EXIT_MS;
}

/**
 * Waits until the runner's IPC channel has closed and its stdout and stderr have ended, or
 * `maxMs` have passed (the timer is unref'd): the exit event can come before the last frames
 * and output are read. Resolves to true when everything ended in time, false when `maxMs`
 * ran out first (what comes after is dropped once the caller closes the channel). Never
 * rejects.
 */
export async function drainRunner(runner: LaunchedRunner, maxMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const drained = await Promise.race([
    Promise.all([
      new Promise<void>((resolve) =>
        runner.channel.closed ? resolve() : runner.channel.onClose(() => resolve()),
      ),
      streamEnded(runner.stdout),
      streamEnded(runner.stderr),
    ]).then(() => true),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), maxMs).unref();
    }),
  ]);
  clearTimeout(timer);
  return drained;
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
