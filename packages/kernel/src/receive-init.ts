import type { Channel, InitMessage, RunnerMessage, SupervisorMessage } from '@x/ipc';

/** Most messages held between `init` and the agent being loaded: 1000. */
const MAX_EARLY_MESSAGES = 1000;

/**
 * Subscribes once, before `init`: resolves `init` with the first message, and holds what
 * follows it (up to MAX_EARLY_MESSAGES; frames decoded from the same chunk as `init` arrive
 * synchronously) until `attach` hands them to the real handler.
 */
export function receiveInit(
  channel: Channel<SupervisorMessage, RunnerMessage>,
  timeoutMs: number,
): { init: Promise<InitMessage>; attach(handler: (message: SupervisorMessage) => void): void } {
  let handler: ((message: SupervisorMessage) => void) | undefined;
  let early: SupervisorMessage[] | undefined;
  let first: ((message: SupervisorMessage) => void) | undefined;
  const init = new Promise<InitMessage>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`no init message on the IPC channel within ${timeoutMs} ms`));
    }, timeoutMs);
    const onClose = channel.onClose(() => {
      cleanup();
      reject(new Error('the supervisor closed the IPC channel before sending init'));
    });
    first = (message) => {
      cleanup();
      early = [];
      if (message.type === 'init') {
        resolve(message);
      } else {
        reject(new Error(`first message was ${message.type}, expected init`));
      }
    };
    function cleanup() {
      clearTimeout(timer);
      onClose.dispose();
    }
  });
  channel.onMessage((message) => {
    if (handler !== undefined) {
      handler(message);
    } else if (early === undefined) {
      first?.(message);
    } else if (early.length < MAX_EARLY_MESSAGES) {
      early.push(message);
    }
  });
  return {
    init,
    attach(next) {
      handler = next;
      for (const message of early ?? []) {
        next(message);
      }
      early = undefined;
    },
  };
}
