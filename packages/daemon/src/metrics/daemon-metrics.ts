import type Database from 'better-sqlite3';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { Disposable, Event } from '@x/ipc';
import type { HookStats } from '../hooks/hook-queue.js';
import type { EventHub } from '../monitor/event-hub.js';
import type { PersistenceGuard } from '../persistence/persistence-guard.js';
import type { RunnerSupervisor } from '../supervisor/runner-supervisor.js';
import type { SupervisorEvent } from '../supervisor/supervisor-events.js';

/** What {@link createDaemonMetrics} reads. */
export interface DaemonMetricsSources {
  supervisor: RunnerSupervisor;
  events: EventHub;
  persistence: PersistenceGuard;
  /** The RunStore's connection: runs by state and spend are read from it at each scrape. */
  database: Database.Database;
  /** Supervisor events (counted as they happen: exits, restarts, iterations, turns). */
  onEvent: Event<SupervisorEvent>;
  /** The event hooks' counters, in configuration order. @default none */
  hookStats?: (() => readonly HookStats[]) | undefined;
}

/** The daemon's Prometheus registry and what keeps its counters fed. */
export interface DaemonMetrics extends Disposable {
  readonly registry: Registry;
}

/**
 * The daemon's metrics, on a registry of their own (prom-client's text format 0.0.4):
 * `x_*` gauges read at scrape time from the supervisor, the event hub and SQLite, `x_*_total`
 * counters fed by supervisor events since the daemon started, and prom-client's default
 * process and Node.js metrics (`process_resident_memory_bytes`,
 * `nodejs_eventloop_lag_seconds`, …). A scrape costs two indexed SQLite reads. Counters hold
 * one series per label value (exit reasons, statuses: small fixed sets): bounded memory.
 */
