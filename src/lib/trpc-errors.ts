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

export function errorMessage(error: unknown): string {
  if (error instanceof Error && error.message) return error.message;
  return "Something went wrong";
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
