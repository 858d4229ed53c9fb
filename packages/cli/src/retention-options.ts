import type { Command } from 'commander';
import { parsePositiveInt } from './option-parsers.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * History retention and storage caps of a daemon, as `x daemon start|restart` flags give them
 * (days, rows, MiB).
 */
export interface RetentionFlags {
  keepIterations?: number | undefined;
  maxIterationsPerRun?: number | undefined;
  keepRuns?: number | undefined;
  keepEvents?: number | undefined;
  maxEvents?: number | undefined;
  maxRecordsMb?: number | undefined;
}

/**
 * Adds `--keep-iterations`, `--keep-runs`, `--keep-events` (days), `--max-iterations-per-run`
 * and `--max-events` (rows), and `--max-records-mb` (MiB of records each run may keep).
 */
export function addRetentionOptions(command: Command): Command {
  return command
    .option(
      '--keep-iterations <days>',
      'prune iterations, turns and permission requests older than this, active runs included (default 30)',
      parsePositiveInt,
    )
    .option(
      '--max-iterations-per-run <n>',
      "keep only each run's newest n iterations (and n turns, n permission requests), active runs included (default 10000)",
      parsePositiveInt,
    )
    .option(
      '--keep-runs <days>',
      'prune finished runs that ended longer ago than this (default 90; active runs never)',
      parsePositiveInt,
    )
    .option('--keep-events <days>', 'prune events older than this (default 7)', parsePositiveInt)
    .option(
      '--max-events <n>',
      'keep at most this many events in the backlog (default 100000)',
      parsePositiveInt,
    )
    .option(
      '--max-records-mb <mib>',
      'MiB of records (ctx.store: LangGraph threads, OpenAI Agents sessions) each run may keep; a write past it is refused, never history dropped (default 64)',
      parsePositiveInt,
    );
}

/** The flags again, as arguments for the detached `x daemon start --foreground`. */
export function retentionArgs(flags: RetentionFlags): string[] {
  const args: string[] = [];
  const add = (name: string, value: number | undefined) => {
    if (value !== undefined) {
      args.push(name, String(value));
    }
  };
  add('--keep-iterations', flags.keepIterations);
  add('--max-iterations-per-run', flags.maxIterationsPerRun);
  add('--keep-runs', flags.keepRuns);
  add('--keep-events', flags.keepEvents);
  add('--max-events', flags.maxEvents);
  add('--max-records-mb', flags.maxRecordsMb);
  return args;
}

/** The flags as `startDaemon` options (ms); absent flags keep the daemon's defaults. */
export function retentionOptions(flags: RetentionFlags): {
  retention: {
    iterationsMs?: number | undefined;
    runsMs?: number | undefined;
    maxIterationsPerRun?: number | undefined;
  };
  eventBacklog: { maxRows?: number | undefined; maxAgeMs?: number | undefined };
  recordsMaxBytes?: number | undefined;
} {
  const ms = (days: number | undefined) => (days === undefined ? undefined : days * DAY_MS);
  return {
    retention: {
      iterationsMs: ms(flags.keepIterations),
      runsMs: ms(flags.keepRuns),
      maxIterationsPerRun: flags.maxIterationsPerRun,
    },
    eventBacklog: { maxRows: flags.maxEvents, maxAgeMs: ms(flags.keepEvents) },
    recordsMaxBytes:
      flags.maxRecordsMb === undefined ? undefined : flags.maxRecordsMb * 1024 * 1024,
  };
}
