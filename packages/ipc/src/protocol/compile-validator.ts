import type { Static, TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { Validator } from './validate.js';

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
