import { spawn } from 'node:child_process';
import type { CommandHookConfig } from './hook-config.js';
import type { Deliver, DeliveryResult } from './hook-queue.js';

/** After SIGTERM to a timed-out hook's process group, how long before SIGKILL: 1000 ms. */
export const HOOK_KILL_GRACE_MS = 1_000;

/** What {@link commandDeliverer} needs of a resolved command hook. */
export type CommandHookSpec = Pick<CommandHookConfig, 'command'> & {
  name: string;
  cwd: string | undefined;
  env: Record<string, string>;
  timeoutMs: number;
  maxOutputBytes: number;
};

/**
 * Delivers an event by running the hook's program in a process group of its own, with the
 * event's JSON (one line) on stdin and `X_HOOK_NAME`, `X_HOOK_EVENT` (the type) and
 * `X_HOOK_EVENT_ID` in its environment. Succeeds when it exits 0. Its stdout and stderr
 * together are kept up to `maxOutputBytes` (the rest is counted, not kept) and returned in
 * the result's note or error, for the daemon log. Past `timeoutMs` (or when `signal`
 * aborts: the daemon stops) the whole group gets SIGTERM, then SIGKILL after
 * HOOK_KILL_GRACE_MS, and the delivery fails. A program that cannot be started fails it too.
 */
export function commandDeliverer(spec: CommandHookSpec): Deliver {
  return (event, signal) =>
    new Promise<DeliveryResult>((resolve) => {
      const started = Date.now();
      const [program, ...args] = spec.command;
      const child = spawn(program, args, {
        cwd: spec.cwd,
        env: {
          ...process.env,
          ...spec.env,
          X_HOOK_NAME: spec.name,
          X_HOOK_EVENT: event.type,
          X_HOOK_EVENT_ID: String(event.id),
        },
        detached: true,
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      const output: Buffer[] = [];
      let kept = 0;
      let skipped = 0;
      const collect = (chunk: Buffer) => {
        const room = spec.maxOutputBytes - kept;
        if (room > 0) {
          output.push(chunk.subarray(0, room));
          kept += Math.min(room, chunk.length);
        }
        skipped += Math.max(0, chunk.length - Math.max(room, 0));
      };
      child.stdout.on('data', collect);
      child.stderr.on('data', collect);
      // A program that exits without reading stdin closes the pipe: EPIPE is not a failure.
      child.stdin.on('error', () => undefined);
      child.stdin.end(`${event.json}\n`);

      let why: string | undefined;
      let killTimer: NodeJS.Timeout | undefined;
      const killGroup = (reason: string) => {
        why ??= reason;
        signalGroup(child.pid, 'SIGTERM');
        killTimer ??= setTimeout(() => signalGroup(child.pid, 'SIGKILL'), HOOK_KILL_GRACE_MS);
        killTimer.unref();
      };
      const timeout = setTimeout(
        () => killGroup(`timed out after ${spec.timeoutMs} ms`),
        spec.timeoutMs,
      );
      const onAbort = () => killGroup('the daemon is stopping');
      signal.addEventListener('abort', onAbort, { once: true });

      const finish = (result: DeliveryResult) => {
        clearTimeout(timeout);
        signal.removeEventListener('abort', onAbort);
        // Output pipes held open by a grandchild must not keep this delivery (or the daemon) waiting.
        child.stdout.destroy();
        child.stderr.destroy();
        resolve(result);
      };
      child.once('error', (error) =>
        finish({ ok: false, error: `cannot run ${program}: ${error.message}` }),
      );
      child.once('exit', (code, sig) => {
        if (why !== undefined) {
          // The group may outlive its leader: make sure nothing of it stays.
          signalGroup(child.pid, 'SIGKILL');
        }
        const text = Buffer.concat(output).toString('utf8').trimEnd();
        const more = skipped > 0 ? ` … (${skipped} more bytes not kept)` : '';
        const shown = text === '' ? '' : `; output: ${text}${more}`;
        const took = `${Date.now() - started} ms`;
        if (why === undefined && code === 0) {
          finish({ ok: true, ...(text === '' ? {} : { note: `exit 0 in ${took}${shown}` }) });
          return;
        }
        const how = why ?? (sig === null ? `exit code ${code}` : `killed by ${sig}`);
        finish({ ok: false, error: `${spec.command.join(' ')}: ${how} (${took})${shown}` });
      });
    });
}

function signalGroup(pid: number | undefined, sig: NodeJS.Signals): void {
  if (pid === undefined) {
    return;
  }
  try {
    process.kill(-pid, sig);
  } catch {
    // Already gone.
  }
}
