/**
 * Makes `value instanceof errorClass` true for instances made by any copy of @x/kernel, not
 * only by this one. An agent imports `@x/kernel` (its root bundle, `dist/kernel.js`) while the
 * runner that hosts it is a bundle of its own (@x/cli's `dist/runner.mjs` and
 * `dist/worker.mjs`), so the `CheckpointError` a runner rejects `ctx.checkpoint` with is
 * another class object than the one the agent imported, and plain `instanceof` said false.
 *
 * Each class gets a `Symbol.for('x.kernel.class.<name>')` brand on its prototype, which every
 * copy sets alike; an instance of a subclass carries its parents' brands through its prototype
 * chain. A subclass that is not branded itself (an agent's own `class MyError extends
 * ConfigError`) keeps the ordinary prototype check.
 * @param errorClass the class, branded in place.
 * @param name its stable name (part of the brand: never rename).
 */
export function brandClass(
  errorClass: abstract new (...args: never[]) => object,
  name: string,
): void {
  const brand = Symbol.for(`x.kernel.class.${name}`);
  const ordinary = Function.prototype[Symbol.hasInstance];
  Object.defineProperty(errorClass.prototype, brand, { value: true });
  Object.defineProperty(errorClass, Symbol.hasInstance, {
    value(this: unknown, value: unknown): boolean {
      if (this !== errorClass) {
        return ordinary.call(this, value);
      }
      return typeof value === 'object' && value !== null && brand in value;
    },
  });
}
