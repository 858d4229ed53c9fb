/** One event waiting for a hook: its id and type (for the log) and its JSON. */
export interface QueuedEvent {
  id: number;
  type: string;
  json: string;
  /** UTF-8 bytes of `json`. */
  bytes: number;
}

/** Counters of one hook since the daemon started (`system.info` `hooks`). */
export interface HookStats {
  name: string;
  kind: 'command' | 'http';
  /** Event types it takes. */
  on: string[];
  /** Events waiting now (not counting the one being delivered). */
  queued: number;
  /** Bytes of their JSON. */
  queuedBytes: number;
  /** True while a delivery is under way. */
  busy: boolean;
  /** Events delivered (the command exited 0; the URL answered 2xx). */
  delivered: number;
  /** Events whose delivery failed (after the retries, for HTTP). */
  failed: number;
  /** Events dropped because the queue was full: the hook was too slow for the events. */
  dropped: number;
  /** The last failure, or null. */
  lastError: string | null;
  /** When it happened, ms since the Unix epoch. */
  lastErrorAt: number | null;
}

/** How one delivery ended. */
export type DeliveryResult = { ok: true; note?: string } | { ok: false; error: string };

/** Delivers one event; must settle (the deliverers bound themselves with a timeout). */
export type Deliver = (event: QueuedEvent, signal: AbortSignal) => Promise<DeliveryResult>;

/** Options of {@link HookQueue}. */
export interface HookQueueOptions {
  name: string;
  kind: 'command' | 'http';
  on: string[];
  /** Events waiting at most. */
  maxEvents: number;
  /** Bytes of JSON waiting at most. */
  maxBytes: number;
  deliver: Deliver;
  /** Called after each delivery, and for each drop, for the daemon log. */
  onResult?: ((event: QueuedEvent, result: DeliveryResult | { dropped: true }) => void) | undefined;
  now?: () => number;
}

/**
 * One hook's queue: events are delivered one at a time, in order; while one is delivered the
 * next ones wait, at most `maxEvents` and `maxBytes` of them. An event that does not fit is
 * dropped and counted (`dropped`), so a slow or hanging hook costs a bounded amount of memory
 * and never holds up the daemon: {@link push} returns at once.
 */
export class HookQueue {
  readonly #options: HookQueueOptions;
  readonly #now: () => number;
  readonly #abort = new AbortController();
  #queue: QueuedEvent[] = [];
  #head = 0;
  #bytes = 0;
  #busy = false;
  #closed = false;
  #idle: (() => void)[] = [];
  #stats = {
    delivered: 0,
    failed: 0,
    dropped: 0,
    lastError: null as string | null,
    lastErrorAt: null as number | null,
  };

  constructor(options: HookQueueOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** Queues `event` (or drops and counts it when the queue is full). Never throws, never waits. */
  push(event: QueuedEvent): void {
    if (this.#closed) {
      return;
    }
    const waiting = this.#queue.length - this.#head;
    if (waiting >= this.#options.maxEvents || this.#bytes + event.bytes > this.#options.maxBytes) {
      this.#stats.dropped += 1;
      this.#options.onResult?.(event, { dropped: true });
      return;
    }
    this.#queue.push(event);
    this.#bytes += event.bytes;
    void this.#pump();
  }

  get stats(): HookStats {
    return {
      name: this.#options.name,
      kind: this.#options.kind,
      on: [...this.#options.on],
      queued: this.#queue.length - this.#head,
      queuedBytes: this.#bytes,
      busy: this.#busy,
      ...this.#stats,
    };
  }

  /**
   * Stops taking events; waits up to `graceMs` for the queue to drain, then aborts the
   * delivery under way (a command's process group is killed) and forgets what still waits.
   */
  async close(graceMs: number): Promise<void> {
    this.#closed = true;
    if (this.#busy || this.#queue.length > this.#head) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        new Promise<void>((resolve) => this.#idle.push(resolve)),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs))),
      ]);
      clearTimeout(timer);
    }
    this.#queue = [];
    this.#head = 0;
    this.#bytes = 0;
    this.#abort.abort();
  }

  async #pump(): Promise<void> {
    if (this.#busy) {
      return;
    }
    this.#busy = true;
    while (this.#head < this.#queue.length && !this.#abort.signal.aborted) {
      const event = this.#queue[this.#head];
      this.#head += 1;
      this.#bytes -= event.bytes;
      if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
        this.#queue = this.#queue.slice(this.#head);
        this.#head = 0;
      }
      let result: DeliveryResult;
      try {
        result = await this.#options.deliver(event, this.#abort.signal);
      } catch (error) {
        result = { ok: false, error: (error as Error).message };
      }
      if (result.ok) {
        this.#stats.delivered += 1;
      } else {
        this.#stats.failed += 1;
        this.#stats.lastError = result.error;
        this.#stats.lastErrorAt = this.#now();
      }
      this.#options.onResult?.(event, result);
    }
    this.#queue = [];
    this.#head = 0;
    this.#busy = false;
    for (const resolve of this.#idle.splice(0)) {
      resolve();
    }
  }
}
