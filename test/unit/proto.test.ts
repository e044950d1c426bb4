import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  LicenseServiceDefinition,
  StatusCode,
  ValidateResponse,
} from "../../src/generated/proto/license/v1/license.ts";
import { LICENSE_STATUS_CODES } from "../../sdk/src/index.ts";

const root = join(import.meta.dirname, "..", "..");

describe("the gRPC contract", () => {
  it("passes buf lint", () => {
    expect(() =>
      execFileSync(join(root, "node_modules/.bin/buf"), ["lint"], { cwd: join(root, "proto") }),
    ).not.toThrow();
  });

  // The contract as it stood before issue 15 (the last commit of issue 14): later versions may add
  // fields, messages, enum values and RPCs, never change or remove what clients already use.
  const BASELINE = "dd7876c";
  const hasBaseline = (() => {
    try {
      execFileSync("git", ["cat-file", "-e", `${BASELINE}^{commit}`], { cwd: root, stdio: "ignore" });
      return true;
    } catch {
      return false;
    }
  })();
  it.skipIf(!hasBaseline)(`is backward compatible with the contract at ${BASELINE} (buf breaking)`, () => {
    // buf resolves the ref with git itself: a short hash fails in some clones, the full one does not
    const baseline = execFileSync("git", ["rev-parse", `${BASELINE}^{commit}`], {
      cwd: root,
      encoding: "utf8",
    }).trim();
    expect(() =>
      execFileSync(
        join(root, "node_modules/.bin/buf"),
        ["breaking", "--against", `${join(root, ".git")}#ref=${baseline},subdir=proto`],
        { cwd: join(root, "proto"), stdio: "pipe" },
      ),
    ).not.toThrow();
  });

  it("defines the licensing RPCs and the status codes the SDK knows", () => {
    expect(LicenseServiceDefinition.fullName).toBe("license.v1.LicenseService");
    expect(Object.values(LicenseServiceDefinition.methods).map((m) => m.name)).toEqual([
      "Validate",
      "Activate",
      "Heartbeat",
      "Deactivate",
      "GetEntitlements",
      "RecordUsage",
      "GetPublicKeys",
      "StartTrial",
    ]);
    for (const code of LICENSE_STATUS_CODES) {
      expect(StatusCode[`STATUS_CODE_${code}` as keyof typeof StatusCode], code).toBeGreaterThan(0);
    }
  });

  it("round-trips a response through the wire format", () => {
    const message = ValidateResponse.fromPartial({
      status: StatusCode.STATUS_CODE_VALID,
      message: "ok",
      entitlements: [{ featureCode: "api-calls", quota: 5_000_000_000, used: 12 }],
      serverTime: new Date("2026-11-29T00:00:00.000Z"),
    });
    const decoded = ValidateResponse.decode(ValidateResponse.encode(message).finish());
    expect(decoded.status).toBe(StatusCode.STATUS_CODE_VALID);
    expect(decoded.entitlements[0]?.quota).toBe(5_000_000_000);
    expect(decoded.serverTime).toEqual(new Date("2026-11-29T00:00:00.000Z"));
  });
});
