import { StringDecoder } from 'node:string_decoder';
import { deserialize, serialize } from 'node:v8';
import { getCodec, validateSupervisorMessage } from '@x/ipc';
import { turnMessage } from './payload.js';

/** Bytes per chunk fed to decoders: what one read from a pipe returns. */
const CHUNK_BYTES = 64 * 1024;
/** Bytes of frames per decode batch (at least 16 frames). */
const STREAM_BYTES = 1024 * 1024;

/**
 * In-process cost of one message, in ns: encode (value → frame) and decode (stream chunks →
 * values, framing included) for both x codecs, and for reference what Node's IPC does per
 * message: `json` = JSON.stringify + '\n' / StringDecoder + split + JSON.parse;
 * `advanced` = v8.serialize + u32 length / v8.deserialize.
 * Also the cost of `validateSupervisorMessage` on the decoded `turn`.
 */
export function measureCodecCost(payload, { batchMs }) {
  const message = turnMessage(1234, payload);
  const result = {};
  for (const [name, codec] of Object.entries(CODECS)) {
    const frame = codec.encode(message);
    const count = Math.max(16, Math.floor(STREAM_BYTES / frame.length));
    const chunks = split(Buffer.concat(Array.from({ length: count }, () => frame)), CHUNK_BYTES);
    let decoded = 0;
    const decodeStream = () => {
      decoded = 0;
      codec.decode(chunks, () => {
        decoded += 1;
      });
      if (decoded !== count) {
        throw new Error(`bench: ${name} decoded ${decoded} of ${count} frames`);
      }
    };
    result[name] = {
      frameBytes: frame.length,
      encodeNs: nsPerOp(() => codec.encode(message), 1, batchMs),
      decodeNs: nsPerOp(decodeStream, count, batchMs),
    };
  }
  result.validateNs = nsPerOp(() => validateSupervisorMessage(message), 1, batchMs);
  return result;
}

const xCodec = (name) => {
  const codec = getCodec(name);
  return {
    encode: (value) => codec.encode(value),
    decode(chunks, onFrame) {
      const decoder = codec.createDecoder({
        frame: onFrame,
        error(error) {
          throw error;
        },
      });
      for (const chunk of chunks) {
        decoder.push(chunk);
      }
      decoder.end();
    },
  };
};

const CODECS = {
  'x-jsonl': xCodec('jsonl'),
  'x-msgpack': xCodec('msgpack'),
  'node-json': {
    encode: (value) => Buffer.from(JSON.stringify(value) + '\n'),
    // lib/internal/child_process/serialization.js, json: parseChannelMessages
    decode(chunks, onFrame) {
      const decoder = new StringDecoder('utf8');
      let pending = '';
      for (const chunk of chunks) {
        const lines = decoder.write(chunk).split('\n');
        const complete = lines.length - 1;
        if (complete === 0) {
          pending += lines[0];
          continue;
        }
        lines[0] = pending + lines[0];
        for (let i = 0; i < complete; i += 1) {
          onFrame(JSON.parse(lines[i]));
        }
        pending = lines[complete];
      }
    },
  },
  'node-advanced': {
    encode(value) {
      const body = serialize(value);
      const size = Buffer.allocUnsafe(4);
      size.writeUInt32BE(body.length);
      return Buffer.concat([size, body]);
    },
    // lib/internal/child_process/serialization.js, advanced: parseChannelMessages
    decode(chunks, onFrame) {
      let buffered = [];
      let size = 0;
      for (const chunk of chunks) {
        buffered.push(chunk);
        size += chunk.length;
        while (size > 4) {
          let all = buffered.length === 1 ? buffered[0] : Buffer.concat(buffered, size);
          const length = all.readUInt32BE(0);
          if (size < 4 + length) {
            buffered = [all];
            break;
          }
          onFrame(deserialize(all.subarray(4, 4 + length)));
          all = all.subarray(4 + length);
          buffered = [all];
          size = all.length;
        }
      }
    },
  },
};

function split(buffer, size) {
  const chunks = [];
  for (let at = 0; at < buffer.length; at += size) {
    chunks.push(buffer.subarray(at, at + size));
  }
  return chunks;
}

/**
 * Median ns per unit of work over 5 batches of about `batchMs` each; `fn` does `units`
 * units per call.
 */
export function nsPerOp(fn, units, batchMs) {
  let calls = 1;
  for (;;) {
    const start = performance.now();
    for (let i = 0; i < calls; i += 1) {
      fn();
    }
    const elapsed = performance.now() - start;
    if (elapsed >= batchMs / 4) {
      calls = Math.max(1, Math.round((calls * batchMs) / elapsed));
      break;
    }
    calls *= 2;
  }
  const samples = [];
  for (let batch = 0; batch < 5; batch += 1) {
    const start = performance.now();
    for (let i = 0; i < calls; i += 1) {
      fn();
    }
    samples.push(((performance.now() - start) * 1e6) / (calls * units));
  }
  samples.sort((a, b) => a - b);
  return samples[2];
}