export function createDaemonMetrics(sources: DaemonMetricsSources): DaemonMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const { supervisor, events, persistence, database } = sources;
  const runsByState = database.prepare(
    'SELECT state, count(*) AS n FROM agent_runs GROUP BY state',
  );
  const spend = database.prepare(
    `SELECT coalesce(sum(input_tokens), 0) AS input, coalesce(sum(output_tokens), 0) AS output,
            coalesce(sum(cost_nano_usd), 0) AS nano FROM
       (SELECT input_tokens, output_tokens, cost_nano_usd FROM agent_usage
        UNION ALL SELECT input_tokens, output_tokens, cost_nano_usd FROM agent_usage_removed)`,
  );
  const read = <T>(what: string, fn: () => T, fallback: T): T =>
    persistence.read(what, fn, fallback);

  new Gauge({
    name: 'x_runs',
    help: 'Runs in the history by state (starting, running, paused, stopping, backoff, exited, failed).',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      this.reset();
      for (const state of ['starting', 'running', 'paused', 'stopping', 'backoff']) {
        this.set({ state }, 0);
      }
      const rows = read(
        'metrics: runs by state',
        () => runsByState.all() as { state: string; n: number }[],
        [],
      );
      for (const { state, n } of rows) {
        this.set({ state }, n);
      }
    },
  });
  new Gauge({
    name: 'x_runs_active',
    help: 'Runs not finished (any state but exited and failed), held by this daemon.',
    registers: [registry],
    collect() {
      this.set(supervisor.activeCount);
    },
  });
  new Gauge({
    name: 'x_permission_requests_pending',
    help: 'Permission requests of active runs waiting for an answer.',
    registers: [registry],
    collect() {
      let pending = 0;
      for (const run of supervisor.list()) {
        pending += supervisor.pendingPermissions(run.runId).length;
      }
      this.set(pending);
    },
  });
  new Gauge({
    name: 'x_usage_tokens',
    help: 'Tokens agents reported, over every run stored (removed runs included), by direction.',
    labelNames: ['direction'],
    registers: [registry],
    collect() {
      const row = read('metrics: usage', () => spend.get() as { input: number; output: number }, {
        input: 0,
        output: 0,
      });
      this.set({ direction: 'input' }, row.input);
      this.set({ direction: 'output' }, row.output);
    },
  });
  new Gauge({
    name: 'x_usage_cost_usd',
    help: 'Cost agents reported, USD, over every run stored (removed runs included).',
    registers: [registry],
    collect() {
      const row = read('metrics: usage', () => spend.get() as { nano: number }, { nano: 0 });
      this.set(row.nano / 1e9);
    },
  });
  new Gauge({
    name: 'x_event_backlog_events',
    help: 'Events held in the monitor.subscribe backlog (ids from the oldest kept to the newest).',
    registers: [registry],
    collect() {
      const oldest = events.oldestEventId();
      this.set(oldest === null ? 0 : Math.max(0, events.lastEventId - oldest + 1));
    },
  });
  new Gauge({
    name: 'x_event_subscribers',
    help: 'Clients subscribed to the event stream (monitor.subscribe).',
    registers: [registry],
    collect() {
      this.set(events.stats.subscribers);
    },
  });
  new Gauge({
    name: 'x_persistence_ok',
    help: '1 while SQLite writes succeed, 0 while degraded (the records of runs wait in memory, events are lost).',
    registers: [registry],
    collect() {
      this.set(persistence.health.ok ? 1 : 0);
    },
  });
  new Gauge({
    name: 'x_persistence_dropped_writes',
    help: 'Writes lost since the daemon started (their data is not in SQLite).',
    registers: [registry],
    collect() {
      this.set(persistence.health.droppedWrites);
    },
  });
  new Gauge({
    name: 'x_persistence_deferred_writes',
    help: 'Writes waiting in memory now for SQLite to take them (a full disk); bounded by 10000 writes or 16 MiB.',
    registers: [registry],
    collect() {
      this.set(persistence.health.deferredWrites);
    },
  });
  addHookMetrics(registry, sources.hookStats);

  const exits = new Counter({
    name: 'x_exits_total',
    help: 'Attempts that ended since the daemon started, by exit reason (completed, stopped, crashed, oom, hung, ...).',
    labelNames: ['reason'],
    registers: [registry],
  });
  const restarts = new Counter({
    name: 'x_restarts_total',
    help: 'Attempts started after a run first started (by policy or by x agent restart), since the daemon started.',
    registers: [registry],
  });
  const iterations = new Counter({
    name: 'x_iterations_total',
    help: 'Iterations recorded since the daemon started, by status (ok, error).',
    labelNames: ['status'],
    registers: [registry],
  });
  const turns = new Counter({
    name: 'x_turns_total',
    help: 'Turns that ended since the daemon started, by status (ok, error, cancelled).',
    labelNames: ['status'],
    registers: [registry],
  });
  // Each active run's last state: an attempt ended when a run goes from an attempt's state to
  // backoff or an end (a reopened or recovered run's first backoff repeats an old exit).
  const states = new Map<string, string>();
  const attemptStates = new Set(['starting', 'running', 'paused', 'stopping']);
  const subscription = sources.onEvent((event) => {
    if (event.type === 'iteration_done') {
      iterations.inc({ status: event.iteration.status });
    } else if (event.type === 'turn_result') {
      turns.inc({ status: event.turn.status });
    } else if (event.type === 'run_state') {
      const { runId, state, exit } = event.run;
      const previous = states.get(runId);
      states.set(runId, state);
      const ended = state === 'backoff' || state === 'exited' || state === 'failed';
      if (ended && exit !== null && previous !== undefined && attemptStates.has(previous)) {
        exits.inc({ reason: exit.reason });
      }
      if (state === 'starting' && previous === 'backoff') {
        restarts.inc();
      }
      if (state === 'exited' || state === 'failed') {
        states.delete(runId);
      }
    }
  });
  return {
    registry,
    dispose: () => {
      subscription.dispose();
      registry.clear();
    },
  };
}

/**
 * Per event hook (label `hook`, its name): `x_hook_queued` events waiting now, and
 * `x_hook_events_total` by `outcome` (delivered, failed, dropped: the queue was full). The
 * counters follow the dispatcher's own, read at scrape time.
 */
function addHookMetrics(registry: Registry, stats: (() => readonly HookStats[]) | undefined): void {
  if (stats === undefined) {
    return;
  }
  new Gauge({
    name: 'x_hook_queued',
    help: "Events waiting in an event hook's queue now (not counting the one being delivered).",
    labelNames: ['hook'],
    registers: [registry],
    collect() {
      for (const hook of stats()) {
        this.set({ hook: hook.name }, hook.queued);
      }
    },
  });
  const seen = new Map<string, number>();
  new Counter({
    name: 'x_hook_events_total',
    help: 'Events an event hook delivered, failed to deliver (after its retries), or dropped because its queue was full, since the daemon started.',
    labelNames: ['hook', 'outcome'],
    registers: [registry],
    collect() {
      for (const hook of stats()) {
        for (const outcome of ['delivered', 'failed', 'dropped'] as const) {
          const key = `${hook.name}\0${outcome}`;
          const delta = hook[outcome] - (seen.get(key) ?? 0);
          if (delta > 0) {
            this.inc({ hook: hook.name, outcome }, delta);
          } else if (!seen.has(key)) {
            this.inc({ hook: hook.name, outcome }, 0);
          }
          seen.set(key, hook[outcome]);
        }
      }
    },
  });
}
