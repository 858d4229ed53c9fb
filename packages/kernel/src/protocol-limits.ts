// The limits of runner protocol v1 (packages/ipc/src/protocol/schema.ts) that the kernel
// checks before it sends, so that no frame it sends is refused by its supervisor. Kept as
// numbers here: the root entry of @x/kernel loads no @x/ipc code.

/** Longest free text in a frame (`log.message`, `summary`, `error`): 65 536 characters. */
export const MAX_TEXT_LENGTH = 65_536;
/** Longest `ErrorDetail.stack`: 16 384 characters. */
export const MAX_STACK_LENGTH = 16_384;
/** Longest `ErrorDetail.name` and `ErrorDetail.code`: 256 characters. */
export const MAX_NAME_LENGTH = 256;

/**
 * `text` as is when it has at most `max` characters (UTF-16 code units, as the schema
 * counts them); otherwise cut, ending with a marker that says so and gives the full length,
 * so the cut is never silent: `…[cut: 70 000 characters in all]`.
 */
export function boundText(text: string, max: number): string {
  if (text.length <= max) {
    return text;
  }
  const marker = `…[cut: ${text.length} characters in all]`;
  let end = Math.max(0, max - marker.length);
  // Do not split a surrogate pair.
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) {
    end -= 1;
  }
  return text.slice(0, end) + marker;
}
