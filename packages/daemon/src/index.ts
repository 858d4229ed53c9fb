export * from './constants.js';
export * from './errors.js';
export { DAEMON_VERSION } from './version.js';
export { canTransition, isActiveState, RUN_STATES, type RunState } from './supervisor/run-state.js';
export {
  classifyExit,
  isHeapExhausted,
  EXIT_REASONS,
  type ExitClassification,
  type ExitEvidence,
  type ExitReason,
  type StopPhase,
} from './supervisor/classify-exit.js';
export type { SupervisorEvent } from './supervisor/supervisor-events.js';
export { RunAttempt, type AttemptListener } from './supervisor/run-attempt.js';
export type { RunnerLink } from './supervisor/runner-link.js';
export type { RunSpec, StopBudget } from './supervisor/run-spec.js';
export type { ServiceProbes } from './health/service-probes.js';
export { RunController } from './supervisor/run-controller.js';
export { serviceStatus, type ServiceStatus } from './supervisor/service-status.js';
export {
  PROBE_DEFAULTS,
  runProbe,
  type ProbeResult,
  type ProbeSpec,
  type ProbeTarget,
} from './health/probe.js';
export {
  DEFAULT_RESTART_POLICY,
  RESTART_MODES,
  decideRestart,
  type RestartDecision,
  type RestartInput,
  type RestartMode,
  type RestartPolicy,
} from './supervisor/restart-policy.js';
export {
  RunnerSupervisor,
  type ProbeInput,
  type RemovedRun,
  type RestartPolicyInput,
  type RunnerSupervisorOptions,
  type ShutdownOptions,
  type SendOptions,
  type StartRequest,
} from './supervisor/runner-supervisor.js';
export {
  RUNNER_MODES,
  isRunnerMode,
  type LaunchSpec,
  type LaunchedRunner,
  type RunnerError,
  type RunnerExit,
  type RunnerLauncher,
  type RunnerMode,
} from './launch/runner-launcher.js';
export {
  RUNNER_SPARE_ENV,
  createSubprocessLauncher,
  type SubprocessLauncher,
  type SubprocessLauncherOptions,
} from './launch/subprocess-launcher.js';
export {
  SPARE_MAX_QUICK_DEATHS,
  SPARE_QUICK_DEATH_MS,
  SparePool,
  type SparePoolOptions,
  type SparePoolState,
  type SpareStatus,
} from './launch/spare-pool.js';
export { sameSpareKey, spareKeyOf, type SpareKey } from './launch/spare-key.js';
export {
  createThreadLauncher,
  type ThreadLauncherOptions,
  type ThreadRunnerData,
} from './launch/thread-launcher.js';
export { createModeLauncher, type ModeLauncherOptions } from './launch/mode-launcher.js';
export {
  launcherModes,
  resolveRunnerMode,
  type RunnerModeDecision,
  type RunnerModeInput,
} from './launch/resolve-runner-mode.js';
export { RunStore } from './persistence/run-store.js';
export type {
  IterationRecord,
  PermissionDecidedBy,
  PermissionRecord,
  TurnRecord,
  RunExit,
  RunOptions,
  RunRecord,
} from './persistence/records.js';
export {
  PersistenceGuard,
  type GuardWriteOptions,
  type PersistenceChange,
  type PersistenceGuardOptions,
  type PersistenceHealth,
  type PersistenceState,
} from './persistence/persistence-guard.js';
export {
  RunLog,
  readLogTail,
  type LogSource,
  type RunLogHealth,
  type RunLogOptions,
} from './logs/run-log.js';
export { ControlServer, type ControlServerOptions } from './control/control-server.js';
export {
  CONTROL_PARAMS,
  registerControlMethods,
  type AgentLogs,
  type AgentTurns,
  type AgentStatus,
  type ControlContext,
  type ShutdownResult,
  type SystemInfo,
} from './control/control-methods.js';
export type { AgentList } from './control/list-page.js';
export type { Clipped } from './control/clip-fields.js';
export { statePaths, ensureStateDir, type StatePaths } from './process/state-dir.js';
export { readDescriptor, isProcessAlive, type DaemonDescriptor } from './process/descriptor.js';
export { probeDaemon, removeStale, type DaemonProbe } from './process/single-instance.js';
export { startDaemon, type DaemonHandle, type StartDaemonOptions } from './process/start-daemon.js';
export {
  createLogger,
  silentLogger,
  type DaemonLogger,
  type Logger,
  type LoggerOptions,
  type LogStats,
} from './process/logger.js';
export {
  REPEAT_LOG_INTERVAL_MS,
  RepeatLimiter,
  type RepeatLimiterOptions,
} from './process/repeat-limiter.js';
export { MAX_TURNS_IN_FLIGHT, TurnTracker } from './supervisor/turn-tracker.js';
export {
  MAX_PENDING_PERMISSIONS,
  PERMISSION_TIMEOUT_MS,
  PermissionBroker,
  autoDecision,
  type PermissionHooks,
  type PermissionPolicy,
} from './supervisor/permission-broker.js';
export { EventStore, type EventPruneRule, type EventRow } from './persistence/event-store.js';
export {
  EventHub,
  type BacklogQuery,
  type EventHubOptions,
  type EventHubStats,
} from './monitor/event-hub.js';
export {
  EventSubscription,
  type EventSink,
  type SubscriptionEnd,
  type SubscriptionState,
} from './monitor/event-subscription.js';
export {
  matchesFilter,
  toMonitorEvent,
  type EventEnvelope,
  type EventFilter,
  type MonitorEvent,
} from './monitor/monitor-event.js';
export {
  DEFAULT_SUBSCRIBER_LIMITS,
  isLagging,
  type SubscriberLimits,
} from './monitor/subscriber-limits.js';
export {
  MONITOR_PARAMS,
  registerMonitorMethods,
  type MonitorBacklog,
  type MonitorLagged,
  type MonitorSubscription,
} from './control/monitor-methods.js';

