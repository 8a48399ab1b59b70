import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isolatedDatabase } from "../support/isolated-database.ts";
import { startFakeOpenAI, type FakeOpenAI } from "../support/fake-openai-server.ts";
import { rejection } from "../support/app-error.ts";

// A database of this file's own: it runs the run engine, whose workers take any run on the shared queue.
process.env.DATABASE_URL = await isolatedDatabase("activity");
process.env.ASSAY_SECRET ??= "test-secret-for-activity-0123456789";

const { db } = await import("../../lib/db.ts");
const { createPrompt, createVersion, updatePrompt } = await import("../../lib/prompts/service.ts");
const runs = await import("../../lib/runs/service.ts");
const { RunWorker } = await import("../../lib/runs/worker.ts");
const { waitForRun } = await import("../../lib/runs/wait.ts");
const { finishRunIfDone } = await import("../../lib/runs/finish.ts");
const { endRun } = await import("../../lib/runs/end-run.ts");
const { SHARED_QUEUE, stopBoss } = await import("../../lib/runs/queue.ts");
const { createConnection } = await import("../../lib/connections/service.ts");
const { recordActivity } = await import("../../lib/activity/record.ts");
const { recordComparisonOpened, COMPARISON_DEBOUNCE_MS } = await import("../../lib/activity/comparison-opened.ts");
const { listActivity, activityFilterOptions } = await import("../../lib/activity/feed.ts");

let fake: FakeOpenAI;
let worker: InstanceType<typeof RunWorker>;
let workspaceId: string;
let otherWorkspaceId: string;
let connectionId: string;
let suiteId: string;
const ada = { id: "", name: "Ada Lovelace" };
const bob = { id: "", name: "Bob Marley" };
let triage: { id: string; v1: string; v2: string };
let other: { id: string; v1: string };
let nightly: { id: string; variantIds: string[] };

const messages = (text: string) => [{ role: "user" as const, content: `${text} {{ text }}` }];

async function sentences(query: Parameters<typeof listActivity>[1] = {}): Promise<string[]> {
  return (await listActivity(workspaceId, { limit: 100, ...query })).items.map((item) => item.sentence);
}

async function eventCount(kind: string, runId?: string): Promise<number> {
  return db.activityEvent.count({ where: { workspaceId, kind, ...(runId ? { data: { path: ["runId"], equals: runId } } : {}) } });
}

beforeAll(async () => {
  fake = await startFakeOpenAI({ latencyMs: 2 });
  const stamp = `${process.pid}-${Date.now()}`;
  workspaceId = (await db.workspace.create({ data: { name: "Activity", slug: `activity-${stamp}` } })).id;
  otherWorkspaceId = (await db.workspace.create({ data: { name: "Elsewhere", slug: `elsewhere-${stamp}` } })).id;
  for (const person of [ada, bob]) {
    person.id = `${person.name.split(" ")[0]?.toLowerCase()}-${stamp}`;
    await db.user.create({ data: { id: person.id, name: person.name, email: `${person.id}@example.test` } });
  }
  await db.membership.createMany({
    data: [
      { workspaceId, userId: ada.id, role: "owner" },
      { workspaceId, userId: bob.id, role: "editor" },
    ],
  });
  connectionId = (
    await createConnection(workspaceId, { name: "fake", baseUrl: fake.url, apiKey: "sk-test-0123456789abcdef", concurrency: 10, models: [{ name: "fake-echo" }] })
  ).id;
  const suite = await db.suite.create({ data: { workspaceId, name: "tickets", assertions: [{ type: "starts-with", value: "Echo:" }] } });
  suiteId = suite.id;
  await db.case.createMany({
    data: Array.from({ length: 4 }, (_, index) => ({
      suiteId,
      position: index,
      key: `k${index}`,
      variables: { text: `ticket ${index}` },
      // one case of four fails for every variant: a 75 % pass rate
      assertions: index === 1 ? [{ type: "contains", value: "never there" }] : [],
    })),
  });
  worker = new RunWorker({ log: (line) => console.log(`[worker] ${line}`) });
  await worker.start();
});

afterAll(async () => {
  await worker?.stop();
  await stopBoss();
  await db.workspace.deleteMany({ where: { id: { in: [workspaceId, otherWorkspaceId] } } });
  await db.user.deleteMany({ where: { id: { in: [ada.id, bob.id] } } });
  await fake?.close();
  await db.$disconnect();
});

