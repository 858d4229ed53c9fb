import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { CONTROL_PARAMS, isActiveState, type RunRecord } from '@x/daemon';
import { compileValidator, isRpcError } from '@x/ipc';
import type { XClient } from '@x/client';
import { withDaemon } from '../daemon-client.js';
import { CliError } from '../errors.js';
import { describeInexact, findInexactNumbers, formatJsonPath } from '../exact-json-numbers.js';
import { EXIT_CODES } from '../exit-codes.js';
import { listRuns } from '../list-runs.js';
import { MIN_MEMORY_LIMIT_MIB } from '../option-parsers.js';
import { printJson, printTable } from '../output.js';
import { requestedRunnerMode } from '../runner-mode.js';

/** Default fleet file, looked up in the working directory. */
export const FLEET_FILE = 'x.config.json';

const validateEntry = compileValidator(CONTROL_PARAMS['agent.start']);

/** One entry of the fleet file, as sent to `agent.start`. */
type Entry = Record<string, unknown> & { name: string; kind: 'agent' | 'service' };

/**
 * Reads and validates a fleet file: `{ "runner": { "mode": … }, "agents": [...], "services": [...] }`,
 * each entry the params of `agent.start` with a required `name` (services need `command`).
 * Relative `module` paths and `cwd` are taken from the file's directory, which is also the
 * default `cwd`. `runner.mode` (`subprocess` or `thread`), top-level or per entry, is the
 * entry's `runnerMode`; `X_RUNNER_MODE` of `env` overrides it for agent modules (precedence:
 * X_RUNNER_MODE > entry > top level > the daemon's default). The top-level mode and the
 * environment apply to agent modules only; `command` agents and services are subprocesses.
 * A number the JSON cannot carry exactly (see isExactNumberLiteral) and a `maxMemoryMb` under
 * 64 (MIN_MEMORY_LIMIT_MIB) are refused, as on the command line.
 * @throws CliError (exit 78, EX_CONFIG) naming the file, the entry and the field.
 */
export function readFleet(path: string, env: NodeJS.ProcessEnv = process.env): Entry[] {
  let parsed: unknown;
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
    parsed = JSON.parse(text);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliError(
      code === 'ENOENT'
        ? `x: no fleet file at ${path}; write one (see \`x up --help\`) or pass --file`
        : `x: ${path} is not valid JSON: ${(error as Error).message}`,
      EXIT_CODES.CONFIG,
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new CliError(
      `x: ${path}: expected an object with "agents" and/or "services" arrays`,
      EXIT_CODES.CONFIG,
    );
  }
  const [inexact] = findInexactNumbers(text);
  if (inexact !== undefined) {
    throw new CliError(
      `x: ${path}: ${formatJsonPath(inexact.path)}: ${describeInexact(inexact)}; to pass it as a string, quote it: "${inexact.literal}"`,
      EXIT_CODES.CONFIG,
    );
  }
  const base = dirname(resolve(path));
  const fileMode = readRunnerMode(
    (parsed as Record<string, unknown>).runner,
    `${path}: field /runner`,
  );
  const entries: Entry[] = [];
  const names = new Set<string>();
  for (const kind of ['agent', 'service'] as const) {
    const list = (parsed as Record<string, unknown>)[`${kind}s`] ?? [];
    if (!Array.isArray(list)) {
      throw new CliError(`x: ${path}: "${kind}s" must be an array`, EXIT_CODES.CONFIG);
    }
    list.forEach((raw: unknown, index) => {
      const where = `${path}: ${kind}s[${index}]`;
      const { runner, ...rest } = (raw ?? {}) as Record<string, unknown>;
      const entry: Record<string, unknown> = { ...rest, kind };
      const result = validateEntry(entry);
      if (!result.ok) {
        throw new CliError(
          `x: ${where}: field ${result.path} ${result.message}`,
          EXIT_CODES.CONFIG,
        );
      }
      if (typeof entry.maxMemoryMb === 'number' && entry.maxMemoryMb < MIN_MEMORY_LIMIT_MIB) {
        throw new CliError(
          `x: ${where}: field /maxMemoryMb is ${entry.maxMemoryMb}, below the minimum of ${MIN_MEMORY_LIMIT_MIB} MiB: an empty agent runner already has an RSS of about 44 MiB and the limit covers the whole process group`,
          EXIT_CODES.CONFIG,
        );
      }
      if (typeof entry.name !== 'string') {
        throw new CliError(
          `x: ${where}: field /name is required in a fleet file`,
          EXIT_CODES.CONFIG,
        );
      }
      if (kind === 'service' && !Array.isArray(entry.command)) {
        throw new CliError(
          `x: ${where}: field /command is required for a service (the program and its arguments)`,
          EXIT_CODES.CONFIG,
        );
      }
      if (names.has(entry.name)) {
        throw new CliError(`x: ${where}: the name ${entry.name} is used twice`, EXIT_CODES.CONFIG);
      }
      names.add(entry.name);
      if (typeof entry.module === 'string' && !isAbsolute(entry.module)) {
        entry.module = resolve(base, entry.module);
      }
      entry.cwd = typeof entry.cwd === 'string' ? resolve(base, entry.cwd) : base;
      const entryMode = readRunnerMode(runner, `${where}: field /runner`);
      if (
        entryMode !== undefined &&
        entry.runnerMode !== undefined &&
        entryMode !== entry.runnerMode
      ) {
        throw new CliError(
          `x: ${where}: runner.mode ${entryMode} and runnerMode ${JSON.stringify(entry.runnerMode)} disagree; keep one`,
          EXIT_CODES.CONFIG,
        );
      }
      const command = kind === 'service' || entry.command !== undefined;
      const runnerMode = requestedRunnerMode({
        env,
        config:
          entryMode ??
          (entry.runnerMode as 'subprocess' | 'thread' | undefined) ??
          (command ? undefined : fileMode),
        command,
      });
      if (runnerMode === undefined) {
        delete entry.runnerMode;
      } else {
        entry.runnerMode = runnerMode;
      }
      entries.push(entry as Entry);
    });
  }
  return entries;
}

