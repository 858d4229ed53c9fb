import { InvalidArgumentError } from 'commander';

/** Parses a non-negative integer option (ms, counts). */
export function parseNonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) {
    throw new InvalidArgumentError(`expected a non-negative integer, got ${JSON.stringify(value)}`);
  }
  return n;
}

/** Parses a positive integer option. */
export function parsePositiveInt(value: string): number {
  const n = parseNonNegativeInt(value);
  if (n === 0) {
    throw new InvalidArgumentError('expected a positive integer, got 0');
  }
  return n;
}

/** Parses `--params '{"url": "…"}'`: must be a JSON object. */
export function parseJsonObject(value: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (error) {
    throw new InvalidArgumentError(
      `not valid JSON (${(error as Error).message}); quote it, e.g. --params '{"url":"http://localhost"}'`,
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new InvalidArgumentError('expected a JSON object, e.g. {"url":"http://localhost"}');
  }
  return parsed as Record<string, unknown>;
}

/**
 * Collects repeatable `key=value` options into an object. With `json`, values that parse as
 * JSON (numbers, booleans, objects) are kept typed; others are strings.
 */
export function collectKeyValue(json: boolean) {
  return (value: string, previous: Record<string, unknown> = {}): Record<string, unknown> => {
    const at = value.indexOf('=');
    if (at <= 0) {
      throw new InvalidArgumentError(`expected key=value, got ${JSON.stringify(value)}`);
    }
    const key = value.slice(0, at);
    const raw = value.slice(at + 1);
    let parsed: unknown = raw;
    if (json) {
      try {
        parsed = JSON.parse(raw);
      } catch {
        parsed = raw;
      }
    }
    return { ...previous, [key]: parsed };
  };
}
