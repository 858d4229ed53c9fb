import { Type, type Static } from '@sinclair/typebox';
import { compileValidator } from '@x/ipc';
import { DAEMON_ERROR_CODES, DaemonError } from '../errors.js';
import { EXIT_REASONS } from '../supervisor/classify-exit.js';
import { RUN_STATES } from '../supervisor/run-state.js';

/** The event types a hook may name (those of `monitor.subscribe`), or `*` for all. */
export const HOOK_EVENT_TYPES = [
  'run_state',
  'iteration_done',
  'log',
  'notify',
  'turn_result',
  'permission_request',
  'permission_answer',
  'persistence',
  'run_removed',
  '*',
] as const;

/** Default longest one delivery may take (a command's run, one HTTP attempt): 10 000 ms. */
export const HOOK_TIMEOUT_MS = 10_000;
/** Default events waiting per hook: 100. Past it (or HOOK_QUEUE_MAX_BYTES) events are dropped and counted. */
export const HOOK_QUEUE_MAX_EVENTS = 100;
/** Default bytes of event JSON waiting per hook: 1 MiB. */
export const HOOK_QUEUE_MAX_BYTES = 1024 * 1024;
/** Default output of a command hook kept for the daemon log (stdout and stderr together): 4 KiB. */
export const HOOK_OUTPUT_MAX_BYTES = 4096;
/** Default retries of an HTTP hook after the first attempt: 3. */
export const HOOK_HTTP_RETRIES = 3;
/** Default first delay between HTTP attempts, doubled each time: 500 ms. */
export const HOOK_HTTP_BACKOFF_MS = 500;

const Names = (what: string) =>
  Type.Array(Type.String({ minLength: 1, maxLength: 256 }), {
    minItems: 1,
    maxItems: 100,
    description: what,
  });

const literals = <T extends readonly string[]>(values: T) =>
  Type.Union(values.map((value) => Type.Literal(value)));

/** Which events of the chosen types a hook takes; an absent field matches every event. */
export const HookFilter = Type.Object(
  {
    runs: Type.Optional(
      Names('Run names (exact); events of other runs, and of no run, are left out.'),
    ),
    states: Type.Optional(
      Type.Array(literals(RUN_STATES), {
        minItems: 1,
        description: '`run_state` events whose run is now in one of these states.',
      }),
    ),
    reasons: Type.Optional(
      Type.Array(literals(EXIT_REASONS), {
        minItems: 1,
        description: '`run_state` events whose run has an exit with one of these reasons.',
      }),
    ),
  },
  { additionalProperties: false },
);

const Common = {
  name: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 100,
      description: 'For logs and stats. Default `hook-<n>`.',
    }),
  ),
  on: Type.Array(literals(HOOK_EVENT_TYPES), {
    minItems: 1,
    description: 'Event types that fire the hook (`*`: all).',
  }),
  filter: Type.Optional(HookFilter),
  timeoutMs: Type.Optional(
    Type.Integer({ minimum: 100, maximum: 600_000, description: 'ms. Default 10 000.' }),
  ),
  queue: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: 10_000,
      description: 'Events waiting at most. Default 100.',
    }),
  ),
  queueBytes: Type.Optional(
    Type.Integer({
      minimum: 1024,
      maximum: 64 * 1024 * 1024,
      description: 'Bytes waiting at most. Default 1 MiB.',
    }),
  ),
};

/** A hook that runs a program with the event's JSON on stdin. */
export const CommandHookConfig = Type.Object(
  {
    ...Common,
    command: Type.Array(Type.String({ minLength: 1 }), {
      minItems: 1,
      description: 'The program and its arguments (no shell: `["sh", "-c", "…"]` for one).',
    }),
    cwd: Type.Optional(Type.String({ minLength: 1, description: 'Working directory.' })),
    env: Type.Optional(
      Type.Record(Type.String(), Type.String(), { description: 'Added variables.' }),
    ),
    maxOutputBytes: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 1024 * 1024,
        description: 'Output kept for the log. Default 4096.',
      }),
    ),
  },
  { additionalProperties: false },
);

/** A hook that POSTs the event's JSON to a URL. */
export const HttpHookConfig = Type.Object(
  {
    ...Common,
    url: Type.String({ pattern: '^https?://', description: 'An http:// or https:// URL.' }),
    headers: Type.Optional(Type.Record(Type.String(), Type.String())),
    retries: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 10,
        description: 'Attempts after the first. Default 3.',
      }),
    ),
    backoffMs: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 60_000,
        description: 'First delay, doubled each retry. Default 500.',
      }),
    ),
  },
  { additionalProperties: false },
);

