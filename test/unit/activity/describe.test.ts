import { describe, expect, it } from "vitest";
import { describeEvent, type EventRow, type ResolvedNames } from "../../../lib/activity/describe.ts";

const names: ResolvedNames = {
  users: new Map([
    ["ada", { name: "Ada" }],
    ["bob", { name: "Bob" }],
  ]),
  prompts: new Map([["p1", { name: "support-triage" }]]),
  versions: new Map([
    ["v1", { number: 1, promptId: "p1" }],
    ["v3", { number: 3, promptId: "p1" }],
  ]),
  runs: new Map([["r1", { name: "nightly" }]]),
  reviews: new Map([["rev1", { title: "Tighter", versionId: "v3", promptId: "p1" }]]),
};

const event = (kind: string, data: Record<string, unknown>, extra: Partial<EventRow> = {}): EventRow => ({
  id: "e1",
  kind,
  actorId: "ada",
  promptId: "p1",
  data,
  createdAt: new Date("2026-12-01T10:00:00Z"),
  ...extra,
});

const line = (row: EventRow) => {
  const item = describeEvent(row, names);
  return [item.sentence, item.path, item.tone];
};

describe("describeEvent", () => {
  it("writes one sentence and one workspace-relative link per kind", () => {
    expect(line(event("version.saved", { versionId: "v3", number: 3, commitMessage: "tighter label list" }))).toEqual([
      "Ada saved support-triage v3 — 'tighter label list'",
      "/prompts/p1?v=3",
      "neutral",
    ]);
    expect(line(event("run.finished", { runId: "r1", status: "completed", passRate: 0.92, done: 100, cells: 100, errors: 0 }))).toEqual([
      "Run 'nightly' finished: 92% pass",
      "/runs/r1",
      "good",
    ]);
    expect(line(event("run.finished", { runId: "r1", status: "completed", passRate: 0.5, done: 100, cells: 100, errors: 3 }))[0]).toBe(
      "Run 'nightly' finished: 50% pass (3 errors)",
    );
    expect(line(event("run.finished", { runId: "r1", status: "failed", done: 40, cells: 100 }))).toEqual(["Run 'nightly' failed after 40 of 100 cells", "/runs/r1", "bad"]);
    expect(line(event("run.finished", { runId: "r1", status: "completed", passRate: null, done: 4, cells: 4, errors: 0 }))[0]).toBe("Run 'nightly' finished");
    expect(line(event("run.started", { runId: "r1", name: "nightly", resumed: true }))[0]).toBe("Ada resumed run 'nightly'");
    expect(line(event("run.started", { runId: "r1", variants: 1, cells: 1 }))[0]).toBe("Ada started run 'nightly' — 1 variant, 1 cell");
    expect(line(event("run.started", { runId: "r1", variants: 2, cells: 8, source: "cli" }, { actorId: null }))[0]).toBe("Run 'nightly' started from the CLI — 2 variants, 8 cells");
    expect(line(event("label.removed", { label: "staging", fromVersionId: "v1" }))).toEqual(["Ada removed staging from support-triage v1", "/prompts/p1", "neutral"]);
    expect(line(event("label.moved", { label: "production", toVersionId: "v3" }))[0]).toBe("Ada moved production of support-triage to v3");
    expect(line(event("review.changes_requested", { reviewId: "rev1" }, { promptId: null }))).toEqual(["Ada requested changes on support-triage v3", "/reviews/rev1", "bad"]);
    expect(line(event("review.closed", { reviewId: "rev1", reason: "superseded" }, { actorId: null }))[0]).toBe("The review of support-triage v3 closed (superseded)");
    expect(line(event("review.requested", { reviewId: "rev1", versionId: "v1", versionNumber: 1, reviewerIds: ["bob", "left"] }))[0]).toBe(
      "Ada requested a review of support-triage v1 from Bob and a former member",
    );
    expect(line(event("review.rerequested", { reviewId: "rev1", fromVersionId: "v1", toVersionId: "v3", reviewerIds: ["bob"] }))[0]).toBe(
      "Ada re-requested a review of support-triage v3 from Bob",
    );
    expect(line(event("member.joined", { role: "viewer", invitedById: "bob" }, { promptId: null }))[0]).toBe("Ada joined as viewer, invited by Bob");
    expect(line(event("member.role_changed", { userId: "bob", name: "Bob", from: "viewer", to: "editor" }, { promptId: null }))[0]).toBe(
      "Ada changed Bob's role from viewer to editor",
    );
    expect(line(event("member.removed", { userId: "ada", left: true }, { promptId: null }))[0]).toBe("Ada left the workspace");
    expect(line(event("ownership.transferred", { fromUserId: "ada", toUserId: "gone", toName: "Dee" }, { promptId: null }))[0]).toBe("Ada transferred ownership to Dee");
    expect(line(event("ownership.transferred", { toUserId: "bob" }, { promptId: null }))[0]).toBe("Ada transferred ownership to Bob");
    expect(line(event("member.removed", { userId: "gone", email: "carl@example.test" }, { promptId: null }))[0]).toBe("Ada removed carl@example.test from the workspace");
  });

  it("falls back to what the event wrote when the thing or the person is gone", () => {
    expect(line(event("run.started", { runId: "deleted", name: "old run", variants: 2, cells: 10 }))).toEqual([
      "Ada started run 'old run' — 2 variants, 10 cells",
      null,
      "neutral",
    ]);
    expect(line(event("version.saved", { versionId: "gone", number: 7, commitMessage: "" }, { promptId: "deleted", actorId: "left" }))).toEqual([
      "A former member saved a deleted prompt v7",
      null,
      "neutral",
    ]);
    expect(describeEvent(event("something.new", {}), names).sentence).toBe("Ada: something.new");
    expect(describeEvent(event("version.saved", { number: 2 }), names).group).toBe("prompts");
  });
});

describe("distillation events", () => {
  it("say who distilled what, and how it ended, linking the distillation", () => {
    expect(line(event("distillation.started", { distillationId: "d1", name: "tickets" }))).toEqual(["Ada started distilling 'tickets' from support-triage", "/distill/d1", "neutral"]);
    expect(line(event("distillation.done", { distillationId: "d1", name: "tickets", agreement: 0.975 }))).toEqual([
      "Distillation 'tickets' finished: 97.5% agreement with the teacher",
      "/distill/d1",
      "good",
    ]);
    expect(line(event("distillation.failed", { distillationId: "d1", name: "tickets", error: "Too few examples" }))).toEqual(["Distillation 'tickets' failed: Too few examples", "/distill/d1", "bad"]);
  });
});
