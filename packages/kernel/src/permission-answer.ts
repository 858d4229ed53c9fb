import type { PermissionDecision } from '@x/ipc';
import { describeValue } from './describe-value.js';

/**
 * The decision in what an `onPermissionRequest` handler returned, or a TypeError saying
 * what it returned instead and what to return. Only the strings `'granted'` and `'denied'`
 * are answers: `true`, `'allow'`, `'GRANTED'` or `{ decision: 'granted' }` are not (the
 * handler's type, `PermissionDecision`, has only those two strings), and guessing would
 * turn a typo into a grant or a silent denial.
 */
export function readPermissionAnswer(
  answer: unknown,
  tool: string,
): PermissionDecision | TypeError {
  if (answer === 'granted' || answer === 'denied') {
    return answer;
  }
  const decision =
    typeof answer === 'object' && answer !== null && 'decision' in answer
      ? answer.decision
      : undefined;
  const hint =
    decision === undefined
      ? ''
      : ` (an object; return its decision itself: ${describeValue(decision)})`;
  return new TypeError(
    `@x/kernel: onPermissionRequest must return 'granted' or 'denied' (or a promise of one), got ${describeValue(answer)}${hint} for tool ${JSON.stringify(tool)}; the request was denied`,
  );
}
