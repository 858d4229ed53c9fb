import type { Static, TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { ValueErrorType, type ValueError } from '@sinclair/typebox/errors';
import type { Validator } from '@x/ipc';

/** What a refinement found wrong: the field, as a JSON pointer (`/probes/readiness/http`), and why. */
export interface ParamsRefusal {
  path: string;
  message: string;
}

/**
 * Compiles a control method's params schema into a validator whose refusals (`-32602`) name
 * the field and say what it must be. Unlike @x/ipc's `compileValidator`:
 * - in a union of objects (a probe is `{ http }` or `{ tcp }`) the error is the one of the
 *   branch the value was meant for, the one it does not miss a required property of, rather
 *   than `Expected union value`;
 * - a field whose schema has a `description` gets it in the message: for a `pattern`, in
 *   place of the regular expression (`Expected host:port with a port of 1–65535…, got
 *   "127.0.0.1:99999"`); otherwise after TypeBox's message, so that a limit says why;
 * - `refine` then checks what a JSON Schema cannot say (that a URL parses).
 * The schema is compiled on the validator's first call.
 */
export function compileParamsValidator<S extends TSchema>(
  schema: S,
  refine?: (value: Static<S>) => ParamsRefusal | undefined,
): Validator<Static<S>> {
  // Compiled on the method's first call: an idle daemon holds no generated code for the
  // methods nobody calls (issue 12: idle RSS).
  let check: TypeCheck<S> | undefined;
  return (value) => {
    check ??= TypeCompiler.Compile(schema);
    if (!check.Check(value)) {
      const first = check.Errors(value).First();
      if (first === undefined) {
        return { ok: false, path: '/', message: 'does not match the schema' };
      }
      const error = meantBranch(first);
      return { ok: false, path: error.path === '' ? '/' : error.path, message: explain(error) };
    }
    const refusal = refine?.(value);
    return refusal === undefined ? { ok: true, value } : { ok: false, ...refusal };
  };
}

/** In a union, the error of the branch the value was meant for, when that branch went deeper. */
function meantBranch(error: ValueError): ValueError {
  if (error.type !== ValueErrorType.Union || error.errors.length === 0) {
    return error;
  }
  const firsts = error.errors
    .map((branch) => branch.First())
    .filter((first): first is ValueError => first !== undefined);
  const meant = firsts
    .filter((first) => first.type !== ValueErrorType.ObjectRequiredProperty)
    .sort((a, b) => b.path.length - a.path.length)[0];
  return meant !== undefined && meant.path.length > error.path.length ? meantBranch(meant) : error;
}

function explain(error: ValueError): string {
  const description = (error.schema as { description?: unknown }).description;
  if (typeof description !== 'string') {
    return error.message;
  }
  return error.type === ValueErrorType.StringPattern
    ? `Expected ${description}, got ${shown(error.value)}`
    : `${error.message} (${description})`;
}

/** `value` for a message: JSON (NUL bytes escaped), cut at 120 characters. */
function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 120 ? `${text.slice(0, 120)}…` : text;
}