/** The `mode` of a `runner` object of the fleet file, or undefined when absent. */
function readRunnerMode(value: unknown, where: string): 'subprocess' | 'thread' | undefined {
  if (value === undefined) {
    return undefined;
  }
  const isObject = typeof value === 'object' && value !== null && !Array.isArray(value);
  const mode = isObject ? (value as Record<string, unknown>).mode : value;
  if (isObject && mode === undefined) {
    return undefined;
  }
  if (!isObject || (mode !== 'subprocess' && mode !== 'thread')) {
    throw new CliError(
      `x: ${where}: expected { "mode": "subprocess" | "thread" }, got ${JSON.stringify(value)}`,
      EXIT_CODES.CONFIG,
    );
  }
  return mode;
}

interface FleetResult {
  name: string;
  kind: string;
  status: 'started' | 'already_running' | 'stopped' | 'not_running' | 'failed';
  run: RunRecord | null;
  error: string | null;
}

/** `x up`: starts every entry of the fleet file that is not already active. Exit 1 if any failed. */
export async function fleetUp(options: FleetOptions): Promise<number> {
  const results = await eachEntry(options, async (entry, running, client) => {
    if (running !== undefined) {
      return fleetResult(entry, 'already_running', running);
    }
    try {
      return fleetResult(entry, 'started', await client.agent.start(entry));
    } catch (error) {
      const run = isRpcError(error)
        ? ((error.data as { run?: RunRecord } | undefined)?.run ?? null)
        : null;
      return fleetResult(entry, 'failed', run, (error as Error).message);
    }
  });
  return results.some((result) => result.status === 'failed') ? EXIT_CODES.FAILURE : EXIT_CODES.OK;
}

/** `x down`: stops every active entry of the fleet file (3-phase, in parallel). */
export async function fleetDown(options: FleetOptions): Promise<number> {
  await eachEntry(options, async (entry, running, client) =>
    running === undefined
      ? fleetResult(entry, 'not_running', null)
      : fleetResult(entry, 'stopped', await client.agent.stop({ ref: entry.name })),
  );
  return EXIT_CODES.OK;
}

function fleetResult(
  entry: Entry,
  status: FleetResult['status'],
  run: RunRecord | null,
  error: string | null = null,
): FleetResult {
  return { name: entry.name, kind: entry.kind, status, run, error };
}

interface FleetOptions {
  home: string;
  json: boolean;
  file: string;
}

/**
 * Reads the fleet file, applies `act` to every entry in parallel (with the active run of that
 * name, if any) over one daemon connection, and prints the results.
 */
async function eachEntry(
  options: FleetOptions,
  act: (entry: Entry, running: RunRecord | undefined, client: XClient) => Promise<FleetResult>,
): Promise<FleetResult[]> {
  const entries = readFleet(options.file);
  const results = await withDaemon(options.home, async (client) => {
    const active = await activeRunsByName(client);
    return Promise.all(entries.map((entry) => act(entry, active.get(entry.name), client)));
  });
  print(options.json, results);
  return results;
}

/** The daemon's runs that are not terminal, by name. */
async function activeRunsByName(client: XClient): Promise<Map<string, RunRecord>> {
  const runs = await listRuns(client);
  return new Map(runs.filter((run) => isActiveState(run.state)).map((run) => [run.name, run]));
}

function print(json: boolean, results: FleetResult[]): void {
  if (json) {
    printJson({ results });
    return;
  }
  printTable(
    ['NAME', 'KIND', 'RESULT', 'RUN', 'STATE', 'DETAIL'],
    results.map((r) => [
      r.name,
      r.kind,
      r.status,
      r.run?.runId ?? '-',
      r.run?.state ?? '-',
      r.error ?? r.run?.exit?.explanation ?? '',
    ]),
  );
}
