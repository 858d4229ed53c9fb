/**
 * Byte streams of `test-vectors/invalid-frames.json` and exactly what a decoder must report
 * for each, in order, once the whole input has been pushed and the stream has ended.
 * Offsets are computed from the parts, so each one says where it comes from.
 */
import { cat, jsonlFrame, mp, msgpackFrame, size, u32, utf8 } from './hex-bytes.mjs';

const TOO_LARGE = 'X_IPC_FRAME_TOO_LARGE';
const MALFORMED = 'X_IPC_MALFORMED_FRAME';
const TRUNCATED = 'X_IPC_TRUNCATED_FRAME';

const STOP = { type: 'stop', graceMs: 2000 };
const error = (code, frame, offset) => ({ error: { code, frame, offset } });
const frame = (value) => ({ frame: value });

// jsonl
const jStop = jsonlFrame('{"type":"stop","graceMs":2000}');
const jHeartbeat = jsonlFrame('{"type":"heartbeat","at":1}');
// msgpack
const mStop = msgpackFrame(
  cat(mp.fixmap(2), mp.fixstr('type'), mp.fixstr('stop'), mp.fixstr('graceMs'), mp.uint16(2000)),
);
const mHeartbeat = msgpackFrame(
  cat(mp.fixmap(2), mp.fixstr('type'), mp.fixstr('heartbeat'), mp.fixstr('at'), '01'),
);

/** `{"type":"log","level":"info","message":"<bytes>"}\n` with raw bytes in the string. */
const jLogWithBytes = (bytes) =>
  cat(utf8('{"type":"log","level":"info","message":"'), bytes, utf8('"}\n'));

/** A jsonl line of exactly `length` bytes before its `\n`: a notify with a padded string. */
function jLineOf(length) {
  const head = '{"type":"notify","payload":"';
  const tail = '"}';
  return jsonlFrame(head + 'p'.repeat(length - head.length - tail.length) + tail);
}

/** A msgpack frame whose payload is exactly `length` bytes: a notify with a padded fixstr. */
function mFrameOf(length) {
  const head = cat(mp.fixmap(2), mp.fixstr('type'), mp.fixstr('notify'), mp.fixstr('payload'));
  return msgpackFrame(head + mp.fixstr('p'.repeat(length - size(head) - 1)));
}
const padded = (length, head, tail) => ({
  type: 'notify',
  payload: 'p'.repeat(length - head - tail),
});

const ones = (hex) => Array.from({ length: size(hex) }, () => 1);

