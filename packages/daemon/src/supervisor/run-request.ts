import type { RunnerMode } from '../launch/runner-launcher.js';
import type { ForkOrigin, RunBudgetOptions, RunRecord } from '../persistence/records.js';
import { PROBE_DEFAULTS, type ProbeSpec, type ProbeTarget } from '../health/probe.js';
import { READINESS_TIMEOUT_MS, STOP_IPC_PHASE_MS, STOP_SIGTERM_PHASE_MS } from '../constants.js';
import { DEFAULT_RESTART_POLICY, type RestartPolicy } from './restart-policy.js';
import { PERMISSION_TIMEOUT_MS } from './permission-broker.js';
import type { StopBudget } from './run-spec.js';

/** A restart policy given in part; the rest comes from DEFAULT_RESTART_POLICY. */
export interface RestartPolicyInput {
  mode?: RestartPolicy['mode'] | undefined;
  backoff?: Partial<RestartPolicy['backoff']> | undefined;
  resetAfterMs?: number | undefined;
  intensity?: Partial<RestartPolicy['intensity']> | undefined;
}

/** A probe given in part: a target, with the timing defaults of PROBE_DEFAULTS. */
export type ProbeInput = ProbeTarget &
  Partial<Pick<ProbeSpec, 'intervalMs' | 'timeoutMs' | 'failureThreshold'>>;

/** What `start` needs: `module` or `command` (exactly one); everything else has a default. */
export interface StartRequest {
  /**
   * `agent` (default): a runner speaking protocol v1. `service`: any `command`, not speaking
   * the protocol: ready when its readiness probe passes, restarted when its liveness probe fails.
   */
  kind?: 'agent' | 'service' | undefined;
  /** A service's health checks. */
  probes?:
    | {
        readiness?: ProbeInput | undefined;
        liveness?: ProbeInput | undefined;
        readinessTimeoutMs?: number | undefined;
      }
    | undefined;
  /** Absolute path (or file: URL) of the agent module, run by the launcher's runner. */
  module?: string | undefined;
  /**
   * A program speaking runner protocol v1 on fd 3, as argv (`['python3', 'runner.py']`),
   * run instead of the launcher's runner; `init` then carries no `module`.
   */
  command?: readonly string[] | undefined;
  /** Unique among active runs; `[A-Za-z0-9._-]`, 1–64 chars. @default the module's or program's file name */
  name?: string | undefined;
  params?: Record<string, unknown> | undefined;
  /** Pause between iterations, ms. @default 1000 */
  intervalMs?: number | undefined;
  /** Stop after this many iterations. @default unlimited */
  maxIterations?: number | undefined;
  /** Stop phase durations, ms. @default { ipcMs: 2000, sigtermMs: 3000 } (5 s in all) */
  stopBudget?: Partial<StopBudget> | undefined;
  /** Working directory of the runner. @default the daemon's */
  cwd?: string | undefined;
  /** Extra environment for the runner. */
  env?: Record<string, string> | undefined;
  /** Codec on the runner's IPC channel. @default jsonl */
  codec?: 'jsonl' | 'msgpack' | undefined;
  /** When to restart. @default { mode: 'no' } */
  restart?: RestartPolicyInput | undefined;
  /** Memory limit in MiB (V8 heap cap for module runs, RSS limit for all). @default none */
  maxMemoryMb?: number | undefined;
  /**
   * How to host an agent module's runner: `subprocess` or `thread` (a worker in the daemon).
   * A `command` run and a service are always subprocesses (`thread` is refused with -32602).
   * @default the launcher's default mode
   */
  runnerMode?: RunnerMode | undefined;
  /**
   * Permission requests granted without asking a client: `true` for every tool, or a list of
   * tool names. @default none (each request waits for `agent.permission.answer` or its timeout)
   */
  autoApprove?: boolean | readonly string[] | undefined;
  /**
   * How long a permission request waits for an answer before it is denied with reason
   * `timeout`, ms. @default 1 800 000 (30 min, PERMISSION_TIMEOUT_MS)
   */
  permissionTimeoutMs?: number | undefined;
  /**
   * Heartbeat interval asked of this agent's runner, ms (negotiated in `init`).
   * @default the daemon's `heartbeatIntervalMs` (1000)
   */
  heartbeatIntervalMs?: number | undefined;
  /**
   * Heartbeat silence after which this agent is `hung` and killed, ms; must exceed the heartbeat
   * interval. Raise it for agents whose steps block the event loop for long (synchronous work).
   * @default the daemon's `livenessTimeoutMs` (10 000)
   */
  livenessTimeoutMs?: number | undefined;
  /**
   * Budgets (USD, tokens over every attempt; a UTC day's cost) and what reaching one does:
   * `pause` (default) or `stop`. @default none
   */
  budget?: RunBudgetOptions | undefined;
  /** Largest JSON of one checkpoint's state, bytes. @default 1 048 576 (1 MiB) */
  checkpointMaxBytes?: number | undefined;
  /**
   * Start from a stored checkpoint of another run (fork / replay): its newest, or `seq`. The
   * new run's first attempt gets it as `init.restored`. Or, with `checkpointId`, from a thread
   * checkpoint of its record store (a LangGraph checkpoint of `@x/langgraph`): the thread up to
   * it is copied to the new run (see RunFork).
   */
  from?: { runId: string; seq?: number | undefined; checkpointId?: string | undefined } | undefined;
}

