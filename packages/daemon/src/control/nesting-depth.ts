/**
 * Deepest nesting of objects and arrays accepted in control-method values (a turn's `input`,
 * a run's `params`): 256 levels. Deeper values parse, but cannot be stored or sent on (their
 * JSON cannot be produced: the stack runs out), so they are refused up front.
 */
export const MAX_NESTING_DEPTH = 256;

/**
 * True when `value` nests objects/arrays more than `maxDepth` levels deep (`[[1]]` is 2).
 * Iterative, so it cannot itself run out of stack; stops at the first level too deep.
 */
export function nestedDeeperThan(value: unknown, maxDepth: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop()!;
    if (typeof item !== 'object' || item === null) {
      continue;
    }
    if (depth > maxDepth) {
      return true;
    }
    for (const child of Array.isArray(item) ? item : Object.values(item)) {
      if (typeof child === 'object' && child !== null) {
        stack.push([child, depth + 1]);
      }
    }
  }
  return false;
}
