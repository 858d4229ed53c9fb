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
export {
  xSession,
  XSession,
  SESSION_ITEM_MAX_BYTES,
  type SessionContext,
  type SessionStore,
  type SessionStoreOp,
  type XSessionOptions,
} from './x-session.js';
export { SESSION_NAMESPACE } from './session-keys.js';
export { RunPausedError, SessionStoreError, type SessionStoreErrorCode } from './errors.js';
