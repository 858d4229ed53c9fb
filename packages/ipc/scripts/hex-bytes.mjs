/**
 * Byte builders for hand-made test vector inputs, as lowercase hex strings. The msgpack
 * ones write a chosen (not the shortest) encoding on purpose, to make the equivalent
 * encodings that decoders must accept; see the msgpack specification for each format byte.
 */

const hexOf = (buffer) => buffer.toString('hex');

/** UTF-8 bytes of `text`. */
export const utf8 = (text) => hexOf(Buffer.from(text, 'utf8'));

/** Number of bytes in a hex string. */
export const size = (hex) => hex.length / 2;

/** Joins hex parts. */
export const cat = (...parts) => parts.join('');

const uint = (bytes, value) => {
  const buffer = Buffer.alloc(bytes);
  buffer.writeUIntBE(value, 0, bytes);
  return hexOf(buffer);
};

export const u8 = (value) => uint(1, value);
export const u16 = (value) => uint(2, value);
export const u32 = (value) => uint(4, value);

/** A msgpack frame: u32 big-endian payload length, then the payload. */
export const msgpackFrame = (payload) => u32(size(payload)) + payload;

/** A jsonl frame: UTF-8 text and a `\n`. */
export const jsonlFrame = (text) => utf8(`${text}\n`);

/** msgpack encodings, each naming its format. */
export const mp = {
  fixmap: (count) => u8(0x80 | count),
  map16: (count) => `de${u16(count)}`,
  map32: (count) => `df${u32(count)}`,
  fixstr: (text) => u8(0xa0 | size(utf8(text))) + utf8(text),
  str8: (text) => `d9${u8(size(utf8(text)))}${utf8(text)}`,
  str16: (text) => `da${u16(size(utf8(text)))}${utf8(text)}`,
  str32: (text) => `db${u32(size(utf8(text)))}${utf8(text)}`,
  uint16: (value) => `cd${u16(value)}`,
  uint32: (value) => `ce${u32(value)}`,
  uint64: (value) => {
    const buffer = Buffer.alloc(8);
    buffer.writeBigUInt64BE(BigInt(value));
    return `cf${hexOf(buffer)}`;
  },
  int64: (value) => {
    const buffer = Buffer.alloc(8);
    buffer.writeBigInt64BE(BigInt(value));
    return `d3${hexOf(buffer)}`;
  },
  float32: (value) => {
    const buffer = Buffer.alloc(4);
    buffer.writeFloatBE(value);
    return `ca${hexOf(buffer)}`;
  },
  float64: (value) => {
    const buffer = Buffer.alloc(8);
    buffer.writeDoubleBE(value);
    return `cb${hexOf(buffer)}`;
  },
};
