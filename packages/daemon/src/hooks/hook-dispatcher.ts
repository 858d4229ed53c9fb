import type { MonitorEvent } from '../monitor/monitor-event.js';
import type { Logger } from '../process/logger.js';
import { commandDeliverer } from './command-hook.js';
import type { ResolvedHook } from './hook-config.js';
import { hookMatches } from './hook-filter.js';
import { HookQueue, type DeliveryResult, type HookStats, type QueuedEvent } from './hook-queue.js';
import { httpDeliverer } from './http-hook.js';

/** How long a stopping daemon lets its hooks finish what is queued: 2000 ms. */
export const HOOK_CLOSE_GRACE_MS = 2_000;

/**
 * Runs the configured hooks on the daemon's events: each event (after it is stored, with its
 * id) goes to the queue of every hook it matches ({@link hookMatches}); each hook delivers
 * its events one at a time ({@link HookQueue}), so a slow or failing hook only fills and
 * overflows its own bounded queue. Failures, overflow and command output go to the daemon
 * log; the counters are {@link stats} (`system.info` `hooks`, and the metrics).
 */
export class HookDispatcher {
  readonly #hooks: { config: ResolvedHook; queue: HookQueue }[];

  constructor(hooks: readonly ResolvedHook[], logger: Logger) {
    this.#hooks = hooks.map((config) => ({
      config,
      queue: new HookQueue({
        name: config.name,
        kind: config.kind,
        on: [...config.on],
        maxEvents: config.queue,
        maxBytes: config.queueBytes,
        deliver: config.kind === 'command' ? commandDeliverer(config) : httpDeliverer(config),
        onResult: (event, result) => report(logger, config.name, event, result),
      }),
    }));
    for (const { config } of this.#hooks) {
      const target = config.kind === 'command' ? config.command.join(' ') : `POST ${config.url}`;
      logger.info(`hook ${config.name}: ${target} on ${config.on.join(', ')}`);
    }
  }

  /** Number of hooks. */
  get size(): number {
    return this.#hooks.length;
  }

  /** Queues `event` on every hook it matches. Never throws, never waits. */
  handle(event: MonitorEvent): void {
    let queued: QueuedEvent | undefined;
    for (const { config, queue } of this.#hooks) {
      if (hookMatches(config, event)) {
        queued ??= toQueued(event);
        queue.push(queued);
      }
    }
  }

  /** Each hook's counters, in configuration order. */
  stats(): HookStats[] {
    return this.#hooks.map(({ queue }) => queue.stats);
  }

  /** Stops every hook, letting each finish its queue for up to `graceMs` (see HookQueue.close). */
  async close(graceMs = HOOK_CLOSE_GRACE_MS): Promise<void> {
    await Promise.all(this.#hooks.map(({ queue }) => queue.close(graceMs)));
  }
}

function toQueued(event: MonitorEvent): QueuedEvent {
  const json = JSON.stringify(event);
  return { id: event.id, type: event.type, json, bytes: Buffer.byteLength(json) };
}

function report(
  logger: Logger,
  name: string,
  event: QueuedEvent,
  result: DeliveryResult | { dropped: true },
): void {
  const what = `hook ${name}: event #${event.id} ${event.type}`;
  if ('dropped' in result) {
    // No id in the line: the log's repeat limiter folds a flood of drops into one count.
    logger.warn(
      `hook ${name}: an event (${event.type}) was dropped: the hook's queue is full (it is slower than the events); see \`x daemon status\``,
    );
  } else if (!result.ok) {
    logger.warn(`${what} failed: ${result.error}`);
  } else if (result.note !== undefined) {
    logger.info(`${what}: ${result.note}`);
  }
}
