// `@x/daemon/light`: what a client of the daemon (the `x` command's client commands) needs
// from it without loading it: no SQLite, TypeBox or prom-client, a few small modules.
// The main entry exports all of it too.
export { DAEMON_RPC_CODES } from './errors.js';
export { statePaths, type StatePaths } from './process/state-dir.js';
export { probeDaemon, type DaemonProbe } from './process/probe-daemon.js';
export { readDescriptor, isProcessAlive, type DaemonDescriptor } from './process/descriptor.js';
export { canTransition, isActiveState, RUN_STATES, type RunState } from './supervisor/run-state.js';
export {
  DEFAULT_METRICS_HOST,
  parseMetricsAddress,
  type MetricsAddress,
} from './metrics/metrics-address.js';
