import type { Static, TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import type { Validator } from './validate.js';

/**
 * Compiles a TypeBox schema into a fast validator (on its first call). On failure it reports
 * the JSON pointer of the first bad field (`/iteration`) and what was expected there.
 */
export function compileValidator<S extends TSchema>(schema: S): Validator<Static<S>> {
  // Compiled on first use: a process that never validates such a value holds no generated code.
  let check: TypeCheck<S> | undefined;
  return (value) => {
    check ??= TypeCompiler.Compile(schema);
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
