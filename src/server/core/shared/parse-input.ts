import type { z } from "zod";
import { invalidArgument } from "../errors.ts";

/** Parses an operation's input; failures become INVALID_ARGUMENT naming every bad field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const fields = result.error.issues.map((issue) => ({
    path: issue.path.map(String).join(".") || "(input)",
    message: issue.message,
  }));
  const first = fields[0];
  const summary = first ? `${first.path}: ${first.message}` : "invalid input";
  throw invalidArgument(
    `invalid input: ${summary}${fields.length > 1 ? ` (and ${fields.length - 1} more)` : ""}`,
    fields,
  );
}
