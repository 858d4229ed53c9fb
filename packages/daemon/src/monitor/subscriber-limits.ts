import {
  SUBSCRIBER_MAX_BUFFERED_BYTES,
  SUBSCRIBER_MAX_QUEUED_EVENTS,
  SUBSCRIBER_SOCKET_HIGH_WATER_BYTES,
} from '../constants.js';

/** How far a subscriber may fall behind. */
export interface SubscriberLimits {
  /** Events waiting in its queue. @default 1000 (SUBSCRIBER_MAX_QUEUED_EVENTS) */
  maxQueuedEvents: number;
  /**
   * Bytes waiting: its queue plus what its socket's write buffer holds beyond
   * `socketHighWaterBytes`. @default 1 MiB (SUBSCRIBER_MAX_BUFFERED_BYTES)
   */
  maxBufferedBytes: number;
  /** Its socket's write buffer is filled up to this, then waits for a drain, bytes. @default 64 KiB */
  socketHighWaterBytes: number;
}

/** The defaults, from constants.ts. */
export const DEFAULT_SUBSCRIBER_LIMITS: SubscriberLimits = {
  maxQueuedEvents: SUBSCRIBER_MAX_QUEUED_EVENTS,
  maxBufferedBytes: SUBSCRIBER_MAX_BUFFERED_BYTES,
  socketHighWaterBytes: SUBSCRIBER_SOCKET_HIGH_WATER_BYTES,
};

/** What a subscriber has waiting. */
export interface SubscriberBacklog {
  queuedEvents: number;
  /** Bytes of the queued events' JSON. */
  queuedBytes: number;
  /** Bytes in its socket's write buffer. */
  socketBytes: number;
}

/**
 * True when a subscriber is past its limits: it is told it lagged and dropped. The socket's
 * buffer counts only beyond the high-water mark: the pump fills it up to there by design, and
 * one large event written at once must not count against a peer that reads.
 */
export function isLagging(backlog: SubscriberBacklog, limits: SubscriberLimits): boolean {
  const socketExcess = Math.max(0, backlog.socketBytes - limits.socketHighWaterBytes);
  return (
    backlog.queuedEvents > limits.maxQueuedEvents ||
    backlog.queuedBytes + socketExcess > limits.maxBufferedBytes
  );
}
