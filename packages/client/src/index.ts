export {
  connect,
  XClient,
  type AgentMethods,
  type CallOptions,
  type ConnectOptions,
  type MonitorMethods,
  type PermissionAnswer,
  type SystemMethods,
} from './connect.js';
export { type EventStream, type EventStreamOptions, type ResubscribeInfo } from './event-stream.js';
export {
  CONTROL_METHODS,
  type ControlMethod,
  type ControlMethods,
  type ControlParams,
  type ControlResult,
  type ListedRun,
  type Pong,
  type RunList,
  type Unsubscribed,
} from './control-api.js';
export * from './errors.js';
export { defaultHome, socketPathOf } from './socket-path.js';
export type {
  AgentCheckpoints,
  AgentList,
  AgentLogs,
  AgentStatus,
  AgentTurns,
  Clipped,
  EventHubStats,
  MonitorBacklog,
  MonitorEvent,
  PermissionRecord,
  RemovedRun,
  RunRecord,
  RunResources,
  ShutdownResult,
  SystemInfo,
  TurnRecord,
  UsageTotals,
} from '@x/daemon';