/** What {@link newRunRecord} builds a run from: a checked request and what the daemon decided. */
export interface NewRun {
  request: StartRequest;
  runId: string;
  name: string;
  kind: 'agent' | 'service';
  mode: RunnerMode;
  /** The checkpoint a fork starts from, for the record. */
  from: ForkOrigin | undefined;
  logPath: string;
  /** ms since the Unix epoch. */
  now: number;
}

/** The record of a new run (state `starting`, attempt 1): every option given, or its default. Pure. */
export function newRunRecord({
  request,
  runId,
  name,
  kind,
  mode,
  from,
  logPath,
  now,
}: NewRun): RunRecord {
  const { module, command } = request;
  const restart: RestartPolicy = {
    mode: request.restart?.mode ?? DEFAULT_RESTART_POLICY.mode,
    backoff: { ...DEFAULT_RESTART_POLICY.backoff, ...stripUndefined(request.restart?.backoff) },
    resetAfterMs: request.restart?.resetAfterMs ?? DEFAULT_RESTART_POLICY.resetAfterMs,
    intensity: {
      ...DEFAULT_RESTART_POLICY.intensity,
      ...stripUndefined(request.restart?.intensity),
    },
  };
  const record: RunRecord = {
    runId,
    name,
    module: module ?? null,
    params: request.params ?? {},
    options: {
      kind,
      probes:
        kind === 'service'
          ? {
              readiness: probeSpec(request.probes?.readiness),
              readinessTimeoutMs: request.probes?.readinessTimeoutMs ?? READINESS_TIMEOUT_MS,
              liveness: probeSpec(request.probes?.liveness),
            }
          : null,
      command: command === undefined ? null : [...command],
      intervalMs: request.intervalMs ?? 1000,
      maxIterations: request.maxIterations ?? null,
      stopBudget: {
        ipcMs: request.stopBudget?.ipcMs ?? STOP_IPC_PHASE_MS,
        sigtermMs: request.stopBudget?.sigtermMs ?? STOP_SIGTERM_PHASE_MS,
      },
      codec: request.codec ?? 'jsonl',
      cwd: request.cwd ?? process.cwd(),
      env: request.env ?? {},
      restart,
      maxMemoryMb: request.maxMemoryMb ?? null,
      autoApprove: autoApproveOption(request.autoApprove),
      permissionTimeoutMs: request.permissionTimeoutMs ?? PERMISSION_TIMEOUT_MS,
      runnerMode: mode,
      ...(request.heartbeatIntervalMs === undefined
        ? {}
        : { heartbeatIntervalMs: request.heartbeatIntervalMs }),
      ...(request.livenessTimeoutMs === undefined
        ? {}
        : { livenessTimeoutMs: request.livenessTimeoutMs }),
      ...(request.budget === undefined ? {} : { budget: request.budget }),
      ...(request.checkpointMaxBytes === undefined
        ? {}
        : { checkpointMaxBytes: request.checkpointMaxBytes }),
      ...(from === undefined ? {} : { from }),
    },
    launcher: mode,
    state: 'starting',
    pid: null,
    pgid: null,
    createdAt: now,
    readyAt: null,
    endedAt: null,
    iterations: 0,
    lastSummary: null,
    attempt: 1,
    restarts: 0,
    nextRestartAt: null,
    lastReasons: [],
    exit: null,
    logPath,
  };
  return record;
}

function autoApproveOption(value: boolean | readonly string[] | undefined): true | string[] | null {
  if (value === true) {
    return true;
  }
  return Array.isArray(value) && value.length > 0 ? [...(value as readonly string[])] : null;
}

function probeSpec(input: ProbeInput | undefined): ProbeSpec | null {
  if (input === undefined) {
    return null;
  }
  const target: ProbeTarget = 'http' in input ? { http: input.http } : { tcp: input.tcp };
  return {
    ...target,
    intervalMs: input.intervalMs ?? PROBE_DEFAULTS.intervalMs,
    timeoutMs: input.timeoutMs ?? PROBE_DEFAULTS.timeoutMs,
    failureThreshold: input.failureThreshold ?? PROBE_DEFAULTS.failureThreshold,
  };
}

function stripUndefined<T extends object>(value: T | undefined): Partial<T> {
  return Object.fromEntries(
    Object.entries(value ?? {}).filter(([, v]) => v !== undefined),
  ) as Partial<T>;
}
