import type { Static, TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import {
  MESSAGE_SCHEMAS,
  RunnerMessage as RunnerMessageSchema,
  SupervisorMessage as SupervisorMessageSchema,
  type RunnerMessage,
  type SupervisorMessage,
} from './schema.js';

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

/**
 * Compiles a TypeBox schema into a fast validator. On failure it reports the JSON pointer
 * of the first bad field (`/iteration`) and what was expected there.
 */
export function compileValidator<S extends TSchema>(schema: S): Validator<Static<S>> {
  const check = TypeCompiler.Compile(schema);
  return (value) => {
    if (check.Check(value)) {
      return { ok: true, value };
    }
    const first = check.Errors(value).First();
    return {
      ok: false,
      path: first?.path === '' || first === undefined ? '/' : first.path,
      message: first?.message ?? 'does not match the schema',
    };
  };
}

/**
 * Builds a validator for a union of messages discriminated by `type`: the message type is
 * looked up first, so an error names the field of *that* message rather than the union.
 */
function compileMessageValidator<T>(types: readonly string[]): Validator<T> {
  // Compiled on first use of each type: a runner that only ever sees init and stop does not
  // pay at start-up for compiling every message of the protocol.
  const compiled = new Map<string, Validator<unknown>>();
  const byType = {
    get(type: string): Validator<unknown> | undefined {
      if (!types.includes(type)) {
        return undefined;
      }
      let validator = compiled.get(type);
      if (validator === undefined) {
        validator = compileValidator(MESSAGE_SCHEMAS[type]);
        compiled.set(type, validator);
      }
      return validator;
    },
  };
  const known = types.join(', ');
  return (value) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return { ok: false, path: '/', message: `expected a message object, got ${describe(value)}` };
    }
    const type = (value as { type?: unknown }).type;
    const validator = typeof type === 'string' ? byType.get(type) : undefined;
    if (validator === undefined) {
      return {
        ok: false,
        path: '/type',
        message: `unknown message type ${JSON.stringify(type)}; expected one of ${known}`,
        unknownType: true,
      };
    }
    return validator(value) as Validation<T>;
  };
}

/** Validates messages a runner receives (`init`, `stop`). */
export const validateSupervisorMessage: Validator<SupervisorMessage> = compileMessageValidator(
  SupervisorMessageSchema.anyOf.map((schema) => schema.properties.type.const),
);

/** Validates messages a supervisor receives (`ready`, `iteration_done`, `exit`, …). */
export const validateRunnerMessage: Validator<RunnerMessage> = compileMessageValidator(
  RunnerMessageSchema.anyOf.map((schema) => schema.properties.type.const),
);

export function describe(value: unknown): string {
  if (value === null) {
    return 'null';
  }
  if (Array.isArray(value)) {
    return 'an array';
  }
  return typeof value === 'string' ? `string ${JSON.stringify(value.slice(0, 40))}` : typeof value;
}
