/**
 * A serializer's `[type, bytes]` as a JSON value the daemon can store: the text itself for
 * `json` (UTF-8 JSON, stored as is, not 33 % larger as base64), base64 for anything else.
 */
export type StoredBytes = { t: string; s: string } | { t: string; b: string };

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** `[type, bytes]` → a JSON value. */
export function toStored(type: string, bytes: Uint8Array): StoredBytes {
  if (type === 'json') {
    return { t: type, s: decoder.decode(bytes) };
  }
  return {
    t: type,
    b: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64'),
  };
}

/**
 * A stored value → `[type, bytes]`.
 * @throws TypeError when `value` is not what {@link toStored} wrote (a record written by
 *   something else under this saver's namespace).
 */
export function fromStored(value: unknown): [string, Uint8Array] {
  if (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { t?: unknown }).t === 'string'
  ) {
    const { t, s, b } = value as { t: string; s?: unknown; b?: unknown };
    if (typeof s === 'string') {
      return [t, encoder.encode(s)];
    }
    if (typeof b === 'string') {
      return [t, new Uint8Array(Buffer.from(b, 'base64'))];
    }
  }
  throw new TypeError(
    `@x/langgraph: a stored record is not a serialized value ({ t, s } or { t, b }), got ${JSON.stringify(value)?.slice(0, 80)}; is another program writing to this saver's namespace?`,
  );
}
