/** `{"pad":""}`: the JSON around the pad. */
const WRAPPER_BYTES = 10;
/** The sequence number at the head of the pad: 12 digits, so every state of a size is as long. */
const SEQ_DIGITS = 12;
/** Smallest size a state can have: the wrapper and the sequence number. */
export const MIN_STATE_BYTES = WRAPPER_BYTES + SEQ_DIGITS;

/** Printable ASCII without `"` and `\`, which JSON would escape: one byte each in the JSON. */
const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:;,!?';
let filler = '';

/**
 * A checkpoint state whose JSON text is exactly `bytes` UTF-8 bytes, `{"pad":"<seq><filler>"}`,
 * with `seq` as its first 12 characters (read it back with {@link seqOfState}): the agents and
 * the SQLite floor store the same bytes.
 * @param {number} bytes at least MIN_STATE_BYTES (22)
 * @param {number} seq an integer ≥ 0, below 10^12
 */
export function stateOfSize(bytes, seq) {
  if (!Number.isSafeInteger(bytes) || bytes < MIN_STATE_BYTES) {
    throw new RangeError(
      `bench-durable: a state must be an integer ≥ ${MIN_STATE_BYTES} bytes, got ${bytes}`,
    );
  }
  const length = bytes - WRAPPER_BYTES - SEQ_DIGITS;
  while (filler.length < length) {
    filler += ALPHABET;
  }
  return { pad: String(seq).padStart(SEQ_DIGITS, '0') + filler.slice(0, length) };
}

/**
 * The sequence number a {@link stateOfSize} state carries, or null for anything else.
 * @param {unknown} state
 */
export function seqOfState(state) {
  const pad = /** @type {{ pad?: unknown } | null} */ (state)?.pad;
  return typeof pad === 'string' ? Number(pad.slice(0, SEQ_DIGITS)) : null;
}