export const FRAME_CASES = [
  // ---------------------------------------------------------------- jsonl
  { name: 'empty input', codec: 'jsonl', input: '', expect: [] },
  {
    name: 'malformed JSON, then a good frame',
    codec: 'jsonl',
    input: cat(utf8('{"type":"stop",\n'), jStop),
    expect: [error(MALFORMED, 1, 0), frame(STOP)],
  },
  {
    name: 'two JSON values on one line are malformed',
    codec: 'jsonl',
    input: cat(utf8('{"a":1}{"b":2}\n'), jStop),
    expect: [error(MALFORMED, 1, 0), frame(STOP)],
  },
  {
    name: 'invalid UTF-8: a lone continuation byte 0x80, then a good frame',
    codec: 'jsonl',
    input: cat(jLogWithBytes('80'), jStop),
    expect: [error(MALFORMED, 1, 0), frame(STOP)],
  },
  {
    name: 'invalid UTF-8: overlong encoding of "/" (c0 af)',
    codec: 'jsonl',
    input: cat(jStop, jLogWithBytes('c0af'), jStop),
    expect: [frame(STOP), error(MALFORMED, 2, size(jStop)), frame(STOP)],
  },
  {
    name: 'invalid UTF-8: an encoded UTF-16 surrogate (ed a0 80)',
    codec: 'jsonl',
    input: cat(jLogWithBytes('eda080'), jStop),
    expect: [error(MALFORMED, 1, 0), frame(STOP)],
  },
  {
    name: 'invalid UTF-8: a 4-byte sequence cut short by the quote',
    codec: 'jsonl',
    input: cat(jLogWithBytes('f09fa6'), jStop),
    expect: [error(MALFORMED, 1, 0), frame(STOP)],
  },
  {
    name: 'several bad lines in a row, then a good one',
    codec: 'jsonl',
    input: cat(utf8('not json\n[1,\n}\n'), jStop),
    expect: [error(MALFORMED, 1, 0), error(MALFORMED, 2, 9), error(MALFORMED, 3, 13), frame(STOP)],
  },
  {
    name: 'oversized line is skipped to the next newline across chunks (maxFrameBytes 64)',
    codec: 'jsonl',
    maxFrameBytes: 64,
    input: cat(jsonlFrame(`{"type":"log","level":"info","message":"${'z'.repeat(100)}"}`), jStop),
    chunks: [10, 60, 20, 50, 34],
    expect: [error(TOO_LARGE, 1, 0), frame(STOP)],
  },
  {
    name: 'a line of exactly maxFrameBytes (32) decodes; one of 33 bytes is too large',
    codec: 'jsonl',
    maxFrameBytes: 32,
    input: cat(jLineOf(32), jLineOf(33), jHeartbeat),
    expect: [
      frame(padded(32, 28, 2)),
      error(TOO_LARGE, 2, 33),
      frame({ type: 'heartbeat', at: 1 }),
    ],
  },
  {
    name: 'stream ends inside a line (truncated)',
    codec: 'jsonl',
    input: cat(jStop, utf8('{"type":"sto')),
    expect: [frame(STOP), error(TRUNCATED, 2, size(jStop))],
  },
  {
    name: 'whitespace after the last newline is not a truncated frame',
    codec: 'jsonl',
    input: cat(jStop, utf8(' \t\r')),
    expect: [frame(STOP)],
  },
  {
    name: 'blank and whitespace-only lines are skipped and not counted as frames',
    codec: 'jsonl',
    input: cat(utf8('\n \t\r\n'), jStop, utf8('\n\n'), utf8('oops\n')),
    expect: [frame(STOP), error(MALFORMED, 2, 5 + size(jStop) + 2)],
  },
  {
    name: 'CRLF line ends decode',
    codec: 'jsonl',
    input: cat(utf8('{"type":"stop","graceMs":2000}\r\n'), utf8('{"type":"heartbeat","at":1}\r\n')),
    expect: [frame(STOP), frame({ type: 'heartbeat', at: 1 })],
  },
  {
    name: 'frames delivered one byte at a time, a 4-byte character split across chunks',
    codec: 'jsonl',
    input: cat(jsonlFrame('{"type":"log","level":"info","message":"🦀"}'), jStop),
    chunks: ones(cat(jsonlFrame('{"type":"log","level":"info","message":"🦀"}'), jStop)),
    expect: [frame({ type: 'log', level: 'info', message: '🦀' }), frame(STOP)],
  },
  {
    name: 'values that are not objects still decode (validation is a separate step)',
    codec: 'jsonl',
    input: utf8('42\n"text"\nnull\n[]\n'),
    expect: [frame(42), frame('text'), frame(null), frame([])],
  },

  // ---------------------------------------------------------------- msgpack
  { name: 'empty input', codec: 'msgpack', input: '', expect: [] },
  {
    name: 'payload 0xc1 (never used in msgpack), then a good frame',
    codec: 'msgpack',
    input: cat(msgpackFrame('c1'), mStop),
    expect: [error(MALFORMED, 1, 0), frame(STOP)],
  },
  {
    name: '0xc1 nested as a map value',
    codec: 'msgpack',
    input: cat(mStop, msgpackFrame(cat(mp.fixmap(1), mp.fixstr('a'), 'c1')), mStop),
    expect: [frame(STOP), error(MALFORMED, 2, size(mStop)), frame(STOP)],
  },
  {
    name: 'empty payload (length 0)',
    codec: 'msgpack',
    input: cat(u32(0), mStop),
    expect: [error(MALFORMED, 1, 0), frame(STOP)],
  },
  {
    name: 'payload holds a value and trailing bytes',
    codec: 'msgpack',
    input: cat(msgpackFrame('c0c0'), mStop),
    expect: [error(MALFORMED, 1, 0), frame(STOP)],
  },
  {
    name: 'payload ends inside its value (a map cut short)',
    codec: 'msgpack',
    input: cat(msgpackFrame(cat(mp.fixmap(2), 'a4')), mStop),
    expect: [error(MALFORMED, 1, 0), frame(STOP)],
  },
  {
    name: 'extension type (fixext 1, type 1)',
    codec: 'msgpack',
    input: cat(msgpackFrame('d40100'), mStop),
    expect: [error(MALFORMED, 1, 0), frame(STOP)],
  },
  {
    name: 'several bad frames in a row, then a good one',
    codec: 'msgpack',
    input: cat(msgpackFrame('c1'), u32(0), msgpackFrame('c0c0'), mStop),
    expect: [error(MALFORMED, 1, 0), error(MALFORMED, 2, 5), error(MALFORMED, 3, 9), frame(STOP)],
  },
  {
    name: 'oversized length prefix: payload skipped across chunks (maxFrameBytes 64)',
    codec: 'msgpack',
    maxFrameBytes: 64,
    input: cat(u32(100), '00'.repeat(100), mStop),
    chunks: [2, 50, 60, 8, 10],
    expect: [error(TOO_LARGE, 1, 0), frame(STOP)],
  },
  {
    name: 'a payload of exactly maxFrameBytes (32) decodes; one of 33 bytes is too large',
    codec: 'msgpack',
    maxFrameBytes: 32,
    input: cat(mFrameOf(32), mFrameOf(33), mHeartbeat),
    expect: [
      frame(padded(32, 21, 1)),
      error(TOO_LARGE, 2, 36),
      frame({ type: 'heartbeat', at: 1 }),
    ],
  },
  {
    name: 'stream ends inside a length prefix',
    codec: 'msgpack',
    input: cat(mStop, '0000'),
    expect: [frame(STOP), error(TRUNCATED, 2, size(mStop))],
  },
  {
    name: 'stream ends inside a payload',
    codec: 'msgpack',
    input: cat(mStop, mStop.slice(0, 2 * 7)),
    expect: [frame(STOP), error(TRUNCATED, 2, size(mStop))],
  },
  {
    name: 'frames delivered one byte at a time',
    codec: 'msgpack',
    input: cat(mStop, mHeartbeat),
    chunks: ones(cat(mStop, mHeartbeat)),
    expect: [frame(STOP), frame({ type: 'heartbeat', at: 1 })],
  },
  {
    name: 'values that are not maps still decode (validation is a separate step)',
    codec: 'msgpack',
    input: cat(
      msgpackFrame('2a'),
      msgpackFrame('c0'),
      msgpackFrame(mp.fixstr('text')),
      msgpackFrame('90'),
    ),
    expect: [frame(42), frame(null), frame('text'), frame([])],
  },
];
