/**
 * What the generated docs examples compare: JSON with its volatile values normalised (so a
 * regenerated page changes only where x's output did), and the shape of JSON (keys and value
 * types, not values), so a test can say where a documented example and a real run differ.
 */
import { createHash } from 'node:crypto';

/** Where normalised timestamps start: 2026-11-29T06:13:20Z, a round number of ms. */
export const NORMAL_EPOCH_MS = 1_796_000_000_000;
/** The first pid of a run, normalised (the next ones count on from it). */
const NORMAL_PID = 4200;
/** A timestamp is a 13-digit epoch ms within a day of the run. */
const DAY_MS = 86_400_000;

/**
 * Returns a normaliser for the output of one run, which replaces, consistently across every
 * value given to it: the state directory with `/tmp/x-docs`, the repository's root with
 * `/home/me/x`, run ids with ids derived from their order of appearance, pids with 4200, 4201, …
 * (fields `pid` and `pgid`, and `pid <n>` in text), and timestamps (fields ending in `At`, `at`,
 * and epoch-ms or ISO times in text) with times from {@link NORMAL_EPOCH_MS}, keeping how far
 * each was from the start of the run.
 */
export function createNormaliser({ home, repoRoot, startedAt }) {
  const runIds = new Map();
  const pids = new Map();
  const root = repoRoot.endsWith('/') ? repoRoot.slice(0, -1) : repoRoot;
  const time = (ms) => NORMAL_EPOCH_MS + (ms - startedAt);
  const isTime = (value) =>
    typeof value === 'number' && Number.isInteger(value) && Math.abs(value - startedAt) < DAY_MS;
  const runId = (id) => {
    if (!runIds.has(id)) {
      const hash = createHash('sha256')
        .update(`docs-run-${runIds.size + 1}`)
        .digest('hex');
      runIds.set(id, `r-${hash.slice(0, 8)}`);
    }
    return runIds.get(id);
  };
  const pid = (value) => {
    if (!pids.has(value)) {
      pids.set(value, NORMAL_PID + pids.size);
    }
    return pids.get(value);
  };
  const text = (value) =>
    value
      .replaceAll(home, '/tmp/x-docs')
      .replaceAll(root, '/home/me/x')
      .replace(/\br-[0-9a-f]{8}\b/g, runId)
      .replace(/\bpid (\d+)/g, (_, n) => `pid ${pid(Number(n))}`)
      .replace(/\b\d{13}\b/g, (digits) => {
        const ms = Number(digits);
        return isTime(ms) ? String(time(ms)) : digits;
      })
      .replace(/\b\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\b/g, (iso) =>
        new Date(time(Date.parse(iso))).toISOString(),
      );
  const walk = (value, key) => {
    if (typeof value === 'string') {
      return text(value);
    }
    if ((key === 'pid' || key === 'pgid') && typeof value === 'number') {
      return pid(value);
    }
    if ((key === 'at' || key?.endsWith('At')) && isTime(value)) {
      return time(value);
    }
    if (Array.isArray(value)) {
      return value.map((item) => walk(item, undefined));
    }
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value).map(([name, item]) => [name, walk(item, name)]),
      );
    }
    return value;
  };
  /** A JSON line (a JSON-RPC frame) normalised as JSON, and written back compact; else as text. */
  const line = (value) => {
    let parsed;
    try {
      parsed = JSON.parse(value);
    } catch {
      return text(value);
    }
    return JSON.stringify(walk(parsed, undefined));
  };
  return { json: (value) => walk(value, undefined), text, line };
}

/**
 * Where `documented` and `real` differ in shape, one line each (empty when they agree): a key
 * one has and the other has not, or a value of another JSON type. Values are not compared; a
 * null on either side matches any type (a field that is null at one moment of a run may be set
 * at another), and arrays are compared element by element as far as both go.
 */
