import { describe, expect, it } from "vitest";
import {
  generateLicenseKey,
  LICENSE_KEY_PATTERN,
  normalizeLicenseKey,
} from "../../src/server/core/licenses/license-key.ts";

describe("license keys", () => {
  it("are five groups of five copy-safe symbols, spread over the whole alphabet", () => {
    const seen = new Set<string>();
    const symbols = new Map<string, number>();
    for (let i = 0; i < 2000; i++) {
      const key = generateLicenseKey();
      expect(key).toMatch(LICENSE_KEY_PATTERN);
      expect(key).not.toMatch(/[ILOU]/);
      seen.add(key);
      for (const c of key.replace(/-/g, "")) symbols.set(c, (symbols.get(c) ?? 0) + 1);
    }
    expect(seen.size).toBe(2000);
    expect(symbols.size).toBe(32);
    // 50,000 symbols over 32: each near 1562; a biased generator would stray far
    for (const count of symbols.values()) expect(count).toBeGreaterThan(1300);
  });

  it("normalizes what a person types", () => {
    const key = "7K3QD-M9XWB-0A1ZZ-TTTTT-00000";
    expect(normalizeLicenseKey(key)).toBe(key);
    expect(normalizeLicenseKey(" 7k3qd m9xwb oaizz ttttt ooooo ")).toBe(key);
    expect(normalizeLicenseKey("7K3QDM9XWB0A1ZZTTTTT00000")).toBe(key);
    expect(normalizeLicenseKey("7K3QD-M9XWB-0A1ZZ-TTTTT")).toBeNull();
    expect(normalizeLicenseKey("7K3QD-M9XWB-0A1ZZ-TTTTT-0000U")).toBeNull();
  });
});
