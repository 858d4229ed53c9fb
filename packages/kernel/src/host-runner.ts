import {
  PROTOCOL_VERSION,
  type Channel,
  type CodecName,
  type RunnerMessage,
  type StoreOp,
  type SupervisorMessage,
} from '@x/ipc';
import { AgentLoop } from './agent-loop.js';
import { CheckpointAcks } from './checkpoints.js';
import { StoreRequests } from './store-requests.js';
import {
  CHECKPOINT_SEND_RETRY_MS,
  EX_AGENT_FAILED,
  EX_CONFIG,
  EX_PROTOCOL,
  EXIT_FRAME_RETRY_MS,
  INIT_TIMEOUT_MS,
  ITERATION_DONE_RETRY_MS,
  ORPHAN_EXIT_MS,
} from './constants.js';
import { toErrorDetail } from './error-detail.js';
import { isKernelError } from './errors.js';
import { loadAgent } from './load-agent.js';
import { PermissionBroker } from './permission-broker.js';
import { MAX_TEXT_LENGTH, boundText } from './protocol-limits.js';
import { receiveInit } from './receive-init.js';
import { reportDrops } from './report-drops.js';
import { sendTurnResult } from './send-turn-result.js';
import { sendWithRetry } from './send-with-retry.js';
import type { UsageReport } from './define-agent.js';
import type { TurnOutcome } from './turn.js';
import { UsageReports } from './usage-reports.js';

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
 * load the agent module, send `ready` with `capabilities { steps, turns, setup: true,
 * checkpoints: true, pause: true, usageAcks: true }` (`steps`/`turns` from whether the agent has
 * `step`/`turn`; `retryTurns: true` added when the agent declares it), send heartbeats if
 * asked, run the agent loop (`setup_done` once setup ended, at once when the agent has
 * none), send `exit`, exit. Nothing the agent does can make it send a frame the supervisor
 * would refuse: the context checks its arguments (TypeError at the call), step results and
 * turn outputs are checked before they are sent (a bad field is left out and said so in a
 * `warn` log line; a turn output that is not JSON ends the turn as `error`), and texts are
 * bounded. While running: `stop` stops the loop; `turn` queues a turn and every turn gets
 * exactly one `turn_result` (retried for up to 30 s while the channel refuses it for
 * backpressure, and sent before `exit`); `turn_cancel` cancels a queued or running turn;
 * `permission_response` answers the agent's `permission_request` (ids `p-1`, `p-2`, …);
 * a pending permission request that the runner denies itself (its turn was cancelled, a stop,
 * the run's end) is withdrawn with `permission_cancel`; `ctx.checkpoint` sends `checkpoint`
 * (ids `c-1`, `c-2`, …; its state checked against `init.checkpointMaxBytes`) and settles on the
 * `checkpoint_ack` with its id, or with `X_CHECKPOINT_STOPPING` when the channel closes or the
 * run ends first; `init.restored` is `ctx.restored`; `pause` and `resume` pause the agent loop
 * (heartbeats go on); `ctx.reportUsage` in setup, a step or teardown sends `usage` (asking for
 * a `usage_ack` while `init.budgeted` or the last `budget_state` says a budget applies, which
 * `ctx.whenResumed()` then awaits).
 * Nothing is sent before `ready`; failures before it go to `writeErr` only.
 *
 * Exit codes: 0 after a normal end or a cooperative stop (teardown abandoned included: that
 * is said in the `exit` summary and a `warn` log line); 1 when setup threw; 76 (EX_PROTOCOL)
 * when the handshake fails; 78 (EX_CONFIG) when the agent module is missing or invalid, or
 * the agent threw a ConfigError (code `X_AGENT_CONFIG`) from setup, a step or a turn
 * (sysexits.h). When the channel closes (supervisor gone), even while the agent
 * module is still being imported, the agent is stopped and `exit(0)` is called within about
 * 1.25 s (ORPHAN_EXIT_MS + 250 ms).
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

  const inbox = receiveInit(channel, options.initTimeoutMs ?? INIT_TIMEOUT_MS);
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

  // Bound before the agent module loads: an import can take long (top-level await), and a
  // supervisor that goes away meanwhile must not leave this runner behind. onClose does not
  // fire for a subscriber that comes after the close, hence the check of `closed` too.
  const onOrphaned: (() => void)[] = [];
  const orphaned = () => {
    for (const stop of onOrphaned) {
      stop();
    }
    // Not unref()ed: this timer is what guarantees the exit when the agent holds no handle.
    setTimeout(() => exit(0), ORPHAN_EXIT_MS + 250);
  };
  channel.onClose(orphaned);
  if (channel.closed) {
    return exit(0);
  }

  const agent = await loadAgent(init.module).catch((error: unknown) =>
    fail(isKernelError(error) ? error.exitCode : EX_CONFIG, (error as Error).message),
  );
  if (channel.closed) {
    // The supervisor went away during the import: nobody is left to run the agent for.
    return exit(0);
  }

  const dropped = reportDrops(writeErr);
  const send = (message: RunnerMessage): Promise<void> =>
    channel.send(message).catch((error: Error) => dropped(message.type, error));
  const permissions = new PermissionBroker((message) => channel.send(message));
  // Retried under backpressure, like turn results: the agent waits for the answer.
  const checkpoints = new CheckpointAcks((message) =>
    sendWithRetry(channel, message, CHECKPOINT_SEND_RETRY_MS),
  );
  // Retried under backpressure too: the agent waits for the answer.
  const storeRequests = new StoreRequests((message) =>
    sendWithRetry(channel, message, CHECKPOINT_SEND_RETRY_MS),
  );
  // Retried under backpressure: a lost report would be missing from the run's totals.
  const usageReports = new UsageReports({
    init,
    send: (message) => sendWithRetry(channel, message, CHECKPOINT_SEND_RETRY_MS),
    dropped: (error) => dropped('usage', error),
    store: (ops) => storeRequests.request(ops),
  });
  // turn_results being sent (retried under backpressure): the exit frame waits for them.
  const answering = new Set<Promise<void>>();
  const turnDone = (done: TurnOutcome) => {
    let outcome = done;
    if (outcome.usage !== undefined && usageReports.reportsTurns) {
      // Reported call by call already (usage.turnId): for the turn's record only.
      outcome = { ...outcome, usage: { ...outcome.usage, counted: true } };
    } else if (outcome.usage !== undefined) {
      usageReports.spentElsewhere();
    }
    const sending = sendTurnResult(channel, outcome, writeErr);
    answering.add(sending);
    void sending.finally(() => answering.delete(sending));
  };
  const loop = new AgentLoop(
    agent,
    {
      runId: init.runId,
      name: init.name,
      params: init.params,
      intervalMs: init.intervalMs,
      maxIterations: init.maxIterations,
      restored: init.restored,
      checkpointMaxBytes: init.checkpointMaxBytes,
      modelPrices: init.modelPrices,
    },
    {
      iterationStart: (iteration, startedAt) =>
        void send({ type: 'iteration_start', iteration, startedAt }),
      // Returned: the loop waits for a full channel (flow control, see AgentLoopSink).
      // Retried under backpressure, never dropped like a log line: a flooding agent's logs
      // can fill the channel's queue just as its iteration ends, and the report is the run's
      // record of the iteration (its summary, usage, checkpoint).
      iterationDone: (report) => {
        if (report.usage !== undefined) {
          usageReports.spentElsewhere();
        }
        const message: RunnerMessage = { type: 'iteration_done', ...report };
        return sendWithRetry(channel, message, ITERATION_DONE_RETRY_MS).catch((error: Error) =>
          dropped(message.type, error),
        );
      },
      log: (level, message) =>
        void send({ type: 'log', level, message: boundText(message, MAX_TEXT_LENGTH) }),
      notify: (payload) => void send({ type: 'notify', payload }),
      setupDone: (result) =>
        void send(
          result.ok
            ? { type: 'setup_done', ok: true }
            : { type: 'setup_done', ok: false, error: toErrorDetail(result.error) },
        ),
      turnDone,
      requestPermission: (request, signal) => permissions.request(request, signal),
      checkpoint: (state, meta) => checkpoints.request(state, meta),
      // Only to a supervisor that keeps records (init.storeMaxBytes): another never answers.
      ...(init.storeMaxBytes === undefined
        ? {}
        : { store: (ops: StoreOp[]) => storeRequests.request(ops) }),
      usage: (usage) => usageReports.report(usage),
      ...(usageReports.reportsTurns
        ? { turnUsage: (turnId: string, usage: UsageReport) => usageReports.report(usage, turnId) }
        : {}),
      // ctx.whenResumed() then sees the pause a report caused (see UsageReports).
      usageHandled: () => usageReports.handled(),
    },
  );
  if (init.paused !== undefined) {
    // A paused run restarted: start no step before `resume` (not even the first).
    loop.pause(init.paused);
  }

  inbox.attach((message) => {
    switch (message.type) {
      case 'stop':
        permissions.denyAll('the run is stopping');
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
      case 'checkpoint_ack':
        // An unknown id (answered already, or never asked) has nobody waiting for it.
        checkpoints.answer(message);
        break;
      case 'store_result':
        storeRequests.answer(message);
        break;
      case 'pause':
        loop.pause(message.reason);
        break;
      case 'resume':
        loop.resume();
        break;
      case 'budget_state':
        usageReports.budgetState(message.budgeted);
        break;
      case 'usage_ack':
        usageReports.acked(message);
        break;
      case 'init':
        writeErr('x runner: ignored a second init message\n');
        break;
    }
  });
  onOrphaned.push(() => {
    // The supervisor is gone: nobody is left to report to, so stop quickly.
    permissions.denyAll('supervisor gone');
    checkpoints.closeAll('the supervisor went away');
    storeRequests.closeAll('the supervisor went away');
    usageReports.close();
    loop.stop(ORPHAN_EXIT_MS, 'supervisor gone');
  });

  const ready: RunnerMessage = {
    type: 'ready',
    protocolVersion: PROTOCOL_VERSION,
    codec,
    // setup: this runner sends one setup_done after setup (at once when there is none);
    // checkpoints and pause: it speaks checkpoint/checkpoint_ack and obeys pause/resume;
    // usageAcks: it reads init.budgeted and budget_state, and asks for usage_ack.
    capabilities: {
      steps: agent.step !== undefined,
      turns: agent.turn !== undefined,
      setup: true,
      checkpoints: true,
      pause: true,
      usageAcks: true,
      ...(agent.retryTurns === true ? { retryTurns: true } : {}),
    },
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

  // The frames above go out in a microtask (the channel batches a tick's sends): let them
  // leave before the loop's first step starts, which would otherwise run ahead of them and
  // delay `ready` (the supervisor's readiness, e.g. a restart's) by its synchronous part.
  await Promise.resolve();
  const outcome = await loop.run();
  permissions.denyAll(`the run ended (${outcome.reason})`);
  checkpoints.closeAll(`the run ended (${outcome.reason})`);
  storeRequests.closeAll(`the run ended (${outcome.reason})`);
  usageReports.close();
  if (heartbeat !== undefined) {
    clearInterval(heartbeat);
  }
  const summary =
    outcome.summary === undefined ? undefined : boundText(outcome.summary, MAX_TEXT_LENGTH);
  const config = outcome.reason === 'error' && outcome.errorDetail?.config === true;
  if (outcome.reason === 'error' && summary !== undefined) {
    const code = outcome.errorDetail?.code;
    void send({
      type: 'error',
      message: summary,
      ...(code === undefined ? {} : { code }),
      fatal: true,
    });
  }
  if (config) {
    // As for a module that does not load (exit 78): the reason is on stderr too, where a
    // supervisor looks when a runner exits 78.
    writeErr(`x runner: ${summary ?? 'configuration error'}\n`);
  }
  const exitMessage: RunnerMessage =
    summary === undefined
      ? { type: 'exit', reason: outcome.reason, iterations: outcome.iterations }
      : { type: 'exit', reason: outcome.reason, iterations: outcome.iterations, summary };
  // Every turn_result before exit: the supervisor settles what is unanswered at exit.
  await Promise.allSettled([...answering]);
  await sendWithRetry(channel, exitMessage, EXIT_FRAME_RETRY_MS).catch(() => undefined);
  await options.flush?.();
  return exit(config ? EX_CONFIG : outcome.reason === 'error' ? EX_AGENT_FAILED : 0);
}
