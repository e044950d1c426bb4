// The per-address rate limits' key: an IPv6 peer counts by its /64 (one host's share: spreading
// calls over its own addresses gains nothing), IPv4 and IPv4-mapped IPv6 by the whole address.
import { expect, it } from "vitest";
import { LicensingRateLimiter, peerKey } from "../../src/server/licensing-api/rate-limit.ts";

it("counts an IPv6 address by its /64, however it is written", () => {
  const key = "2001:db8:1:2::/64";
  for (const address of [
    "2001:db8:1:2::1",
    "2001:db8:1:2::ffff",
    "2001:db8:1:2:aaaa:bbbb:cccc:dddd",
    "2001:0DB8:0001:0002:0000:0000:0000:0009",
    "[2001:db8:1:2::5]",
    "2001:db8:1:2::1%eth0",
  ]) {
    expect(peerKey(address), address).toBe(key);
  }
  expect(peerKey("2001:db8:1:3::1")).toBe("2001:db8:1:3::/64");
  expect(peerKey("::1")).toBe("::/64");
  expect(peerKey("fe80::1%eth0")).toBe("fe80::/64");
});

it("counts IPv4 and IPv4-mapped IPv6 by the whole address, and anything else as sent", () => {
  expect(peerKey("192.0.2.7")).toBe("192.0.2.7");
  expect(peerKey("192.0.2.8")).toBe("192.0.2.8");
  expect(peerKey("::ffff:192.0.2.7")).toBe("192.0.2.7");
  expect(peerKey("::ffff:c000:207")).toBe("192.0.2.7");
  expect(peerKey("unknown")).toBe("unknown");
  expect(peerKey("")).toBe("");
});

it("one /64 shares the per-address limits (the general one and StartTrial's); another /64 does not", async () => {
  const limiter = new LicensingRateLimiter(100, 3, undefined, 2);
  try {
    await limiter.consume("2001:db8:1:2::1", null, true);
    await limiter.consume("2001:db8:1:2::2", null, true);
    await expect(limiter.consume("2001:db8:1:2::3", null, true)).rejects.toThrow(/starting trials/);
    await expect(limiter.consume("2001:db8:1:2::4", null)).rejects.toThrow(/from this address/);
    await limiter.consume("2001:db8:1:3::1", null, true);
    await limiter.consume("192.0.2.1", null, true);
    await limiter.consume("192.0.2.2", null, true);
  } finally {
    await limiter.close();
  }
});
