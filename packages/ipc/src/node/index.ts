export { createStreamTransport } from './stream-transport.js';
export { createStreamChannel, type StreamChannelOptions } from './stream-channel.js';
export { connectRpc, type ConnectRpcOptions } from './connect-rpc.js';
