import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/server/logger.ts";

describe("logger", () => {
  it("writes JSON and redacts secrets wherever they sit", () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = createLogger({ level: "info" }, sink);
    logger.info(
      {
        password: "hunter2-hunter2",
        user: { email: "a@b.c", passwordHash: "scrypt$x" },
        req: { headers: { authorization: "Bearer lsk_secret" } },
      },
      "login",
    );
    const entry = JSON.parse(lines[0] ?? "{}") as Record<string, unknown>;
    expect(entry.msg).toBe("login");
    const text = lines.join("");
    expect(text).not.toContain("hunter2");
    expect(text).not.toContain("scrypt$x");
    expect(text).not.toContain("lsk_secret");
    expect(text).toContain("a@b.c");
  });
});
