// Echo runner for the x transports: speaks the runner protocol on fd 3, as `x runner --pipe`
// does, and answers every `turn` with a `turn_result` carrying the same payload.
// argv[2]: codec name (jsonl | msgpack).
import { Socket } from 'node:net';
import { getCodec, validateSupervisorMessage } from '@x/ipc';
import { createStreamChannel } from '@x/ipc/node';
import { turnResultMessage } from './payload.js';

const fail = (error) => {
  process.stderr.write(`bench echo child: ${error.message}\n`);
  process.exit(1);
};

const channel = createStreamChannel({
  readable: new Socket({ fd: 3, readable: true, writable: true }),
  codec: getCodec(process.argv[2]),
  validate: validateSupervisorMessage,
});
channel.onError(fail);
channel.onClose(() => process.exit(0));
channel.onMessage((message) => {
  if (message.type === 'turn') {
    channel.send(turnResultMessage(message)).catch(fail);
  }
});
