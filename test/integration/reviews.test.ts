import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { ReviewActor } from "../../lib/reviews/service.ts";
import { rejection } from "../support/app-error.ts";

// Issue #10 "Reviews: sign-off before release": reviews, decisions, and the gate on protected labels, against a real
// database. Ada (editor) writes the versions, Grace (owner) and Linus (admin) review, Vera is a viewer.

process.env.DATABASE_URL = inject("databaseUrl");

const { db } = await import("../../lib/db.ts");
const { errorBody, httpStatusOf } = await import("../../lib/errors.ts");
const prompts = await import("../../lib/prompts/service.ts");
const reviews = await import("../../lib/reviews/service.ts");
const { getReview, listReviews } = await import("../../lib/reviews/read.ts");
const { labelReadiness } = await import("../../lib/reviews/gate.ts");
const { promptAudit } = await import("../../lib/reviews/audit.ts");
const { promptGate } = await import("../../lib/reviews/prompt-gate.ts");
const { requestOptions } = await import("../../lib/reviews/options.ts");

const suffix = randomUUID().slice(0, 8);
let workspace: { id: string; name: string; slug: string };
const people = {
  ada: { id: `ada-${suffix}`, name: "Ada Lovelace", role: "editor" as const },
  grace: { id: `grace-${suffix}`, name: "Grace Hopper", role: "owner" as const },
  linus: { id: `linus-${suffix}`, name: "Linus Torvalds", role: "admin" as const },
  vera: { id: `vera-${suffix}`, name: "Vera Viewer", role: "viewer" as const },
};
type Person = keyof typeof people;

function as(person: Person): ReviewActor {
  const { id, name, role } = people[person];
  return { user: { id, name }, workspace: { id: workspace.id }, role };
}

const content = (text: string) => ({
  messages: [{ role: "user" as const, content: `${text} {{ ticket }}` }],
  examples: [],
  counterexamples: [],
  exampleMode: "chat" as const,
  params: {},
  commitMessage: text,
});

/** A prompt with versions 1..count, all written by Ada. */
async function promptWithVersions(name: string, count: number) {
  const prompt = await prompts.createPrompt(workspace.id, people.ada.id, { name, version: content("v1") });
  const versions = [prompt.latest];
  for (let number = 2; number <= count; number++) versions.push(await prompts.createVersion(workspace.id, prompt.id, people.ada.id, content(`v${number}`)));
  return { id: prompt.id, versions };
}

async function labelOf(promptId: string, name: string) {
  return db.promptLabel.findUnique({ where: { promptId_name: { promptId, name } }, select: { versionId: true } });
}

async function eventsOf(promptId: string, kind: string) {
  return db.activityEvent.findMany({ where: { workspaceId: workspace.id, promptId, kind }, orderBy: { createdAt: "asc" } });
}

beforeAll(async () => {
  for (const person of Object.values(people)) {
    await db.user.create({ data: { id: person.id, name: person.name, email: `${person.id}@example.test` } });
  }
  const created = await db.workspace.create({ data: { name: "Reviews", slug: `reviews-${suffix}` } });
  workspace = { id: created.id, name: created.name, slug: created.slug };
  await db.membership.createMany({ data: Object.values(people).map((person) => ({ workspaceId: workspace.id, userId: person.id, role: person.role })) });
});

afterAll(async () => {
  await db.workspace.deleteMany({ where: { id: workspace.id } });
  await db.user.deleteMany({ where: { id: { in: Object.values(people).map((person) => person.id) } } });
  await db.$disconnect();
});

