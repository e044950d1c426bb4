// A real OpenLDAP server for one test file: its own directory, database and loopback port, with a
// fixed set of people and groups (SLAPD_PEOPLE, SLAPD_GROUPS). Needs Debian's slapd (and openssl
// for TLS): apt-get install -y slapd ldap-utils openssl. Without them the suites skip themselves
// (describe.skipIf(slapdMissing())); stopSlapd() is for their afterAll, also when none started.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "ldapts";
import { missingTools, toolPath } from "./system-tools.ts";

/** Why startSlapd(options) cannot run here (the missing package and how to install it), or null. */
export function slapdMissing(options: { tls?: boolean } = {}): string | null {
  return missingTools("slapd", "slapadd", ...(options.tls === true ? (["openssl"] as const) : []));
}

/** Stops a directory if one was started: an afterAll whose beforeAll was skipped or failed has none. */
export async function stopSlapd(slapd: Slapd | undefined): Promise<void> {
  await slapd?.stop();
}

export const SLAPD_BASE_DN = "dc=example,dc=com";
export const SLAPD_PEOPLE_DN = `ou=people,${SLAPD_BASE_DN}`;
export const SLAPD_GROUPS_DN = `ou=groups,${SLAPD_BASE_DN}`;

interface Person {
  uid: string;
  /** the uid as it appears in the DN (RFC 4514 escaped) */
  rdnValue: string;
  cn: string;
  mail: string;
  password: string;
}

const person = (uid: string, cn: string, mail: string, rdnValue = uid): Person => ({
  uid,
  rdnValue,
  cn,
  mail,
  password: `${uid}-Secret-1`,
});

export const SLAPD_PEOPLE = {
  alice: person("alice", "Alice Admin", "alice@example.com"),
  /** in no group */
  bob: person("bob", "Bob Nogroup", "bob@example.com"),
  carol: person("carol", "Carol Editor", "carol@example.com"),
  /** a uid with filter (`*()\`), DN (`,+\`) and replacement-pattern (`$&`) characters */
  odd: person("o*(x),y+z\\w$&", "Odd Name", "odd@example.com", "o*(x)\\2Cy\\2Bz\\5Cw$&"),
  /** eve and frank share a mail address: signing in with it is ambiguous */
  eve: person("eve", "Eve Shared", "shared@example.com"),
  frank: person("frank", "Frank Shared", "shared@example.com"),
  /** an entry without a mail attribute */
  nomail: person("nomail", "No Mail", ""),
} as const;

export const personDn = (p: Person) => `uid=${p.rdnValue},${SLAPD_PEOPLE_DN}`;

export const SLAPD_GROUPS = {
  admins: { cn: "license-admins", members: [SLAPD_PEOPLE.alice] },
  editors: { cn: "license-editors", members: [SLAPD_PEOPLE.alice, SLAPD_PEOPLE.carol, SLAPD_PEOPLE.odd] },
} as const;

export const groupDn = (cn: string) => `cn=${cn},${SLAPD_GROUPS_DN}`;

export interface Slapd {
  url: string;
  port: number;
  baseDn: string;
  adminDn: string;
  adminPassword: string;
  /** a service account outside ou=people that may read everything */
  serviceDn: string;
  servicePassword: string;
  /** with { tls: true }: the self-signed certificate (CN localhost, IP 127.0.0.1) slapd serves */
  caFile: string | null;
  /** with { tls: true }: this server at 127.0.0.2, which its certificate does not name */
  unnamedUrl: string | null;
  dir: string;
  stop(): Promise<void>;
}

function ldif(servicePassword: string): string {
  const entries: string[] = [
    `dn: ${SLAPD_BASE_DN}\nobjectClass: dcObject\nobjectClass: organization\ndc: example\no: Example`,
    `dn: ${SLAPD_PEOPLE_DN}\nobjectClass: organizationalUnit\nou: people`,
    `dn: ${SLAPD_GROUPS_DN}\nobjectClass: organizationalUnit\nou: groups`,
    `dn: cn=svc,${SLAPD_BASE_DN}\nobjectClass: organizationalRole\nobjectClass: simpleSecurityObject\n` +
      `cn: svc\nuserPassword: ${servicePassword}`,
  ];
  for (const p of Object.values(SLAPD_PEOPLE)) {
    const lines = [
      `dn: ${personDn(p)}`,
      "objectClass: inetOrgPerson",
      `uid: ${p.uid}`,
      `cn: ${p.cn}`,
      `sn: ${p.cn.split(" ").at(-1) ?? p.cn}`,
      ...(p.mail ? [`mail: ${p.mail}`] : []),
      `userPassword: ${p.password}`,
    ];
    entries.push(lines.join("\n"));
  }
  for (const group of Object.values(SLAPD_GROUPS)) {
    entries.push(
      [
        `dn: ${groupDn(group.cn)}`,
        "objectClass: groupOfNames",
        `cn: ${group.cn}`,
        ...group.members.map((member) => `member: ${personDn(member)}`),
      ].join("\n"),
    );
  }
  return `${entries.join("\n\n")}\n`;
}

