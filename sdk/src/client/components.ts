// Machine components for tolerant machine matching (sdk/docs/machine-components.md): a few
// hardware and OS identifiers of this machine, each hashed with the product code and its kind, so
// the server can recognise the machine when one of them (and so its fingerprint) changes, and no
// raw serial number ever leaves the machine. Read once per process; a component that cannot be
// read is left out, never an error.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { cpus, networkInterfaces, type NetworkInterfaceInfo } from "node:os";
import { basename } from "node:path";

/** The kinds this SDK collects; the server accepts other kinds too (lower-case letters, digits, _). */
export const COMPONENT_KINDS = ["machine_id", "board", "disk", "cpu", "mac"] as const;
export type ComponentKind = (typeof COMPONENT_KINDS)[number];

/** A hashed component as ClientInfo carries it. */
export interface MachineComponent {
  kind: string;
  hash: string;
}

/** What the collector reads the machine through (the system by default; tests give their own). */
export interface ComponentProbe {
  platform: NodeJS.Platform;
  /** a file's text, or null when it cannot be read */
  readFile(path: string): string | null;
  /** the names in a directory ([] when it cannot be read) */
  list(path: string): string[];
  /** a symbolic link's target, or null */
  link(path: string): string | null;
  /** a program's standard output, or null when it failed, is missing or took too long */
  run(file: string, args: readonly string[]): string | null;
  networkInterfaces(): NodeJS.Dict<NetworkInterfaceInfo[]>;
  cpus(): { model: string }[];
}

const RUN_TIMEOUT_MS = 5000;

export const systemProbe: ComponentProbe = {
  platform: process.platform,
  readFile: (path) => {
    try {
      return readFileSync(path, "utf8");
    } catch {
      return null;
    }
  },
  list: (path) => {
    try {
      return readdirSync(path);
    } catch {
      return [];
    }
  },
  link: (path) => {
    try {
      return readlinkSync(path);
    } catch {
      return null;
    }
  },
  run: (file, args) => {
    try {
      return execFileSync(file, args, {
        encoding: "utf8",
        timeout: RUN_TIMEOUT_MS,
        windowsHide: true,
        stdio: ["ignore", "pipe", "ignore"],
      });
    } catch {
      return null;
    }
  },
  networkInterfaces,
  cpus,
};

/** hex SHA-256 of `${productCode}\0${kind}\0${value}`: what the server stores and compares */
export function hashComponent(productCode: string, kind: string, value: string): string {
  return createHash("sha256").update(`${productCode}\0${kind}\0${value}`).digest("hex");
}

/** Placeholders firmware puts where a serial should be: no identity, so left out. */
const PLACEHOLDER =
  /^(?:|0+|f+|none|null|n\/a|na|unknown|not specified|not applicable|not available|default string|system serial number|to be filled by o\.e\.m\.?|o\.e\.m\.?|0{8}-0{4}-0{4}-0{4}-0{12}|f{8}-f{4}-f{4}-f{4}-f{12})$/i;

function usable(value: string | null | undefined): string | null {
  const trimmed = value?.replace(/\0/g, "").trim() ?? "";
  return PLACEHOLDER.test(trimmed) ? null : trimmed;
}

function firstFile(probe: ComponentProbe, paths: readonly string[]): string | null {
  for (const path of paths) {
    const value = usable(probe.readFile(path));
    if (value) return value;
  }
  return null;
}

/** The raw values (kind -> value) this machine gives; never throws. */
export function collectRawComponents(
  probe: ComponentProbe = systemProbe,
): Partial<Record<ComponentKind, string>> {
  const out: Partial<Record<ComponentKind, string>> = {};
  const readers: Record<ComponentKind, () => string | null> = {
    machine_id: () => machineIdOf(probe),
    board: () => boardOf(probe),
    disk: () => diskOf(probe),
    cpu: () => cpuOf(probe),
    mac: () => macsOf(probe),
  };
  for (const kind of COMPONENT_KINDS) {
    try {
      const value = usable(readers[kind]());
      if (value) out[kind] = value;
    } catch {
      // a component that cannot be read is left out
    }
  }
  return out;
}

