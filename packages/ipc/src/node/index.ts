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
// The JSON-RPC errors a connectRpc client sees, here too: `@x/ipc` itself loads the protocol
// schemas (TypeBox), which a client of the control socket does not need.
export { IPC_ERROR_CODES, isIpcError } from '../errors.js';
export {
  CONTROL_MAX_FRAME_BYTES,
  RPC_ERROR_CODES,
  RpcError,
  isRpcError,
  type RpcErrorObject,
} from '../rpc/messages.js';
