import { describe, expect, it } from "vitest";
import { describeEvent, type EventRow, type ResolvedNames } from "../../../lib/activity/describe.ts";

// The workspace feed's lines for release actions (issue #11).

const names: ResolvedNames = {
  users: new Map([["ada", { name: "Ada" }]]),
  prompts: new Map([["p1", { name: "support-triage" }]]),
  versions: new Map(),
  runs: new Map(),
  reviews: new Map(),
};

const line = (kind: string, data: Record<string, unknown>, actorId: string | null = "ada") => {
  const row: EventRow = { id: "e1", kind, actorId, promptId: "p1", data: { releaseId: "rel1", ...data }, createdAt: new Date("2026-12-02T10:00:00Z") };
  const item = describeEvent(row, names);
  return [item.sentence, item.path, item.tone, item.group];
};

describe("release lines", () => {
  it("says who did what to which release, with its link", () => {
    expect(line("release.created", { mode: "canary", fromNumber: 2, toNumber: 3 })).toEqual(["Ada created the canary of support-triage (v2 → v3)", "/releases/rel1", "neutral", "releases"]);
    expect(line("release.started", { mode: "ab" })).toEqual(["Ada started the A/B test of support-triage", "/releases/rel1", "neutral", "releases"]);
    expect(line("release.advanced", { mode: "canary", share: 25 }, null)).toEqual(["Assay advanced the canary of support-triage to 25%", "/releases/rel1", "neutral", "releases"]);
    expect(line("release.advanced", { mode: "canary", share: 0.5 }, null)[0]).toBe("Assay advanced the canary of support-triage to 0.5%");
    expect(line("release.rolled_back", { mode: "canary", reason: "error rate 10.0% vs 0.0%" }, null)).toEqual([
      "Assay rolled back the canary of support-triage — error rate 10.0% vs 0.0%",
      "/releases/rel1",
      "bad",
      "releases",
    ]);
    expect(line("release.srm_paused", { mode: "ab", reason: "52/48 for 50/50" }, null)[0]).toBe("Assay paused the A/B test of support-triage: sample ratio mismatch — 52/48 for 50/50");
    expect(line("release.promoted", { mode: "shadow" })[0]).toBe("Ada promoted the shadow release of support-triage");
    expect(line("release.promotion_blocked", { mode: "canary", reason: "production needs 1 approval" }, null)[0]).toBe(
      "The promotion of the canary of support-triage is waiting — production needs 1 approval",
    );
    expect(line("release.stopped", { mode: "interleaved" })[0]).toBe("Ada stopped the interleaved test of support-triage");
  });
});