/** The components hashed for a product, sorted by kind. */
export function hashComponents(
  productCode: string,
  raw: Partial<Record<ComponentKind, string>>,
): MachineComponent[] {
  return Object.entries(raw)
    .filter((entry): entry is [string, string] => typeof entry[1] === "string")
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([kind, value]) => ({ kind, hash: hashComponent(productCode, kind, value) }));
}

let cachedRaw: Partial<Record<ComponentKind, string>> | undefined;
const cachedHashed = new Map<string, MachineComponent[]>();

/**
 * This machine's components hashed for a product: read once per process (the first call may run
 * a system program on macOS and Windows), hashed once per product code.
 */
export function machineComponents(productCode: string): MachineComponent[] {
  let hashed = cachedHashed.get(productCode);
  if (!hashed) {
    cachedRaw ??= collectRawComponents();
    hashed = hashComponents(productCode, cachedRaw);
    cachedHashed.set(productCode, hashed);
  }
  return hashed.map((c) => ({ ...c }));
}

/** Forgets the cached values (tests; a long-running process after a hardware change). */
export function resetMachineComponents(): void {
  cachedRaw = undefined;
  cachedHashed.clear();
}

// --- per platform --------------------------------------------------------------------------------

function machineIdOf(probe: ComponentProbe): string | null {
  switch (probe.platform) {
    case "win32": {
      const out = probe.run("reg", ["query", "HKLM\\SOFTWARE\\Microsoft\\Cryptography", "/v", "MachineGuid"]);
      return /MachineGuid\s+REG_SZ\s+(\S+)/.exec(out ?? "")?.[1] ?? null;
    }
    case "darwin":
      return null; // the board's IOPlatformUUID is the machine's id
    default:
      return firstFile(probe, ["/etc/machine-id", "/var/lib/dbus/machine-id"]);
  }
}

function boardOf(probe: ComponentProbe): string | null {
  switch (probe.platform) {
    case "darwin": {
      const out = probe.run("ioreg", ["-rd1", "-c", "IOPlatformExpertDevice"]);
      return /"IOPlatformUUID" = "([^"]+)"/.exec(out ?? "")?.[1] ?? null;
    }
    case "win32": {
      const wmic = probe.run("wmic", ["csproduct", "get", "uuid"]);
      const fromWmic = wmic
        ?.split(/\r?\n/)
        .map((l) => l.trim())
        .find((l) => l && !/^uuid$/i.test(l));
      if (usable(fromWmic)) return fromWmic ?? null;
      return probe.run("powershell.exe", [
        "-NoProfile",
        "-NonInteractive",
        "-Command",
        "(Get-CimInstance -ClassName Win32_ComputerSystemProduct).UUID",
      ]);
    }
    default:
      // both readable by root only on most distributions: left out otherwise
      return firstFile(probe, ["/sys/class/dmi/id/board_serial", "/sys/class/dmi/id/product_uuid"]);
  }
}

/** Linux block devices that are not disks of their own. */
const VIRTUAL_BLOCK = /^(?:loop|ram|zram|dm-|md|sr|fd|nbd)/;

