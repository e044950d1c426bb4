// The monitoring files in deployment/ agree with the metrics the servers export: every series an
// alert rule or a dashboard panel reads exists; Prometheus' own checker accepts the files (skipped
// when promtool is not installed, Debian: apt-get install prometheus; CI=true requires it).
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { serverMetrics } from "../../src/server/metrics.ts";
import { missingTools, toolPath } from "../support/system-tools.ts";

const deployment = join(import.meta.dirname, "..", "..", "deployment");
const read = (path: string) => readFileSync(join(deployment, path), "utf8");

/** Metric names in PromQL expressions (histogram suffixes folded into their family). */
function metricNames(text: string): string[] {
  const names = new Set<string>();
  for (const match of text.matchAll(/\b((?:license_server|process|nodejs)_[a-z0-9_]+)/g)) {
    names.add((match[1] ?? "").replace(/_(bucket|sum|count)$/, ""));
  }
  return [...names];
}

describe("deployment monitoring", () => {
  const exported = new Set(
    serverMetrics("web")
      .registry.getMetricsAsArray()
      .map((m) => m.name),
  );

  it("alert rules and the dashboard read only series the servers export", () => {
    const dashboard = JSON.parse(read("grafana/dashboards/license-server.json")) as {
      panels: { targets?: { expr: string }[] }[];
    };
    const expressions = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr)).join("\n");
    const used = [...metricNames(read("prometheus/alerts.yml")), ...metricNames(expressions)];
    expect(used.length).toBeGreaterThan(10);
    for (const name of used) expect(exported.has(name), name).toBe(true);
    // the issues' alerts: licenses expiring, dead sessions, error rate, a growing webhook queue
    const alerts = read("prometheus/alerts.yml");
    for (const alert of [
      "LicensesExpiringSoon",
      "DeadSessionsPiling",
      "LicensingErrorRateHigh",
      "WebApiErrorRateHigh",
      "WebhookQueueGrowing",
    ])
      expect(alerts).toContain(`alert: ${alert}`);
  });

  it.skipIf(missingTools("promtool"))("Prometheus accepts the scrape configuration and the rules", () => {
    const promtool = toolPath("promtool");
    const config = spawnSync(promtool, ["check", "config", "prometheus/prometheus.yml"], {
      cwd: deployment,
      encoding: "utf8",
    });
    expect(config.status, config.stdout + config.stderr).toBe(0);
    const rules = spawnSync(promtool, ["check", "rules", "prometheus/alerts.yml"], {
      cwd: deployment,
      encoding: "utf8",
    });
    expect(rules.status, rules.stdout + rules.stderr).toBe(0);
  });

  it("compose runs the app, the gateway, PostgreSQL and Prometheus from the Dockerfile", () => {
    const compose = read("compose.yaml");
    for (const service of ["app", "gateway", "postgres", "prometheus"])
      expect(compose).toMatch(new RegExp(`^  ${service}:$`, "m"));
    expect(compose).toContain("dockerfile: deployment/Dockerfile");
    expect(read("Dockerfile")).toMatch(/license-release\.js build/);
  });
});
