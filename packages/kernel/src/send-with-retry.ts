import { IPC_ERROR_CODES, isIpcError, type Channel } from '@x/ipc';

/** First pause before a retry, in ms; doubled after each refusal up to RETRY_MAX_DELAY_MS. */
const RETRY_FIRST_DELAY_MS = 10;
/** Longest pause between two retries: 500 ms. */
const RETRY_MAX_DELAY_MS = 500;

/**
 * Sends `message`, and while the channel refuses it with `X_IPC_BACKPRESSURE` (its queue for
 * a peer that is not reading is full), sends it again after a pause (10 ms, doubling up to
 * 500 ms) until it is accepted or `retryMs` have passed. The channel exposes no drain event,
 * so the pause stands in for one: a retry after the peer read some of the queue succeeds.
 *
 * @throws (rejection) the channel's last error: any error other than backpressure at once
 *   (`X_IPC_CHANNEL_CLOSED`, `X_IPC_ENCODE_FAILED`, `X_IPC_FRAME_TOO_LARGE`), and
 *   `X_IPC_BACKPRESSURE` once `retryMs` are over.
 */
export async function sendWithRetry<Out>(
  channel: Pick<Channel<unknown, Out>, 'send' | 'closed'>,
  message: Out,
  retryMs: number,
): Promise<void> {
  const deadline = performance.now() + retryMs;
  let delay = RETRY_FIRST_DELAY_MS;
  for (;;) {
    try {
      await channel.send(message);
      return;
    } catch (error) {
      const refused = isIpcError(error) && error.code === IPC_ERROR_CODES.BACKPRESSURE;
      if (!refused || channel.closed || performance.now() + delay > deadline) {
        throw error;
      }
    }
    // Not unref()ed: the pending answer is a reason to stay alive.
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, RETRY_MAX_DELAY_MS);
  }
}
