import type { MonitorEvent } from '../monitor/monitor-event.js';
import type { ResolvedHook } from './hook-config.js';

/**
 * True when `event` fires `hook`: its type is one of `on` (or `on` has `*`), and it passes
 * every filter given: `runs` (the event's run name), `states` (a `run_state` event's new
 * state), `reasons` (a `run_state` event's exit reason). A `states` or `reasons` filter
 * leaves out every event that is not a `run_state`. Pure.
 */
export function hookMatches(
  hook: Pick<ResolvedHook, 'on' | 'filter'>,
  event: MonitorEvent,
): boolean {
  if (!hook.on.includes('*') && !(hook.on as readonly string[]).includes(event.type)) {
    return false;
  }
  const { runs, states, reasons } = hook.filter;
  if (runs !== undefined && (event.name === null || !runs.includes(event.name))) {
    return false;
  }
  if (states === undefined && reasons === undefined) {
    return true;
  }
  if (event.type !== 'run_state') {
    return false;
  }
  const run = event.run;
  if (states !== undefined && !(states as readonly string[]).includes(run.state)) {
    return false;
  }
  const reason = run.exit?.reason;
  return (
    reasons === undefined ||
    (reason !== undefined && (reasons as readonly string[]).includes(reason))
  );
}
