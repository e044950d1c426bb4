import { pino, type Logger } from "pino";

export type { Logger };

/** Fields that never reach a log line, wherever they appear in a logged object. */
export const REDACTED_PATHS = [
  "password",
  "newPassword",
  "currentPassword",
  "passwordHash",
  "token",
  "totp",
  "secret",
  "apiKey",
  "key",
  "licenseKey",
  "authorization",
  "cookie",
  "jwtSecret",
  "encryptionKey",
  "privateKey",
  "*.password",
  "*.newPassword",
  "*.passwordHash",
  "*.token",
  "*.totp",
  "*.secret",
  "*.apiKey",
  "*.licenseKey",
  "*.authorization",
  "*.cookie",
  "*.jwtSecret",
  "*.encryptionKey",
  "*.privateKey",
  "req.headers.authorization",
  "req.headers.cookie",
];

export function createLogger(
  options: { level?: string; name?: string } = {},
  destination?: pino.DestinationStream,
): Logger {
  return pino(
    {
      level: options.level ?? "info",
      name: options.name,
      redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
