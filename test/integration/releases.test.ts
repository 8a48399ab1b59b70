import { createHash, randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { rejection } from "../support/app-error.ts";

// Issue #11 releases: create (every refusal changes nothing), the state machine with its timeline and feed, one live
// release per prompt, concurrent actions, promotion through the review gate (by a person and by the monitor), the
// rollback webhook, and gateway keys — against a real database. Ada (editor) writes the versions, Grace (owner) and
// Linus (admin) run releases.

process.env.DATABASE_URL = inject("databaseUrl");

const { db } = await import("../../lib/db.ts");
const prompts = await import("../../lib/prompts/service.ts");
const reviews = await import("../../lib/reviews/service.ts");
const { createRelease, getReleaseView, listReleases } = await import("../../lib/releases/service.ts");
const { transitionRelease } = await import("../../lib/releases/transitions.ts");
const { settleReleaseWebhooks } = await import("../../lib/releases/webhook.ts");
const keys = await import("../../lib/gateway-keys/service.ts");

const suffix = randomUUID().slice(0, 8);
const people = {
  ada: { id: `ada-${suffix}`, name: "Ada Lovelace", email: `ada-${suffix}@example.test`, role: "editor" as const },
  grace: { id: `grace-${suffix}`, name: "Grace Hopper", email: `grace-${suffix}@example.test`, role: "owner" as const },
  linus: { id: `linus-${suffix}`, name: "Linus Torvalds", email: `linus-${suffix}@example.test`, role: "admin" as const },
};
let workspaceId: string;
let suiteId: string;

const content = (text: string) => ({
  messages: [{ role: "user" as const, content: `${text} {{ ticket }}` }],
  examples: [],
  counterexamples: [],
  exampleMode: "chat" as const,
  params: {},
  commitMessage: text,
});

/** A prompt with versions 1..count by Ada, and `labels` pointing at versions (written directly: no gate to pass). */
async function promptWith(name: string, count: number, labels: Record<string, number> = { production: 1 }) {
  const prompt = await prompts.createPrompt(workspaceId, people.ada.id, { name, version: content("v1") });
  const versions = [prompt.latest];
  for (let number = 2; number <= count; number++) versions.push(await prompts.createVersion(workspaceId, prompt.id, people.ada.id, content(`v${number}`)));
  for (const [label, number] of Object.entries(labels)) {
    await db.promptLabel.create({ data: { promptId: prompt.id, name: label, versionId: versions[number - 1]!.id } });
  }
  return { id: prompt.id, name, versions: versions.map((version) => version.id) };
}

async function labelVersion(promptId: string, name: string) {
  return (await db.promptLabel.findUnique({ where: { promptId_name: { promptId, name } }, select: { versionId: true } }))?.versionId;
}

async function counts() {
  const [releases, arms, events, activity] = await Promise.all([
    db.release.count({ where: { workspaceId } }),
    db.releaseArm.count({ where: { release: { workspaceId } } }),
    db.releaseEvent.count({ where: { release: { workspaceId } } }),
    db.activityEvent.count({ where: { workspaceId } }),
  ]);
  return { releases, arms, events, activity };
}

async function eventsOf(releaseId: string) {
  return db.releaseEvent.findMany({ where: { releaseId }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
}

const as = (person: keyof typeof people) => ({ actorId: people[person].id });

beforeAll(async () => {
  await db.user.createMany({ data: Object.values(people).map(({ id, name, email }) => ({ id, name, email })) });
  workspaceId = (await db.workspace.create({ data: { name: "Releases", slug: `releases-${suffix}` } })).id;
  await db.membership.createMany({ data: Object.values(people).map(({ id, role }) => ({ workspaceId, userId: id, role })) });
  suiteId = (await db.suite.create({ data: { workspaceId, name: "triage", assertions: [{ type: "contains", value: "x" }] } })).id;
});

afterAll(async () => {
  await settleReleaseWebhooks();
  await db.workspace.deleteMany({ where: { id: workspaceId } });
  await db.user.deleteMany({ where: { id: { in: Object.values(people).map((person) => person.id) } } });
  await db.$disconnect();
});

describe("createRelease", () => {
  it("refuses bad input naming the field, and writes nothing", async () => {
    await promptWith("refusals", 3);
    const before = await counts();
    const cases: [Record<string, unknown>, number, string][] = [
      [{ prompt: "no-such-prompt", candidate: 2, mode: "canary" }, 404, "prompt"],
      [{ prompt: "refusals", stable: "staging", candidate: 2, mode: "canary" }, 400, "stable"],
      [{ prompt: "refusals", candidate: 9, mode: "canary" }, 400, "candidate"],
      [{ prompt: "refusals", candidate: 1, mode: "canary" }, 400, "candidate"],
      [{ prompt: "refusals", candidates: [2, 3], mode: "canary" }, 400, "candidate"],
      [{ prompt: "refusals", mode: "shadow" }, 400, "candidate"],
      [{ prompt: "refusals", candidate: 2, mode: "canary", steps: [5, 1, 100] }, 400, "steps"],
      [{ prompt: "refusals", candidate: 2, mode: "canary", steps: [1, 5, 50] }, 400, "steps"],
      [{ prompt: "refusals", candidate: 2, mode: "shadow", steps: [1, 100] }, 400, "steps"],
      [{ prompt: "refusals", candidates: [2, 3], mode: "ab", split: [50, 50] }, 400, "split"],
      [{ prompt: "refusals", candidates: [2, 3], mode: "ab", split: [40, 30, 20] }, 400, "split"],
      [{ prompt: "refusals", candidate: 2, mode: "canary", rings: [{ name: "internal" }, { name: "Internal" }] }, 400, "rings"],
      [{ prompt: "refusals", candidate: 2, mode: "shadow", scoring: { suiteId: "no-such-suite" } }, 400, "scoring.suiteId"],
      [{ prompt: "refusals", candidate: 2, mode: "shadow", scoring: { suiteId: "x", assertions: [0] } }, 400, "scoring.suiteId"],
      [{ prompt: "refusals", candidate: 2, mode: "shadow", scoring: { judge: { connectionId: "nope", model: "m", rubric: "r" } } }, 400, "scoring.judge.connectionId"],
      [{ prompt: "refusals", candidate: 2, mode: "canary", webhook: "http://169.254.169.254/latest" }, 400, "outbound"],
    ];
    for (const [input, status, subject] of cases) {
      const error = await rejection(createRelease(workspaceId, people.grace.id, input));
      expect({ input, status: error.code === "not_found" ? 404 : 400, subject: error.subject }).toEqual({ input, status, subject });
    }
    const { httpStatusOf, errorBody } = await import("../../lib/errors.ts");
    let zodError: unknown;
    try {
      await createRelease(workspaceId, people.grace.id, { prompt: "refusals", candidate: 2, mode: "canary", steps: [0, 100] });
    } catch (error) {
      zodError = error;
    }
    expect(httpStatusOf(zodError)).toBe(400);
    expect(errorBody(zodError).error.message).toBe("steps.0: a step above 0");
    const webhook = await rejection(createRelease(workspaceId, people.grace.id, { prompt: "refusals", candidate: 2, mode: "canary", webhook: "http://169.254.169.254/x" }));
    expect(webhook.message).toMatch(/^webhook: /);
    expect(await counts()).toEqual(before);
  });

  it("writes the release, its arms and a created event; the view shows them", async () => {
    const prompt = await promptWith("created", 3);
    const { id } = await createRelease(workspaceId, people.grace.id, {
      prompt: "created",
      candidates: [2, 3],
      mode: "ab",
      split: [50, 25, 25],
      scoring: { suiteId, assertions: [0] },
      webhook: "http://127.0.0.1:9/hooks/secret-token",
    });
    const row = await db.release.findUniqueOrThrow({ where: { id }, include: { arms: { orderBy: { position: "asc" } } } });
    expect(row).toMatchObject({ state: "draft", stage: 0, mode: "ab", stableLabel: "production", createdById: people.grace.id, promptId: prompt.id });
    expect(row.salt).toMatch(/^[0-9a-f]{32}$/);
    expect(row.arms.map((arm) => [arm.name, arm.versionId])).toEqual([
      ["stable", prompt.versions[0]],
      ["candidate", prompt.versions[1]],
      ["candidate-2", prompt.versions[2]],
    ]);
    expect(row.config).toMatchObject({ split: [50, 25, 25], sample: 100, autoAdvance: true, hold: { minMinutes: 10, minCalls: 100 } });
    const view = await getReleaseView(workspaceId, id);
    expect(view.events.map((event) => [event.kind, event.actor?.name])).toEqual([["created", "Grace Hopper"]]);
    expect(view.arms.map((arm) => `${arm.name} v${arm.versionNumber}`)).toEqual(["stable v1", "candidate v2", "candidate-2 v3"]);
    expect(view.stages.map((stage) => stage.title)).toEqual(["everyone"]);
    // the webhook's path can hold its secret: the view shows the origin only
    expect(view.config.webhook).toBe("http://127.0.0.1:9/…");
    expect(view.promotion).toEqual({ label: "production", ready: false, reason: "The release is draft: only a running or paused release is promoted." });
    const listed = await listReleases(workspaceId, { promptId: prompt.id });
    expect(listed.map((item) => [item.id, item.state, item.stageTitle])).toEqual([[id, "draft", "everyone"]]);
    expect(await db.activityEvent.count({ where: { workspaceId, kind: "release.created", promptId: prompt.id } })).toBe(1);
  });
});

describe("transitionRelease", () => {
  it("walks a canary through its stages, writing each event with its actor, and refuses illegal moves naming the state", async () => {
    const prompt = await promptWith("walk", 2, { staging: 1 });
    const { id } = await createRelease(workspaceId, people.grace.id, {
      prompt: "walk",
      stable: "staging",
      candidate: 2,
      mode: "canary",
      steps: [10, 100],
      rings: [{ name: "internal", users: ["ops@example.test"] }],
    });
    const pauseDraft = await rejection(transitionRelease(workspaceId, id, "pause", as("grace")));
    expect(pauseDraft).toMatchObject({ code: "conflict", subject: "state", message: "A draft release cannot pause." });
    expect(await transitionRelease(workspaceId, id, "start", as("grace"))).toEqual({ state: "running", stage: 0, changed: true });
    const started = await db.release.findUniqueOrThrow({ where: { id } });
    expect(started).toMatchObject({ startedById: people.grace.id });
    expect(started.startedAt).not.toBeNull();
    expect(started.stageStartedAt).not.toBeNull();
    expect(await rejection(transitionRelease(workspaceId, id, "start", as("grace")))).toMatchObject({ code: "conflict", message: "The release is already running: only a draft starts." });
    expect(await rejection(transitionRelease(workspaceId, id, "resume", as("grace")))).toMatchObject({ code: "conflict", message: "A running release cannot resume." });
    expect(await rejection(transitionRelease(workspaceId, id, "stop", as("grace")))).toMatchObject({ code: "conflict", subject: "mode" });
    expect(await transitionRelease(workspaceId, id, "advance", as("linus"))).toEqual({ state: "running", stage: 1, changed: true });
    expect(await transitionRelease(workspaceId, id, "pause", { actorId: people.linus.id, note: "looking at latency" })).toEqual({ state: "paused", stage: 1, changed: true });
    expect(await rejection(transitionRelease(workspaceId, id, "advance", as("grace")))).toMatchObject({ code: "conflict", message: "A paused release cannot advance." });
    expect((await db.release.findUniqueOrThrow({ where: { id } })).reason).toEqual({ kind: "manual", message: "looking at latency" });
    expect(await transitionRelease(workspaceId, id, "resume", as("grace"))).toEqual({ state: "running", stage: 1, changed: true });
    expect(await transitionRelease(workspaceId, id, "advance", as("grace"))).toEqual({ state: "running", stage: 2, changed: true });
    // past the last canary step, advance promotes: the unprotected label moves to the candidate
    expect(await transitionRelease(workspaceId, id, "advance", as("grace"))).toEqual({ state: "promoted", stage: 2, changed: true });
    expect(await labelVersion(prompt.id, "staging")).toBe(prompt.versions[1]);
    for (const action of ["start", "pause", "resume", "advance", "rollback", "promote"] as const) {
      expect((await rejection(transitionRelease(workspaceId, id, action, as("grace")))).code).toBe("conflict");
    }
    const events = await eventsOf(id);
    expect(events.map((event) => [event.kind, event.actorId, (event.data as { fromStage?: number }).fromStage ?? null, (event.data as { toStage?: number }).toStage ?? null, (event.data as { share?: number }).share ?? null])).toEqual([
      ["created", people.grace.id, null, null, null],
      ["started", people.grace.id, 0, 0, 100],
      ["advanced", people.linus.id, 0, 1, 10],
      ["paused", people.linus.id, 1, 1, 10],
      ["resumed", people.grace.id, 1, 1, 10],
      ["advanced", people.grace.id, 1, 2, 100],
      ["promoted", people.grace.id, 2, 2, 100],
    ]);
    expect((events[3]!.data as { note: string }).note).toBe("looking at latency");
    const feed = await db.activityEvent.findMany({
      where: { workspaceId, promptId: prompt.id, kind: { not: "version.saved" } },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      select: { kind: true, actorId: true },
    });
    expect(feed.map((item) => item.kind)).toEqual([
      "release.created",
      "release.started",
      "release.advanced",
      "release.paused",
      "release.resumed",
      "release.advanced",
      "label.moved",
      "release.promoted",
    ]);
    const view = await getReleaseView(workspaceId, id);
    expect(view).toMatchObject({ state: "promoted", reason: { kind: "promoted", message: "Promoted candidate." } });
    expect(view.endedAt).not.toBeNull();
  });

  it("refuses to start a second live release on a prompt (409 naming it), and a start after the stable label moved", async () => {
    const prompt = await promptWith("one-live", 3);
    const first = await createRelease(workspaceId, people.grace.id, { prompt: "one-live", candidate: 2, mode: "canary" });
    const second = await createRelease(workspaceId, people.grace.id, { prompt: "one-live", candidate: 3, mode: "shadow" });
    await transitionRelease(workspaceId, first.id, "start", as("grace"));
    const refused = await rejection(transitionRelease(workspaceId, second.id, "start", as("grace")));
    expect(refused).toMatchObject({ code: "conflict", subject: "release", message: `one-live already has a live release (release ${first.id} is running): end it before starting another.` });
    await transitionRelease(workspaceId, first.id, "pause", as("grace"));
    expect((await rejection(transitionRelease(workspaceId, second.id, "start", as("grace")))).subject).toBe("release");
    await transitionRelease(workspaceId, first.id, "rollback", { actorId: people.grace.id, note: "wrong tone" });
    const rolledBack = await db.release.findUniqueOrThrow({ where: { id: first.id } });
    expect(rolledBack).toMatchObject({ state: "rolled_back", reason: { kind: "manual", message: "wrong tone" } });
    expect(rolledBack.endedAt).not.toBeNull();
    expect((await eventsOf(first.id)).at(-1)).toMatchObject({ kind: "rolled_back", actorId: people.grace.id, data: expect.objectContaining({ share: 0, note: "wrong tone" }) });

    // the stable label moved (v1 → v3) after the shadow release was created from it
    await db.promptLabel.update({ where: { promptId_name: { promptId: prompt.id, name: "production" } }, data: { versionId: prompt.versions[2]! } });
    expect(await rejection(transitionRelease(workspaceId, second.id, "start", as("grace")))).toMatchObject({
      code: "conflict",
      subject: "stable",
      message: "production has moved since the release was created (it now points at v3): create a new release from it.",
    });
    expect((await db.release.findUniqueOrThrow({ where: { id: second.id } })).state).toBe("draft");
  });

  it("lets only one of two concurrent starts on a prompt through (the partial unique index backs the check)", async () => {
    await promptWith("race-start", 3);
    const a = await createRelease(workspaceId, people.grace.id, { prompt: "race-start", candidate: 2, mode: "canary" });
    const b = await createRelease(workspaceId, people.grace.id, { prompt: "race-start", candidate: 3, mode: "canary" });
    const outcomes = await Promise.allSettled([transitionRelease(workspaceId, a.id, "start", as("grace")), transitionRelease(workspaceId, b.id, "start", as("linus"))]);
    expect(outcomes.filter((outcome) => outcome.status === "fulfilled")).toHaveLength(1);
    const failure = outcomes.find((outcome) => outcome.status === "rejected") as PromiseRejectedResult;
    expect(failure.reason).toMatchObject({ code: "conflict", subject: "release" });
    expect(await db.release.count({ where: { id: { in: [a.id, b.id] }, state: "running" } })).toBe(1);
  });

  it("changes the stage once when two advances race", async () => {
    await promptWith("race-advance", 2);
    const { id } = await createRelease(workspaceId, people.grace.id, { prompt: "race-advance", candidate: 2, mode: "canary" });
    await transitionRelease(workspaceId, id, "start", as("grace"));
    const expectation = { state: "running" as const, stage: 0 };
    const results = await Promise.all([
      transitionRelease(workspaceId, id, "advance", { actorId: null, expect: expectation }),
      transitionRelease(workspaceId, id, "advance", { actorId: people.grace.id, expect: expectation }),
      transitionRelease(workspaceId, id, "advance", { actorId: people.linus.id, expect: expectation }),
    ]);
    expect(results.filter((result) => result.changed)).toHaveLength(1);
    expect((await db.release.findUniqueOrThrow({ where: { id } })).stage).toBe(1);
    expect((await eventsOf(id)).filter((event) => event.kind === "advanced")).toHaveLength(1);
    // a stale expectation changes nothing and says so
    expect(await transitionRelease(workspaceId, id, "advance", { actorId: null, expect: expectation })).toEqual({ state: "running", stage: 1, changed: false });
  });

  it("refuses a person's promote of a protected label without approval (409 with the gate's reason), moving nothing", async () => {
    const prompt = await promptWith("gated", 2);
    const { id } = await createRelease(workspaceId, people.grace.id, { prompt: "gated", candidate: 2, mode: "canary", steps: [100] });
    await transitionRelease(workspaceId, id, "start", as("grace"));
    const refused = await rejection(transitionRelease(workspaceId, id, "promote", as("grace")));
    expect(refused).toMatchObject({
      code: "conflict",
      subject: "label",
      message: "production needs 1 approval of gated v2 from someone other than its author; it has 0.",
    });
    expect(await labelVersion(prompt.id, "production")).toBe(prompt.versions[0]);
    expect(await db.release.findUniqueOrThrow({ where: { id } })).toMatchObject({ state: "running", endedAt: null });
    expect((await eventsOf(id)).map((event) => event.kind)).toEqual(["created", "started"]);
    const view = await getReleaseView(workspaceId, id);
    expect(view.promotion).toEqual({ label: "production", ready: false, reason: "production needs 1 approval of gated v2 from someone other than its author; it has 0." });
    // an editor may not move production at all
    expect(await rejection(transitionRelease(workspaceId, id, "promote", as("ada")))).toMatchObject({ code: "forbidden" });
  });

  it("records promotion_blocked when the monitor's promote is refused, once, and promotes as the starter once approved", async () => {
    const prompt = await promptWith("auto", 2);
    const { id } = await createRelease(workspaceId, people.grace.id, { prompt: "auto", candidate: 2, mode: "canary", steps: [50, 100] });
    await transitionRelease(workspaceId, id, "start", as("linus"));
    await transitionRelease(workspaceId, id, "advance", { actorId: null, expect: { state: "running", stage: 0 } });
    const monitor = { actorId: null, expect: { state: "running" as const, stage: 1 } };
    expect(await transitionRelease(workspaceId, id, "advance", monitor)).toEqual({ state: "running", stage: 1, changed: false });
    expect(await transitionRelease(workspaceId, id, "advance", monitor)).toEqual({ state: "running", stage: 1, changed: false });
    const blocked = (await eventsOf(id)).filter((event) => event.kind === "promotion_blocked");
    expect(blocked).toHaveLength(1);
    expect(blocked[0]).toMatchObject({ actorId: null, data: { arm: "candidate", label: "production", stage: 1, reason: "production needs 1 approval of auto v2 from someone other than its author; it has 0." } });
    expect(await labelVersion(prompt.id, "production")).toBe(prompt.versions[0]);

    const actor = (person: "ada" | "grace") => ({ user: { id: people[person].id, name: people[person].name }, workspace: { id: workspaceId }, role: people[person].role });
    const review = await reviews.requestReview(actor("ada"), { versionId: prompt.versions[1]!, reviewerIds: [people.grace.id] });
    await reviews.decideReview(actor("grace"), review.id, { verdict: "approved", comment: "Ship it." });
    expect(await transitionRelease(workspaceId, id, "advance", monitor)).toEqual({ state: "promoted", stage: 1, changed: true });
    expect(await labelVersion(prompt.id, "production")).toBe(prompt.versions[1]);
    const moved = await db.activityEvent.findFirstOrThrow({ where: { workspaceId, promptId: prompt.id, kind: "label.moved" } });
    expect(moved).toMatchObject({ actorId: people.linus.id, data: expect.objectContaining({ toNumber: 2, reviewId: review.id }) });
    expect((await eventsOf(id)).at(-1)).toMatchObject({ kind: "promoted", actorId: null, data: expect.objectContaining({ movedById: people.linus.id }) });
  });

  it("records the monitor's SRM pause as srm_paused with its evidence, in the timeline and the feed", async () => {
    const prompt = await promptWith("srm", 3);
    const { id } = await createRelease(workspaceId, people.grace.id, { prompt: "srm", candidates: [2], mode: "ab" });
    await transitionRelease(workspaceId, id, "start", as("grace"));
    const reason = { kind: "srm" as const, message: "Sample ratio mismatch: 10,400 vs 9,600 calls for a 50/50 split (p = 1.4e-8).", evidence: { pValue: 1.4e-8 } };
    expect(await transitionRelease(workspaceId, id, "pause", { actorId: null, reason, expect: { state: "running", stage: 0 } })).toEqual({ state: "paused", stage: 0, changed: true });
    expect(await db.release.findUniqueOrThrow({ where: { id } })).toMatchObject({ state: "paused", reason });
    expect((await eventsOf(id)).at(-1)).toMatchObject({ kind: "srm_paused", actorId: null, data: expect.objectContaining({ reason }) });
    expect(await db.activityEvent.findFirstOrThrow({ where: { workspaceId, promptId: prompt.id, kind: "release.srm_paused" } })).toMatchObject({ actorId: null, data: expect.objectContaining({ reason: reason.message }) });
    // a person resumes it; the reason is cleared
    await transitionRelease(workspaceId, id, "resume", as("grace"));
    expect((await db.release.findUniqueOrThrow({ where: { id } })).reason).toBeNull();
  });

  it("stops an A/B test and promotes a named arm of another", async () => {
    const prompt = await promptWith("ab", 3, { staging: 1 });
    const stopped = await createRelease(workspaceId, people.grace.id, { prompt: "ab", stable: "staging", candidates: [2, 3], mode: "ab" });
    await transitionRelease(workspaceId, stopped.id, "start", as("grace"));
    expect(await rejection(transitionRelease(workspaceId, stopped.id, "advance", as("grace")))).toMatchObject({ code: "conflict", message: "The release is on its last stage (everyone): promote or stop it." });
    expect(await transitionRelease(workspaceId, stopped.id, "stop", { actorId: people.grace.id, note: "no winner" })).toEqual({ state: "stopped", stage: 0, changed: true });
    expect(await labelVersion(prompt.id, "staging")).toBe(prompt.versions[0]);
    const promoted = await createRelease(workspaceId, people.grace.id, { prompt: "ab", stable: "staging", candidates: [2, 3], mode: "ab", split: [34, 33, 33] });
    await transitionRelease(workspaceId, promoted.id, "start", as("grace"));
    expect(await rejection(transitionRelease(workspaceId, promoted.id, "promote", { actorId: people.grace.id, arm: "candidate-7" }))).toMatchObject({ code: "bad_request", subject: "arm" });
    await transitionRelease(workspaceId, promoted.id, "promote", { actorId: people.grace.id, arm: "candidate-2" });
    expect(await labelVersion(prompt.id, "staging")).toBe(prompt.versions[2]);
  });

  it("posts the rollback webhook a summary without waiting for it, and records its outcome on the event", async () => {
    const received: { body: unknown; contentType: string | undefined }[] = [];
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const server = http.createServer((request, response) => {
      let body = "";
      request.on("data", (chunk: Buffer) => (body += chunk.toString()));
      request.on("end", () => {
        received.push({ body: JSON.parse(body), contentType: request.headers["content-type"] });
        // the hook answers only once the rollback has returned: the rollback must not wait for it
        void held.then(() => response.writeHead(202).end());
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/abc`;
      await promptWith("hooked", 2);
      const { id } = await createRelease(workspaceId, people.grace.id, { prompt: "hooked", candidate: 2, mode: "canary", webhook: url });
      await transitionRelease(workspaceId, id, "start", as("grace"));
      const reason = { kind: "guard" as const, message: "error rate: candidate 10.0% vs stable 0.0%", evidence: { guard: "errorRate" } };
      expect(await transitionRelease(workspaceId, id, "rollback", { actorId: null, reason, expect: { state: "running", stage: 0 } })).toEqual({ state: "rolled_back", stage: 0, changed: true });
      expect((await db.release.findUniqueOrThrow({ where: { id } })).reason).toEqual(reason);
      release();
      await settleReleaseWebhooks();
      expect(received).toHaveLength(1);
      expect(received[0]).toMatchObject({
        contentType: "application/json",
        body: { event: "release.rolled_back", release: { id, prompt: "hooked", mode: "canary", stableLabel: "production", stage: "everyone 1 %", arms: [{ name: "stable", version: 1 }, { name: "candidate", version: 2 }] }, reason },
      });
      const event = (await eventsOf(id)).at(-1)!;
      expect(event).toMatchObject({ kind: "rolled_back", actorId: null, data: expect.objectContaining({ share: 0, webhook: { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/…`, status: 202, ok: true } }) });
    } finally {
      release();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("rolls back even when the webhook cannot be reached, recording the error", async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    await promptWith("unreachable", 2);
    const { id } = await createRelease(workspaceId, people.grace.id, { prompt: "unreachable", candidate: 2, mode: "canary", webhook: `http://127.0.0.1:${port}/` });
    await transitionRelease(workspaceId, id, "start", as("grace"));
    await transitionRelease(workspaceId, id, "rollback", as("grace"));
    await settleReleaseWebhooks();
    expect((await db.release.findUniqueOrThrow({ where: { id } })).state).toBe("rolled_back");
    const webhook = ((await eventsOf(id)).at(-1)!.data as { webhook: { url: string; error?: string } }).webhook;
    expect(webhook.url).toBe(`http://127.0.0.1:${port}`);
    expect(webhook.error).toEqual(expect.any(String));
  });
});

describe("gateway keys", () => {
  it("creates (the key once, its hash stored), lists without secrets, revokes idempotently", async () => {
    const created = await keys.createWorkspaceGatewayKey(workspaceId, people.grace.id, { name: "  checkout service " });
    expect(created.name).toBe("checkout service");
    expect(created.key).toMatch(/^assay_gw_[A-Za-z0-9_-]{43}$/);
    expect(created.prefix).toBe(created.key.slice(0, 13));
    const row = await db.gatewayKey.findUniqueOrThrow({ where: { id: created.id } });
    expect(row.keyHash).toBe(createHash("sha256").update(created.key).digest("hex"));
    expect(JSON.stringify(row)).not.toContain(created.key);

    const listed = await keys.listGatewayKeys(workspaceId);
    expect(listed).toEqual([
      { id: created.id, name: "checkout service", prefix: created.prefix, createdBy: { id: people.grace.id, name: "Grace Hopper" }, createdAt: created.createdAt, lastUsedAt: null, revokedAt: null, revokedBy: null },
    ]);
    expect(JSON.stringify(listed)).not.toContain(row.keyHash);

    expect(await keys.revokeGatewayKey(workspaceId, people.linus.id, created.id)).toBe(true);
    const revokedAt = (await db.gatewayKey.findUniqueOrThrow({ where: { id: created.id } })).revokedAt;
    expect(await keys.revokeGatewayKey(workspaceId, people.grace.id, created.id)).toBe(false);
    expect(await db.gatewayKey.findUniqueOrThrow({ where: { id: created.id } })).toMatchObject({ revokedAt, revokedById: people.linus.id });
    expect((await keys.listGatewayKeys(workspaceId))[0]).toMatchObject({ revokedBy: { id: people.linus.id, name: "Linus Torvalds" } });
    expect(await rejection(keys.revokeGatewayKey(workspaceId, people.grace.id, "no-such-key"))).toMatchObject({ code: "not_found", subject: "gatewayKey" });
    await expect(keys.createWorkspaceGatewayKey(workspaceId, people.grace.id, { name: " " })).rejects.toThrow("a name for the key");
    await expect(keys.createWorkspaceGatewayKey(workspaceId, people.grace.id, { name: "x".repeat(101) })).rejects.toThrow("at most 100 characters");
  });
});
