import type { Usage } from '@x/ipc';
import { describeValue } from './describe-value.js';

const COUNT_FIELDS = ['inputTokens', 'outputTokens'] as const;
const USAGE_FIELDS = [...COUNT_FIELDS, 'costUsd'];

/**
 * What is wrong with a usage report, each problem naming the field (from `path`), the value
 * received and what is expected, e.g. `usage.inputTokens must be a non-negative integer,
 * got 10n`. Empty when the protocol accepts it: an object whose `inputTokens` and
 * `outputTokens` are safe integers ≥ 0 and `costUsd` a finite number ≥ 0 (US dollars), each
 * optional, and no other field (a misspelt field would otherwise be lost without a word).
 */
export function usageProblems(usage: unknown, path = 'usage'): string[] {
  if (typeof usage !== 'object' || usage === null || Array.isArray(usage)) {
    return [
      `${path} must be an object { inputTokens?, outputTokens?, costUsd? }, got ${describeValue(usage)}`,
    ];
  }
  const problems: string[] = [];
  const record = usage as Record<string, unknown>;
  for (const field of COUNT_FIELDS) {
    const value = record[field];
    if (value !== undefined && !(Number.isSafeInteger(value) && (value as number) >= 0)) {
      problems.push(`${path}.${field} must be a non-negative integer, got ${describeValue(value)}`);
    }
  }
  const cost = record.costUsd;
  if (cost !== undefined && !(typeof cost === 'number' && Number.isFinite(cost) && cost >= 0)) {
    problems.push(
      `${path}.costUsd must be a finite number >= 0 (US dollars), got ${describeValue(cost)}`,
    );
  }
  for (const key of Object.keys(record)) {
    if (!USAGE_FIELDS.includes(key)) {
      problems.push(`${path}.${key} is not a usage field (${USAGE_FIELDS.join(', ')})`);
    }
  }
  return problems;
}

/** The usage fields of a report that {@link usageProblems} accepted, copied. */
export function copyUsage(usage: Usage): Usage {
  const copy: Usage = {};
  for (const field of COUNT_FIELDS) {
    if (usage[field] !== undefined) {
      copy[field] = usage[field];
    }
  }
  if (usage.costUsd !== undefined) {
    copy.costUsd = usage.costUsd;
  }
  return copy;
}
