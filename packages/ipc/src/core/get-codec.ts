import { CODEC_NAMES, type CodecName, type CodecOptions, type FrameCodec } from './codec.js';
import { createJsonlCodec } from './jsonl-codec.js';
import { createMsgpackCodec } from './msgpack-codec.js';

/** True when `value` names a codec (`jsonl` or `msgpack`). */
export function isCodecName(value: unknown): value is CodecName {
  return typeof value === 'string' && (CODEC_NAMES as readonly string[]).includes(value);
}

/**
 * Creates the codec named `name`.
 * @throws TypeError when `name` is not `jsonl` or `msgpack`.
 */
export function getCodec(name: string, options?: CodecOptions): FrameCodec {
  if (name === 'jsonl') {
    return createJsonlCodec(options);
  }
  if (name === 'msgpack') {
    return createMsgpackCodec(options);
  }
  throw new TypeError(
    `@x/ipc: unknown codec ${JSON.stringify(name)}; expected one of ${CODEC_NAMES.join(', ')}`,
  );
}