// Durable agents (issue 10): checkpoints, usage, budgets.
export {
  CheckpointStore,
  DEFAULT_CHECKPOINTS_KEPT,
  type Checkpoint,
  type CheckpointMeta,
} from './persistence/checkpoint-store.js';
export {
  ANSWER_MAX_BYTES,
  DEFAULT_RECORDS_MAX_BYTES,
  RECORD_MAX_BYTES,
  RecordStore,
  RecordsRefusal,
  type RecordsApplied,
} from './persistence/record-store.js';
export {
  THREAD_PAGE_MAX,
  ThreadRecords,
  type ThreadCheckpointMeta,
  type ThreadCheckpointPage,
  type ThreadCopy,
} from './persistence/thread-records.js';
export { RunFork, type ForkSource, type RunForkDeps } from './supervisor/run-fork.js';
export { RunRecords, type RunRecordsDeps } from './supervisor/run-records.js';
export {
  UsageLedger,
  utcDay,
  type ModelWithoutCost,
  type ModelsWithoutCost,
  type RunUsage,
  type UsageReport,
} from './persistence/usage-ledger.js';
export {
  decideBudget,
  budgetWarning,
  unknownCostWarning,
  NO_USAGE,
  type BudgetDecision,
  type BudgetLimit,
  type FleetBudget,
  type RunBudget,
  type UsageTotals,
} from './supervisor/budget-policy.js';
export { changedBudget, type BudgetChange } from './supervisor/budget-change.js';
export { CHECKPOINT_MAX_BYTES } from './supervisor/run-durability.js';
export {
  DURABLE_PARAMS,
  registerDurableMethods,
  THREAD_CHECKPOINTS_LISTED,
  type AgentCheckpoints,
} from './control/durable-methods.js';
export type { ForkOrigin, RunPause, RunBudgetOptions } from './persistence/records.js';
export {
  HOUSEKEEPING_PARAMS,
  registerHousekeepingMethods,
} from './control/housekeeping-methods.js';
export { RunRemoval, type RemovedRows } from './persistence/run-removal.js';
export { removeRunLogFiles } from './logs/run-log-files.js';
export { linesSince } from './logs/log-since.js';
export {
  ResourceMeter,
  cpuPercent,
  type RunResources,
  type ThreadUsage,
} from './supervisor/resource-meter.js';
export {
  CLOCK_TICKS_PER_SECOND,
  readGroupsUsage,
  readProcessUsage,
  type GroupUsage,
} from './process/proc-stat.js';
export {
  CommandHookConfig,
  HOOK_EVENT_TYPES,
  HOOK_HTTP_BACKOFF_MS,
  HOOK_HTTP_RETRIES,
  HOOK_OUTPUT_MAX_BYTES,
  HOOK_QUEUE_MAX_BYTES,
  HOOK_QUEUE_MAX_EVENTS,
  HOOK_TIMEOUT_MS,
  HookConfig,
  HookFilter,
  HttpHookConfig,
  resolveHooks,
  type ResolvedHook,
} from './hooks/hook-config.js';
export { resolveModelPrices } from './pricing/model-prices-config.js';
export { HookDispatcher, HOOK_CLOSE_GRACE_MS } from './hooks/hook-dispatcher.js';
export {
  HookQueue,
  type HookStats,
  type DeliveryResult,
  type QueuedEvent,
} from './hooks/hook-queue.js';
export type { DaemonMetrics } from './metrics/daemon-metrics.js';
export {
  DEFAULT_METRICS_HOST,
  parseMetricsAddress,
  type MetricsAddress,
} from './metrics/metrics-address.js';
export { startMetricsServer, type MetricsServer } from './metrics/metrics-server.js';
