import { execFile } from 'node:child_process';

/** Longest `systemd-notify --ready` may take (it waits for systemd to take the message): 10 s. */
export const NOTIFY_TIMEOUT_MS = 10_000;

/** What {@link notifySystemdReady} did. */
export type NotifyOutcome =
  { status: 'not_requested' } | { status: 'sent' } | { status: 'failed'; why: string };

/**
 * Takes `$NOTIFY_SOCKET` out of this process's environment and returns it (undefined when
 * the daemon was not started by a `Type=notify` unit). Call before anything is spawned:
 * runners (spare ones are started with the daemon) must not inherit it, or one could send
 * READY or STOPPING for the daemon's unit; sd_notify(3) unsets it for the same reason.
 */
export function takeNotifySocket(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const socket = env.NOTIFY_SOCKET;
  delete env.NOTIFY_SOCKET;
  return socket === '' ? undefined : socket;
}

/**
 * Tells systemd the daemon is ready (READY=1 and STATUS=`status`, sd_notify(3)) on the
 * socket {@link takeNotifySocket} took; does nothing without one.
 *
 * The message is a datagram on a unix socket, which Node cannot send (`dgram` is UDP only),
 * so it goes through `systemd-notify --ready`, installed wherever systemd is. The unit says
 * `NotifyAccess=all` since the sender is a child of the daemon, not its main process, and
 * systemd-notify waits (sd_notify_barrier, systemd ≥ 246) until systemd has read the
 * message, so the child cannot exit before systemd has attributed it to the unit. The
 * native `sd-notify` and `unix-dgram` packages would send it in-process but need a compiler
 * and headers at install time on every machine, for a message sent once per start.
 * Never throws.
 */
export function notifySystemdReady(
  socket: string | undefined,
  status: string,
): Promise<NotifyOutcome> {
  if (socket === undefined) {
    return Promise.resolve({ status: 'not_requested' });
  }
  return new Promise((resolve) => {
    execFile(
      'systemd-notify',
      ['--ready', `--status=${status}`],
      { env: { ...process.env, NOTIFY_SOCKET: socket }, timeout: NOTIFY_TIMEOUT_MS },
      (error, _stdout, stderr) => {
        if (error === null) {
          resolve({ status: 'sent' });
          return;
        }
        const detail = stderr.trim() || error.message;
        resolve({
          status: 'failed',
          why: `systemd-notify --ready (NOTIFY_SOCKET=${socket}) failed: ${detail}`,
        });
      },
    );
  });
}
