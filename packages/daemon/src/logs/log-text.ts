/** Longest error trace kept for a log line: 8 KiB (characters). */
export const ERROR_TRACE_MAX_CHARS = 8192;

/**
 * An error's stack (else `name: message`), a string as is, anything else as JSON; cut to
 * {@link ERROR_TRACE_MAX_CHARS} with `…`. Never throws.
 */
export function errorTrace(error: unknown): string {
  const text =
    error instanceof Error
      ? (error.stack ?? `${error.name}: ${error.message}`)
      : typeof error === 'string'
        ? error
        : safeJson(error);
  return truncate(text, ERROR_TRACE_MAX_CHARS);
}

/**
 * JSON for a log line; never throws (String() of a deep array recurses as JSON does). A value
 * JSON cannot show (`undefined`, a function) gives its `typeof`; one that cannot be serialised
 * (a cycle, a BigInt, too deep) gives `[<kind> not serialisable: <why>]`.
 */
export function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? typeof value;
  } catch (error) {
    return `[${Array.isArray(value) ? 'array' : typeof value} not serialisable: ${(error as Error).message}]`;
  }
}

/** `text` cut to its first `max` characters followed by `…`, or `text` when not longer. */
export function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