describe("the release gate on protected labels", () => {
  it("refuses production without an approval with a 409 naming what is missing, and stores nothing", async () => {
    const prompt = await promptWithVersions("support-triage", 3);
    const v3 = prompt.versions[2]!;
    const error = await rejection(prompts.moveLabel(workspace.id, prompt.id, "production", v3.id, people.grace.id));
    expect(httpStatusOf(error)).toBe(409);
    expect(error.message).toBe("production needs 1 approval of support-triage v3 from someone other than its author; it has 0.");
    expect(errorBody(error).error.details).toEqual([
      { path: "approvals", message: error.message, label: "production", required: 1, have: 0, missing: 1 },
    ]);
    expect(await labelOf(prompt.id, "production")).toBeNull();
    expect(await eventsOf(prompt.id, "label.moved")).toHaveLength(0);
    const readiness = await labelReadiness(workspace.id, prompt.id, "production", v3.id);
    expect(readiness).toMatchObject({ protected: true, required: 1, have: 0, missing: 1, ready: false, reason: error.message });
  });

  it("moves a label the workspace does not protect freely, and audits it", async () => {
    const prompt = await promptWithVersions("free-labels", 2);
    const moved = await prompts.moveLabel(workspace.id, prompt.id, "staging", prompt.versions[1]!.id, people.ada.id);
    expect(moved).toMatchObject({ name: "staging", versionNumber: 2 });
    const [event] = await eventsOf(prompt.id, "label.moved");
    expect(event?.actorId).toBe(people.ada.id);
    expect(event?.data).toMatchObject({ label: "staging", fromVersionId: null, fromNumber: null, toVersionId: prompt.versions[1]!.id, toNumber: 2, reviewId: null, protected: false });
  });

  it("does not count the author's own approval, and names it in the refusal", async () => {
    const prompt = await promptWithVersions("own-approval", 2);
    const v2 = prompt.versions[1]!;
    const review = await reviews.requestReview(as("ada"), { versionId: v2.id, reviewerIds: [people.grace.id] });
    // The API refuses an author's decision outright…
    const refused = await rejection(reviews.decideReview(as("ada"), review.id, { verdict: "approved" }));
    expect(refused.code).toBe("forbidden");
    expect(refused.message).toBe("You wrote own-approval v2; someone else has to review it (the author's own approval never counts).");
    expect(await db.reviewDecision.count({ where: { reviewId: review.id } })).toBe(0);
    // …and the gate ignores one that got into the database anyway.
    await db.reviewDecision.create({ data: { reviewId: review.id, versionId: v2.id, reviewerId: people.ada.id, verdict: "approved" } });
    const error = await rejection(prompts.moveLabel(workspace.id, prompt.id, "production", v2.id, people.grace.id));
    expect(error.message).toBe(
      "production needs 1 approval of own-approval v2 from someone other than its author; it has 0 (Ada Lovelace's own approval does not count).",
    );
  });

  it("counts an approval for the version it was given on: v2's approval does not move production to v3", async () => {
    const prompt = await promptWithVersions("per-version", 3);
    const [, v2, v3] = prompt.versions;
    const review = await reviews.requestReview(as("ada"), { versionId: v2!.id, reviewerIds: [people.grace.id] });
    await reviews.decideReview(as("grace"), review.id, { verdict: "approved", comment: "Looks right." });
    const error = await rejection(prompts.moveLabel(workspace.id, prompt.id, "production", v3!.id, people.grace.id));
    expect(error.message).toBe("production needs 1 approval of per-version v3 from someone other than its author; it has 0.");
    const moved = await prompts.moveLabel(workspace.id, prompt.id, "production", v2!.id, people.grace.id);
    expect(moved.versionNumber).toBe(2);
  });

  it("lets a later 'changes requested' replace the same reviewer's approval", async () => {
    const prompt = await promptWithVersions("changed-mind", 2);
    const v2 = prompt.versions[1]!;
    const review = await reviews.requestReview(as("ada"), { versionId: v2.id, reviewerIds: [people.grace.id] });
    expect((await reviews.decideReview(as("grace"), review.id, { verdict: "approved" })).state).toBe("approved");
    expect((await labelReadiness(workspace.id, prompt.id, "production", v2.id)).ready).toBe(true);
    const changed = await reviews.decideReview(as("grace"), review.id, { verdict: "changes_requested", comment: "On second thought: the refund case fails." });
    expect(changed.state).toBe("changes_requested");
    expect(changed.reviewers).toEqual([{ id: people.grace.id, name: "Grace Hopper", verdict: "changes_requested" }]);
    expect(changed.decisions.map((decision) => [decision.verdict, decision.comment?.body ?? null])).toEqual([
      ["approved", null],
      ["changes_requested", "On second thought: the refund case fails."],
    ]);
    const error = await rejection(prompts.moveLabel(workspace.id, prompt.id, "production", v2.id, people.grace.id));
    expect(error.details[0]).toMatchObject({ have: 0, missing: 1 });
    // the decision comment is a comment on the version that carries the review id
    const comment = await db.comment.findFirstOrThrow({ where: { reviewId: review.id } });
    expect(comment).toMatchObject({ targetType: "version", targetId: v2.id, authorId: people.grace.id, body: "On second thought: the refund case fails." });
  });

  it("needs two distinct approvers when the setting says production: 2", async () => {
    await db.workspace.update({ where: { id: workspace.id }, data: { protectedLabels: [{ name: "production", approvals: 2 }] } });
    try {
      const prompt = await promptWithVersions("two-approvals", 1);
      const v1 = prompt.versions[0]!;
      const review = await reviews.requestReview(as("ada"), { versionId: v1.id, reviewerIds: [people.grace.id, people.linus.id] });
      await reviews.decideReview(as("grace"), review.id, { verdict: "approved" });
      await reviews.decideReview(as("grace"), review.id, { verdict: "approved" });
      const error = await rejection(prompts.moveLabel(workspace.id, prompt.id, "production", v1.id, people.grace.id));
      expect(error.message).toBe("production needs 2 approvals of two-approvals v1 from someone other than its author; it has 1 (Grace Hopper).");
      expect(error.details[0]).toMatchObject({ label: "production", required: 2, have: 1, missing: 1 });
      await reviews.decideReview(as("linus"), review.id, { verdict: "approved" });
      const moved = await prompts.moveLabel(workspace.id, prompt.id, "production", v1.id, people.linus.id);
      expect(moved.versionNumber).toBe(1);
      const [event] = await eventsOf(prompt.id, "label.moved");
      expect(event?.data).toMatchObject({ label: "production", toNumber: 1, reviewId: review.id, approvals: [people.grace.id, people.linus.id] });
    } finally {
      await db.workspace.update({ where: { id: workspace.id }, data: { protectedLabels: [{ name: "production", approvals: 1 }] } });
    }
  });

  it("writes label.moved with who, from and to version, and the approving review; the timeline shows it", async () => {
    const prompt = await promptWithVersions("audited", 2);
    const [v1, v2] = prompt.versions;
    for (const version of [v1!, v2!]) {
      const review = await reviews.requestReview(as("ada"), { versionId: version.id, reviewerIds: [people.linus.id] });
      await reviews.decideReview(as("linus"), review.id, { verdict: "approved" });
    }
    await prompts.moveLabel(workspace.id, prompt.id, "production", v1!.id, people.grace.id);
    await prompts.moveLabel(workspace.id, prompt.id, "production", v2!.id, people.grace.id);
    // moving it where it already is changes nothing and writes nothing
    await prompts.moveLabel(workspace.id, prompt.id, "production", v2!.id, people.grace.id);
    const moves = await eventsOf(prompt.id, "label.moved");
    expect(moves).toHaveLength(2);
    const v2Review = (await listReviews(workspace.id, people.ada.id, { promptId: prompt.id })).find((review) => review.version.number === 2);
    expect(moves[1]?.actorId).toBe(people.grace.id);
    expect(moves[1]?.data).toMatchObject({ label: "production", fromVersionId: v1!.id, fromNumber: 1, toVersionId: v2!.id, toNumber: 2, reviewId: v2Review?.id });
    await prompts.deleteLabel(workspace.id, prompt.id, "production", people.grace.id);
    const audit = await promptAudit(workspace.id, prompt.id);
    expect(audit.slice(0, 3).map((event) => [event.kind, event.actor?.name, event.label, event.from?.number ?? null, event.to?.number ?? null])).toEqual([
      ["label.removed", "Grace Hopper", "production", 2, null],
      ["label.moved", "Grace Hopper", "production", 1, 2],
      ["label.moved", "Grace Hopper", "production", null, 1],
    ]);
    expect(audit.map((event) => event.kind)).toContain("review.approved");
    expect(audit.find((event) => event.kind === "label.moved")?.reviewId).toBe(v2Review?.id);
  });
});

