import type { Channel, RunnerMessage, SupervisorMessage, TurnResultMessage } from '@x/ipc';
import { TURN_RESULT_RETRY_MS } from './constants.js';
import { findJsonProblem } from './json-value.js';
import { MAX_TEXT_LENGTH, boundText } from './protocol-limits.js';
import { sendWithRetry } from './send-with-retry.js';
import type { TurnOutcome } from './turn.js';

/**
 * Sends the one `turn_result` of a turn, and resolves once it was sent or given up on (never
 * rejects). Refused for backpressure, it is retried for up to `retryMs`
 * (see {@link sendWithRetry}). When its output cannot be sent (not encodable, larger than a
 * frame, or still refused when the retries are over), the turn is reported as `error`
 * instead, so it still gets its one answer; so is an output that is not JSON (a Map, a
 * BigInt, …: it would arrive changed), with an error naming where and how to fix it. An
 * `error` outcome carries its `errorDetail`. What could not be sent at all is written to
 * `writeErr`; the supervisor then ends the turn when the runner exits.
 *
 * @param retryMs how long to retry under backpressure, ms. @default 30 000 (TURN_RESULT_RETRY_MS)
 */
export async function sendTurnResult(
  channel: Channel<SupervisorMessage, RunnerMessage>,
  outcome: TurnOutcome,
  writeErr: (text: string) => void,
  retryMs = TURN_RESULT_RETRY_MS,
): Promise<void> {
  const message: TurnResultMessage = {
    type: 'turn_result',
    turnId: outcome.turnId,
    status: outcome.status,
    durationMs: outcome.durationMs,
  };
  const problem =
    outcome.status === 'ok' && outcome.output !== undefined
      ? findJsonProblem(outcome.output, 'output')
      : undefined;
  if (problem !== undefined) {
    // Sent as is, it would arrive changed ({} for a Map) or not at all (BigInt).
    message.status = 'error';
    message.error = boundText(`the turn's output is not JSON: ${problem}`, MAX_TEXT_LENGTH);
  } else if (outcome.status === 'ok') {
    if (outcome.output !== undefined) {
      message.output = outcome.output;
    }
  } else {
    message.error = boundText(outcome.error, MAX_TEXT_LENGTH);
    if (outcome.errorDetail !== undefined) {
      message.errorDetail = outcome.errorDetail;
    }
  }
  if (outcome.usage !== undefined) {
    message.usage = outcome.usage;
  }
  const giveUp = (error: Error) =>
    writeErr(`x runner: could not send turn_result for ${message.turnId}: ${error.message}\n`);
  try {
    await sendWithRetry(channel, message, retryMs);
    return;
  } catch (error) {
    if (channel.closed || message.output === undefined) {
      giveUp(error as Error);
      return;
    }
    const fallback: TurnResultMessage = {
      type: 'turn_result',
      turnId: message.turnId,
      status: 'error',
      durationMs: message.durationMs,
      error: boundText(
        `the turn's output could not be sent: ${(error as Error).message}`,
        MAX_TEXT_LENGTH,
      ),
    };
    await sendWithRetry(channel, fallback, retryMs).catch(giveUp);
  }
}
