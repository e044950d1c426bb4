import { expect } from "vitest";
import { DomainError, type DomainErrorCode } from "../../src/server/core/errors.ts";

/** Awaits `promise` and asserts it failed with a DomainError of `code`; returns the error. */
export async function expectDomainError(
  promise: Promise<unknown>,
  code: DomainErrorCode,
): Promise<DomainError> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  expect(caught, `expected ${code}, got success`).toBeInstanceOf(DomainError);
  const error = caught as DomainError;
  expect(error.code, error.message).toBe(code);
  return error;
}
