import type {
  MonitorEvent,
  PermissionRecord,
  RunRecord,
  RunResources,
  UsageTotals,
} from '@x/daemon';
import { summarize } from '../commands/events-command.js';
import { RateWindow } from './rate-window.js';

/** A run as `agent.list` lists it: its record with its spend and last CPU/memory sample. */
export type ListedRun = RunRecord & {
  usage?: UsageTotals | null;
  resources?: RunResources | null;
};

/** Lines of recent events kept per run for the detail pane: 50. */
export const RECENT_EVENTS = 50;
/** Pending permission requests kept per run: 100 (the daemon's own limit per run). */
export const MAX_PENDING = 100;
/** Finished runs kept in the view (the oldest ended are dropped): 50. */
export const MAX_FINISHED = 50;

/** What the view knows of one run. */
export interface TopRun {
  run: RunRecord;
  /** Iterations over every attempt: `agent.list`'s count, plus `iteration_done` events since. */
  iterations: number;
  usage: UsageTotals | null;
  resources: RunResources | null;
  /** Finished iterations of the last minute. */
  rate: RateWindow;
  /** Waiting permission requests, by `<attempt>:<requestId>`, oldest first. */
  pending: Map<string, PermissionRecord>;
  /** `#id time type summary` of the run's newest events, oldest first, at most RECENT_EVENTS. */
  recent: { id: number; at: number; type: string; text: string }[];
}

/** Everything `x top` shows, fed by `agent.list` pages and monitor events. */
export interface TopState {
  runs: Map<string, TopRun>;
  /** Id of the newest event applied (0: none). */
  lastEventId: number;
  /** Since when (ms) iteration events are known: the rate of a shorter watch is scaled. */
  watchedSince: number;
}

export function createTopState(now: number): TopState {
  return { runs: new Map(), lastEventId: 0, watchedSince: now };
}

function isActive(state: RunRecord['state']): boolean {
  return state !== 'exited' && state !== 'failed';
}

function entry(state: TopState, run: RunRecord): TopRun {
  let known = state.runs.get(run.runId);
  if (known === undefined) {
    known = {
      run,
      iterations: run.iterations,
      usage: null,
      resources: null,
      rate: new RateWindow(),
      pending: new Map(),
      recent: [],
    };
    state.runs.set(run.runId, known);
  }
  return known;
}

/**
 * Applies one `agent.list` answer. The CLI reads events and this answer on one connection,
 * whose messages arrive in the order the daemon wrote them: every event received before the
 * answer is older than it, so the listed record, iteration count, spend and sample replace
 * what the events made of them. Runs not listed (finished and no longer among the recent
 * ones) are kept; the view's own bound (MAX_FINISHED) drops them.
 */
export function applyList(state: TopState, runs: readonly ListedRun[]): void {
  for (const listed of runs) {
    const { usage, resources, ...run } = listed;
    const known = entry(state, run);
    known.run = run;
    known.iterations = run.iterations;
    known.usage = usage ?? null;
    known.resources = isActive(run.state) ? (resources ?? null) : null;
    if (!isActive(run.state)) {
      known.pending.clear();
    }
  }
  dropOldFinished(state);
}

/** Replaces a run's pending requests with `agent.status`'s `pendingPermissions`. */
export function applyPending(
  state: TopState,
  runId: string,
  pending: readonly PermissionRecord[],
): void {
  const known = state.runs.get(runId);
  if (known === undefined) {
    return;
  }
  known.pending.clear();
  for (const request of pending.slice(0, MAX_PENDING)) {
    known.pending.set(`${request.attempt}:${request.requestId}`, request);
  }
}

/**
 * Applies one monitor event: a `run_state` record replaces the run's (a new run is added); an
 * `iteration_done` counts an iteration (and its usage); permission requests and answers keep
 * the pending set; `run_removed` forgets the run. Every run event also goes to the run's
 * recent lines. Events at or below `lastEventId` (a resubscription's overlap) are ignored.
 */
export function applyEvent(state: TopState, event: MonitorEvent): void {
  if (event.id <= state.lastEventId) {
    return;
  }
  state.lastEventId = event.id;
  if (event.type === 'run_state') {
    const known = entry(state, event.run);
    known.run = event.run;
    known.iterations = Math.max(known.iterations, event.run.iterations);
    if (!isActive(event.run.state) || event.run.state === 'backoff') {
      // No attempt runs: no sample, and the daemon denies what was pending (`stopped`).
      known.resources = null;
      known.pending.clear();
    }
    remember(known, event);
    dropOldFinished(state);
    return;
  }
  if (event.type === 'run_removed') {
    state.runs.delete(event.runId);
    return;
  }
  const known = event.runId === null ? undefined : state.runs.get(event.runId);
  if (known === undefined) {
    return; // a daemon-wide event, or a run the view does not list
  }
  switch (event.type) {
    case 'iteration_done': {
      known.iterations += 1;
      known.rate.add(event.iteration.finishedAt);
      addUsage(known, event.iteration.usage);
      break;
    }
    case 'turn_result':
      addUsage(known, event.turn.usage);
      break;
    case 'permission_request':
      if (event.request.decision === null && known.pending.size < MAX_PENDING) {
        known.pending.set(`${event.request.attempt}:${event.request.requestId}`, event.request);
      }
      break;
    case 'permission_answer':
      known.pending.delete(`${event.request.attempt}:${event.request.requestId}`);
      break;
    default:
      break;
  }
  remember(known, event);
}

function addUsage(
  known: TopRun,
  usage: { inputTokens?: number; outputTokens?: number; costUsd?: number } | null | undefined,
): void {
  if (usage === null || usage === undefined) {
    return;
  }
  const totals = known.usage ?? {
    inputTokens: 0,
    outputTokens: 0,
    costUsd: 0,
    calls: 0,
    callsWithoutCost: 0,
  };
  known.usage = {
    inputTokens: totals.inputTokens + (usage.inputTokens ?? 0),
    outputTokens: totals.outputTokens + (usage.outputTokens ?? 0),
    costUsd: totals.costUsd + (usage.costUsd ?? 0),
    calls: totals.calls + 1,
    callsWithoutCost: totals.callsWithoutCost + (usage.costUsd === undefined ? 1 : 0),
  };
}

function remember(known: TopRun, event: MonitorEvent): void {
  known.recent.push({ id: event.id, at: event.at, type: event.type, text: summarize(event) });
  if (known.recent.length > RECENT_EVENTS) {
    known.recent.splice(0, known.recent.length - RECENT_EVENTS);
  }
}

/** Keeps every active run and the MAX_FINISHED finished ones that ended last. */
function dropOldFinished(state: TopState): void {
  const finished = [...state.runs.values()].filter((known) => !isActive(known.run.state));
  if (finished.length <= MAX_FINISHED) {
    return;
  }
  finished.sort((a, b) => (b.run.endedAt ?? 0) - (a.run.endedAt ?? 0));
  for (const old of finished.slice(MAX_FINISHED)) {
    state.runs.delete(old.run.runId);
  }
}
