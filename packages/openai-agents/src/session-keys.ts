/**
 * Where an {@link XSession} keeps a conversation in the run's record store (`ctx.store`):
 * namespace {@link SESSION_NAMESPACE}, and under it, for each session id (its
 * `encodeURIComponent` form, so `/` only ever separates parts and one session's prefix never
 * selects another's):
 *
 * - `<session>/h`, the head: `{ "v": 1, "next": <n> }`, where `next` is the sequence number
 *   the next item gets. The session's items are exactly those numbered `0` to `next - 1`;
 *   no head is an empty session.
 * - `<session>/i/<seq>`, one item (an `AgentInputItem`, as JSON) per record, `seq` its
 *   position in the conversation, zero-padded to {@link SEQ_DIGITS} digits so that key order
 *   (binary) is conversation order: the newest `limit` items are one reverse `list` away,
 *   without reading the rest.
 *
 * Item records numbered `next` or more are not part of the session (left by an `addItems` cut
 * short between its batches, see XSession): readers skip them and later writes replace them.
 */
export const SESSION_NAMESPACE = 'openai-agents-session';

/** Digits of an item's sequence number in its key: 12 (10^12 items). */
export const SEQ_DIGITS = 12;

/** The head record's format version. */
export const HEAD_VERSION = 1;

/** The head record of a session. */
export interface SessionHead {
  v: typeof HEAD_VERSION;
  /** Sequence number of the next item; the items are 0 to next - 1. */
  next: number;
}

/** `<session>/`: every record of a session (its head and its items). */
export function sessionPrefix(sessionId: string): string {
  return `${encodeURIComponent(sessionId)}/`;
}

export function headKey(sessionId: string): string {
  return `${sessionPrefix(sessionId)}h`;
}

/** `<session>/i/`: every item record of a session. */
export function itemsPrefix(sessionId: string): string {
  return `${sessionPrefix(sessionId)}i/`;
}

export function itemKey(sessionId: string, seq: number): string {
  return `${itemsPrefix(sessionId)}${String(seq).padStart(SEQ_DIGITS, '0')}`;
}

/** The sequence number of an item key (its last part). */
export function seqOfKey(key: string): number {
  return Number(key.slice(key.lastIndexOf('/') + 1));
}

/**
 * `next` of a head record's value (0 for no head).
 * @throws Error naming the key when the record is not a head of this format.
 */
export function readHead(value: unknown, key: string): number {
  if (value === undefined) {
    return 0;
  }
  const { v, next } = (typeof value === 'object' && value !== null ? value : {}) as Partial<
    Record<keyof SessionHead, unknown>
  >;
  if (v !== HEAD_VERSION || typeof next !== 'number' || !Number.isSafeInteger(next) || next < 0) {
    throw new Error(
      `@x/openai-agents: record ${JSON.stringify(key)} of namespace ${SESSION_NAMESPACE} is not a session head of format ${HEAD_VERSION} ({"v":1,"next":<n>}), got ${JSON.stringify(value)?.slice(0, 200)}; it was written by something else: clear the session (clearSession) or use another session id`,
    );
  }
  return next;
}