/** One entry of `hooks`: a command or an HTTP POST. */
export const HookConfig = Type.Union([CommandHookConfig, HttpHookConfig]);
export type HookConfig = Static<typeof HookConfig>;
export type CommandHookConfig = Static<typeof CommandHookConfig>;
export type HttpHookConfig = Static<typeof HttpHookConfig>;
export type HookFilter = Static<typeof HookFilter>;

/** A validated hook with its defaults filled in. */
export type ResolvedHook =
  | (Required<Omit<CommandHookConfig, 'filter' | 'cwd' | 'env'>> & {
      kind: 'command';
      filter: HookFilter;
      cwd: string | undefined;
      env: Record<string, string>;
    })
  | (Required<Omit<HttpHookConfig, 'filter' | 'headers'>> & {
      kind: 'http';
      filter: HookFilter;
      headers: Record<string, string>;
    });

const validateCommand = compileValidator(CommandHookConfig);
const validateHttp = compileValidator(HttpHookConfig);

/**
 * Validates a `hooks` array (of `x.config.json`, or `startDaemon({ hooks })`) and fills in
 * the defaults. `where` starts each message (`x.config.json: hooks[2]`).
 * @throws DaemonError X_DAEMON_HOOK_CONFIG naming the entry, the field, what was wrong and
 *   the fix.
 */
export function resolveHooks(value: unknown, where = 'hooks'): ResolvedHook[] {
  if (!Array.isArray(value)) {
    throw hookError(`${where}: expected an array of hooks, got ${describe(value)}`);
  }
  const names = new Set<string>();
  return value.map((raw: unknown, index) => {
    const at = `${where}[${index}]`;
    const hook = resolveOne(raw, at, index);
    if (names.has(hook.name)) {
      throw hookError(
        `${at}: the name ${JSON.stringify(hook.name)} is used twice; give each hook its own`,
      );
    }
    names.add(hook.name);
    return hook;
  });
}

function resolveOne(raw: unknown, at: string, index: number): ResolvedHook {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw hookError(`${at}: expected an object, got ${describe(raw)}`);
  }
  const fields = raw as Record<string, unknown>;
  const isCommand = 'command' in fields;
  if (isCommand === 'url' in fields) {
    throw hookError(
      `${at}: give exactly one of "command" (a program and its arguments) and "url" (an http(s) URL to POST to)`,
    );
  }
  const result = isCommand ? validateCommand(raw) : validateHttp(raw);
  if (!result.ok) {
    const hint =
      result.path === '/on' || result.path.startsWith('/on/')
        ? ` (one of ${HOOK_EVENT_TYPES.join(', ')})`
        : result.path.startsWith('/filter/states')
          ? ` (one of ${RUN_STATES.join(', ')})`
          : result.path.startsWith('/filter/reasons')
            ? ` (one of ${EXIT_REASONS.join(', ')})`
            : '';
    const got = valueAt(raw, result.path);
    throw hookError(
      `${at}: field ${result.path} ${result.message}${hint}${got === undefined ? '' : `, got ${describe(got)}`}`,
    );
  }
  const common = {
    name: (fields.name as string | undefined) ?? `hook-${index + 1}`,
    on: fields.on as ResolvedHook['on'],
    filter: (fields.filter ?? {}) as HookFilter,
    timeoutMs: (fields.timeoutMs as number | undefined) ?? HOOK_TIMEOUT_MS,
    queue: (fields.queue as number | undefined) ?? HOOK_QUEUE_MAX_EVENTS,
    queueBytes: (fields.queueBytes as number | undefined) ?? HOOK_QUEUE_MAX_BYTES,
  };
  if (isCommand) {
    const config = result.value as CommandHookConfig;
    return {
      ...common,
      kind: 'command',
      command: config.command,
      cwd: config.cwd,
      env: config.env ?? {},
      maxOutputBytes: config.maxOutputBytes ?? HOOK_OUTPUT_MAX_BYTES,
    };
  }
  const config = result.value as HttpHookConfig;
  try {
    new URL(config.url);
  } catch {
    throw hookError(`${at}: field /url ${JSON.stringify(config.url)} is not a URL`);
  }
  return {
    ...common,
    kind: 'http',
    url: config.url,
    headers: config.headers ?? {},
    retries: config.retries ?? HOOK_HTTP_RETRIES,
    backoffMs: config.backoffMs ?? HOOK_HTTP_BACKOFF_MS,
  };
}

function hookError(message: string): DaemonError {
  return new DaemonError(DAEMON_ERROR_CODES.HOOK_CONFIG, `x: ${message}`);
}

function valueAt(value: unknown, path: string): unknown {
  let current = value;
  for (const key of path.split('/').slice(1)) {
    if (typeof current !== 'object' || current === null) {
      return undefined;
    }
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function describe(value: unknown): string {
  const json = JSON.stringify(value);
  return json === undefined ? String(value) : json.length > 80 ? `${json.slice(0, 77)}...` : json;
}
