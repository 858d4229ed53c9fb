/**
 * Deepest nesting of objects and arrays a JSON value may have (`[[1]]` is 2): 256 levels,
 * the daemon's limit for the values it stores (MAX_NESTING_DEPTH in @x/daemon).
 */
export const MAX_JSON_DEPTH = 256;

/**
 * Why `value` would not reach the supervisor unchanged as JSON, or undefined when it would.
 * The answer names the first offending place by its path from `root` and says how to fix
 * it: `Map at payload.x: use Object.fromEntries(map)`.
 *
 * JSON values are null, booleans, strings, finite numbers, arrays and plain objects (of any
 * realm) of JSON values. An object property whose value is undefined counts as absent, as in
 * JSON.stringify; `undefined` anywhere else is refused, as are BigInt, NaN and ±Infinity,
 * functions, symbols, Map, Set, Date, typed arrays, errors and class instances (JSON.stringify
 * and msgpack would change or drop them), cycles, and nesting deeper than `maxDepth`.
 * Cycle-safe and depth-bounded, so it never runs out of stack.
 *
 * @param root how the value is named in the answer, e.g. `payload`, `output`.
 * @param maxDepth @default 256 (MAX_JSON_DEPTH)
 */
export function findJsonProblem(
  value: unknown,
  root: string,
  maxDepth = MAX_JSON_DEPTH,
): string | undefined {
  return check(value, root, 0, new Set(), maxDepth);
}

function check(
  value: unknown,
  path: string,
  depth: number,
  ancestors: Set<object>,
  maxDepth: number,
): string | undefined {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return undefined;
    case 'number':
      return Number.isFinite(value)
        ? undefined
        : `${String(value)} at ${path}: JSON has no ${String(value)} (it would arrive as null); send null or a string`;
    case 'bigint':
      return `BigInt ${value}n at ${path}: JSON has no BigInt; convert it to a string (String(value)) or a number (Number(value))`;
    case 'undefined':
      return `undefined at ${path}: JSON has no undefined (in an array it would arrive as null); use null`;
    case 'function':
      return `function at ${path}: a function is not JSON; leave it out`;
    case 'symbol':
      return `symbol at ${path}: a symbol is not JSON; use a string`;
    default:
      break;
  }
  if (value === null) {
    return undefined;
  }
  const object = value as object;
  const kind = objectProblem(object, path);
  if (kind !== undefined) {
    return kind;
  }
  if (depth >= maxDepth) {
    return `value at ${path} nests objects/arrays more than ${maxDepth} levels deep; flatten it`;
  }
  if (ancestors.has(object)) {
    return `circular reference at ${path}: JSON cannot represent a cycle; send a copy without it`;
  }
  ancestors.add(object);
  try {
    if (Array.isArray(object)) {
      for (let index = 0; index < object.length; index += 1) {
        const problem = check(object[index], `${path}[${index}]`, depth + 1, ancestors, maxDepth);
        if (problem !== undefined) {
          return problem;
        }
      }
      return undefined;
    }
    for (const [key, item] of Object.entries(object)) {
      if (item === undefined) {
        continue; // absent, as in JSON.stringify
      }
      const problem = check(item, childPath(path, key), depth + 1, ancestors, maxDepth);
      if (problem !== undefined) {
        return problem;
      }
    }
    return undefined;
  } finally {
    ancestors.delete(object);
  }
}

/** Why an object that is not a plain object or an array is refused, with its fix. */
function objectProblem(value: object, path: string): string | undefined {
  if (Array.isArray(value)) {
    return undefined;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  // A plain object of any realm (vm contexts, workers): its prototype is that realm's
  // Object.prototype, whose own prototype is null.
  if (proto === null || Object.getPrototypeOf(proto) === null) {
    return undefined;
  }
  const tag = Object.prototype.toString.call(value).slice(8, -1);
  if (value instanceof Map || tag === 'Map') {
    return `Map at ${path}: JSON has no Map (it would arrive as {}); use Object.fromEntries(map)`;
  }
  if (value instanceof Set || tag === 'Set') {
    return `Set at ${path}: JSON has no Set (it would arrive as {}); use [...set]`;
  }
  if (value instanceof Date || tag === 'Date') {
    return `Date at ${path}: JSON has no Date (it would arrive as a string); use date.toISOString() or date.getTime()`;
  }
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) {
    return `${tag} at ${path}: binary data is not JSON; use Array.from(bytes) or a base64 string`;
  }
  if (value instanceof Error || tag === 'Error') {
    return `${(value as Error).name} at ${path}: JSON keeps none of an error's fields (it would arrive as {}); send { name, message } instead`;
  }
  const name = constructorName(value) ?? tag;
  return `${name} instance at ${path}: only plain objects and arrays are JSON; copy the fields you need into a plain object ({ ...value })`;
}

function constructorName(value: object): string | undefined {
  const ctor: unknown = (value as { constructor?: unknown }).constructor;
  return typeof ctor === 'function' && ctor.name !== '' ? ctor.name : undefined;
}

/** `payload.x` for identifier keys, `payload["a b"]` otherwise. */
function childPath(path: string, key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}
