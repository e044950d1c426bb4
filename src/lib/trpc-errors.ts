// What the admin API's errors carry (src/server/trpc/init.ts): a message safe to show, the
// domain's code and the fields at fault.
import { TRPCClientError } from "@trpc/client";

export interface FieldIssue {
  path: string;
  message: string;
}

interface ErrorData {
  code?: string;
  httpStatus?: number;
  domainCode?: string | null;
  fields?: FieldIssue[];
}

function dataOf(error: unknown): ErrorData | undefined {
  if (error instanceof TRPCClientError) return (error.data ?? undefined) as ErrorData | undefined;
  return undefined;
}

/** Text as a sentence: its first letter upper-case ("the code is not valid" → "The code is not valid"). */
export function asSentence(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * The error's message for people: a refusal that names fields (which the form marks) loses the
 * API's field names ("expiresAt: the new expiry must be in the future" → "The new expiry must be
 * in the future"; "invalid input: seatLimit: at least 1 seat" → "Invalid input: at least 1 seat").
 */
export function errorMessage(error: unknown): string {
  if (!(error instanceof Error) || !error.message) return "Something went wrong";
  let text = error.message;
  const prefix = /^invalid input: /.exec(text)?.[0] ?? "";
  const rest = text.slice(prefix.length);
  const named = fieldIssues(error).find((field) => rest.startsWith(`${field.path}: `));
  if (named) text = `${prefix}${rest.slice(named.path.length + 2)}`;
  return asSentence(text);
}

export function fieldIssues(error: unknown): FieldIssue[] {
  return dataOf(error)?.fields ?? [];
}

export function isUnauthorized(error: unknown): boolean {
  const data = dataOf(error);
  return data?.code === "UNAUTHORIZED" || data?.httpStatus === 401;
}

export function isForbidden(error: unknown): boolean {
  return dataOf(error)?.code === "FORBIDDEN";
}

export function isNotFound(error: unknown): boolean {
  return dataOf(error)?.code === "NOT_FOUND";
}
