// The README.md of a server build: where it came from, what it runs on, how to start its parts.
import type { VersionInfo } from "./version-info.ts";

export function buildReadme(info: VersionInfo): string {
  return `# ${info.name} ${info.version}

Built ${info.builtAt} from ${info.commit ?? "an unknown commit"}${info.dirty ? " (with uncommitted changes)" : ""} with Node ${info.node}.

Runs with Node.js ${info.node.split(".")[0]} on the same OS and CPU architecture as the build (better-sqlite3 is native code).

    node bin/start.mjs                 # web app + gRPC sidecar (what npm start does), first run included
    node bin/admin.mjs --help          # migrate, create-admin, reset-password, rotate-signing-key, backup, restore, verify-audit
    node server.js                     # the web app alone (HOSTNAME, PORT)
    node bin/gateway.mjs               # the gRPC sidecar alone

Configuration: the same environment variables as the repository's README (DATA_DIR, DATABASE_URL,
HOST, PORT, GRPC_PORT, ENCRYPTION_KEY, ...). \`license-release docker\` writes a Dockerfile and a
Compose file for this folder.
`;
}
