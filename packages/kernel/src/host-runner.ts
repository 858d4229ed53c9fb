import {
  PROTOCOL_VERSION,
  type Channel,
  type CodecName,
  type InitMessage,
  type RunnerMessage,
  type SupervisorMessage,
  type TurnResultMessage,
} from '@x/ipc';
import { AgentLoop } from './agent-loop.js';
import {
  EX_AGENT_FAILED,
  EX_CONFIG,
  EX_PROTOCOL,
  INIT_TIMEOUT_MS,
  ORPHAN_EXIT_MS,
} from './constants.js';
import { isKernelError } from './errors.js';
import { loadAgent } from './load-agent.js';
import { PermissionBroker } from './permission-broker.js';
import type { TurnOutcome } from './turn.js';

/** Longest error text a `turn_result` carries (the schema's limit): 65 536 characters. */
const MAX_ERROR_LENGTH = 65_536;

/** What {@link hostRunner} needs from the process or thread it runs in, bound before user code loads. */
export interface HostRunnerOptions {
  /** Codec the channel is read with; `init.codec` must name the same. */
  codec: CodecName;
  /** Ends the process (pipe) or the thread (worker) with an exit code. */
  exit: (code: number) => never;
  /** Writes a diagnostic line (the runner's stderr). */
  writeErr: (text: string) => void;
  /** How the channel is named in messages: `fd 3`, `the worker port`. */
  channelName: string;
  /** Sent as `ready.pid`; absent for a worker thread, which is not a process of its own. */
  pid?: number | undefined;
  /** How long to wait for `init`, in ms. @default 10 000 (INIT_TIMEOUT_MS) */
  initTimeoutMs?: number | undefined;
  /** Hands what was sent to the peer before `exit` is called (ends a socket). @default none */
  flush?: (() => Promise<void>) | undefined;
}

/**
 * Speaks runner protocol v1 on `channel` as the runner side, hosts one agent module, and
 * exits. Transport-independent: the pipe entry (`x runner --pipe`, fd 3) and the worker
 * entry (threaded fallback, a `MessagePort`) both run it.
 *
 * Sequence: wait for `init` (at most `initTimeoutMs`), check the protocol version and codec,
 * load the agent module, send `ready` with `capabilities { steps, turns }` (from whether
 * the agent has `step`/`turn`), send heartbeats if asked, run the agent loop, send `exit`,
 * exit. While running: `stop` stops the loop; `turn` queues a turn and every turn gets
 * exactly one `turn_result`; `turn_cancel` cancels a queued or running turn;
 * `permission_response` answers the agent's `permission_request` (ids `p-1`, `p-2`, …);
 * pending permission requests are denied on stop and when the channel closes.
 * Nothing is sent before `ready`; failures before it go to `writeErr` only.
 *
 * Exit codes: 0 after a normal end or a cooperative stop; 1 when setup threw; 76
 * (EX_PROTOCOL) when the handshake fails; 78 (EX_CONFIG) when the agent module is missing
 * or invalid (sysexits.h). When the channel closes (supervisor gone) the agent is stopped
 * and `exit(0)` is called within about 1.25 s (ORPHAN_EXIT_MS + 250 ms).
 */
