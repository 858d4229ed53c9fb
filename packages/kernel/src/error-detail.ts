import type { ErrorDetail } from '@x/ipc';
import { CONFIG_ERROR_CODE } from './errors.js';
import {
  MAX_NAME_LENGTH,
  MAX_STACK_LENGTH,
  MAX_TEXT_LENGTH,
  boundText,
} from './protocol-limits.js';

/** `ErrorDetail.name` of a thrown value that is not an Error (`throw 'x'`, `throw { code }`). */
export const NON_ERROR_NAME = 'NonError';

/** True for an Error of any realm (vm contexts, worker threads), by its tag as well as its class. */
export function isErrorLike(value: unknown): value is Error {
  try {
    return value instanceof Error || Object.prototype.toString.call(value) === '[object Error]';
  } catch {
    return false; // a proxy whose traps throw
  }
}

/**
 * True when `thrown` says "configuration error, do not restart": a {@link ConfigError}, or
 * any object whose `code` is `X_AGENT_CONFIG` (so that a plain JS agent, or one that imports
 * another copy of @x/kernel, can say it too).
 */
export function isConfigError(thrown: unknown): boolean {
  return (
    typeof thrown === 'object' && thrown !== null && safeGet(thrown, 'code') === CONFIG_ERROR_CODE
  );
}

/**
 * What was thrown, as one line for the `error` field of `iteration_done` and `turn_result`:
 * `${name}: ${message}` for an Error (its name alone when the message is empty), a string as
 * is, anything else as JSON (`{"code":"E1"}`). At most 65 536 characters.
 */
export function describeThrown(thrown: unknown): string {
  if (isErrorLike(thrown)) {
    const { name, message } = nameAndMessage(thrown);
    return boundText(message === '' ? name : `${name}: ${message}`, MAX_TEXT_LENGTH);
  }
  return boundText(renderNonError(thrown), MAX_TEXT_LENGTH);
}

/**
 * What was thrown, whole and within the protocol's limits: name (≤ 256 characters),
 * message (≤ 65 536), stack (≤ 16 384, its head kept), the string `code` if it has one
 * (≤ 256), and `config: true` for a configuration error ({@link isConfigError}).
 * A thrown non-Error is named `NonError`, with its text as the message.
 */
export function toErrorDetail(thrown: unknown): ErrorDetail {
  const detail: ErrorDetail = isErrorLike(thrown)
    ? nameAndMessage(thrown)
    : { name: NON_ERROR_NAME, message: boundText(renderNonError(thrown), MAX_TEXT_LENGTH) };
  if (isErrorLike(thrown)) {
    const stack = safeGet(thrown, 'stack');
    if (typeof stack === 'string' && stack !== '') {
      detail.stack = boundText(stack, MAX_STACK_LENGTH);
    }
  }
  const code = typeof thrown === 'object' && thrown !== null ? safeGet(thrown, 'code') : undefined;
  if (typeof code === 'string' && code !== '') {
    detail.code = boundText(code, MAX_NAME_LENGTH);
  }
  if (isConfigError(thrown)) {
    detail.config = true;
  }
  return detail;
}

/**
 * The text to put in a log line for what was thrown: its stack when it has one (which
 * starts with name and message), else {@link describeThrown}. At most 65 536 characters.
 */
export function describeWithStack(thrown: unknown): string {
  const stack = isErrorLike(thrown) ? safeGet(thrown, 'stack') : undefined;
  const text = typeof stack === 'string' && stack !== '' ? stack : describeThrown(thrown);
  return boundText(text, MAX_TEXT_LENGTH);
}

function nameAndMessage(error: Error): { name: string; message: string } {
  const rawName = safeGet(error, 'name');
  const rawMessage = safeGet(error, 'message');
  const name = typeof rawName === 'string' && rawName !== '' ? rawName : 'Error';
  const message = typeof rawMessage === 'string' ? rawMessage : renderNonError(rawMessage ?? '');
  return {
    name: boundText(name, MAX_NAME_LENGTH),
    message: boundText(message, MAX_TEXT_LENGTH),
  };
}

/** A string as is; anything else as JSON, or String() of it when it has no JSON form. */
function renderNonError(value: unknown): string {
  if (typeof value === 'string') {
    return value;
  }
  try {
    const json = JSON.stringify(value, (_key, item: unknown) =>
      typeof item === 'bigint' ? `${item}n` : item,
    ) as string | undefined;
    if (json !== undefined) {
      return json;
    }
  } catch {
    // A cycle, or a throwing toJSON/getter: fall back to String().
  }
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** Reads a property of a thrown value, which may be a proxy or have a throwing getter. */
function safeGet(target: object, key: string): unknown {
  try {
    return (target as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}
