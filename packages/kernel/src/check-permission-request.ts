import type { PermissionRequest } from './define-agent.js';
import { findJsonProblem } from './json-value.js';

/** Longest `tool` name the protocol carries: 256 characters. */
const MAX_TOOL_LENGTH = 256;
/** Longest `rationale` the protocol carries: 65 536 characters. */
const MAX_RATIONALE_LENGTH = 65_536;

/**
 * Checks what an agent passed to `ctx.requestPermission` against the protocol's limits, so
 * that a bad request fails in the agent instead of being dropped by the supervisor.
 * Returns a copy holding only the known fields.
 * @throws TypeError naming the field, the value received and the limit, or the place in
 *   `input` that is not JSON (see findJsonProblem).
 */
export function checkPermissionRequest(request: unknown): PermissionRequest {
  if (typeof request !== 'object' || request === null) {
    throw new TypeError(
      `@x/kernel: requestPermission expects { tool, input?, rationale? }, got ${request === null ? 'null' : typeof request}`,
    );
  }
  const { tool, input, rationale } = request as Record<string, unknown>;
  if (typeof tool !== 'string' || tool.length === 0 || tool.length > MAX_TOOL_LENGTH) {
    throw new TypeError(
      `@x/kernel: requestPermission: tool must be a string of 1 to ${MAX_TOOL_LENGTH} characters, got ${typeof tool === 'string' ? `a string of ${tool.length}` : typeof tool}`,
    );
  }
  if (
    rationale !== undefined &&
    (typeof rationale !== 'string' || rationale.length > MAX_RATIONALE_LENGTH)
  ) {
    throw new TypeError(
      `@x/kernel: requestPermission: rationale must be a string of at most ${MAX_RATIONALE_LENGTH} characters when given, got ${typeof rationale === 'string' ? `a string of ${rationale.length}` : typeof rationale}`,
    );
  }
  const problem = input === undefined ? undefined : findJsonProblem(input, 'input');
  if (problem !== undefined) {
    throw new TypeError(`@x/kernel: requestPermission: ${problem}`);
  }
  const checked: PermissionRequest = { tool };
  if (input !== undefined) {
    checked.input = input;
  }
  if (rationale !== undefined) {
    checked.rationale = rationale;
  }
  return checked;
}
