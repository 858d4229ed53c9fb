export { createStreamTransport } from './stream-transport.js';
export { createStreamChannel, type StreamChannelOptions } from './stream-channel.js';
export { createMessagePortTransport } from './message-port-transport.js';
export {
  createMessagePortChannel,
  type MessagePortChannelOptions,
} from './message-port-channel.js';
export { connectRpc, type ConnectRpcOptions } from './connect-rpc.js';
