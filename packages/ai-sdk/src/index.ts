export {
  xMiddleware,
  readTokens,
  type ModelCallContext,
  type XMiddlewareOptions,
} from './x-middleware.js';
export { withX } from './with-x.js';
export { ModelCost, type CallTokens, type ModelPrice } from '@x/model-prices';
export { RunPausedError } from './errors.js';
