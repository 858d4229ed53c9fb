import { createRequire } from 'node:module';
import type { TSchema } from '@sinclair/typebox';
import type * as TypeBoxErrors from '@sinclair/typebox/errors';
import {
  RUNNER_MESSAGE_CHECKS,
  SUPERVISOR_MESSAGE_CHECKS,
  type MessageCheck,
} from './message-checks.js';
import type { RunnerMessage, SupervisorMessage } from './schema.js';

export { compileValidator } from './compile-validator.js';

/** Result of validating an unknown value against a schema. */
export type Validation<T> =
  | { readonly ok: true; readonly value: T }
  | {
      readonly ok: false;
      readonly path: string;
      readonly message: string;
      /** Set by message validators when `type` names no message of this direction. */
      readonly unknownType?: true;
    };

/** A compiled validator: checks a value and names the first offending field. */
export type Validator<T> = (value: unknown) => Validation<T>;

let typeboxErrors: typeof TypeBoxErrors | undefined;

/**
 * The first error TypeBox finds in `value`, as `compileValidator` reports it. TypeBox is
 * required (its CommonJS build, synchronously) on the first invalid message only: a runner
 * validates with the generated checks and never loads it otherwise. Resolved from this
 * module's URL, so a bundle that inlines @x/ipc needs @sinclair/typebox as a dependency of its
 * own package (@x/cli has it for dist/runner.mjs).
 */
function firstError(schema: TSchema, value: unknown): { path: string; message: string } {
  typeboxErrors ??= createRequire(import.meta.url)(
    '@sinclair/typebox/errors',
  ) as typeof TypeBoxErrors;
  const first = typeboxErrors.Errors(schema, [], value).First();
  return {
    path: first?.path === '' || first === undefined ? '/' : first.path,
    message: first?.message ?? 'does not match the schema',
  };
}

/**
 * Builds a validator for a union of messages discriminated by `type`: the message type is
 * looked up first, so an error names the field of *that* message rather than the union.
 * The checks are generated from `schema.ts` at build time (`message-checks.ts`), so nothing
 * is compiled when a runner starts.
 */
function messageValidator<T>(byType: Readonly<Record<string, MessageCheck>>): Validator<T> {
  const checks = new Map(Object.entries(byType));
  const known = [...checks.keys()].join(', ');
  return (value) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return { ok: false, path: '/', message: `expected a message object, got ${describe(value)}` };
    }
    const type = (value as { type?: unknown }).type;
    const entry = typeof type === 'string' ? checks.get(type) : undefined;
    if (entry === undefined) {
      return {
        ok: false,
        path: '/type',
        message: `unknown message type ${JSON.stringify(type)}; expected one of ${known}`,
        unknownType: true,
      };
    }
    if (entry.check(value)) {
      return { ok: true, value: value as T };
    }
    return { ok: false, ...firstError(entry.schema, value) };
  };
}

/** Validates messages a runner receives (`init`, `stop`, …). */
// Pure: a bundle that uses one direction's validator drops the other's checks.
export const validateSupervisorMessage: Validator<SupervisorMessage> =
  /* @__PURE__ */ messageValidator(SUPERVISOR_MESSAGE_CHECKS);

/** Validates messages a supervisor receives (`ready`, `iteration_done`, `exit`, …). */
export const validateRunnerMessage: Validator<RunnerMessage> =
  /* @__PURE__ */ messageValidator(RUNNER_MESSAGE_CHECKS);

export function describe(value: unknown): string {
  if (value === null) {
    return 'null';
  }
  if (Array.isArray(value)) {
    return 'an array';
  }
  return typeof value === 'string' ? `string ${JSON.stringify(value.slice(0, 40))}` : typeof value;
}