function diskOf(probe: ComponentProbe): string | null {
  switch (probe.platform) {
    case "win32": {
      const wmic = probe.run("wmic", ["diskdrive", "where", "index=0", "get", "serialnumber"]);
      const fromWmic = wmic
        ?.split(/\r?\n/)
        .map((l) => l.trim())
        .find((l) => l && !/^serialnumber$/i.test(l));
      if (usable(fromWmic)) return fromWmic ?? null;
      return probe.run("powershell.exe", [
        "-NoProfile",
        "-NonInteractive",
        "-Command",
        "(Get-CimInstance -ClassName Win32_DiskDrive -Filter 'Index=0').SerialNumber",
      ]);
    }
    case "darwin":
      return null;
    default: {
      // the disk holding / first, then the other physical disks by name
      const root = rootDisk(probe);
      const disks = probe
        .list("/sys/block")
        .filter((d) => !VIRTUAL_BLOCK.test(d))
        .sort();
      for (const disk of root ? [root, ...disks.filter((d) => d !== root)] : disks) {
        const serial = firstFile(probe, [
          `/sys/block/${disk}/device/serial`,
          `/sys/block/${disk}/serial`,
          `/sys/block/${disk}/device/wwid`,
          `/sys/block/${disk}/wwid`,
        ]);
        if (serial) return serial;
      }
      return null;
    }
  }
}

/** The whole disk (sda, nvme0n1, vda) the root file system is on, or null (overlay, tmpfs). */
function rootDisk(probe: ComponentProbe): string | null {
  const mountinfo = probe.readFile("/proc/self/mountinfo") ?? "";
  // "27 1 254:0 / / rw,relatime - ext4 /dev/vda rw": the 5th field is the mount point
  const line = mountinfo.split("\n").find((l) => l.split(" ")[4] === "/");
  const device = line?.split(" ")[2];
  if (!device || device.startsWith("0:")) return null;
  // /sys/dev/block/8:1 -> ../../devices/.../block/sda/sda1: the disk is the name after "block/"
  const target = probe.link(`/sys/dev/block/${device}`);
  if (!target) return null;
  let disk = /\/block\/([^/]+)/.exec(target)?.[1] ?? basename(target);
  // a device-mapper volume (LVM, LUKS): the disk under its first underlying device
  if (disk.startsWith("dm-")) {
    const [slave] = probe.list(`/sys/block/${disk}/slaves`).sort();
    if (!slave) return null;
    const slaveTarget = probe.link(`/sys/class/block/${slave}`);
    disk = (slaveTarget && /\/block\/([^/]+)/.exec(slaveTarget)?.[1]) ?? slave;
  }
  return disk;
}

function cpuOf(probe: ComponentProbe): string | null {
  const list = probe.cpus();
  let model = list[0]?.model.trim() ?? "";
  if (probe.platform === "linux") {
    const info = probe.readFile("/proc/cpuinfo") ?? "";
    model = /^model name\s*:\s*(.+)$/m.exec(info)?.[1]?.trim() ?? model;
  }
  return model ? `${model.replace(/\s+/g, " ")} x${list.length}` : null;
}

/** Interface names of virtual adapters (VPNs, hypervisors, containers), where /sys cannot tell. */
const VIRTUAL_INTERFACE =
  /^(?:lo|docker|br-|veth|virbr|vmnet|vboxnet|utun|awdl|llw|bridge|tun|tap|zt|tailscale|wg)|vEthernet|VMware|VirtualBox|Hyper-V|Loopback|Bluetooth/i;

function macsOf(probe: ComponentProbe): string | null {
  const macs = new Set<string>();
  for (const [name, addresses] of Object.entries(probe.networkInterfaces())) {
    if (!addresses || VIRTUAL_INTERFACE.test(name)) continue;
    // Linux says which interfaces are devices: virtual ones have no /sys/class/net/<name>/device
    if (probe.platform === "linux" && probe.link(`/sys/class/net/${name}/device`) === null) continue;
    for (const address of addresses) {
      const mac = address.mac.toLowerCase();
      if (address.internal || /^(?:00:){5}00$/.test(mac)) continue;
      // locally administered addresses are made up (randomised Wi-Fi, VMs, containers)
      if ((parseInt(mac.slice(0, 2), 16) & 0x02) !== 0) continue;
      macs.add(mac);
    }
  }
  return macs.size ? [...macs].sort().join(",") : null;
}
