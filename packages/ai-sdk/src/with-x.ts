import { wrapLanguageModel, type LanguageModel } from 'ai';
import { xMiddleware, type ModelCallContext, type XMiddlewareOptions } from './x-middleware.js';

type WrappableModel = Parameters<typeof wrapLanguageModel>[0]['model'];

/**
 * `model` wrapped with {@link xMiddleware} for `ctx`: its calls report usage and cost to x
 * and wait while the run is paused. Shorthand for
 * `wrapLanguageModel({ model, middleware: xMiddleware(ctx, options) })`.
 */
export function withX(
  model: WrappableModel,
  ctx: ModelCallContext,
  options?: XMiddlewareOptions,
): Extract<LanguageModel, object> {
  return wrapLanguageModel({ model, middleware: xMiddleware(ctx, options) });
}
