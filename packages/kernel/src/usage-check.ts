import type { Usage } from '@x/ipc';
import { describeValue } from './describe-value.js';

const COUNT_FIELDS = ['inputTokens', 'outputTokens'] as const;
const USAGE_FIELDS = [...COUNT_FIELDS, 'costUsd'];
const REPORT_FIELDS = [...USAGE_FIELDS, 'model'];
/** Longest `usage.model`: 256 characters (the protocol's limit). */
const MAX_MODEL_LENGTH = 256;

/** Options of {@link usageProblems}. */
export interface UsageCheckOptions {
  /** Accept `model` (a string of 1 to 256 characters): `ctx.reportUsage`. @default false */
  model?: boolean;
}

/**
 * What is wrong with a usage report, each problem naming the field (from `path`), the value
 * received and what is expected, e.g. `usage.inputTokens must be a non-negative integer,
 * got 10n`. Empty when the protocol accepts it: an object whose `inputTokens` and
 * `outputTokens` are safe integers ≥ 0 and `costUsd` a finite number ≥ 0 (US dollars), with
 * `options.model` a `model` of 1 to 256 characters, each optional, and no other field (a
 * misspelt field would otherwise be lost without a word).
 */
export function usageProblems(
  usage: unknown,
  path = 'usage',
  options: UsageCheckOptions = {},
): string[] {
  const fields = options.model === true ? REPORT_FIELDS : USAGE_FIELDS;
  if (typeof usage !== 'object' || usage === null || Array.isArray(usage)) {
    return [`${path} must be an object { ${fields.join('?, ')}? }, got ${describeValue(usage)}`];
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
  const model = record.model;
  if (
    options.model === true &&
    model !== undefined &&
    !(typeof model === 'string' && model.length >= 1 && model.length <= MAX_MODEL_LENGTH)
  ) {
    problems.push(
      `${path}.model must be a string of 1 to ${MAX_MODEL_LENGTH} characters, got ${describeModel(model)}`,
    );
  }
  for (const key of Object.keys(record)) {
    if (!fields.includes(key)) {
      problems.push(`${path}.${key} is not a usage field (${fields.join(', ')})`);
    }
  }
  return problems;
}

/** The usage fields of a report that {@link usageProblems} accepted, copied (no `model`). */
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

function describeModel(model: unknown): string {
  return typeof model === 'string'
    ? `a string of ${model.length} characters`
    : describeValue(model);
}
