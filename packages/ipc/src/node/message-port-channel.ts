import type { MessagePort } from 'node:worker_threads';
import { createChannel, type Channel, type ChannelOptions } from '../core/channel.js';
import {
  createMessagePortTransport,
  type MessagePortTransportOptions,
} from './message-port-transport.js';

/** Options of {@link createMessagePortChannel}: a channel's options, with a `MessagePort` as transport. */
export interface MessagePortChannelOptions<In>
  extends Omit<ChannelOptions<In>, 'transport'>, MessagePortTransportOptions {
  /** One end of a `MessageChannel`, or a worker's `parentPort`. */
  port: MessagePort;
}

/**
 * Creates a {@link Channel} over a worker-thread `MessagePort` (the threaded runner's
 * transport). Frames are the same bytes as on a socket, so either codec works; the channel
 * closes when either end of the port closes. Flow control is acknowledged (the peer must be
 * such a channel too): `send` waits while 1 MiB is unacknowledged and rejects with
 * `X_IPC_BACKPRESSURE` past `maxQueuedBytes`. See {@link createMessagePortTransport}.
 */
export function createMessagePortChannel<In, Out>(
  options: MessagePortChannelOptions<In>,
): Channel<In, Out> {
  const { port, highWaterBytes, ackBytes, ...rest } = options;
  const transport = createMessagePortTransport(port, {
    ...(highWaterBytes === undefined ? {} : { highWaterBytes }),
    ...(ackBytes === undefined ? {} : { ackBytes }),
  });
  return createChannel<In, Out>({ ...rest, transport });
}
