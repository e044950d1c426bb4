// End to end through the real launcher (`npm start`) and the built Next app: the preload stamps
// the socket address, so rotating X-Forwarded-For and forging the private socket header buy
// nothing on the REST twin, the admin API's sign-in or the web sign-in (next-auth), and the address
// an attacker names (127.0.0.2, a second real client on loopback) is not blocked.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../../scripts/lib/launcher.ts";
import { PEER_HEADER } from "../../src/server/client-address.ts";
import { httpCall, type HttpAnswer } from "../support/peer-http.ts";
import { cleanEnv, LauncherProcess } from "./launcher-process.ts";

/** Enough for a `next build` on a busy 2-core machine plus the start. */
const BOOT_TIMEOUT_MS = 240_000;
const EMAIL = "owner@example.com";
const PASSWORD = "correct horse battery staple";

const runs: LauncherProcess[] = [];
const dirs: string[] = [];
afterAll(async () => {
  for (const run of runs) {
    run.child.kill("SIGINT");
    await run.waitForExit(30_000).catch(() => {
      run.kill();
    });
  }
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const forged = (i: number) => {
  const address = `203.0.113.${i + 1}`;
  return { "x-forwarded-for": address, "x-real-ip": address, [PEER_HEADER]: "127.0.0.2" };
};

/** next-auth's credentials sign-in; true when it set a session cookie. */
async function webSignIn(
  base: string,
  password: string,
  init: { headers?: Record<string, string>; localAddress?: string },
): Promise<boolean> {
  const csrf = await httpCall(`${base}/api/auth/csrf`, { method: "GET", ...init });
  const { csrfToken } = JSON.parse(csrf.body) as { csrfToken: string };
  const cookies = (csrf.headers["set-cookie"] ?? []).map((c) => c.split(";")[0]).join("; ");
  const answer = await httpCall(`${base}/api/auth/callback/credentials`, {
    body: new URLSearchParams({ csrfToken, email: EMAIL, password, json: "true" }).toString(),
    ...init,
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookies, ...init.headers },
  });
  return (answer.headers["set-cookie"] ?? []).some((c) => c.startsWith("next-auth.session-token="));
}

describe("client addresses through npm start", () => {
  it(
    "default TRUST_PROXY: forged headers buy nothing on the REST twin and sign-in, and block no one else",
    async () => {
      const dataDir = mkdtempSync(join(tmpdir(), "ls-addr-"));
      dirs.push(dataDir);
      const [port, grpcPort] = [await freePort(), await freePort()];
      const run = new LauncherProcess({
        ...cleanEnv(),
        LOG_LEVEL: "info",
        DATA_DIR: dataDir,
        PORT: String(port),
        GRPC_PORT: String(grpcPort),
        GRPC_METRICS_PORT: "0",
        CLIENT_RATE_LIMIT_PER_PEER: "5",
        LICENSE_SERVER_ADMIN_EMAIL: EMAIL,
        LICENSE_SERVER_ADMIN_PASSWORD: PASSWORD,
      });
      runs.push(run);
      await run.waitForLog((l) => l.name === "launcher" && l.msg === "ready", BOOT_TIMEOUT_MS);
      const base = `http://127.0.0.1:${port}`;

      // the REST twin: 20 calls, 20 forged origins, 5 answered
      const twin: number[] = [];
      for (let i = 0; i < 20; i++) {
        const answer = await httpCall(`${base}/api/v1/client/get-public-keys`, {
          body: JSON.stringify({ nonce: randomBytes(16).toString("base64") }),
          headers: forged(i),
        });
        twin.push(answer.status);
      }
      expect(twin.slice(0, 5).every((s) => s !== 429)).toBe(true);
      expect(twin.slice(5)).toEqual(Array<number>(15).fill(429));
      const victimTwin = await httpCall(`${base}/api/v1/client/get-public-keys`, {
        body: JSON.stringify({ nonce: randomBytes(16).toString("base64") }),
        localAddress: "127.0.0.2",
      });
      expect(victimTwin.status).not.toBe(429);

      // the admin API's sign-in: the default 20 failures per address, whatever the headers say
      const signIns: HttpAnswer[] = [];
      for (let i = 0; i < 22; i++) {
        signIns.push(
          await httpCall(`${base}/api/v1/auth/login`, {
            body: JSON.stringify({ email: `guess-${i}@example.com`, password: "wrong-password" }),
            headers: forged(i),
          }),
        );
      }
      expect(signIns.slice(0, 20).map((a) => a.status)).toEqual(Array<number>(20).fill(401));
      expect(signIns.slice(20).map((a) => a.status)).toEqual([429, 429]);
      // the web sign-in (next-auth) counts the same address: the right password is refused now
      expect(await webSignIn(base, PASSWORD, { headers: forged(30) })).toBe(false);
      // the address the attacker named signs in on both
      const victim = await httpCall(`${base}/api/v1/auth/login`, {
        body: JSON.stringify({ email: EMAIL, password: PASSWORD }),
        localAddress: "127.0.0.2",
      });
      expect(victim.status, victim.body).toBe(200);
      expect(await webSignIn(base, PASSWORD, { localAddress: "127.0.0.2" })).toBe(true);
    },
    BOOT_TIMEOUT_MS + 120_000,
  );
});
