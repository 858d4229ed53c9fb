export {
  withX,
  xModelProvider,
  readTokens,
  type ModelCallContext,
  type XModelOptions,
} from './x-model.js';
export {
  runWithX,
  type RunContext,
  type RunWithXOptions,
  type RunWithXResult,
} from './run-with-x.js';
export { SAVED_RUN_NAMESPACE, type RunStore, type SavedRun } from './saved-run.js';
export { ModelCost, type CallTokens, type ModelPrice } from '@x/model-prices';
export { RunPausedError } from './errors.js';