describe("reviews", () => {
  it("requests a review: reviewers are notified, the activity is recorded, the prompt's gate shows it", async () => {
    const prompt = await promptWithVersions("requested", 2);
    const v2 = prompt.versions[1]!;
    const review = await reviews.requestReview(as("ada"), {
      versionId: v2.id,
      reviewerIds: [people.grace.id, people.linus.id],
      title: "Shorter triage prompt",
      description: "Cuts the examples to three.",
    });
    expect(review).toMatchObject({
      title: "Shorter triage prompt",
      description: "Cuts the examples to three.",
      state: "open",
      prompt: { id: prompt.id, name: "requested" },
      version: { id: v2.id, number: 2 },
      author: { id: people.ada.id, name: "Ada Lovelace" },
      evidence: null,
    });
    expect(review.reviewers.map((reviewer) => [reviewer.name, reviewer.verdict])).toEqual([
      ["Grace Hopper", null],
      ["Linus Torvalds", null],
    ]);
    const notes = await db.notification.findMany({ where: { reviewId: review.id }, orderBy: { userId: "asc" } });
    expect(notes.map((note) => [note.userId, note.kind, note.summary, note.path])).toEqual(
      [people.grace.id, people.linus.id].sort().map((id) => [id, "review_requested", "Ada Lovelace requested your review of requested v2", `/reviews/${review.id}`]),
    );
    expect((await eventsOf(prompt.id, "review.requested"))[0]?.data).toMatchObject({ reviewId: review.id, versionNumber: 2 });
    const gate = await promptGate(workspace.id, prompt.id);
    expect(gate.versions[v2.id]?.review).toEqual({ id: review.id, state: "open", title: "Shorter triage prompt" });
    expect(gate.versions[v2.id]?.readiness.production).toMatchObject({ have: 0, required: 1 });
    // the decision notifies the author
    await reviews.decideReview(as("linus"), review.id, { verdict: "approved", comment: "Ship it." });
    const decided = await db.notification.findFirstOrThrow({ where: { reviewId: review.id, kind: "review_decided" } });
    expect(decided).toMatchObject({ userId: people.ada.id, summary: "Linus Torvalds approved requested v2" });
  });

  it("re-requests after a new version: the review moves to it and opens again, reviewers are asked again, old decisions stay", async () => {
    const prompt = await promptWithVersions("rerequest", 2);
    const [v1, v2] = prompt.versions;
    const review = await reviews.requestReview(as("ada"), { versionId: v1!.id, reviewerIds: [people.grace.id] });
    await reviews.decideReview(as("grace"), review.id, { verdict: "changes_requested", comment: "Handle refunds." });
    const again = await reviews.rerequestReview(as("ada"), review.id, { versionId: v2!.id });
    expect(again).toMatchObject({ state: "open", version: { id: v2!.id, number: 2 }, title: "rerequest v2" });
    expect(again.reviewers).toEqual([{ id: people.grace.id, name: "Grace Hopper", verdict: null }]);
    expect(again.decisions).toMatchObject([{ verdict: "changes_requested", version: { number: 1 }, comment: { body: "Handle refunds." } }]);
    const asked = await db.notification.findMany({ where: { reviewId: review.id, kind: "review_requested" }, orderBy: { createdAt: "asc" } });
    expect(asked.map((note) => note.summary)).toEqual([
      "Ada Lovelace requested your review of rerequest v1",
      "Ada Lovelace re-requested your review: rerequest v2 (was v1)",
    ]);
    expect((await eventsOf(prompt.id, "review.rerequested"))[0]?.data).toMatchObject({ fromNumber: 1, toNumber: 2 });
    const approved = await reviews.decideReview(as("grace"), review.id, { verdict: "approved" });
    expect(approved.state).toBe("approved");
    await expect(prompts.moveLabel(workspace.id, prompt.id, "production", v2!.id, people.grace.id)).resolves.toMatchObject({ versionNumber: 2 });
    // re-requesting on the same or an older version is refused with the field named
    const error = await rejection(reviews.rerequestReview(as("ada"), review.id, { versionId: v1!.id }));
    expect(error.message).toBe("versionId: choose a version newer than v2: save the changes as a new version, then re-request");
    expect((await rejection(reviews.rerequestReview(as("grace"), review.id, { versionId: v2!.id }))).code).toBe("forbidden");
  });

  it("withdraws: only the author can, the review closes, its approvals stop counting, and no one can decide it", async () => {
    const prompt = await promptWithVersions("withdrawn", 1);
    const v1 = prompt.versions[0]!;
    const review = await reviews.requestReview(as("ada"), { versionId: v1.id, reviewerIds: [people.grace.id] });
    await reviews.decideReview(as("grace"), review.id, { verdict: "approved" });
    expect((await rejection(reviews.withdrawReview(as("grace"), review.id))).message).toBe("Only the person who requested this review can withdraw it.");
    const closed = await reviews.withdrawReview(as("ada"), review.id);
    expect(closed).toMatchObject({ state: "closed", closedReason: "withdrawn" });
    expect((await labelReadiness(workspace.id, prompt.id, "production", v1.id)).have).toBe(0);
    const late = await rejection(reviews.decideReview(as("linus"), review.id, { verdict: "approved" }));
    expect(late.code).toBe("conflict");
    expect(late.message).toBe("This review is closed (withdrawn); request a new review instead");
    expect((await eventsOf(prompt.id, "review.withdrawn"))).toHaveLength(1);
  });

  it("closes an older version's review as superseded when a newer version gets its own", async () => {
    const prompt = await promptWithVersions("superseded", 2);
    const [v1, v2] = prompt.versions;
    const old = await reviews.requestReview(as("ada"), { versionId: v1!.id, reviewerIds: [people.grace.id] });
    const fresh = await reviews.requestReview(as("ada"), { versionId: v2!.id, reviewerIds: [people.grace.id] });
    expect(await getReview(workspace.id, old.id)).toMatchObject({ state: "closed", closedReason: "superseded" });
    expect((await getReview(workspace.id, fresh.id)).state).toBe("open");
    expect((await eventsOf(prompt.id, "review.closed"))[0]?.data).toMatchObject({ reviewId: old.id, reason: "superseded", byReviewId: fresh.id });
    // one active review per version
    const twice = await rejection(reviews.requestReview(as("ada"), { versionId: v2!.id, reviewerIds: [people.linus.id] }));
    expect(twice.code).toBe("conflict");
    expect(twice.message).toBe(`v2 already has an active review (${fresh.id}): add reviewers there or withdraw it first`);
    // lists: asked of Grace, requested by Ada, by state
    expect((await listReviews(workspace.id, people.grace.id, { mine: "review", promptId: prompt.id, state: "active" })).map((review) => review.id)).toEqual([fresh.id]);
    expect((await listReviews(workspace.id, people.ada.id, { mine: "author", promptId: prompt.id })).map((review) => review.id).sort()).toEqual([old.id, fresh.id].sort());
  });

  it("attaches a run or a comparison that exists in the workspace as evidence", async () => {
    const prompt = await promptWithVersions("evidence", 2);
    const [v1, v2] = prompt.versions;
    const run = await db.run.create({
      data: {
        workspaceId: workspace.id,
        name: "v1 vs v2",
        config: {},
        variants: {
          create: [
            { position: 0, label: "A", versionId: v1!.id, prompt: {}, model: "m", params: {} },
            { position: 1, label: "B", versionId: v2!.id, prompt: {}, model: "m", params: {} },
          ],
        },
      },
      include: { variants: { orderBy: { position: "asc" } } },
    });
    const key = run.variants.map((variant) => variant.id).join(",");
    const options = await requestOptions(workspace.id, people.ada.id, v2!.id);
    expect(options.reviewers.map((reviewer) => reviewer.name)).toEqual(["Grace Hopper", "Linus Torvalds"]);
    expect(options.evidence.map((item) => [item.type, item.id])).toEqual([
      ["comparison", key],
      ["run", run.id],
    ]);
    const review = await reviews.requestReview(as("ada"), { versionId: v2!.id, reviewerIds: [people.grace.id], evidence: { type: "comparison", id: `variants=${key}` } });
    expect(review.evidence).toEqual({ type: "comparison", id: key });
    await reviews.withdrawReview(as("ada"), review.id);
    const byRun = await reviews.requestReview(as("ada"), { versionId: v2!.id, reviewerIds: [people.grace.id], evidence: { type: "run", id: run.id } });
    expect(byRun.evidence).toEqual({ type: "run", id: run.id });
  });

  it("refuses bad input with the field named and stores nothing", async () => {
    const prompt = await promptWithVersions("bad-input", 1);
    const v1 = prompt.versions[0]!;
    const cases: [Parameters<typeof reviews.requestReview>[1], string][] = [
      [{ versionId: v1.id, reviewerIds: [] }, "reviewerIds: pick at least one reviewer"],
      [{ versionId: v1.id, reviewerIds: [people.ada.id] }, "reviewerIds: you cannot review your own request"],
      [{ versionId: v1.id, reviewerIds: [people.vera.id] }, "reviewerIds: Vera Viewer is a viewer and cannot review (editors and above can)"],
      [{ versionId: v1.id, reviewerIds: ["nobody"] }, "reviewerIds: nobody is not a member of this workspace"],
      [{ versionId: "no-such-version", reviewerIds: [people.grace.id] }, "versionId: no such prompt version in this workspace"],
      [{ versionId: v1.id, reviewerIds: [people.grace.id], evidence: { type: "run", id: "no-such-run" } }, "evidence.id: no run no-such-run in this workspace"],
      [{ versionId: v1.id, reviewerIds: [people.grace.id], evidence: { type: "comparison", id: "x1,x2" } }, 'evidence.id: No variant "x1", "x2" in this workspace.'],
    ];
    for (const [input, message] of cases) {
      // zod's refusals and AppErrors answer the same body: the message the API returns with 400
      const refused = await reviews.requestReview(as("ada"), input).then(() => null, (caught: unknown) => caught);
      expect(httpStatusOf(refused)).toBe(400);
      expect(errorBody(refused).error.message).toBe(message);
    }
    // A reviewer asked by someone else than the author may not list the author
    const byGrace = await rejection(reviews.requestReview(as("grace"), { versionId: v1.id, reviewerIds: [people.ada.id] }));
    expect(byGrace.message).toBe("reviewerIds: Ada Lovelace wrote this version; their approval would not count");
    expect(await db.review.count({ where: { promptId: prompt.id } })).toBe(0);
    const review = await reviews.requestReview(as("ada"), { versionId: v1.id, reviewerIds: [people.grace.id] });
    // new evidence on re-request is checked like the first
    const v2 = await prompts.createVersion(workspace.id, prompt.id, people.ada.id, content("v2"));
    const badEvidence = await reviews.rerequestReview(as("ada"), review.id, { versionId: v2.id, evidence: { type: "run", id: "gone" } }).catch((caught: unknown) => caught);
    expect(errorBody(badEvidence).error.message).toBe("evidence.id: no run gone in this workspace");
    expect((await getReview(workspace.id, review.id)).version.number).toBe(1);
    const empty = errorBody(await reviews.decideReview(as("grace"), review.id, { verdict: "changes_requested", comment: "  " }).catch((caught: unknown) => caught));
    expect(empty.error.message).toBe("comment: say what has to change");
    expect(await db.reviewDecision.count({ where: { reviewId: review.id } })).toBe(0);
    expect((await rejection(reviews.decideReview(as("vera"), review.id, { verdict: "approved" }))).code).toBe("forbidden");
  });
});
