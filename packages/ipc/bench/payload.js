/** Payload sizes measured, in bytes of the payload's JSON text. */
export const PAYLOAD_SIZES = [100, 1024, 64 * 1024];

const WORDS = 'The quick brown fox jumps over the lazy dog while the agent thinks. ';

/**
 * An agent-like payload whose JSON text is exactly `size` bytes: a few small fields and a
 * run of ASCII prose (no characters that JSON escapes, so the size is exact).
 */
export function makePayload(size) {
  const shell = { seq: 1, kind: 'text', done: false, text: '' };
  const room = size - JSON.stringify(shell).length;
  if (room < 0) {
    throw new RangeError(`bench: payload size ${size} is below the ${size - room}-byte minimum`);
  }
  const text = WORDS.repeat(Math.ceil(room / WORDS.length)).slice(0, room);
  const payload = { ...shell, text };
  if (JSON.stringify(payload).length !== size) {
    throw new Error(`bench: payload of ${size} bytes came out wrong`);
  }
  return payload;
}

/** What the parent sends: a runner-protocol `turn` whose input is the payload. */
export function turnMessage(seq, payload) {
  return { type: 'turn', turnId: `t${seq}`, input: payload };
}

/** What the echo child answers: the `turn_result` carrying the same payload back. */
export function turnResultMessage(turn) {
  return {
    type: 'turn_result',
    turnId: turn.turnId,
    status: 'ok',
    output: turn.input,
    durationMs: 0,
  };
}
