/* eslint-disable @typescript-eslint/no-explicit-any -- the Agents SDK types its runs over `Agent<any, any>` and `RunState<any, …>` (its own defaults): narrower parameters would refuse users' agents. */
import {
  run as defaultRun,
  RunState,
  type Agent,
  type AgentInputItem,
  type NonStreamRunOptions,
  type RunResult,
  type RunStreamEvent,
  type RunToolApprovalItem,
  type StreamedRunResult,
  type StreamRunOptions,
} from '@openai/agents';
import { readSavedRun, saveRun, type RunStore } from './saved-run.js';

/** What {@link runWithX} needs of an x agent's `ctx` (setup, a step, a turn or teardown). */
export interface RunContext {
  readonly signal: AbortSignal;
  readonly store: RunStore;
  requestPermission(request: {
    tool: string;
    rationale?: string;
    input?: unknown;
  }): Promise<'granted' | 'denied'>;
  log(level: 'debug' | 'info' | 'warn' | 'error', message: string): void;
}

/** Runs an agent: `run` of `@openai/agents`, or a `Runner`'s `run`. */
type RunFunction = (
  agent: Agent<any, any>,
  input: string | AgentInputItem[] | RunState<any, Agent<any, any>>,
  options?: NonStreamRunOptions<any, Agent<any, any>>,
) => Promise<RunResult<any, Agent<any, any>>>;

/** The same run function, called with `stream: true` (as `run` and a `Runner`'s `run` take it). */
type StreamRunFunction = (
  agent: Agent<any, any>,
  input: string | AgentInputItem[] | RunState<any, Agent<any, any>>,
  options: StreamRunOptions<any, Agent<any, any>>,
) => Promise<StreamedRunResult<any, Agent<any, any>>>;

/** Options of {@link runWithX}. */
export interface RunWithXOptions {
  /**
   * Names this agent run among the x run's durable records (1 to 200 characters): a saved
   * state under the same key that ended on an interruption is resumed instead of `input`.
   * Give each logical run its own key (e.g. `ticket-${id}`) when one x run makes several.
   * @default 'default'
   */
  key?: string;
  /**
   * Runs the agent: a `Runner`'s run, e.g. `(a, i, o) => runner.run(a, i, o)`. With
   * {@link onStreamEvent} it is called with `stream: true` in its options and must answer
   * with a streamed result, as `run` and `Runner.run` do. @default `run`
   */
  run?: RunFunction;
  /** Passed to every `run` call (`maxTurns`, `context`, …; not `stream`: see {@link onStreamEvent}). */
  runOptions?: NonStreamRunOptions<any, Agent<any, any>>;
  /**
   * Streams every `run` call (`stream: true`) and gives this function each event as it comes
   * (`raw_model_stream_event` with the model's text deltas, `run_item_stream_event`,
   * `agent_updated_stream_event`), in order, awaiting it before the next: e.g. to send partial
   * output with `ctx.notify`. Approvals, saved states and resumes are as without it; a call
   * cut by an interruption streams up to it, and the call after the approvals streams the
   * rest. A throw (or a rejection) from it ends `runWithX` with that error, the state saved
   * last staying saved. @default undefined: the runs are not streamed
   */
  onStreamEvent?: (event: RunStreamEvent) => void | Promise<void>;
}

/** What {@link runWithX} resolves with. */
export interface RunWithXResult<TAgent extends Agent<any, any>> {
  /**
   * The last `run` call's result (no interruptions left): a `StreamedRunResult`, completed,
   * with {@link RunWithXOptions.onStreamEvent}.
   */
  result: RunResult<any, TAgent> | StreamedRunResult<any, TAgent>;
  /** True when this call resumed a state an earlier attempt saved (after a crash or restart). */
  resumed: boolean;
  /** How many tool approvals were asked of x in this call. */
  approvalsAsked: number;
}

/**
 * Runs `agent` on `input` like `run` of `@openai/agents`, made durable and supervised by x:
 *
 * - every tool approval the run stops on (a tool with `needsApproval`) is asked of x with
 *   `ctx.requestPermission` (tool name, the call's arguments as input): it shows in
 *   `x agent status`, `x top` and the event stream, and `x agent approve|deny`,
 *   `--auto-approve` or the permission timeout answer it. The answer goes to
 *   `state.approve`/`state.reject` and the run goes on, until it ends without interruption;
 * - the `RunState` (`state.toString()`) is saved in the run's durable records (`ctx.store`,
 *   namespace `openai-agents`, acknowledged once the daemon committed it) at each
 *   interruption, once its approvals are all answered, and when the run ends. The next attempt of the x run
 *   (after `kill -9` of the runner, a restart by policy, `x agent restart`) calling
 *   `runWithX` with the same `key` restores it with `RunState.fromString` and goes on from
 *   there: the approvals of an interruption are asked again unless all of them had been
 *   answered (then the run goes on with those answers, without asking).
 *
 * A run that ended (no interruption) is saved as ended: the next call with the same key
 * starts afresh from its `input`.
 * @throws the abort reason of `ctx.signal` when the x run is stopped while an approval is
 *   pending (the state stays saved, so the next attempt asks again).
 * @throws TypeError when `key` is not a string of 1 to 200 characters.
 * @throws whatever `run` throws (a model error, `MaxTurnsExceededError`, a guardrail, a
 *   `RunPausedError` of {@link withX}); the state saved last stays.
 */
