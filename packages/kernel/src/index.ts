// The root entry stays cheap for agent modules that import defineAgent: nothing here may
// load @x/ipc (or TypeBox, msgpackr) at runtime; imports from it are type-only. The
// protocol hosts live in the subpath entries `@x/kernel/pipe` and `@x/kernel/worker`.
export {
  defineAgent,
  describeAgentProblem,
  type AgentContext,
  type AgentDefinition,
  type AgentDefinitionWithWork,
  type CheckpointReceipt,
  type PermissionRequest,
  type RestoredCheckpoint,
  type StepResult,
  type TurnContext,
  type UsageReport,
} from './define-agent.js';
export {
  AgentLoop,
  type AgentLoopOptions,
  type AgentLoopSink,
  type IterationReport,
  type LoopOutcome,
  type SubmitTurnOptions,
} from './agent-loop.js';
export type { TurnHandle, TurnOutcome, TurnResultOptions, TurnStatus } from './turn.js';
export {
  createRunner,
  type CheckpointHandler,
  type CreateRunnerOptions,
  type PauseChange,
  type IterationStart,
  type PermissionHandler,
  type Runner,
  type RunnerLogEntry,
  type RunnerState,
  type RunnerStopOptions,
} from './create-runner.js';
export type { Disposable, PermissionDecision } from '@x/ipc';
export type { AgentStore, StoreBatch, StoreListOptions } from './agent-store.js';
export type { StoreEntry, StoreOp, StoreOpResult } from '@x/ipc';
export { loadAgent } from './load-agent.js';
export * from './constants.js';
export * from './errors.js';
