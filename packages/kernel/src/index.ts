export {
  defineAgent,
  describeAgentProblem,
  type AgentContext,
  type AgentDefinition,
  type StepResult,
} from './define-agent.js';
export {
  AgentLoop,
  type AgentLoopOptions,
  type AgentLoopSink,
  type IterationReport,
  type LoopOutcome,
} from './agent-loop.js';
export { loadAgent } from './load-agent.js';
export { runPipe, type RunPipeOptions } from './pipe-entry.js';
export * from './constants.js';
export * from './errors.js';
