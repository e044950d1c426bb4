// The sign-in limits per client address, attacked through the headers: POST /api/v1/auth/login
// (the admin API's sign-in; tRPC's procedure is the same one with the same context) behind a real
// node:http server with the launcher's preload, so the socket address is real and 127.0.0.2 is a
// second real client.
import { afterAll, beforeAll, expect, it } from "vitest";
import { LoginLimiter } from "../../src/server/auth/rate-limit.ts";
import { PEER_HEADER, type TrustProxy } from "../../src/server/client-address.ts";
import { createAdmin } from "../../src/server/core/admins/create-admin.ts";
import { handleRestRequest, handleTrpcRequest } from "../../src/server/trpc/handlers.ts";
import { describeEachDb, type TestDb } from "../support/db.ts";
import { unique } from "../support/fixtures.ts";
import { httpCall, serveFetch, type FetchServer } from "../support/peer-http.ts";
import { testServices } from "../support/admin-services.ts";

const PASSWORD = "correct horse battery";
/** Failures per address before it is blocked (the default is 20; 5 keeps each scrypt-bound test short). */
const PER_ADDRESS = 5;

function limiter(): LoginLimiter {
  return new LoginLimiter({
    perAccount: { failures: 100, windowSeconds: 900, blockSeconds: 900 },
    perAddress: { failures: PER_ADDRESS, windowSeconds: 900, blockSeconds: 900 },
  });
}

async function serveApi(db: TestDb, trust: TrustProxy): Promise<FetchServer> {
  const services = { ...testServices(db, "j".repeat(40)), limiter: limiter(), trustProxy: trust };
  return serveFetch((req) =>
    new URL(req.url).pathname.startsWith("/api/trpc")
      ? handleTrpcRequest(req, services)
      : handleRestRequest(req, services),
  );
}

function signIn(
  server: FetchServer,
  email: string,
  password: string,
  init: { headers?: Record<string, string>; localAddress?: string } = {},
) {
  return httpCall(`${server.url}/api/v1/auth/login`, { body: JSON.stringify({ email, password }), ...init });
}

describeEachDb("sign-in limits per real client address", (getDb) => {
  let email: string;
  const servers: FetchServer[] = [];
  beforeAll(async () => {
    email = `${unique("admin")}@example.com`;
    await createAdmin(getDb().ctx(), { email, role: "editor", password: PASSWORD });
  });
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.close()));
  });
  const serve = async (trust: TrustProxy) => {
    const server = await serveApi(getDb(), trust);
    servers.push(server);
    return server;
  };

  it("rotating X-Forwarded-For buys no extra guesses with the default TRUST_PROXY, and blocks no one else", async () => {
    const server = await serve(false);
    const statuses: number[] = [];
    for (let i = 0; i < PER_ADDRESS + 3; i++) {
      // another account each time (the per-account limit stays out of it), another forged origin,
      // and the victim's address (127.0.0.2) in the private socket header
      const forged = `203.0.113.${i + 1}`;
      const answer = await signIn(server, `${unique("guess")}@example.com`, "wrong-password", {
        headers: { "x-forwarded-for": forged, "x-real-ip": forged, [PEER_HEADER]: "127.0.0.2" },
      });
      statuses.push(answer.status);
    }
    expect(statuses.slice(0, PER_ADDRESS)).toEqual(Array<number>(PER_ADDRESS).fill(401));
    expect(statuses.slice(PER_ADDRESS)).toEqual([429, 429, 429]);
    // the right password from the attacker's socket is refused too: the address is blocked
    const blocked = await signIn(server, email, PASSWORD, { headers: { "x-forwarded-for": "198.51.100.1" } });
    expect(blocked.status).toBe(429);
    expect(blocked.body).toMatch(/too many failed sign-in attempts/);
    // the address the attacker named signs in
    const victim = await signIn(server, email, PASSWORD, { localAddress: "127.0.0.2" });
    expect(victim.status, victim.body).toBe(200);
    const audit = await getDb().handle.db.auditEvent.findFirstOrThrow({
      where: { action: "auth.login" },
      orderBy: { seq: "desc" },
      select: { ip: true },
    });
    expect(audit.ip).toBe("127.0.0.2");
  });

  it("behind one trusted proxy limits the client it names; forged left-most hops buy nothing", async () => {
    const server = await serve(1);
    const client = "198.51.100.9";
    const statuses: number[] = [];
    for (let i = 0; i < PER_ADDRESS + 2; i++) {
      const answer = await signIn(server, `${unique("guess")}@example.com`, "wrong-password", {
        headers: { "x-forwarded-for": `6.6.6.${i}, ${client}` },
      });
      statuses.push(answer.status);
    }
    expect(statuses.slice(0, PER_ADDRESS)).toEqual(Array<number>(PER_ADDRESS).fill(401));
    expect(statuses.slice(PER_ADDRESS)).toEqual([429, 429]);
    // the proxy's other clients sign in, and the audit names the client, not the proxy
    const other = await signIn(server, email, PASSWORD, { headers: { "x-forwarded-for": "198.51.100.10" } });
    expect(other.status, other.body).toBe(200);
    const audit = await getDb().handle.db.auditEvent.findFirstOrThrow({
      where: { action: "auth.login" },
      orderBy: { seq: "desc" },
      select: { ip: true },
    });
    expect(audit.ip).toBe("198.51.100.10");
  });

  it("counts tRPC sign-in failures against the same address", async () => {
    const server = await serve(false);
    const statuses: number[] = [];
    for (let i = 0; i < PER_ADDRESS + 1; i++) {
      const answer = await httpCall(`${server.url}/api/trpc/auth.login`, {
        body: JSON.stringify({ email: `${unique("guess")}@example.com`, password: "wrong-password" }),
        headers: { "x-forwarded-for": `203.0.113.${i + 50}` },
        localAddress: "127.0.0.3",
      });
      statuses.push(answer.status);
    }
    expect(statuses.slice(0, PER_ADDRESS)).toEqual(Array<number>(PER_ADDRESS).fill(401));
    expect(statuses[PER_ADDRESS]).toBe(429);
  });
});
