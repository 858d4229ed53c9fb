/** A number literal of a JSON text that a JSON number (an IEEE-754 double) cannot hold exactly. */
export interface InexactNumber {
  /** The literal as written: `12345678901234567890`. */
  literal: string;
  /** What it becomes once parsed and sent on: `12345678901234567000` (`null` when infinite). */
  becomes: string;
  /** Where it is: object keys and array indexes from the top; `[]` for a top-level number. */
  path: (string | number)[];
}

const NUMBER_TOKEN = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const STRING_TOKEN = /"(?:[^"\\]|\\.)*"/y;
const INTEGER_LITERAL = /^-?\d+$/;
const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

/**
 * True when a JSON number literal arrives unchanged: an integer literal (no fraction, no
 * exponent) within ±Number.MAX_SAFE_INTEGER (2^53 − 1), or another literal whose decimal value
 * survives the round trip through a double (`0.1`, `1.50`, `1e300`; not `0.30000000000000001`,
 * `1e400` or `1e-400`). Integers past the safe range are refused even when one happens to be a
 * double (2^53): their neighbours are not, so such ids would change some of the time.
 */
export function isExactNumberLiteral(literal: string): boolean {
  const value = Number(literal);
  if (!Number.isFinite(value)) {
    return false;
  }
  if (INTEGER_LITERAL.test(literal)) {
    return Number.isSafeInteger(value);
  }
  return canonicalDecimal(literal) === canonicalDecimal(String(value));
}

/**
 * The number literals of a JSON text that would not arrive as written (see
 * {@link isExactNumberLiteral}), in document order. `text` must be valid JSON (call
 * `JSON.parse` first): this is a lexical scan of its tokens, not a parser. It skips strings,
 * and follows `{`, `[`, `,` and keys only to say where each number is.
 */
export function findInexactNumbers(text: string): InexactNumber[] {
  const found: InexactNumber[] = [];
  const frames: ({ key: string | null } | { index: number })[] = [];
  let at = 0;
  while (at < text.length) {
    const char = text[at];
    if (char === '"') {
      const token = match(STRING_TOKEN, text, at);
      at += token.length;
      const top = frames.at(-1);
      if (top !== undefined && 'key' in top && nextSignificant(text, at) === ':') {
        top.key = JSON.parse(token) as string;
      }
      continue;
    }
    if (char === '-' || (char !== undefined && char >= '0' && char <= '9')) {
      const literal = match(NUMBER_TOKEN, text, at);
      at += literal.length;
      if (!isExactNumberLiteral(literal)) {
        found.push({
          literal,
          becomes: JSON.stringify(Number(literal)),
          path: frames.map((frame) => ('key' in frame ? (frame.key ?? '') : frame.index)),
        });
      }
      continue;
    }
    if (char === '{') {
      frames.push({ key: null });
    } else if (char === '[') {
      frames.push({ index: 0 });
    } else if (char === '}' || char === ']') {
      frames.pop();
    } else if (char === ',') {
      const top = frames.at(-1);
      if (top !== undefined && 'index' in top) {
        top.index += 1;
      }
    }
    at += 1;
  }
  return found;
}

/** A path as JavaScript would write it: `big`, `cfg.ids[2]`, `["a b"]`; `(top level)` for []. */
export function formatJsonPath(path: readonly (string | number)[]): string {
  if (path.length === 0) {
    return '(top level)';
  }
  return path
    .map((part, index) =>
      typeof part === 'number'
        ? `[${part}]`
        : /^[A-Za-z_$][\w$]*$/.test(part)
          ? `${index === 0 ? '' : '.'}${part}`
          : `[${JSON.stringify(part)}]`,
    )
    .join('');
}

/** `the number 12345678901234567890 cannot be passed exactly (…: it would arrive as …)`. */
export function describeInexact(found: InexactNumber): string {
  return `the number ${found.literal} cannot be passed exactly (a JSON number is an IEEE-754 double: it would arrive as ${found.becomes})`;
}

function match(token: RegExp, text: string, at: number): string {
  token.lastIndex = at;
  // The text is valid JSON, so a token starts here; the fallback only guards a bad caller.
  return token.exec(text)?.[0] ?? text.charAt(at);
}

function nextSignificant(text: string, from: number): string | undefined {
  let at = from;
  while (at < text.length && ' \t\n\r'.includes(text.charAt(at))) {
    at += 1;
  }
  return text[at];
}

/** `-1.50e3` → `-15e2`: sign, significant digits and exponent, so equal values compare equal. */
function canonicalDecimal(text: string): string {
  const parts = DECIMAL.exec(text);
  if (parts === null) {
    return text;
  }
  const [, sign = '', whole = '', fraction = '', exponent = '0'] = parts;
  const digits = `${whole}${fraction}`.replace(/^0+/, '');
  if (digits === '') {
    return '0'; // -0 and 0 are both sent as 0
  }
  const significant = digits.replace(/0+$/, '');
  const scale = Number(exponent) - fraction.length + (digits.length - significant.length);
  return `${sign}${significant}e${scale}`;
}
