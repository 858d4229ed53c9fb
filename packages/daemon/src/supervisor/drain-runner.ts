import type { LaunchedRunner } from '../launch/runner-launcher.js';

/**
 * Waits until the runner's IPC channel has closed and its stdout and stderr have ended, or
 * `maxMs` have passed (the timer is unref'd): the exit event can come before the last frames
 * and output are read. Never rejects.
 */
export async function drainRunner(runner: LaunchedRunner, maxMs: number): Promise<void> {
  await Promise.race([
    Promise.all([
      new Promise<void>((resolve) =>
        runner.channel.closed ? resolve() : runner.channel.onClose(() => resolve()),
      ),
      streamEnded(runner.stdout),
      streamEnded(runner.stderr),
    ]),
    new Promise<void>((resolve) => setTimeout(resolve, maxMs).unref()),
  ]);
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
