// Types only: the params come from the TypeBox schemas the daemon validates with (`Static<>`),
// the results from the daemon's own record types. Nothing here exists at run time, so the
// client loads neither @x/daemon nor TypeBox.
import type { Static, TSchema } from '@sinclair/typebox';
import type {
  AgentCheckpoints,
  AgentList,
  AgentLogs,
  AgentStatus,
  AgentTurns,
  Clipped,
  CONTROL_PARAMS,
  DURABLE_PARAMS,
  EventHubStats,
  HOUSEKEEPING_PARAMS,
  MONITOR_PARAMS,
  MonitorBacklog,
  MonitorSubscription,
  PermissionRecord,
  RemovedRun,
  RunResources,
  RunRecord,
  ShutdownResult,
  SystemInfo,
  TurnRecord,
  UsageTotals,
} from '@x/daemon';

/** The params type of method `M` of a daemon schema table (CONTROL_PARAMS, …). */
type Params<Schemas, M extends keyof Schemas> = Schemas[M] extends TSchema
  ? Static<Schemas[M]>
  : never;

/** `system.ping` result. */
export interface Pong {
  pong: true;
  /** The daemon's pid. */
  pid: number;
  /** Runner protocol version the daemon speaks. */
  protocolVersion: number;
}

/** A run as `agent.list` answers it: the record, with its spend and its last CPU/RSS sample. */
export type ListedRun = Clipped<RunRecord> & {
  /** The run's spend over every attempt. */
  usage: UsageTotals;
  /** CPU % and RSS of its current attempt as last sampled; null when none runs. */
  resources: RunResources | null;
};

/** `agent.list` result: a page of runs, newest first. */
export interface RunList extends AgentList {
  runs: ListedRun[];
}

/** `monitor.unsubscribe` result: false when the connection held no such subscription. */
export interface Unsubscribed {
  unsubscribed: boolean;
}

/**
 * Every control method of the daemon's socket, with its params (as the daemon validates them:
 * a call the types accept passes the daemon's `-32602` check, limits aside) and its result.
 */
export interface ControlMethods {
  'system.ping': { params: undefined; result: Pong };
  'system.info': { params: undefined; result: SystemInfo };
  'system.shutdown': {
    params: Params<typeof CONTROL_PARAMS, 'system.shutdown'>;
    result: ShutdownResult;
  };
  'agent.start': {
    params: Params<typeof CONTROL_PARAMS, 'agent.start'>;
    result: Clipped<RunRecord>;
  };
  'agent.stop': { params: Params<typeof CONTROL_PARAMS, 'agent.stop'>; result: Clipped<RunRecord> };
  'agent.list': { params: Params<typeof CONTROL_PARAMS, 'agent.list'>; result: RunList };
  'agent.status': { params: Params<typeof CONTROL_PARAMS, 'agent.status'>; result: AgentStatus };
  'agent.logs': { params: Params<typeof CONTROL_PARAMS, 'agent.logs'>; result: AgentLogs };
  'agent.send': {
    params: Params<typeof CONTROL_PARAMS, 'agent.send'>;
    result: Clipped<TurnRecord>;
  };
  'agent.turns': { params: Params<typeof CONTROL_PARAMS, 'agent.turns'>; result: AgentTurns };
  'agent.turn.cancel': {
    params: Params<typeof CONTROL_PARAMS, 'agent.turn.cancel'>;
    result: Clipped<TurnRecord>;
  };
  'agent.permission.answer': {
    params: Params<typeof CONTROL_PARAMS, 'agent.permission.answer'>;
    result: Clipped<PermissionRecord>;
  };
  'agent.pause': { params: Params<typeof DURABLE_PARAMS, 'agent.pause'>; result: RunRecord };
  'agent.resume': { params: Params<typeof DURABLE_PARAMS, 'agent.resume'>; result: RunRecord };
  'agent.budget': { params: Params<typeof DURABLE_PARAMS, 'agent.budget'>; result: RunRecord };
  'agent.checkpoints': {
    params: Params<typeof DURABLE_PARAMS, 'agent.checkpoints'>;
    result: AgentCheckpoints;
  };
  'agent.restart': {
    params: Params<typeof HOUSEKEEPING_PARAMS, 'agent.restart'>;
    result: RunRecord;
  };
  'agent.remove': {
    params: Params<typeof HOUSEKEEPING_PARAMS, 'agent.remove'>;
    result: RemovedRun;
  };
  'monitor.subscribe': {
    params: Params<typeof MONITOR_PARAMS, 'monitor.subscribe'>;
    result: MonitorSubscription;
  };
  'monitor.unsubscribe': {
    params: Params<typeof MONITOR_PARAMS, 'monitor.unsubscribe'>;
    result: Unsubscribed;
  };
  'monitor.backlog': {
    params: Params<typeof MONITOR_PARAMS, 'monitor.backlog'>;
    result: MonitorBacklog;
  };
  'monitor.stats': { params: undefined; result: EventHubStats };
}

/** A control method's name: `agent.start`, `monitor.backlog`, … */
export type ControlMethod = keyof ControlMethods;
/** The params of `M` (`undefined` for a method that takes none). */
export type ControlParams<M extends ControlMethod> = ControlMethods[M]['params'];
/** The result of `M`. */
export type ControlResult<M extends ControlMethod> = ControlMethods[M]['result'];

/** Every control method, in the order of the control-API reference. */
export const CONTROL_METHODS = [
  'system.ping',
  'system.info',
  'system.shutdown',
  'agent.start',
  'agent.stop',
  'agent.list',
  'agent.status',
  'agent.logs',
  'agent.send',
  'agent.turns',
  'agent.turn.cancel',
  'agent.permission.answer',
  'agent.pause',
  'agent.resume',
  'agent.budget',
  'agent.checkpoints',
  'agent.restart',
  'agent.remove',
  'monitor.subscribe',
  'monitor.unsubscribe',
  'monitor.backlog',
  'monitor.stats',
] as const satisfies readonly ControlMethod[];

// Fails to compile when a method of ControlMethods is missing from CONTROL_METHODS.
type Unlisted = Exclude<ControlMethod, (typeof CONTROL_METHODS)[number]>;
const everyMethodListed: [Unlisted] extends [never] ? true : Unlisted = true;
void everyMethodListed;
