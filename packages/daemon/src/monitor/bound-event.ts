import type { MonitorEvent } from './monitor-event.js';

/** An event as it is stored and sent: possibly with fields left out, and its JSON. */
export interface BoundedEvent {
  event: MonitorEvent;
  /** `JSON.stringify(event)`. */
  json: string;
  /** Bytes of `json` (UTF-8). */
  bytes: number;
}

/** Envelope fields: never left out. */
const ENVELOPE = new Set(['id', 'at', 'type', 'runId', 'name']);

interface Candidate {
  /** `[field]` or `[field, subfield]`. */
  path: [string] | [string, string];
  /** Bytes of its JSON; Infinity when it cannot be serialised. */
  size: number;
}

/**
 * Makes an event storable and sendable: when its JSON cannot be produced (a payload nested too
 * deep for `JSON.stringify`, a BigInt…) or is over `maxBytes`, its largest fields (or fields of
 * its object fields, such as `turn.output`) are left out, largest and unserialisable first,
 * until it fits. Such an event carries `payloadError` (what happened, the size and the limit)
 * and `omitted` (the paths left out). The envelope (`id`, `at`, `type`, `runId`, `name`) is
 * always kept. Never throws.
 * @param maxBytes largest JSON of one event, bytes (EVENT_MAX_BYTES: 512 KiB).
 */
export function boundEvent(event: MonitorEvent, maxBytes: number): BoundedEvent {
  let why: string;
  try {
    const json = JSON.stringify(event);
    const bytes = Buffer.byteLength(json);
    if (bytes <= maxBytes) {
      return { event, json, bytes };
    }
    why = `its JSON of ${bytes} bytes is over the limit of ${maxBytes} bytes`;
  } catch (error) {
    why = `it could not be serialised (${(error as Error).message})`;
  }
  const fields = event as unknown as Record<string, unknown>;
  const candidates: Candidate[] = [];
  for (const [key, value] of Object.entries(fields)) {
    if (ENVELOPE.has(key)) {
      continue;
    }
    if (isPlainObject(value)) {
      for (const [subkey, subvalue] of Object.entries(value)) {
        candidates.push({ path: [key, subkey], size: sizeOf(subvalue) });
      }
    } else {
      candidates.push({ path: [key], size: sizeOf(value) });
    }
  }
  candidates.sort((a, b) => b.size - a.size);
  const copy: Record<string, unknown> = { ...fields };
  const omitted: string[] = [];
  for (const candidate of candidates) {
    const [key, subkey] = candidate.path;
    if (subkey === undefined) {
      delete copy[key];
    } else {
      const parent = { ...(copy[key] as Record<string, unknown>) };
      delete parent[subkey];
      copy[key] = parent;
    }
    omitted.push(candidate.path.join('.'));
    const marked = {
      ...copy,
      payloadError: `x: event ${event.id} (${event.type}): ${why}; left out ${omitted.join(', ')}`,
      omitted,
    };
    const fitted = tryFit(marked, maxBytes);
    if (fitted !== undefined) {
      return fitted;
    }
  }
  // Unreachable in practice (the envelope alone fits): keep the envelope only.
  const bare = {
    id: event.id,
    at: event.at,
    type: event.type,
    runId: event.runId,
    name: event.name,
    payloadError: `x: event ${event.id} (${event.type}): ${why}; every field was left out`,
    omitted: candidates.map((candidate) => candidate.path.join('.')),
  };
  const json = JSON.stringify(bare);
  return { event: bare as unknown as MonitorEvent, json, bytes: Buffer.byteLength(json) };
}

function tryFit(value: Record<string, unknown>, maxBytes: number): BoundedEvent | undefined {
  try {
    const json = JSON.stringify(value);
    const bytes = Buffer.byteLength(json);
    return bytes <= maxBytes ? { event: value as unknown as MonitorEvent, json, bytes } : undefined;
  } catch {
    return undefined;
  }
}

function sizeOf(value: unknown): number {
  try {
    const json = JSON.stringify(value);
    return json === undefined ? 0 : Buffer.byteLength(json);
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
