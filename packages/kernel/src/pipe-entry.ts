import { fstatSync } from 'node:fs';
import { Socket } from 'node:net';
import {
  getCodec,
  isCodecName,
  validateSupervisorMessage,
  type CodecName,
  type RunnerMessage,
  type SupervisorMessage,
} from '@x/ipc';
import { createStreamChannel } from '@x/ipc/node';
import { EX_USAGE, IPC_CODEC_ENV, IPC_FD } from './constants.js';
import { hostRunner } from './host-runner.js';

/** Options of {@link runPipe}; the defaults are what `x runner --pipe` uses. */
export interface RunPipeOptions {
  /** File descriptor of the IPC socket. @default 3 */
  fd?: number;
  /** Codec on the descriptor. @default `$X_IPC_CODEC`, else `jsonl` */
  codec?: CodecName;
  /**
   * How long to wait for `init`, in ms. @default 10 000 (INIT_TIMEOUT_MS); for a spare
   * (`X_RUNNER_SPARE=1`) 2^31 − 1 (about 24.8 days, the largest Node timer)
   */
  initTimeoutMs?: number;
}

/**
 * Set to `1` by a supervisor that starts this runner ahead of need (a spare, @x/daemon's
 * subprocess launcher): `init` may come much later than 10 s. The runner still exits when
 * fd 3 closes (its supervisor went away). Removed from `process.env` before the agent loads,
 * so that the agent sees the environment a fresh runner would.
 */
const RUNNER_SPARE_ENV = 'X_RUNNER_SPARE';
/** What agent modules import `defineAgent` from; preloaded by a spare. */
const KERNEL_ROOT: string = '@x/kernel';
/** The largest delay a Node timer takes (a larger one fires after 1 ms): 2^31 − 1 ms. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The body of `x runner --pipe` (import it from `@x/kernel/pipe`): speaks runner protocol
 * v1 on fd 3 with the supervisor that spawned this process, hosts one agent module, and
 * exits. The protocol itself is {@link hostRunner}'s (handshake, ready with capabilities,
 * heartbeats, stop, turns, permissions, checkpoints, pause and resume, usage, exit).
 *
 * Exit codes: 0 after a normal end or a cooperative stop; 1 when the agent failed
 * (setup threw); 64 (EX_USAGE) when fd 3 is not an open socket or `$X_IPC_CODEC` names no
 * codec; 76 (EX_PROTOCOL) when the handshake fails; 78 (EX_CONFIG) when the agent module is
 * missing or invalid (sysexits.h). When the supervisor goes away (EOF on fd 3) the agent is
 * stopped and the process exits within about a second.
 *
 * The agent's own stdout and stderr are free for it to use: the protocol is on fd 3 only.
 */
export async function runPipe(options: RunPipeOptions = {}): Promise<never> {
  // Bind what we need before user code can replace it.
  // eslint-disable-next-line @typescript-eslint/unbound-method -- called with process as this below
  const realExit = process.exit;
  const exit = (code: number): never => realExit.call(process, code);
  const writeErr = (text: string) => void process.stderr.write(text);
  const fail = (code: number, message: string): never => {
    writeErr(`${message}\n`);
    return exit(code);
  };

  const spare = process.env[RUNNER_SPARE_ENV] === '1';
  delete process.env[RUNNER_SPARE_ENV];
  const fd = options.fd ?? IPC_FD;
  const codecName = options.codec ?? process.env[IPC_CODEC_ENV] ?? 'jsonl';
  if (!isCodecName(codecName)) {
    return fail(
      EX_USAGE,
      `x runner: unknown codec ${JSON.stringify(codecName)} in ${IPC_CODEC_ENV}; use jsonl or msgpack`,
    );
  }
  const notAChannel = `x runner: file descriptor ${fd} is not an IPC socket; \`x runner --pipe\` is started by the x daemon, which passes the IPC channel on fd ${fd}`;
  let socket: Socket;
  try {
    // bigint: a plain fstatSync of a socket leaves its file type in the buffer realpathSync
    // reads, and ESM resolution then stops following symlinks, so the agent's @x/kernel
    // loaded a second copy of the kernel (nodejs/node#51142, Node 20).
    if (!fstatSync(fd, { bigint: true }).isSocket()) {
      return fail(EX_USAGE, notAChannel);
    }
    socket = new Socket({ fd, readable: true, writable: true });
  } catch {
    return fail(EX_USAGE, notAChannel);
  }
  const channel = createStreamChannel<SupervisorMessage, RunnerMessage>({
    readable: socket,
    codec: getCodec(codecName),
    validate: validateSupervisorMessage,
  });
  if (spare) {
    // While it waits, a spare loads the kernel root that agents import, so that an agent
    // resolving to the same file (this installation's @x/kernel) finds it in the module cache.
    // A variable specifier: bundlers must leave this import to Node's resolution at runtime.
    void import(KERNEL_ROOT).catch(() => undefined);
  }
  return hostRunner(channel, {
    codec: codecName,
    exit,
    writeErr,
    channelName: `fd ${fd}`,
    pid: process.pid,
    initTimeoutMs: options.initTimeoutMs ?? (spare ? MAX_TIMER_MS : undefined),
    flush: () => flush(socket),
  });
}

/** Ends the socket and waits (at most 1 s) until its data is handed to the OS. */
function flush(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 1000);
    timer.unref();
    socket.end(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