function slapdConf(dir: string, adminPassword: string, tls: boolean): string {
  return [
    ...["core", "cosine", "inetorgperson", "nis"].map(
      (schema) => `include /etc/ldap/schema/${schema}.schema`,
    ),
    "modulepath /usr/lib/ldap",
    "moduleload back_mdb",
    `pidfile ${join(dir, "slapd.pid")}`,
    // like Active Directory, accept a bind with a DN and no password as anonymous, so the tests show
    // that sign-in never relies on the directory to refuse one
    "allow bind_anon_dn",
    ...(tls
      ? [
          `TLSCACertificateFile ${join(dir, "cert.pem")}`,
          `TLSCertificateFile ${join(dir, "cert.pem")}`,
          `TLSCertificateKeyFile ${join(dir, "key.pem")}`,
        ]
      : []),
    "database mdb",
    `suffix "${SLAPD_BASE_DN}"`,
    `rootdn "cn=admin,${SLAPD_BASE_DN}"`,
    `rootpw ${adminPassword}`,
    `directory ${join(dir, "db")}`,
    "maxsize 10485760",
    "",
  ].join("\n");
}

/** Runs a program to its exit; slapd daemonizes, so this waits for the exit, not for stdio to close. */
function run(command: string, args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("error", reject);
    child.once("exit", (code) => {
      child.stdout.destroy();
      child.stderr.destroy();
      resolve({ code, output });
    });
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => {
        resolve(port);
      });
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function isRunning(pid: number): boolean {
  try {
    // a zombie (nobody reaped it yet) counts as gone
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return false;
  }
}

function readPid(dir: string): number | null {
  try {
    const pid = Number(readFileSync(join(dir, "slapd.pid"), "utf8").trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

async function waitForBind(url: string, dn: string, password: string): Promise<void> {
  const until = Date.now() + 10_000;
  for (;;) {
    const client = new Client({ url, timeout: 1000, connectTimeout: 1000 });
    try {
      await client.bind(dn, password);
      return;
    } catch (error) {
      if (Date.now() > until) throw new Error(`slapd at ${url} does not accept binds`, { cause: error });
    } finally {
      await client.unbind().catch(() => undefined);
    }
    await sleep(50);
  }
}

export async function startSlapd(options: { tls?: boolean } = {}): Promise<Slapd> {
  const missing = slapdMissing(options);
  if (missing !== null) throw new Error(`OpenLDAP cannot be started: ${missing}`);
  const tls = options.tls === true;
  const [slapdPath, slapaddPath] = [toolPath("slapd"), toolPath("slapadd")];

  const dir = mkdtempSync(join(tmpdir(), "ls-slapd-"));
  const adminDn = `cn=admin,${SLAPD_BASE_DN}`;
  const adminPassword = "admin-Secret-1";
  const serviceDn = `cn=svc,${SLAPD_BASE_DN}`;
  const servicePassword = "svc-Secret-1";
  const conf = join(dir, "slapd.conf");
  let pid: number | null = null;

  const kill = () => {
    pid ??= readPid(dir);
    if (pid !== null && isRunning(pid)) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  // a test file that crashes before afterAll must not leave a daemon behind
  process.once("exit", kill);

  try {
    mkdirSync(join(dir, "db"));
    if (tls) {
      const cert = await run(toolPath("openssl"), [
        ...["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost"],
        ...["-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem")],
        ...["-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
        ...["-addext", "basicConstraints=critical,CA:TRUE"],
      ]);
      if (cert.code !== 0) throw new Error(`openssl failed: ${cert.output}`);
    }
    writeFileSync(conf, slapdConf(dir, adminPassword, tls));
    writeFileSync(join(dir, "data.ldif"), ldif(servicePassword));
    const load = await run(slapaddPath, ["-f", conf, "-l", join(dir, "data.ldif")]);
    if (load.code !== 0) throw new Error(`slapadd failed (${load.code}): ${load.output}`);

    // the port is free when asked; another process may take it before slapd binds, so retry
    let port = 0;
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      // with TLS, also on 127.0.0.2: an address the certificate does not name
      const listen = `ldap://127.0.0.1:${port}/${tls ? ` ldap://127.0.0.2:${port}/` : ""}`;
      const started = await run(slapdPath, ["-f", conf, "-h", listen]);
      if (started.code === 0) break;
      if (attempt >= 5) throw new Error(`slapd did not start (exit ${started.code}): ${started.output}`);
    }
    const url = `ldap://127.0.0.1:${port}`;
    await waitForBind(url, adminDn, adminPassword);
    pid = readPid(dir);

    return {
      url,
      port,
      baseDn: SLAPD_BASE_DN,
      adminDn,
      adminPassword,
      serviceDn,
      servicePassword,
      caFile: tls ? join(dir, "cert.pem") : null,
      unnamedUrl: tls ? `ldap://127.0.0.2:${port}` : null,
      dir,
      async stop() {
        process.removeListener("exit", kill);
        pid ??= readPid(dir);
        if (pid !== null) {
          try {
            process.kill(pid, "SIGTERM");
          } catch {
            // already gone
          }
          const until = Date.now() + 5000;
          while (isRunning(pid) && Date.now() < until) await sleep(25);
          if (isRunning(pid)) process.kill(pid, "SIGKILL");
        }
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    process.removeListener("exit", kill);
    kill();
    throw error;
  }
}
