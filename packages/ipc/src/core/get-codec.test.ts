import { describe, expect, it } from 'vitest';
import { CODEC_NAMES } from './codec.js';
import { getCodec, isCodecName } from './get-codec.js';

describe('getCodec / isCodecName', () => {
  it.each(CODEC_NAMES)('getCodec(%j) creates that codec and passes options on', (name) => {
    const codec = getCodec(name, { maxFrameBytes: 1024 });
    expect(codec.name).toBe(name);
    expect(codec.maxFrameBytes).toBe(1024);
  });

  it('an unknown name throws a TypeError listing the known ones', () => {
    expect(() => getCodec('json')).toThrow(
      new TypeError('@x/ipc: unknown codec "json"; expected one of jsonl, msgpack'),
    );
  });

  it.each([
    ['jsonl', true],
    ['msgpack', true],
    ['JSONL', false],
    ['', false],
    [undefined, false],
    [1, false],
  ])('isCodecName(%j) is %s', (value, expected) => {
    expect(isCodecName(value)).toBe(expected);
  });
});
