/** A JSON column's text for a value; null (SQL NULL) for null and undefined. */
export function jsonOrNull(value: unknown): string | null {
  return value === undefined || value === null ? null : JSON.stringify(value);
}

/** A JSON column's value; null for SQL NULL. */
export function parseOrNull(text: unknown): unknown {
  return typeof text === 'string' ? (JSON.parse(text) as unknown) : null;
}
