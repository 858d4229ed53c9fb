/**
 * Keys of a LangGraph thread's records in the run's record store. Each part is
 * `encodeURIComponent`-encoded, so `/` only ever separates parts and a prefix of whole parts
 * selects exactly one thread, namespace or checkpoint:
 *
 * - `c/<thread>/<ns>/<checkpoint id>`: a checkpoint (without its channel values), its metadata
 *   and parent id, and in plain JSON its `ts`, `step`, `source` and channel `versions`;
 *   checkpoint ids are uuid6, time-ordered, so key order is age order;
 * - `b/<thread>/<ns>/<channel>/<version>`: a channel's value at a version (one blob per
 *   channel version, written only for channels a checkpoint changed, as LangGraph's Postgres
 *   saver does);
 * - `w/<thread>/<ns>/<checkpoint id>/<task id>/<idx>`: a pending write of a task.
 *
 * This layout is a contract with the daemon (the "thread records" section of the protocol
 * reference): it lists these checkpoints in `x agent checkpoints` and copies a thread up to
 * one of them for `x agent start --from <run>@<checkpoint id>`.
 */
const part = (value: string | number): string => encodeURIComponent(String(value));

/** `c/<thread>/` or `c/<thread>/<ns>/`: every checkpoint of a thread, or of one namespace. */
export function checkpointPrefix(threadId?: string, ns?: string): string {
  if (threadId === undefined) {
    return 'c/';
  }
  return ns === undefined ? `c/${part(threadId)}/` : `c/${part(threadId)}/${part(ns)}/`;
}

export function checkpointKey(threadId: string, ns: string, checkpointId: string): string {
  return `${checkpointPrefix(threadId, ns)}${part(checkpointId)}`;
}

/** The thread, namespace and id of a checkpoint key. */
export function parseCheckpointKey(key: string): { threadId: string; ns: string; id: string } {
  const [, threadId = '', ns = '', id = ''] = key.split('/').map(decodeURIComponent);
  return { threadId, ns, id };
}

export function blobKey(
  threadId: string,
  ns: string,
  channel: string,
  version: string | number,
): string {
  return `b/${part(threadId)}/${part(ns)}/${part(channel)}/${part(version)}`;
}

export function writesPrefix(threadId: string, ns: string, checkpointId: string): string {
  return `w/${part(threadId)}/${part(ns)}/${part(checkpointId)}/`;
}

export function writeKey(
  threadId: string,
  ns: string,
  checkpointId: string,
  taskId: string,
  idx: number,
): string {
  return `${writesPrefix(threadId, ns, checkpointId)}${part(taskId)}/${idx}`;
}

/** The prefixes of every record of a thread (checkpoints, blobs, writes). */
export function threadPrefixes(threadId: string): string[] {
  return ['c', 'b', 'w'].map((kind) => `${kind}/${part(threadId)}/`);
}
