/**
 * Builds the three test vector files from the cases and the package's own codecs and
 * validators, checking every case on the way: a case our implementation disagrees with
 * throws, so a vector file never holds something the implementation does not do.
 *
 * Pure and deterministic (no clock, no randomness): the same package gives the same bytes.
 */
import { isDeepStrictEqual } from 'node:util';
import { FRAME_CASES } from './frame-cases.mjs';
import { MESSAGE_CASES } from './message-cases.mjs';
import { messageTypes } from './schema-document.mjs';
import { VALID_CASES } from './valid-cases.mjs';

/** File names under `test-vectors/`, by content. */
export const VECTOR_FILES = {
  valid: 'valid.json',
  invalidFrames: 'invalid-frames.json',
  invalidMessages: 'invalid-messages.json',
};

const GENERATED_BY =
  'packages/ipc/scripts/generate-vectors.mjs (do not edit by hand; format: apps/docs/reference/wire-format.md#test-vectors)';

const toHex = (bytes) => Buffer.from(bytes).toString('hex');
const fromHex = (hex) => new Uint8Array(Buffer.from(hex, 'hex'));

/** What a decoder reports for `input` pushed in `chunks` then ended, in vector form. */
export function decodeEvents(codec, input, chunks) {
  const events = [];
  const decoder = codec.createDecoder({
    frame: (value) => events.push({ frame: value }),
    error: (error) =>
      events.push({ error: { code: error.code, frame: error.frame, offset: error.offset } }),
  });
  let at = 0;
  for (const length of chunks ?? [input.length]) {
    decoder.push(input.subarray(at, at + length));
    at += length;
  }
  decoder.end();
  return events;
}

function fail(what, name, detail) {
  throw new Error(`@x/ipc vectors: ${what} "${name}": ${detail}`);
}

/** The three vector documents, each `{ description, generatedBy, protocolVersion, vectors }`. */
export function buildVectors(ipc) {
  const { PROTOCOL_VERSION, RunnerMessage, SupervisorMessage } = ipc;
  const codecs = { jsonl: ipc.createJsonlCodec(), msgpack: ipc.createMsgpackCodec() };
  const directionOf = new Map([
    ...messageTypes(SupervisorMessage).map((type) => [type, 'supervisor_to_runner']),
    ...messageTypes(RunnerMessage).map((type) => [type, 'runner_to_supervisor']),
  ]);
  const validators = {
    supervisor_to_runner: ipc.validateSupervisorMessage,
    runner_to_supervisor: ipc.validateRunnerMessage,
  };
  const header = (description) => ({
    description,
    generatedBy: GENERATED_BY,
    protocolVersion: PROTOCOL_VERSION,
  });

  const names = new Set();
  const unique = (name) => {
    if (names.has(name)) {
      fail('case', name, 'two cases have this name');
    }
    names.add(name);
  };

  const valid = VALID_CASES.map(({ name, message, equivalents }) => {
    unique(`valid: ${name}`);
    const direction = directionOf.get(message.type);
    const checked = validators[direction](message);
    if (!checked.ok) {
      fail('valid case', name, `fails validation at ${checked.path}: ${checked.message}`);
    }
    const entry = {
      name,
      direction,
      message,
      jsonl: toHex(codecs.jsonl.encode(message)),
      msgpack: toHex(codecs.msgpack.encode(message)),
    };
    for (const codec of ['jsonl', 'msgpack']) {
      const events = decodeEvents(codecs[codec], fromHex(entry[codec]));
      if (!isDeepStrictEqual(events, [{ frame: message }])) {
        fail('valid case', name, `${codec} bytes do not decode back to the message`);
      }
    }
    for (const equivalent of equivalents ?? []) {
      const events = decodeEvents(codecs[equivalent.codec], fromHex(equivalent.frame));
      if (!isDeepStrictEqual(events, [{ frame: message }])) {
        fail('equivalent', `${name}: ${equivalent.note}`, `decodes to ${JSON.stringify(events)}`);
      }
    }
    return equivalents === undefined ? entry : { ...entry, equivalents };
  });
  for (const type of directionOf.keys()) {
    if (!valid.some((entry) => entry.message.type === type)) {
      fail('message type', type, 'has no valid vector');
    }
  }

  const invalidFrames = FRAME_CASES.map((entry) => {
    unique(`frames: ${entry.codec}: ${entry.name}`);
    const input = fromHex(entry.input);
    const total = (entry.chunks ?? [input.length]).reduce((sum, length) => sum + length, 0);
    if (total !== input.length) {
      fail('frame case', entry.name, `chunks add up to ${total} bytes, input has ${input.length}`);
    }
    const codec =
      entry.maxFrameBytes === undefined
        ? codecs[entry.codec]
        : ipc.getCodec(entry.codec, { maxFrameBytes: entry.maxFrameBytes });
    const events = decodeEvents(codec, input, entry.chunks);
    if (!isDeepStrictEqual(events, entry.expect)) {
      fail('frame case', entry.name, `decoder reports ${JSON.stringify(events)}`);
    }
    const { name, codec: codecName, maxFrameBytes, chunks, expect } = entry;
    return {
      name,
      codec: codecName,
      ...(maxFrameBytes === undefined ? {} : { maxFrameBytes }),
      input: entry.input,
      ...(chunks === undefined ? {} : { chunks }),
      expect,
    };
  });

  const invalidMessages = MESSAGE_CASES.map(({ name, direction, value, path }) => {
    unique(`messages: ${name}`);
    const checked = validators[direction](value);
    if (checked.ok || checked.path !== path) {
      fail(
        'invalid message',
        name,
        `expected a failure at ${path}, got ${JSON.stringify(checked)}`,
      );
    }
    return { name, direction, value, path };
  });

  return {
    valid: {
      ...header(
        'Valid messages and their frames. Encoding `message` with our codecs gives exactly `jsonl` and `msgpack` (hex, one complete frame each); decoding either gives `message`; each of `equivalents` is another valid frame that must decode to `message` too.',
      ),
      vectors: valid,
    },
    invalidFrames: {
      ...header(
        'Byte streams and what a decoder must report: push `input` (hex) in `chunks` (byte lengths; absent: one chunk), then end the stream; `expect` lists every decoded frame and every error, in order. `maxFrameBytes`, when present, is the decoder limit (default 8388608).',
      ),
      vectors: invalidFrames,
    },
    invalidMessages: {
      ...header(
        'Decoded values that the receiver of `direction` must refuse, naming the field at `path` (JSON pointer; `/` for the value itself).',
      ),
      vectors: invalidMessages,
    },
  };
}

/** A vector document as committed: 2-space JSON and a final newline. */
export function renderVectorFile(document) {
  return `${JSON.stringify(document, null, 2)}\n`;
}
