import type { Readable, Writable } from 'node:stream';
import { createChannel, type Channel, type ChannelOptions } from '../core/channel.js';
import { createStreamTransport } from './stream-transport.js';

/** Options of {@link createStreamChannel}: a channel's options, with Node streams as transport. */
export interface StreamChannelOptions<In> extends Omit<ChannelOptions<In>, 'transport'> {
  readable: Readable;
  /** Defaults to `readable` (a duplex such as a socket). */
  writable?: Writable;
}

/** Creates a {@link Channel} over Node streams (socket, pipe, `fd 3`). */
export function createStreamChannel<In, Out>(options: StreamChannelOptions<In>): Channel<In, Out> {
  const { readable, writable, ...rest } = options;
  return createChannel<In, Out>({ ...rest, transport: createStreamTransport(readable, writable) });
}
