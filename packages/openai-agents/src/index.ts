export {
  withX,
  xModelProvider,
  readTokens,
  type ModelCallContext,
  type XModelOptions,
} from './x-model.js';
export { ModelCost, type CallTokens, type ModelPrice } from './model-cost.js';
export { RunPausedError } from './errors.js';
