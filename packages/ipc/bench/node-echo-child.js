// Echo child for the baseline: Node's built-in IPC channel (`fork`, serialization json or
// advanced) answering every `turn` with the same `turn_result` the x echo child sends.
import { turnResultMessage } from './payload.js';

process.on('message', (message) => {
  process.send(turnResultMessage(message));
});
process.on('disconnect', () => process.exit(0));
