/**
 * `value` typed as possibly unset: for afterAll hooks, where a beforeAll that failed half-way left
 * some of the suite's `let` variables unassigned (TypeScript types them as always set).
 */
export function maybeSet<T>(value: T): T | undefined {
  return value;
}
