import { fstatSync } from 'node:fs';
import { Socket } from 'node:net';
import {
  PROTOCOL_VERSION,
  getCodec,
  isCodecName,
  validateSupervisorMessage,
  type Channel,
  type CodecName,
  type InitMessage,
  type RunnerMessage,
  type SupervisorMessage,
} from '@x/ipc';
import { createStreamChannel } from '@x/ipc/node';
import { AgentLoop } from './agent-loop.js';
import {
  EX_AGENT_FAILED,
  EX_CONFIG,
  EX_PROTOCOL,
  EX_USAGE,
  INIT_TIMEOUT_MS,
  IPC_CODEC_ENV,
  IPC_FD,
  ORPHAN_EXIT_MS,
} from './constants.js';
import { isKernelError } from './errors.js';
import { loadAgent } from './load-agent.js';

/** Options of {@link runPipe}; the defaults are what `x runner --pipe` uses. */
export interface RunPipeOptions {
  /** File descriptor of the IPC socket. @default 3 */
  fd?: number;
  /** Codec on the descriptor. @default `$X_IPC_CODEC`, else `jsonl` */
  codec?: CodecName;
  /** How long to wait for `init`, in ms. @default 10 000 (INIT_TIMEOUT_MS) */
  initTimeoutMs?: number;
}

/**
 * The body of `x runner --pipe`: speaks runner protocol v1 on fd 3 with the supervisor
 * that spawned this process, hosts one agent module, and exits.
 *
 * Sequence: wait for `init` (at most `initTimeoutMs`), check the protocol version, load
 * the agent module, send `ready`, run the agent loop, send `exit`, exit.
 * Nothing is written on fd 3 before `ready`; failures before it go to stderr only.
 *
 * Exit codes: 0 after a normal end or a cooperative stop; 1 when the agent failed
 * (setup threw); 64 (EX_USAGE) when fd 3 is not an open socket; 76 (EX_PROTOCOL) when the handshake
 * fails; 78 (EX_CONFIG) when the agent module is missing or invalid (sysexits.h).
 * When the supervisor goes away (EOF on fd 3) the agent is stopped and the process exits
 * within about a second.
 *
 * The agent's own stdout and stderr are free for it to use: the protocol is on fd 3 only.
 */
export async function runPipe(options: RunPipeOptions = {}): Promise<never> {
  // Bind what we need before user code can replace it.
  // eslint-disable-next-line @typescript-eslint/unbound-method -- called with process as this below
  const realExit = process.exit;
  const exit = (code: number): never => realExit.call(process, code);
  const writeErr = process.stderr.write.bind(process.stderr);
  const fail = (code: number, message: string): never => {
    writeErr(`${message}\n`);
    return exit(code);
  };

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
  channel.onError((error) => writeErr(`x runner: ${error.message}\n`));

  const init = await waitForInit(channel, options.initTimeoutMs ?? INIT_TIMEOUT_MS).catch(
    (error: Error) => fail(EX_PROTOCOL, `x runner: handshake failed: ${error.message}`),
  );
  if (init.protocolVersion !== PROTOCOL_VERSION) {
    return fail(
      EX_PROTOCOL,
      `x runner: handshake failed: supervisor speaks protocol version ${init.protocolVersion}, this runner speaks version ${PROTOCOL_VERSION}; install matching versions of @x/daemon and @x/kernel`,
    );
  }
  if (init.codec !== codecName) {
    return fail(
      EX_PROTOCOL,
      `x runner: handshake failed: init says codec ${init.codec} but fd ${fd} is read as ${codecName}`,
    );
  }
  if (init.module === undefined) {
    return fail(
      EX_CONFIG,
      'x runner: init carries no agent module; start the agent with `x agent start <module>`',
    );
  }

  const agent = await loadAgent(init.module).catch((error: unknown) =>
    fail(isKernelError(error) ? error.exitCode : EX_CONFIG, (error as Error).message),
  );

  const send = (message: RunnerMessage) => {
    channel
      .send(message)
      .catch((error: Error) =>
        writeErr(`x runner: could not send ${message.type}: ${error.message}\n`),
      );
  };
  const loop = new AgentLoop(
    agent,
    {
      runId: init.runId,
      name: init.name,
      params: init.params,
      intervalMs: init.intervalMs,
      maxIterations: init.maxIterations,
    },
    {
      iterationStart: (iteration, startedAt) =>
        send({ type: 'iteration_start', iteration, startedAt }),
      iterationDone: (report) => send({ type: 'iteration_done', ...report }),
      log: (level, message) => send({ type: 'log', level, message }),
      notify: (payload) => send({ type: 'notify', payload }),
    },
  );

  channel.onMessage((message) => {
    if (message.type === 'stop') {
      loop.stop(message.graceMs, message.reason ?? 'stop requested by the supervisor');
    } else if (message.type === 'turn') {
      // Every turn gets exactly one turn_result; this runner hosts step() agents only.
      send({
        type: 'turn_result',
        turnId: message.turnId,
        status: 'error',
        error: 'this runner does not accept turns (the agent has no turn() function)',
        durationMs: 0,
      });
    }
  });
  channel.onClose(() => {
    // The supervisor is gone: nobody is left to report to, so stop quickly.
    loop.stop(ORPHAN_EXIT_MS, 'supervisor gone');
    // Not unref()ed: this timer is what guarantees the exit when the agent holds no handle.
    setTimeout(() => exit(0), ORPHAN_EXIT_MS + 250);
  });

  send({
    type: 'ready',
    protocolVersion: PROTOCOL_VERSION,
    codec: codecName,
    pid: process.pid,
    capabilities: { steps: true, turns: false },
  });
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  if (init.heartbeatIntervalMs !== undefined) {
    // One at once: liveness is armed from ready, before setup or a first step can block.
    send({ type: 'heartbeat', at: Date.now() });
    heartbeat = setInterval(
      () => send({ type: 'heartbeat', at: Date.now() }),
      init.heartbeatIntervalMs,
    );
  }

  const outcome = await loop.run();
  if (heartbeat !== undefined) {
    clearInterval(heartbeat);
  }
  if (outcome.reason === 'error' && outcome.summary !== undefined) {
    send({ type: 'error', message: outcome.summary, fatal: true });
  }
  const exitMessage: RunnerMessage =
    outcome.summary === undefined
      ? { type: 'exit', reason: outcome.reason, iterations: outcome.iterations }
      : {
          type: 'exit',
          reason: outcome.reason,
          iterations: outcome.iterations,
          summary: outcome.summary,
        };
  await channel.send(exitMessage).catch(() => undefined);
  await flush(socket);
  return exit(outcome.reason === 'error' ? EX_AGENT_FAILED : 0);
}

function waitForInit(
  channel: Channel<SupervisorMessage, RunnerMessage>,
  timeoutMs: number,
): Promise<InitMessage> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`no init message on the IPC channel within ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = channel.onMessage((message) => {
      cleanup();
      if (message.type === 'init') {
        resolve(message);
      } else {
        reject(new Error(`first message was ${message.type}, expected init`));
      }
    });
    const onClose = channel.onClose(() => {
      cleanup();
      reject(new Error('the supervisor closed the IPC channel before sending init'));
    });
    function cleanup() {
      clearTimeout(timer);
      onMessage.dispose();
      onClose.dispose();
    }
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
