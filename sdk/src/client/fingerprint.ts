// The default machine fingerprint: a stable id of this machine, hashed with the product code so
// that two vendors' products on one machine see unrelated values. Containers and VMs cloned
// from one image share a machine id: give those a fingerprint of your own.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { hostname } from "node:os";

function readFirst(paths: string[]): string | null {
  for (const path of paths) {
    try {
      const value = readFileSync(path, "utf8").trim();
      if (value) return value;
    } catch {
      // try the next
    }
  }
  return null;
}

/** The platform's machine id, or null when none can be read. */
export function machineId(): string | null {
  try {
    switch (process.platform) {
      case "linux":
        return readFirst(["/etc/machine-id", "/var/lib/dbus/machine-id"]);
      case "darwin": {
        const out = execFileSync("ioreg", ["-rd1", "-c", "IOPlatformExpertDevice"], { encoding: "utf8" });
        return /"IOPlatformUUID" = "([^"]+)"/.exec(out)?.[1] ?? null;
      }
      case "win32": {
        const out = execFileSync(
          "reg",
          ["query", "HKLM\\SOFTWARE\\Microsoft\\Cryptography", "/v", "MachineGuid"],
          { encoding: "utf8" },
        );
        return /MachineGuid\s+REG_SZ\s+(\S+)/.exec(out)?.[1] ?? null;
      }
      default:
        return readFirst(["/etc/hostid", "/etc/machine-id"]);
    }
  } catch {
    return null;
  }
}

/** SHA-256 (hex) of the machine id (the host name when there is none) and the product code. */
export function defaultFingerprint(productCode: string): string {
  const id = machineId() ?? `host:${hostname()}`;
  return createHash("sha256").update(`${productCode}\0${id}`).digest("hex");
}
