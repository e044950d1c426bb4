// The pure matching rule shared by machine bindings and trials.
import { describe, expect, it } from "vitest";
import {
  bestComponentMatch,
  componentsMatch,
  equalComponents,
  parseComponents,
} from "../../src/server/core/machines/component-match.ts";

const bound = { board: "b1", disk: "d1", cpu: "c1", mac: "m1" };
/** the bound machine with the first `n` of its components kept and the others changed */
const keep = (n: number) =>
  Object.fromEntries(Object.entries(bound).map(([k, v], i) => [k, i < n ? v : `${v}-new`]));

describe("componentsMatch", () => {
  it("fingerprint never matches by components", () => {
    expect(componentsMatch(bound, bound, "fingerprint")).toBe(false);
  });
  it("any: one equal component is enough", () => {
    expect(componentsMatch(bound, keep(1), "any")).toBe(true);
    expect(componentsMatch(bound, keep(0), "any")).toBe(false);
  });
  it("most: more than half of the bound machine's components", () => {
    expect(componentsMatch(bound, keep(3), "most")).toBe(true);
    expect(componentsMatch(bound, keep(2), "most")).toBe(false);
    // missing kinds count as not equal
    expect(componentsMatch(bound, { board: "b1", disk: "d1" }, "most")).toBe(false);
  });
  it("all: every bound component present and equal", () => {
    expect(componentsMatch(bound, keep(4), "all")).toBe(true);
    expect(componentsMatch(bound, { ...bound, extra: "x" }, "all")).toBe(true);
    expect(componentsMatch(bound, keep(3), "all")).toBe(false);
  });
  it("a bound machine without components matches only by fingerprint", () => {
    for (const rule of ["any", "most", "all"] as const) {
      expect(componentsMatch({}, bound, rule)).toBe(false);
    }
  });
  it("compares kinds, not positions", () => {
    expect(equalComponents(bound, { mac: "m1", cpu: "c1", board: "other" })).toEqual(["cpu", "mac"]);
    expect(componentsMatch({ disk: "d1" }, { board: "d1" }, "any")).toBe(false);
  });
});

describe("parseComponents", () => {
  it("reads the stored JSON and drops anything that is not kind -> string", () => {
    expect(parseComponents('{"board":"b","n":1}')).toEqual({ board: "b" });
    expect(parseComponents("not json")).toEqual({});
    expect(parseComponents("[1,2]")).toEqual({});
    expect(parseComponents(null)).toEqual({});
  });
});

describe("bestComponentMatch", () => {
  it("picks the binding with the most equal components", () => {
    const a = { id: "a", components: { board: "b1", disk: "dx", cpu: "cx", mac: "mx" } };
    const b = { id: "b", components: { board: "b1", disk: "d1", cpu: "cx", mac: "mx" } };
    expect(bestComponentMatch([a, b], bound, "any")?.binding.id).toBe("b");
    expect(bestComponentMatch([a, b], bound, "any")?.matched).toEqual(["board", "disk"]);
    expect(bestComponentMatch([a, b], bound, "most")).toBeUndefined();
  });
});
