import { describe, expect, it } from 'vitest';
import { brandClass } from './class-brand.js';
import {
  CheckpointError,
  ConfigError,
  KernelError,
  TimeoutError,
  TurnTimeoutError,
} from './errors.js';

/** Two class objects of one name, as two copies of the kernel define them. */
function twoCopies() {
  class First extends Error {}
  class Second extends Error {}
  brandClass(First, 'Test');
  brandClass(Second, 'Test');
  return { First, Second };
}

describe('brandClass: instanceof across copies of the kernel', () => {
  it('an instance of one copy is instanceof the other copy, both ways', () => {
    const { First, Second } = twoCopies();
    expect(new First() instanceof Second).toBe(true);
    expect(new Second() instanceof First).toBe(true);
  });

  it('another class, a plain Error, null and primitives are not', () => {
    const { First } = twoCopies();
    class Other extends Error {}
    brandClass(Other, 'Other');
    expect(new Other() instanceof First).toBe(false);
    expect(new Error('x') instanceof First).toBe(false);
    expect((null as unknown) instanceof First).toBe(false);
    expect(('First' as unknown) instanceof First).toBe(false);
  });

  it('a subclass instance carries its parent’s brand; an unbranded subclass keeps the ordinary check', () => {
    const { First, Second } = twoCopies();
    class Child extends First {}
    expect(new Child() instanceof Second).toBe(true);
    expect(new First() instanceof Child).toBe(false);
    expect(new Child() instanceof Child).toBe(true);
  });

  it('the kernel’s errors: subclasses and parents as before', () => {
    const timeout = new TurnTimeoutError('t-1', 5);
    expect(timeout instanceof TurnTimeoutError).toBe(true);
    expect(timeout instanceof TimeoutError).toBe(true);
    expect(new TimeoutError('late', 5) instanceof TurnTimeoutError).toBe(false);
    expect(new ConfigError('no key') instanceof KernelError).toBe(false);
    expect(new CheckpointError('X_CHECKPOINT_REFUSED', 'full') instanceof CheckpointError).toBe(
      true,
    );
  });
});