export async function runWithX<TAgent extends Agent<any, any>>(
  agent: TAgent,
  input: string | AgentInputItem[],
  ctx: RunContext,
  options: RunWithXOptions = {},
): Promise<RunWithXResult<TAgent>> {
  const key = options.key ?? 'default';
  if (typeof key !== 'string' || key.length === 0 || key.length > 200) {
    throw new TypeError(
      `@x/openai-agents: runWithX: key must be a string of 1 to 200 characters, got ${JSON.stringify(key)}`,
    );
  }
  const runAgent: RunFunction = options.run ?? (defaultRun as RunFunction);
  const saved = await readSavedRun(ctx.store, key);
  const resumed = saved !== undefined && saved.status !== 'ended';
  let next: string | AgentInputItem[] | RunState<any, TAgent> = input;
  // A state saved at an interruption whose answers were not all saved: ask them again.
  let unanswered: RunState<any, TAgent> | undefined;
  if (resumed) {
    const state = await RunState.fromString(agent, saved.state);
    if (saved.status === 'interrupted') {
      unanswered = state;
    } else {
      next = state;
    }
    ctx.log('info', `@x/openai-agents: run ${key} resumes from its state saved ${saved.status}`);
  }
  let approvalsAsked = 0;
  for (;;) {
    let state: RunState<any, TAgent>;
    let interruptions: RunToolApprovalItem[];
    if (unanswered !== undefined) {
      state = unanswered;
      interruptions = state.getInterruptions();
      unanswered = undefined;
    } else {
      const result = await runOnce(runAgent, agent, next, options);
      interruptions = result.interruptions ?? [];
      if (interruptions.length === 0) {
        await saveRun(ctx.store, key, 'ended', result.state.toString());
        return { result, resumed, approvalsAsked };
      }
      state = result.state;
      await saveRun(ctx.store, key, 'interrupted', state.toString());
    }
    for (const item of interruptions) {
      approvalsAsked += 1;
      const decision = await ctx.requestPermission(permissionRequest(item, agent));
      if (ctx.signal.aborted) {
        throw ctx.signal.reason; // a stop, not an answer: the next attempt asks again
      }
      if (decision === 'granted') {
        state.approve(item);
      } else {
        state.reject(item);
      }
    }
    await saveRun(ctx.store, key, 'answered', state.toString());
    next = state;
  }
}

/**
 * One `run` call: streamed when `options.onStreamEvent` is given (every event handed to it,
 * then the end of the run awaited: its error, if any, is thrown), else as it comes.
 */
async function runOnce<TAgent extends Agent<any, any>>(
  runAgent: RunFunction,
  agent: TAgent,
  input: string | AgentInputItem[] | RunState<any, TAgent>,
  options: RunWithXOptions,
): Promise<RunResult<any, TAgent> | StreamedRunResult<any, TAgent>> {
  const { onStreamEvent } = options;
  if (onStreamEvent === undefined) {
    return (await runAgent(agent, input, options.runOptions)) as RunResult<any, TAgent>;
  }
  const streamed = (await (runAgent as unknown as StreamRunFunction)(agent, input, {
    ...options.runOptions,
    stream: true,
  })) as StreamedRunResult<any, TAgent>;
  for await (const event of streamed) {
    await onStreamEvent(event);
  }
  await streamed.completed;
  return streamed;
}

/** The x permission request for one tool approval. */
function permissionRequest(
  item: RunToolApprovalItem,
  agent: Agent<any, any>,
): { tool: string; rationale: string; input: unknown } {
  const tool = (item.name ?? item.toolName ?? 'tool').slice(0, 256) || 'tool';
  const raw = item.arguments;
  let input: unknown = raw ?? null;
  if (typeof raw === 'string') {
    try {
      input = JSON.parse(raw) as unknown;
    } catch {
      input = raw;
    }
  }
  const who = item.agent?.name ?? agent.name;
  return {
    tool,
    rationale: `agent ${who} calls tool ${tool} (OpenAI Agents SDK needsApproval)`,
    input,
  };
}
