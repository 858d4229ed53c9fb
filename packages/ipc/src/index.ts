export * from './errors.js';
export { toDisposable, type Disposable } from './core/disposable.js';
export { Emitter, type Event } from './core/emitter.js';
export {
  CODEC_NAMES,
  DEFAULT_MAX_FRAME_BYTES,
  type CodecName,
  type CodecOptions,
  type FrameCodec,
  type FrameDecoder,
  type FrameSink,
} from './core/codec.js';
export { createJsonlCodec } from './core/jsonl-codec.js';
export { createMsgpackCodec } from './core/msgpack-codec.js';
export { getCodec, isCodecName } from './core/get-codec.js';
export type { ByteTransport } from './core/transport.js';
export {
  createChannel,
  DEFAULT_MAX_QUEUED_BYTES,
  type Channel,
  type ChannelOptions,
} from './core/channel.js';
// Named before the schema so that a bundle using only the version leaves TypeBox out.
export { PROTOCOL_VERSION } from './protocol/protocol-version.js';
export * from './protocol/schema.js';
export {
  compileValidator,
  validateRunnerMessage,
  validateSupervisorMessage,
  type Validation,
  type Validator,
} from './protocol/validate.js';
export * from './rpc/messages.js';
export {
  createRpcConnection,
  type RequestContext,
  type RequestHandler,
  type RequestOptions,
  type RpcConnection,
} from './rpc/connection.js';
