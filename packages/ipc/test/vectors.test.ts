import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  buildVectors,
  renderVectorFile,
  VECTOR_FILES,
  type ExpectedEvent,
  type VectorDocuments,
} from '../scripts/build-vectors.mjs';
import { getCodec } from '../src/core/get-codec.js';
import * as ipc from '../src/index.js';
import { validateRunnerMessage, validateSupervisorMessage } from '../src/protocol/validate.js';
import { collect, hex } from './support/decode.js';

const vectorFile = (name: string) =>
  fileURLToPath(new URL(`../test-vectors/${name}`, import.meta.url));
const read = <K extends keyof VectorDocuments>(key: K): VectorDocuments[K] =>
  JSON.parse(readFileSync(vectorFile(VECTOR_FILES[key]), 'utf8')) as VectorDocuments[K];

const valid = read('valid').vectors;
const invalidFrames = read('invalidFrames').vectors;
const invalidMessages = read('invalidMessages').vectors;
const fromHex = (text: string) => new Uint8Array(Buffer.from(text, 'hex'));
const validators = {
  supervisor_to_runner: validateSupervisorMessage,
  runner_to_supervisor: validateRunnerMessage,
};

/** What a decoder reports for `input` pushed in `chunks`, then ended, in vector form. */
function decode(
  codecName: 'jsonl' | 'msgpack',
  input: Uint8Array,
  chunks?: number[],
  maxFrameBytes?: number,
): ExpectedEvent[] {
  const codec = getCodec(codecName, maxFrameBytes === undefined ? undefined : { maxFrameBytes });
  const { decoder, events } = collect(codec);
  let at = 0;
  for (const length of chunks ?? [input.length]) {
    decoder.push(input.slice(at, at + length));
    at += length;
  }
  decoder.end();
  return events.map((event) =>
    event.kind === 'frame'
      ? { frame: event.value }
      : { error: { code: event.error.code, frame: event.error.frame, offset: event.error.offset } },
  );
}

describe('test-vectors/*.json', () => {
  it.each(Object.entries(VECTOR_FILES))(
    '%s file is exactly what scripts/generate-vectors.mjs writes from the source',
    (key, file) => {
      const documents = buildVectors(ipc);
      expect(
        readFileSync(vectorFile(file), 'utf8'),
        `${file} is stale; run \`pnpm --filter @x/ipc build && pnpm --filter @x/ipc vectors\``,
      ).toBe(renderVectorFile(documents[key as keyof VectorDocuments]));
    },
  );

  it('every message type has at least one valid vector, in the direction of its union', () => {
    const types = new Map(valid.map((vector) => [vector.message.type, vector.direction]));
    expect([...types.keys()].sort()).toEqual(Object.keys(ipc.MESSAGE_SCHEMAS).sort());
  });
});

describe.each(valid)('valid vector: $name', (vector) => {
  it.each(['jsonl', 'msgpack'] as const)(
    '%s: encoding the message gives exactly its bytes',
    (name) => {
      expect(hex(getCodec(name).encode(vector.message))).toBe(vector[name]);
    },
  );

  it.each(['jsonl', 'msgpack'] as const)('%s: its bytes decode to the message', (name) => {
    expect(decode(name, fromHex(vector[name]))).toStrictEqual([{ frame: vector.message }]);
  });

  it('the message passes the validator of its direction', () => {
    expect(validators[vector.direction](vector.message)).toEqual({
      ok: true,
      value: vector.message,
    });
  });
});

const equivalents = valid.flatMap((vector) =>
  (vector.equivalents ?? []).map((equivalent) => ({ ...equivalent, vector })),
);

describe('equivalent encodings', () => {
  it.each(equivalents)('$codec: $vector.name, $note: decodes to the same message', (equivalent) => {
    expect(decode(equivalent.codec, fromHex(equivalent.frame))).toStrictEqual([
      { frame: equivalent.vector.message },
    ]);
  });
});

describe('invalid-frame vectors', () => {
  it.each(invalidFrames)('$codec: $name', (vector) => {
    const input = fromHex(vector.input);
    const chunks = vector.chunks ?? [input.length];
    expect(chunks.reduce((sum, length) => sum + length, 0)).toBe(input.length);
    expect(decode(vector.codec, input, vector.chunks, vector.maxFrameBytes)).toStrictEqual(
      vector.expect,
    );
  });
});

describe('invalid-message vectors', () => {
  it.each(invalidMessages)('$direction: $name, at $path', (vector) => {
    expect(validators[vector.direction](vector.value)).toMatchObject({
      ok: false,
      path: vector.path,
    });
  });
});

describe('the wire-format docs page', () => {
  const page = readFileSync(
    fileURLToPath(new URL('../../../apps/docs/reference/wire-format.md', import.meta.url)),
    'utf8',
  );
  const shown = (hexText: string) => page.replaceAll(/\s+/g, '').includes(hexText);

  it.each(['stop', 'heartbeat with a real timestamp (above 2^32)'])(
    'shows the bytes of vector "%s" as they are in valid.json',
    (name) => {
      const vector = valid.find((candidate) => candidate.name === name)!;
      expect(shown(vector.jsonl), `${name}: jsonl`).toBe(true);
      expect(shown(vector.msgpack), `${name}: msgpack`).toBe(true);
    },
  );
});