export function shapeDifferences(documented, real, path = '') {
  const where = path === '' ? '(the whole document)' : path;
  if (documented === null || real === null) {
    return [];
  }
  const kind = (value) => (Array.isArray(value) ? 'array' : typeof value);
  if (kind(documented) !== kind(real)) {
    return [`${where}: documented as ${kind(documented)}, is ${kind(real)}`];
  }
  if (Array.isArray(documented)) {
    const shared = Math.min(documented.length, real.length);
    const out = [];
    for (let i = 0; i < shared; i += 1) {
      out.push(...shapeDifferences(documented[i], real[i], `${path}[${i}]`));
    }
    return out;
  }
  if (kind(documented) !== 'object') {
    return [];
  }
  const out = [];
  for (const key of Object.keys(real)) {
    if (!(key in documented)) {
      out.push(`${path}${path === '' ? '' : '.'}${key}: in the output, not in the docs`);
    }
  }
  for (const key of Object.keys(documented)) {
    const at = `${path}${path === '' ? '' : '.'}${key}`;
    if (!(key in real)) {
      out.push(`${at}: in the docs, not in the output`);
    } else {
      out.push(...shapeDifferences(documented[key], real[key], at));
    }
  }
  return out;
}

/**
 * The fields of `interface <name>` in the TypeScript blocks of a docs page, with those of the
 * interfaces it extends: `{ required: Set, optional: Set }`, or undefined when the page has no
 * such interface. A field is a line `name: …` or `name?: …` at the interface's top level.
 */
export function interfaceFields(page, name) {
  const head = new RegExp(`^interface ${name}(?: extends ([\\w, ]+))? \\{`, 'm').exec(page);
  if (head === null) {
    return undefined;
  }
  const required = new Set();
  const optional = new Set();
  let depth = 1;
  for (const line of page
    .slice(head.index + head[0].length)
    .split('\n')
    .slice(1)) {
    const code = line.replace(/\/\/.*$/, '');
    if (depth === 1) {
      const field = /^\s*(\w+)(\?)?:/.exec(code);
      if (field !== null) {
        (field[2] === '?' ? optional : required).add(field[1]);
      }
    }
    depth += (code.match(/\{/g) ?? []).length - (code.match(/\}/g) ?? []).length;
    if (depth <= 0) {
      break;
    }
  }
  for (const base of head[1]?.split(',').map((word) => word.trim()) ?? []) {
    const inherited = interfaceFields(page, base);
    inherited?.required.forEach((field) => required.add(field));
    inherited?.optional.forEach((field) => optional.add(field));
  }
  return { required, optional };
}

/**
 * Where the object(s) at `path` of `value` (`''` the value, `a.b` a field, `a[]` each element
 * of an array) disagree with the fields of `interface <name>` of the page: a key the interface
 * does not have, or a required field the object lacks.
 */
export function interfaceDifferences(page, name, value, path) {
  const fields = interfaceFields(page, name);
  if (fields === undefined) {
    return [`interface ${name} is not in the page`];
  }
  const out = [];
  for (const [at, object] of select(value, path)) {
    if (object === null || typeof object !== 'object') {
      continue;
    }
    for (const key of Object.keys(object)) {
      if (!fields.required.has(key) && !fields.optional.has(key)) {
        out.push(`${at || '(the whole document)'}.${key}: in the output, not in interface ${name}`);
      }
    }
    for (const key of fields.required) {
      if (!(key in object)) {
        out.push(`${at || '(the whole document)'}: lacks ${key}, required by interface ${name}`);
      }
    }
  }
  return out;
}

/** `[path, value]` of every object `path` selects in `value` (see interfaceDifferences). */
function select(value, path) {
  let found = [['', value]];
  for (const part of path === '' ? [] : path.split('.')) {
    const each = part.endsWith('[]');
    const key = each ? part.slice(0, -2) : part;
    found = found.flatMap(([at, item]) => {
      const next = item?.[key];
      const here = at === '' ? key : `${at}.${key}`;
      if (next === undefined || next === null) {
        return [];
      }
      return each && Array.isArray(next)
        ? next.map((element, i) => [`${here}[${i}]`, element])
        : [[here, next]];
    });
  }
  return found;
}