export async function hostRunner(
  channel: Channel<SupervisorMessage, RunnerMessage>,
  options: HostRunnerOptions,
): Promise<never> {
  const { exit, writeErr, codec, channelName } = options;
  const fail = (code: number, message: string): never => {
    writeErr(`${message}\n`);
    return exit(code);
  };
  channel.onError((error) => writeErr(`x runner: ${error.message}\n`));

  const inbox = receive(channel, options.initTimeoutMs ?? INIT_TIMEOUT_MS);
  const init = await inbox.init.catch((error: Error) =>
    fail(EX_PROTOCOL, `x runner: handshake failed: ${error.message}`),
  );
  if (init.protocolVersion !== PROTOCOL_VERSION) {
    return fail(
      EX_PROTOCOL,
      `x runner: handshake failed: supervisor speaks protocol version ${init.protocolVersion}, this runner speaks version ${PROTOCOL_VERSION}; install matching versions of @x/daemon and @x/kernel`,
    );
  }
  if (init.codec !== codec) {
    return fail(
      EX_PROTOCOL,
      `x runner: handshake failed: init says codec ${init.codec} but ${channelName} is read as ${codec}`,
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

  const send = (message: RunnerMessage): Promise<void> =>
    channel
      .send(message)
      .catch((error: Error) =>
        writeErr(`x runner: could not send ${message.type}: ${error.message}\n`),
      );
  const permissions = new PermissionBroker((message) => channel.send(message));
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
        void send({ type: 'iteration_start', iteration, startedAt }),
      iterationDone: (report) => void send({ type: 'iteration_done', ...report }),
      log: (level, message) => void send({ type: 'log', level, message }),
      notify: (payload) => void send({ type: 'notify', payload }),
      turnDone: (outcome) => sendTurnResult(channel, outcome, writeErr),
      requestPermission: (request, signal) => permissions.request(request, signal),
    },
  );

  inbox.attach((message) => {
    switch (message.type) {
      case 'stop':
        permissions.denyAll();
        loop.stop(message.graceMs, message.reason ?? 'stop requested by the supervisor');
        break;
      case 'turn':
        loop.submitTurn(message.input, { turnId: message.turnId });
        break;
      case 'turn_cancel':
        // An unknown or finished turn has had (or never needed) its turn_result: nothing to do.
        loop.cancelTurn(message.turnId, message.reason ?? 'cancelled by the supervisor');
        break;
      case 'permission_response':
        permissions.respond(message);
        break;
      case 'init':
        writeErr('x runner: ignored a second init message\n');
        break;
    }
  });
  channel.onClose(() => {
    // The supervisor is gone: nobody is left to report to, so stop quickly.
    permissions.denyAll();
    loop.stop(ORPHAN_EXIT_MS, 'supervisor gone');
    // Not unref()ed: this timer is what guarantees the exit when the agent holds no handle.
    setTimeout(() => exit(0), ORPHAN_EXIT_MS + 250);
  });

  const ready: RunnerMessage = {
    type: 'ready',
    protocolVersion: PROTOCOL_VERSION,
    codec,
    capabilities: { steps: agent.step !== undefined, turns: agent.turn !== undefined },
  };
  if (options.pid !== undefined) {
    ready.pid = options.pid;
  }
  void send(ready);
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  if (init.heartbeatIntervalMs !== undefined) {
    // One at once: liveness is armed from ready, before setup or a first step can block.
    void send({ type: 'heartbeat', at: Date.now() });
    heartbeat = setInterval(
      () => void send({ type: 'heartbeat', at: Date.now() }),
      init.heartbeatIntervalMs,
    );
  }

  const outcome = await loop.run();
  permissions.denyAll();
  if (heartbeat !== undefined) {
    clearInterval(heartbeat);
  }
  if (outcome.reason === 'error' && outcome.summary !== undefined) {
    void send({ type: 'error', message: outcome.summary, fatal: true });
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
  await options.flush?.();
  return exit(outcome.reason === 'error' ? EX_AGENT_FAILED : 0);
}

/**
 * Sends the one `turn_result` of a turn. When its output cannot be sent (not encodable,
 * larger than a frame), the turn is reported as `error` instead, so it still gets its one
 * answer.
 */
function sendTurnResult(
  channel: Channel<SupervisorMessage, RunnerMessage>,
  outcome: TurnOutcome,
  writeErr: (text: string) => void,
): void {
  const message: TurnResultMessage = {
    type: 'turn_result',
    turnId: outcome.turnId,
    status: outcome.status,
    durationMs: outcome.durationMs,
  };
  if (outcome.status === 'ok') {
    if (outcome.output !== undefined) {
      message.output = outcome.output;
    }
  } else {
    message.error = outcome.error.slice(0, MAX_ERROR_LENGTH);
  }
  if (outcome.usage !== undefined) {
    message.usage = outcome.usage;
  }
  channel.send(message).catch((error: Error) => {
    if (channel.closed || message.status !== 'ok') {
      writeErr(`x runner: could not send turn_result for ${message.turnId}: ${error.message}\n`);
      return;
    }
    const fallback: TurnResultMessage = {
      type: 'turn_result',
      turnId: message.turnId,
      status: 'error',
      durationMs: message.durationMs,
      error: `the turn's output could not be sent: ${error.message}`.slice(0, MAX_ERROR_LENGTH),
    };
    channel
      .send(fallback)
      .catch((again: Error) =>
        writeErr(`x runner: could not send turn_result for ${message.turnId}: ${again.message}\n`),
      );
  });
}

/** Most messages held between `init` and the agent being loaded: 1000. */
const MAX_EARLY_MESSAGES = 1000;

/**
 * Subscribes once, before `init`: resolves `init` with the first message, and holds what
 * follows it (up to MAX_EARLY_MESSAGES; frames decoded from the same chunk as `init` arrive
 * synchronously) until `attach` hands them to the real handler.
 */
function receive(
  channel: Channel<SupervisorMessage, RunnerMessage>,
  timeoutMs: number,
): { init: Promise<InitMessage>; attach(handler: (message: SupervisorMessage) => void): void } {
  let handler: ((message: SupervisorMessage) => void) | undefined;
  let early: SupervisorMessage[] | undefined;
  let first: ((message: SupervisorMessage) => void) | undefined;
  const init = new Promise<InitMessage>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`no init message on the IPC channel within ${timeoutMs} ms`));
    }, timeoutMs);
    const onClose = channel.onClose(() => {
      cleanup();
      reject(new Error('the supervisor closed the IPC channel before sending init'));
    });
    first = (message) => {
      cleanup();
      early = [];
      if (message.type === 'init') {
        resolve(message);
      } else {
        reject(new Error(`first message was ${message.type}, expected init`));
      }
    };
    function cleanup() {
      clearTimeout(timer);
      onClose.dispose();
    }
  });
  channel.onMessage((message) => {
    if (handler !== undefined) {
      handler(message);
    } else if (early === undefined) {
      first?.(message);
    } else if (early.length < MAX_EARLY_MESSAGES) {
      early.push(message);
    }
  });
  return {
    init,
    attach(next) {
      handler = next;
      for (const message of early ?? []) {
        next(message);
      }
      early = undefined;
    },
  };
}
