// The Dockerfile and Compose file `license-release docker` writes next to a build, and the check
// for a Docker engine (the files are useful without one: build the image where Docker runs).
import { spawnSync } from "node:child_process";

export type DockerState =
  | { state: "missing"; message: string }
  | { state: "no-engine"; message: string; client: string }
  | { state: "ready"; message: string; client: string; server: string };

export function detectDocker(env: Record<string, string | undefined> = process.env): DockerState {
  const run = (args: string[]) =>
    spawnSync(env.LICENSE_RELEASE_DOCKER ?? "docker", args, {
      encoding: "utf8",
      timeout: 10_000,
      env: { ...process.env, ...env },
    });
  const client = run(["version", "--format", "{{.Client.Version}}"]);
  if (client.error || (client.status !== 0 && !client.stdout.trim()))
    return {
      state: "missing",
      message: "docker is not installed here: the files are written; build the image where Docker runs",
    };
  const clientVersion = client.stdout.trim().split("\n")[0] ?? "";
  const server = run(["version", "--format", "{{.Server.Version}}"]);
  if (server.status !== 0 || !server.stdout.trim())
    return {
      state: "no-engine",
      client: clientVersion,
      message: `the Docker client ${clientVersion} is here but no engine answers: the files are written; run the build where an engine runs`,
    };
  return {
    state: "ready",
    client: clientVersion,
    server: server.stdout.trim(),
    message: `Docker ${server.stdout.trim()} is ready`,
  };
}

export function dockerfile(nodeMajor: string, version: string): string {
  return `# The license server, from a folder made by \`license-release build\` (${version}). better-sqlite3 in
# node_modules is native code built for Linux/glibc and Node ${nodeMajor}: keep this base image's
# Node major version and libc, and build the folder on the same CPU architecture.
FROM node:${nodeMajor}-bookworm-slim
ENV NODE_ENV=production \\
    HOST=0.0.0.0 \\
    DATA_DIR=/data \\
    NEXT_TELEMETRY_DISABLED=1
WORKDIR /app
COPY --chown=node:node . /app
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
# web app, gRPC sidecar, the sidecar's /metrics
EXPOSE 3000 50051 9464
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s \\
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/api/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# the launcher forwards SIGTERM to both servers and waits for them
CMD ["node", "bin/start.mjs"]
`;
}

export const DOCKERIGNORE = `Dockerfile
compose.yaml
.dockerignore
*.tar.gz
`;

/**
 * App, sidecar, PostgreSQL and Prometheus. The app runs the first-run steps (migrations, first
 * admin, signing key); the sidecar starts once the app is healthy. Both share the secrets.
 */
export function composeFile(version: string): string {
  return `# license-server ${version}: web app, gRPC sidecar, PostgreSQL, Prometheus.
#   ENCRYPTION_KEY=$(openssl rand -hex 32) JWT_SECRET=$(openssl rand -hex 32) \\
#   LICENSE_SERVER_ADMIN_PASSWORD=... docker compose up -d
# Keep ENCRYPTION_KEY: signing keys, TOTP secrets and backups are sealed with it.
# The ports are plaintext and published on 127.0.0.1 only: put a TLS-terminating proxy in front
# (the source's deployment/nginx/license-server.conf) or give the sidecar GRPC_TLS_CERT_FILE/KEY_FILE.
x-server-env: &server-env
  DATABASE_URL: postgresql://license:\${POSTGRES_PASSWORD:-license}@postgres:5432/license
  ENCRYPTION_KEY: \${ENCRYPTION_KEY:?set ENCRYPTION_KEY (openssl rand -hex 32)}
  JWT_SECRET: \${JWT_SECRET:?set JWT_SECRET (openssl rand -hex 32)}
  LICENSE_SERVER_ADMIN_EMAIL: \${LICENSE_SERVER_ADMIN_EMAIL:-admin@localhost}
  LICENSE_SERVER_ADMIN_PASSWORD: \${LICENSE_SERVER_ADMIN_PASSWORD:-}
  HOST: 0.0.0.0
  GRPC_HOST: 0.0.0.0
  LOG_LEVEL: info

services:
  app:
    build: .
    image: license-server:${version}
    command: ["node", "bin/start.mjs", "--only", "web"]
    environment:
      <<: *server-env
      BACKUP_DIR: /data/backups
    ports: ["127.0.0.1:3000:3000"]
    volumes: ["app-data:/data"]
    depends_on:
      postgres: { condition: service_healthy }
    restart: unless-stopped

  gateway:
    image: license-server:${version}
    command: ["node", "bin/start.mjs", "--only", "gateway"]
    environment:
      <<: *server-env
      GRPC_METRICS_PORT: "9464"
      BACKUP_SCHEDULE: \${BACKUP_SCHEDULE:-0 2 * * *}
      BACKUP_RETENTION: \${BACKUP_RETENTION:-14}
      BACKUP_DIR: /data/backups
    ports: ["127.0.0.1:50051:50051"]
    volumes: ["gateway-data:/data"]
    depends_on:
      app: { condition: service_healthy }
    healthcheck:
      test: ["CMD", "node", "-e", "fetch('http://127.0.0.1:9464/metrics').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
      interval: 15s
    restart: unless-stopped

  postgres:
    image: postgres:16-bookworm
    environment:
      POSTGRES_DB: license
      POSTGRES_USER: license
      POSTGRES_PASSWORD: \${POSTGRES_PASSWORD:-license}
    volumes: ["postgres-data:/var/lib/postgresql/data"]
    healthcheck:
      test: ["CMD-SHELL", "pg_isready -U license -d license"]
      interval: 5s
      retries: 20
    restart: unless-stopped

  prometheus:
    image: prom/prometheus:v2.53.0
    command: ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.retention.time=30d"]
    volumes:
      - ./prometheus:/etc/prometheus:ro
      - prometheus-data:/prometheus
    ports: ["127.0.0.1:9090:9090"]
    restart: unless-stopped

volumes:
  app-data:
  gateway-data:
  postgres-data:
  prometheus-data:
`;
}
