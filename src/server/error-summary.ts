/**
 * One line saying what went wrong, without a stack trace: the first line of the message, or for
 * Prisma's errors (which start with "Invalid `prisma.x()` invocation:" and a code frame) the last.
 */
export function errorSummary(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const lines = message
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "");
  const prisma = error instanceof Error && error.name.startsWith("PrismaClient");
  return (prisma ? lines.at(-1) : lines[0]) ?? (error instanceof Error ? error.name : "unknown error");
}
