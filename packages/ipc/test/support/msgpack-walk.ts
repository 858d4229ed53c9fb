/**
 * A tiny reader of the msgpack format, independent of the library under test
 * (https://github.com/msgpack/msgpack/blob/master/spec.md). It lists the format family of
 * every token in one value, so tests can check what our encoder put on the wire.
 */
export type Token =
  | 'fixint'
  | 'fixmap'
  | 'fixarray'
  | 'fixstr'
  | 'nil'
  | 'never-used'
  | 'bool'
  | 'bin'
  | 'ext'
  | 'float32'
  | 'float64'
  | 'uint'
  | 'int'
  | 'str'
  | 'array'
  | 'map';

/** Reads exactly one value from `data`; throws if bytes are missing or left over. */
export function msgpackTokens(data: Uint8Array): Token[] {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const tokens: Token[] = [];
  let at = 0;

  const need = (n: number): void => {
    if (at + n > data.length) {
      throw new Error(`msgpack: ${n} bytes needed at offset ${at}, ${data.length - at} left`);
    }
  };
  const readUint = (size: 1 | 2 | 4): number => {
    need(size);
    const value =
      size === 1 ? view.getUint8(at) : size === 2 ? view.getUint16(at) : view.getUint32(at);
    at += size;
    return value;
  };
  const skip = (n: number): void => {
    need(n);
    at += n;
  };

  function value(): void {
    const b = readUint(1);
    let children = 0;
    if (b <= 0x7f || b >= 0xe0) {
      tokens.push('fixint');
    } else if (b <= 0x8f) {
      tokens.push('fixmap');
      children = 2 * (b & 0x0f);
    } else if (b <= 0x9f) {
      tokens.push('fixarray');
      children = b & 0x0f;
    } else if (b <= 0xbf) {
      tokens.push('fixstr');
      skip(b & 0x1f);
    } else if (b === 0xc0) {
      tokens.push('nil');
    } else if (b === 0xc1) {
      tokens.push('never-used');
    } else if (b === 0xc2 || b === 0xc3) {
      tokens.push('bool');
    } else if (b >= 0xc4 && b <= 0xc6) {
      tokens.push('bin');
      skip(readUint(sizeOf(b - 0xc4)));
    } else if (b >= 0xc7 && b <= 0xc9) {
      tokens.push('ext');
      skip(readUint(sizeOf(b - 0xc7)) + 1);
    } else if (b === 0xca) {
      tokens.push('float32');
      skip(4);
    } else if (b === 0xcb) {
      tokens.push('float64');
      skip(8);
    } else if (b >= 0xcc && b <= 0xcf) {
      tokens.push('uint');
      skip(1 << (b - 0xcc));
    } else if (b >= 0xd0 && b <= 0xd3) {
      tokens.push('int');
      skip(1 << (b - 0xd0));
    } else if (b >= 0xd4 && b <= 0xd8) {
      tokens.push('ext');
      skip(1 + (1 << (b - 0xd4)));
    } else if (b >= 0xd9 && b <= 0xdb) {
      tokens.push('str');
      skip(readUint(sizeOf(b - 0xd9)));
    } else if (b === 0xdc || b === 0xdd) {
      tokens.push('array');
      children = readUint(b === 0xdc ? 2 : 4);
    } else {
      tokens.push('map');
      children = 2 * readUint(b === 0xde ? 2 : 4);
    }
    for (let i = 0; i < children; i += 1) {
      value();
    }
  }

  value();
  if (at !== data.length) {
    throw new Error(`msgpack: ${data.length - at} bytes left over after one value`);
  }
  return tokens;
}

function sizeOf(index: number): 1 | 2 | 4 {
  return index === 0 ? 1 : index === 1 ? 2 : 4;
}
