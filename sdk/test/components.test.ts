// Machine components: collected on this machine (the test runs on Linux), hashed per product, read
// once per process; parsing of the other platforms' sources through a probe; what LicenseClient
// sends with each request.
import { describe, expect, it } from "vitest";
import {
  collectRawComponents,
  hashComponent,
  hashComponents,
  machineComponents,
  resetMachineComponents,
  systemProbe,
  type ComponentProbe,
} from "../src/client/components.ts";
import { clientInfo } from "../src/client/options.ts";

const HEX64 = /^[0-9a-f]{64}$/;

/** A probe over fixed files, links, program outputs and interfaces. */
function fakeProbe(
  platform: NodeJS.Platform,
  parts: Partial<{
    files: Record<string, string>;
    dirs: Record<string, string[]>;
    links: Record<string, string>;
    programs: Record<string, string>;
    interfaces: ReturnType<ComponentProbe["networkInterfaces"]>;
    cpus: { model: string }[];
  }>,
): ComponentProbe {
  return {
    platform,
    readFile: (path) => parts.files?.[path] ?? null,
    list: (path) => parts.dirs?.[path] ?? [],
    link: (path) => parts.links?.[path] ?? null,
    run: (file, args) => parts.programs?.[[file, ...args].join(" ")] ?? null,
    networkInterfaces: () => parts.interfaces ?? {},
    cpus: () => parts.cpus ?? [],
  };
}
const nic = (mac: string, internal = false) => [
  { address: "10.0.0.2", netmask: "255.0.0.0", family: "IPv4" as const, mac, internal, cidr: null },
];

describe.runIf(process.platform === "linux")("on this Linux machine", () => {
  it("collects components whose hashes are 64 hex digits, stable across calls, different per product", () => {
    resetMachineComponents();
    const first = machineComponents("acme-cad");
    expect(first.length).toBeGreaterThan(0);
    for (const c of first) expect(c.hash).toMatch(HEX64);
    // the kinds this machine gives (a VM in CI: at least machine_id and cpu)
    expect(first.map((c) => c.kind)).toEqual(expect.arrayContaining(["cpu", "machine_id"]));
    expect([...first.map((c) => c.kind)]).toEqual([...first.map((c) => c.kind)].sort());

    expect(machineComponents("acme-cad")).toEqual(first);
    resetMachineComponents();
    expect(machineComponents("acme-cad")).toEqual(first); // read again from the system: the same

    const other = machineComponents("acme-viewer");
    expect(other.map((c) => c.kind)).toEqual(first.map((c) => c.kind));
    for (const [i, c] of other.entries()) expect(c.hash).not.toBe(first[i]?.hash);
  });

  it("sends no raw value: each hash is SHA-256 of product, kind and the raw value", () => {
    const raw = collectRawComponents(systemProbe);
    const hashed = machineComponents("acme-cad");
    for (const { kind, hash } of hashed) {
      const value = raw[kind as keyof typeof raw] ?? "";
      expect(hash).toBe(hashComponent("acme-cad", kind, value));
      expect(hash).not.toContain(value);
    }
    const machineId = systemProbe.readFile("/etc/machine-id")?.trim();
    if (machineId) expect(raw.machine_id).toBe(machineId);
  });
});