describe("activity feed", () => {
  it("records a saved version (the first one too) with its number and message, and nothing for a refused save", async () => {
    const created = await createPrompt(workspaceId, ada.id, { name: "support-triage", version: { messages: messages("Triage"), commitMessage: "first cut" } });
    const v2 = await createVersion(workspaceId, created.id, bob.id, { messages: messages("Triage tightly"), commitMessage: "tighter label list" });
    triage = { id: created.id, v1: created.latest.id, v2: v2.id };
    const refused = await rejection(createVersion(workspaceId, created.id, bob.id, { messages: [{ role: "user", content: "{{ broken" }] }));
    expect(refused.code).toBe("bad_request");

    const page = await listActivity(workspaceId, { prompt: triage.id });
    expect(page.items.map((item) => item.sentence)).toEqual([
      "Bob Marley saved support-triage v2 — 'tighter label list'",
      "Ada Lovelace created support-triage (v1) — 'first cut'",
    ]);
    expect(page.items[0]).toMatchObject({
      kind: "version.saved",
      group: "prompts",
      actor: { id: bob.id, name: "Bob Marley" },
      prompt: { id: triage.id, name: "support-triage" },
      path: `/prompts/${triage.id}?v=2`,
    });
    const stored = await db.activityEvent.findFirst({ where: { workspaceId, kind: "version.saved", actorId: bob.id } });
    expect(stored?.data).toEqual({ versionId: triage.v2, number: 2, commitMessage: "tighter label list" });
    expect(await eventCount("version.saved")).toBe(2);
  });

  it("records a run's start and exactly one finish with its pass rate, even when several finishers race", async () => {
    const { id } = await runs.createRun(workspaceId, ada.id, {
      name: "nightly",
      suiteId,
      variants: [
        { versionId: triage.v1, connectionId, model: "fake-echo" },
        { versionId: triage.v2, connectionId, model: "fake-echo" },
      ],
    });
    expect(await waitForRun(id)).toMatchObject({ status: "completed", done: 8 });
    // Other workers (and the CLI's waiter) call the finishing step again: the guarded transition writes nothing more.
    await Promise.all([finishRunIfDone(id, SHARED_QUEUE), finishRunIfDone(id, SHARED_QUEUE), finishRunIfDone(id, SHARED_QUEUE)]);
    expect(await eventCount("run.started", id)).toBe(1);
    expect(await eventCount("run.finished", id)).toBe(1);
    const variants = await db.variant.findMany({ where: { runId: id }, orderBy: { position: "asc" }, select: { id: true } });
    nightly = { id, variantIds: variants.map((variant) => variant.id) };

    const page = await listActivity(workspaceId, { kind: "runs" });
    expect(page.items.map((item) => item.sentence)).toEqual(["Run 'nightly' finished: 75% pass", "Ada Lovelace started run 'nightly' — 2 variants, 8 cells"]);
    expect(page.items.map((item) => item.path)).toEqual([`/runs/${id}`, `/runs/${id}`]);
    expect(page.items[0]).toMatchObject({ actor: { id: ada.id }, prompt: { id: triage.id }, tone: "good" });
    const finished = await db.activityEvent.findFirst({ where: { workspaceId, kind: "run.finished" } });
    expect(finished?.data).toMatchObject({ runId: id, status: "completed", passRate: 0.75, done: 8, cells: 8, errors: 0 });
  });

  it("a cancel racing the finishing step ends the run once: one run.finished, by whoever won", async () => {
    // A private queue no worker here takes: the run stays queued until it is ended.
    const { id } = await runs.createRun(workspaceId, ada.id, { name: "stopped", suiteId, variants: [{ versionId: triage.v2, connectionId, model: "fake-echo" }] }, { privateQueue: true });
    const outcomes = await Promise.all([
      endRun(id, { status: "cancelled", from: ["queued", "running"], actorId: bob.id }),
      endRun(id, { status: "cancelled", from: ["queued", "running"], actorId: bob.id }),
      endRun(id, { status: "failed", from: ["queued", "running"], error: "lost", actorId: bob.id }),
    ]);
    expect(outcomes.filter(Boolean)).toHaveLength(1);
    expect(await eventCount("run.finished", id)).toBe(1);

    const { id: cancelled } = await runs.createRun(workspaceId, ada.id, { name: "cancelled", suiteId, variants: [{ versionId: triage.v2, connectionId, model: "fake-echo" }] }, { privateQueue: true });
    await runs.cancelRun(workspaceId, cancelled, bob.id);
    await runs.cancelRun(workspaceId, cancelled, bob.id);
    expect(await eventCount("run.finished", cancelled)).toBe(1);
    const [latest] = (await listActivity(workspaceId, { kind: "run.finished", limit: 1 })).items;
    expect(latest).toMatchObject({ sentence: "Bob Marley cancelled run 'cancelled' at 0 of 4 cells", tone: "bad", path: `/runs/${cancelled}` });
  });

  it("records an opened comparison once per member per hour, also when two loads arrive together", async () => {
    const opened = { workspaceId, actorId: bob.id, variantIds: nightly.variantIds };
    expect(await Promise.all([recordComparisonOpened(opened), recordComparisonOpened(opened)])).toEqual(expect.arrayContaining([true, false]));
    expect(await recordComparisonOpened(opened)).toBe(false);
    // Another member opening it is news; the same member an hour later is too.
    expect(await recordComparisonOpened({ ...opened, actorId: ada.id })).toBe(true);
    expect(await eventCount("comparison.opened")).toBe(2);
    expect(await recordComparisonOpened(opened, new Date(Date.now() + COMPARISON_DEBOUNCE_MS + 60_000))).toBe(true);
    expect(await eventCount("comparison.opened")).toBe(3);

    const [line] = (await listActivity(workspaceId, { kind: "comparison.opened", actor: ada.id })).items;
    expect(line).toMatchObject({
      sentence: "Ada Lovelace opened the comparison 'support-triage v1 · fake-echo' vs 'support-triage v2 · fake-echo'",
      path: `/compare?variants=${nightly.variantIds.join(",")}`,
      prompt: { id: triage.id },
    });
    const stored = await db.activityEvent.findFirst({ where: { workspaceId, kind: "comparison.opened", actorId: ada.id } });
    expect(stored?.data).toMatchObject({ variants: nightly.variantIds.join(","), runIds: [nightly.id], runNames: ["nightly"], promptIds: [triage.id] });
  });

  it("filters by person, by prompt (runs across prompts included) and by kind group", async () => {
    const created = await createPrompt(workspaceId, bob.id, { name: "refund-policy", version: { messages: messages("Refund"), commitMessage: "start" } });
    other = { id: created.id, v1: created.latest.id };
    const { id } = await runs.createRun(
      workspaceId,
      bob.id,
      { name: "cross", suiteId, variants: [{ versionId: triage.v2, connectionId, model: "fake-echo" }, { versionId: other.v1, connectionId, model: "fake-echo" }] },
      { privateQueue: true },
    );
    await runs.cancelRun(workspaceId, id, bob.id);

    expect(await sentences({ prompt: other.id })).toEqual([
      "Bob Marley cancelled run 'cross' at 0 of 8 cells",
      "Bob Marley started run 'cross' — 2 variants, 8 cells",
      "Bob Marley created refund-policy (v1) — 'start'",
    ]);
    expect(await sentences({ actor: bob.id, kind: "prompts" })).toEqual([
      "Bob Marley created refund-policy (v1) — 'start'",
      "Bob Marley saved support-triage v2 — 'tighter label list'",
    ]);
    expect(await sentences({ actor: ada.id, kind: "runs,prompts" })).toEqual([
      expect.stringMatching(/^Ada Lovelace opened the comparison /),
      // Bob's cancels are his lines, not Ada's, though she started those runs.
      "Ada Lovelace started run 'cancelled' — 1 variant, 4 cells",
      "Ada Lovelace started run 'stopped' — 1 variant, 4 cells",
      "Run 'nightly' finished: 75% pass",
      "Ada Lovelace started run 'nightly' — 2 variants, 8 cells",
      "Ada Lovelace created support-triage (v1) — 'first cut'",
    ]);
    // Another workspace sees none of it.
    expect((await listActivity(otherWorkspaceId)).items).toEqual([]);
    const options = await activityFilterOptions(workspaceId);
    expect(options.people).toEqual([{ id: ada.id, name: "Ada Lovelace" }, { id: bob.id, name: "Bob Marley" }]);
    expect(options.prompts.map((prompt) => prompt.name)).toEqual(["refund-policy", "support-triage"]);
  });

  it("pages with a stable cursor: no line repeated or skipped when new events arrive between pages", async () => {
    const everything = (await listActivity(workspaceId, { limit: 100 })).items.map((item) => item.id);
    expect(everything.length).toBeGreaterThan(10);
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await listActivity(workspaceId, { limit: 3, ...(cursor ? { cursor } : {}) });
      seen.push(...page.items.map((item) => item.id));
      cursor = page.nextCursor ?? undefined;
      pages += 1;
      // A teammate saves a version while this member is reading: it goes on top, not into the next page.
      if (pages === 1) await createVersion(workspaceId, other.id, bob.id, { messages: messages("Refund kindly"), commitMessage: "kinder" });
    } while (cursor);
    expect(seen).toEqual(everything);
    expect(pages).toBe(Math.ceil(everything.length / 3));
    expect((await listActivity(workspaceId, { limit: 1 })).items[0]?.sentence).toBe("Bob Marley saved refund-policy v2 — 'kinder'");
  });

  it("resolves current names for label, review and member events recorded by other areas", async () => {
    await updatePrompt(workspaceId, triage.id, { name: "ticket-triage" });
    const review = await db.review.create({ data: { workspaceId, promptId: triage.id, versionId: triage.v2, authorId: bob.id, title: "Tighter labels" } });
    await recordActivity({ workspaceId, kind: "review.requested", actorId: bob.id, promptId: triage.id, data: { reviewId: review.id, versionId: triage.v2 } });
    await recordActivity({ workspaceId, kind: "review.approved", actorId: ada.id, promptId: triage.id, data: { reviewId: review.id, versionId: triage.v2 } });
    await recordActivity({
      workspaceId,
      kind: "label.moved",
      actorId: ada.id,
      promptId: triage.id,
      data: { label: "production", fromVersionId: triage.v1, fromNumber: 1, toVersionId: triage.v2, toNumber: 2, reviewId: review.id },
    });
    await recordActivity({ workspaceId, kind: "member.joined", actorId: bob.id, data: { userId: bob.id, role: "editor" } });
    await recordActivity({ workspaceId, kind: "member.role_changed", actorId: ada.id, data: { userId: bob.id, fromRole: "editor", toRole: "admin" } });

    const page = await listActivity(workspaceId, { limit: 5 });
    expect(page.items.map((item) => [item.sentence, item.path])).toEqual([
      ["Ada Lovelace changed Bob Marley's role from editor to admin", "/settings/members"],
      ["Bob Marley joined as editor", "/settings/members"],
      ["Ada Lovelace moved production of ticket-triage from v1 to v2", `/prompts/${triage.id}?v=2`],
      ["Ada Lovelace approved ticket-triage v2", `/reviews/${review.id}`],
      ["Bob Marley requested a review of ticket-triage v2", `/reviews/${review.id}`],
    ]);
    expect(await sentences({ kind: "reviews" })).toEqual(["Ada Lovelace approved ticket-triage v2", "Bob Marley requested a review of ticket-triage v2"]);
    expect(await sentences({ kind: "labels,members" })).toHaveLength(3);
    // The run's name is the run's current one; the events keep the old name for when the run is deleted.
    await db.run.update({ where: { id: nightly.id }, data: { name: "nightly (renamed)" } });
    expect(await sentences({ kind: "run.finished", prompt: triage.id, limit: 1 })).toEqual(["Bob Marley cancelled run 'cross' at 0 of 8 cells"]);
    expect((await sentences({ kind: "run.started" })).at(-1)).toBe("Ada Lovelace started run 'nightly (renamed)' — 2 variants, 8 cells");
    await db.run.delete({ where: { id: nightly.id } });
    const gone = (await listActivity(workspaceId, { kind: "run.started" })).items.at(-1);
    expect(gone).toMatchObject({ sentence: "Ada Lovelace started run 'nightly' — 2 variants, 8 cells", path: null });
  });

  it("bad filters are a clear message naming the field", async () => {
    const kind = await rejection(listActivity(workspaceId, { kind: "runs,gossip" }).catch(toAppError));
    expect(kind.message).toBe('kind: unknown kind "gossip"; use prompts, runs, reviews, labels, members, releases or an event kind');
    const cursor = await rejection(listActivity(workspaceId, { cursor: "not-a-cursor" }));
    expect(cursor.message).toBe("cursor: not a cursor this feed gave out; start again without it");
    expect(cursor.details).toEqual([{ path: "cursor", message: "invalid cursor" }]);
    expect((await listActivity(workspaceId, { actor: "", prompt: "", kind: "", limit: "1" })).items).toHaveLength(1);
    const long = await rejection(listActivity(workspaceId, { actor: "x".repeat(201) }).catch(toAppError));
    expect(long.message).toBe("actor: at most 200 characters");
    const limit = await rejection(listActivity(workspaceId, { limit: "500" }).catch(toAppError));
    expect(limit.message).toMatch(/^limit: /);
  });
});

const { errorBody, AppError } = await import("../../lib/errors.ts");

/** A ZodError as the API answers it (400 with the first issue's path and message), for the literal messages above. */
function toAppError(error: unknown): never {
  const body = errorBody(error).error;
  throw new AppError(body.code, body.subject, body.message, body.details);
}
