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
export {
  RunAttempt,
  type AttemptListener,
  type RunSpec,
  type ServiceProbes,
  type StopBudget,
} from './supervisor/run-attempt.js';
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
  type RestartPolicyInput,
  type RunnerSupervisorOptions,
  type StartRequest,
} from './supervisor/runner-supervisor.js';
export type {
  LaunchSpec,
  LaunchedRunner,
  RunnerExit,
  RunnerLauncher,
} from './launch/runner-launcher.js';
export {
  createSubprocessLauncher,
  type SubprocessLauncherOptions,
} from './launch/subprocess-launcher.js';
export {
  RunStore,
  type IterationRecord,
  type RunExit,
  type RunOptions,
  type RunRecord,
} from './persistence/run-store.js';
export type { PersistenceHealth } from './persistence/persistence-guard.js';
export { RunLog, readLogTail, type LogSource, type RunLogOptions } from './logs/run-log.js';
export { ControlServer, type ControlServerOptions } from './control/control-server.js';
export {
  CONTROL_PARAMS,
  registerControlMethods,
  type AgentLogs,
  type AgentStatus,
  type ControlContext,
  type SystemInfo,
} from './control/control-methods.js';
export { statePaths, ensureStateDir, type StatePaths } from './process/state-dir.js';
export { readDescriptor, isProcessAlive, type DaemonDescriptor } from './process/descriptor.js';
export { probeDaemon, type DaemonProbe } from './process/single-instance.js';
export { startDaemon, type DaemonHandle, type StartDaemonOptions } from './process/start-daemon.js';
export { createLogger, silentLogger, type Logger } from './process/logger.js';
