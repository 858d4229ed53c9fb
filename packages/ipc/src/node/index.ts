export { createStreamTransport } from './stream-transport.js';
export { createStreamChannel, type StreamChannelOptions } from './stream-channel.js';
export {
  createMessagePortTransport,
  MESSAGE_PORT_ACK_BYTES,
  MESSAGE_PORT_HIGH_WATER_BYTES,
  type MessagePortTransportOptions,
} from './message-port-transport.js';
export {
  createMessagePortChannel,
  type MessagePortChannelOptions,
} from './message-port-channel.js';
export { connectRpc, type ConnectRpcOptions } from './connect-rpc.js';
