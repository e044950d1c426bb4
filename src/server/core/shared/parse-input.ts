import type { z } from "zod";
import { invalidArgument, type DomainError } from "../errors.ts";

/** Parses an operation's input; failures become INVALID_ARGUMENT naming every bad field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw invalidInput(result.error);
}

/** INVALID_ARGUMENT for a Zod error: "invalid input: <first field>: <message> (and N more)". */
export function invalidInput(error: z.ZodError): DomainError {
  const fields = error.issues.map((issue) => ({
    path: issue.path.map(String).join(".") || "(input)",
    message: issue.message,
  }));
  const first = fields[0];
  const summary = first ? `${first.path}: ${first.message}` : "invalid input";
  return invalidArgument(
    `invalid input: ${summary}${fields.length > 1 ? ` (and ${fields.length - 1} more)` : ""}`,
    fields,
  );
}