describe("collectRawComponents", () => {
  it("Linux: machine id, board, the root disk's serial, cpu model and count, physical MACs", () => {
    const probe = fakeProbe("linux", {
      files: {
        "/etc/machine-id": "abc123\n",
        "/sys/class/dmi/id/board_serial": "To be filled by O.E.M.\n",
        "/sys/class/dmi/id/product_uuid": "4c4c4544-0042-3510-8051-b4c04f384d32\n",
        "/proc/self/mountinfo": "27 1 259:2 / / rw,relatime - ext4 /dev/nvme0n1p2 rw\n",
        "/sys/block/nvme0n1/device/serial": "S4EWNX0R123456  \n",
        "/sys/block/sda/device/serial": "WD-OTHER\n",
        "/proc/cpuinfo": "processor\t: 0\nmodel name\t: Intel(R) Core(TM)  i7-9750H CPU\n",
      },
      dirs: { "/sys/block": ["loop0", "sda", "nvme0n1", "zram0"] },
      links: {
        "/sys/dev/block/259:2": "../../devices/pci0000:00/0000:00:1d.0/nvme/nvme0/nvme0n1/nvme0n1p2",
        "/sys/class/net/enp3s0/device": "../../../0000:03:00.0",
      },
      interfaces: {
        lo: nic("00:00:00:00:00:00", true),
        enp3s0: nic("3C:7C:3F:11:22:33"),
        docker0: nic("02:42:ac:11:00:02"),
        veth1: nic("3c:7c:3f:99:99:99"),
      },
      cpus: Array.from({ length: 12 }, () => ({ model: "ignored on Linux" })),
    });
    expect(collectRawComponents(probe)).toEqual({
      machine_id: "abc123",
      board: "4c4c4544-0042-3510-8051-b4c04f384d32",
      disk: "S4EWNX0R123456",
      cpu: "Intel(R) Core(TM) i7-9750H CPU x12",
      mac: "3c:7c:3f:11:22:33",
    });
  });

  it("Linux: root on LVM finds the disk under the volume; without a root disk, the first disk with a serial", () => {
    const lvm = fakeProbe("linux", {
      files: {
        "/proc/self/mountinfo": "27 1 253:0 / / rw - ext4 /dev/mapper/vg-root rw\n",
        "/sys/block/sdb/device/wwid": "naa.5000c500a1b2c3d4\n",
        "/sys/block/sda/device/serial": "FIRST\n",
      },
      dirs: { "/sys/block": ["sda", "sdb", "dm-0"], "/sys/block/dm-0/slaves": ["sdb2"] },
      links: {
        "/sys/dev/block/253:0": "../../devices/virtual/block/dm-0",
        "/sys/class/block/sdb2": "../../devices/pci0000:00/ata2/host1/target1:0:0/1:0:0:0/block/sdb/sdb2",
      },
    });
    expect(collectRawComponents(lvm).disk).toBe("naa.5000c500a1b2c3d4");
    const overlay = fakeProbe("linux", {
      files: {
        "/proc/self/mountinfo": "500 400 0:52 / / rw - overlay overlay rw\n",
        "/sys/block/sda/device/serial": "FIRST\n",
      },
      dirs: { "/sys/block": ["loop0", "sda"] },
    });
    expect(collectRawComponents(overlay).disk).toBe("FIRST");
  });

  it("macOS: the IOPlatformUUID as board, cpu from os.cpus(), MACs", () => {
    const probe = fakeProbe("darwin", {
      programs: {
        "ioreg -rd1 -c IOPlatformExpertDevice":
          '  "IOPlatformSerialNumber" = "C02XYZ"\n  "IOPlatformUUID" = "564D8A3B-1111-2222-3333-444455556666"\n',
      },
      interfaces: {
        en0: nic("a4:83:e7:01:02:03"),
        awdl0: nic("a6:83:e7:01:02:03"),
        utun0: nic("00:00:00:00:00:00"),
      },
      cpus: Array.from({ length: 8 }, () => ({ model: "Apple M1" })),
    });
    expect(collectRawComponents(probe)).toEqual({
      board: "564D8A3B-1111-2222-3333-444455556666",
      cpu: "Apple M1 x8",
      mac: "a4:83:e7:01:02:03",
    });
  });

  it("Windows: wmic first, PowerShell when wmic is gone; MachineGuid, disk 0's serial", () => {
    const withWmic = fakeProbe("win32", {
      programs: {
        "reg query HKLM\\SOFTWARE\\Microsoft\\Cryptography /v MachineGuid":
          "\r\nHKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Cryptography\r\n    MachineGuid    REG_SZ    9f1c-guid\r\n",
        "wmic csproduct get uuid":
          "UUID                                  \r\n4C4C4544-0032-3810-8033-C4C04F4A4B32  \r\n\r\n",
        "wmic diskdrive where index=0 get serialnumber": "SerialNumber\r\n0025_388A_91B0_1234.\r\n",
      },
      interfaces: { Ethernet: nic("d8:bb:c1:0a:0b:0c"), "vEthernet (WSL)": nic("00:15:5d:01:02:03") },
      cpus: [
        { model: "AMD Ryzen 7 5800X 8-Core Processor" },
        { model: "AMD Ryzen 7 5800X 8-Core Processor" },
      ],
    });
    expect(collectRawComponents(withWmic)).toEqual({
      machine_id: "9f1c-guid",
      board: "4C4C4544-0032-3810-8033-C4C04F4A4B32",
      disk: "0025_388A_91B0_1234.",
      cpu: "AMD Ryzen 7 5800X 8-Core Processor x2",
      mac: "d8:bb:c1:0a:0b:0c",
    });
    const powershell = fakeProbe("win32", {
      programs: {
        "powershell.exe -NoProfile -NonInteractive -Command (Get-CimInstance -ClassName Win32_ComputerSystemProduct).UUID":
          "4C4C4544-AAAA\r\n",
        "powershell.exe -NoProfile -NonInteractive -Command (Get-CimInstance -ClassName Win32_DiskDrive -Filter 'Index=0').SerialNumber":
          "  WD-12345\r\n",
      },
    });
    expect(collectRawComponents(powershell)).toEqual({ board: "4C4C4544-AAAA", disk: "WD-12345" });
  });

  it("never throws: a source that fails is left out", () => {
    const broken: ComponentProbe = {
      ...fakeProbe("linux", { files: { "/etc/machine-id": "m1\n" } }),
      networkInterfaces: () => {
        throw new Error("no interfaces");
      },
      cpus: () => {
        throw new Error("no cpus");
      },
    };
    expect(collectRawComponents(broken)).toEqual({ machine_id: "m1" });
    expect(collectRawComponents(fakeProbe("linux", {}))).toEqual({});
  });
});

describe("hashing and the client option", () => {
  it("hashes `${product}\\0${kind}\\0${value}` with SHA-256", () => {
    // printf 'p\0disk\0S1' | sha256sum
    expect(hashComponent("p", "disk", "S1")).toBe(
      "2cb3b59d11227d1d858eec42c2ff67abcaed7be6163bed8494c99158be2b1925",
    );
    expect(hashComponent("p", "disk", "S1")).not.toBe(hashComponent("p", "board", "S1"));
    expect(hashComponents("p", { mac: "m", cpu: "c" }).map((c) => c.kind)).toEqual(["cpu", "mac"]);
  });

  it("clientInfo sends the machine's components by default, none with false, the given ones as given", () => {
    const base = { product: "acme-cad", licenseKey: "K", publicKeys: [] };
    resetMachineComponents();
    expect(clientInfo(base, "fp").components).toEqual(machineComponents("acme-cad"));
    expect(clientInfo({ ...base, components: "auto" }, "fp").components).toEqual(
      machineComponents("acme-cad"),
    );
    expect(clientInfo({ ...base, components: false }, "fp").components).toEqual([]);
    const given = [{ kind: "board", hash: hashComponent("acme-cad", "board", "my-serial") }];
    expect(clientInfo({ ...base, components: given }, "fp").components).toEqual(given);
  });
});
