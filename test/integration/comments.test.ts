import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Member } from "../../lib/auth/session.ts";

// Comments and the inbox (issue #10) against the real database: threads on a version, a run, a comparison and a
// case; mentions resolved against the members and turned into inbox lines in the same transaction; edit, delete and
// moderation; bad input refused with the field named and nothing stored.

process.env.DATABASE_URL = inject("databaseUrl");

const { db } = await import("../../lib/db.ts");
const { errorBody, httpStatusOf } = await import("../../lib/errors.ts");
const comments = await import("../../lib/comments/service.ts");
const { listMentionable } = await import("../../lib/comments/members.ts");
const inbox = await import("../../lib/inbox/service.ts");
const { inboxEvents } = await import("../../lib/inbox/stream.ts");
const { readServerEvents } = await import("../../lib/ui/sse.ts");

const suffix = randomUUID().slice(0, 8);
const slug = `team-${suffix}`;
let workspaceId: string;
let otherWorkspaceId: string;
let ada: Member;
let bob: Member;
let vic: Member;
let outsider: Member;
let versionId: string;
let promptId: string;
let runId: string;
let comparisonKey: string;
let caseId: string;
let foreignRunId: string;
let foreignCaseId: string;

/** What a refused call answers: the status and the error body (a ZodError is mapped as the API maps it). */
async function refusal(promise: Promise<unknown>): Promise<{ status: number; message: string; path: string | undefined }> {
  try {
    await promise;
  } catch (error) {
    const body = errorBody(error);
    return { status: httpStatusOf(error), message: body.error.message, path: body.error.details[0]?.path };
  }
  throw new Error("expected a refusal");
}

const commentCount = () => db.comment.count({ where: { workspaceId } });
const notificationCount = () => db.notification.count({ where: { workspaceId } });

beforeAll(async () => {
  const workspace = await db.workspace.create({ data: { name: "Team", slug } });
  const other = await db.workspace.create({ data: { name: "Other", slug: `other-${suffix}` } });
  workspaceId = workspace.id;
  otherWorkspaceId = other.id;
  const people = [
    { id: `ada-${suffix}`, name: "Ada Lovelace", email: `ada.${suffix}@example.com`, role: "owner" as const },
    { id: `bob-${suffix}`, name: "Bob Editor", email: `bob.${suffix}@example.com`, role: "editor" as const },
    { id: `vic-${suffix}`, name: "Vic Viewer", email: `vic.${suffix}@example.com`, role: "viewer" as const },
  ];
  await db.user.createMany({ data: [...people.map(({ role: _role, ...user }) => user), { id: `out-${suffix}`, name: "Olga Outsider", email: `olga.${suffix}@example.com` }] });
  await db.membership.createMany({ data: people.map((person) => ({ workspaceId, userId: person.id, role: person.role })) });
  await db.membership.create({ data: { workspaceId: otherWorkspaceId, userId: `out-${suffix}`, role: "owner" } });
  const member = (index: number): Member => {
    const person = people[index] as (typeof people)[number];
    return { user: { id: person.id, name: person.name, email: person.email }, workspace: { id: workspaceId, name: "Team", slug }, role: person.role };
  };
  ada = member(0);
  bob = member(1);
  vic = member(2);
  outsider = { user: { id: `out-${suffix}`, name: "Olga Outsider", email: `olga.${suffix}@example.com` }, workspace: { id: otherWorkspaceId, name: "Other", slug: `other-${suffix}` }, role: "owner" };

  const prompt = await db.prompt.create({ data: { workspaceId, name: "support-triage" } });
  promptId = prompt.id;
  versionId = (await db.promptVersion.create({ data: { promptId, number: 3, messages: [], examples: [], counterexamples: [], params: {} } })).id;
  const suite = await db.suite.create({ data: { workspaceId, name: "Tickets" } });
  caseId = (await db.case.create({ data: { suiteId: suite.id, position: 0, key: "refund-1", variables: { text: "refund" }, tags: [] } })).id;
  const run = await db.run.create({ data: { workspaceId, suiteId: suite.id, name: "nightly", status: "completed", config: {} } });
  runId = run.id;
  const variant = (position: number, label: string) =>
    db.variant.create({ data: { runId, position, label, model: "fake", params: {}, prompt: { messages: [] } } });
  comparisonKey = `${(await variant(0, "v1")).id},${(await variant(1, "v2")).id}`;
  const foreignSuite = await db.suite.create({ data: { workspaceId: otherWorkspaceId, name: "Theirs" } });
  foreignCaseId = (await db.case.create({ data: { suiteId: foreignSuite.id, position: 0, key: "theirs-1", variables: {}, tags: [] } })).id;
  foreignRunId = (await db.run.create({ data: { workspaceId: otherWorkspaceId, suiteId: foreignSuite.id, config: {} } })).id;
});

afterAll(async () => {
  await db.workspace.deleteMany({ where: { id: { in: [workspaceId, otherWorkspaceId] } } });
  await db.user.deleteMany({ where: { id: { endsWith: suffix } } });
});

describe("comments", () => {
  it("creates a comment on a version, lists it with its author, and a viewer may comment", async () => {
    const created = await comments.createComment(ada, { targetType: "version", targetId: versionId, body: "  Looks **good**  " });
    expect(created).toMatchObject({ targetType: "version", targetId: versionId, caseId: null, body: "Looks **good**", author: { id: ada.user.id, name: "Ada Lovelace" }, editedAt: null, canEdit: true, canDelete: true });
    const byViewer = await comments.createComment(vic, { targetType: "version", targetId: versionId, body: "Agreed" });
    const thread = await comments.listComments(bob, { targetType: "version", targetId: versionId });
    expect(thread.map((comment) => [comment.body, comment.author?.name, comment.canEdit, comment.canDelete])).toEqual([
      ["Looks **good**", "Ada Lovelace", false, false],
      ["Agreed", "Vic Viewer", false, false],
    ]);
    expect(byViewer.author?.name).toBe("Vic Viewer");
  });

  it("keeps case threads apart from the run-wide thread, and counts comments per case", async () => {
    await comments.createComment(bob, { targetType: "run", targetId: runId, body: "Run-wide note" });
    await comments.createComment(bob, { targetType: "run", targetId: runId, caseId, body: "This refund answer is wrong" });
    await comments.createComment(vic, { targetType: "run", targetId: runId, caseId, body: "+1" });
    expect((await comments.listComments(ada, { targetType: "run", targetId: runId })).map((comment) => comment.body)).toEqual(["Run-wide note"]);
    expect((await comments.listComments(ada, { targetType: "run", targetId: runId, caseId })).map((comment) => comment.body)).toEqual(["This refund answer is wrong", "+1"]);
    expect(await comments.countCaseComments(ada, { targetType: "run", targetId: runId })).toEqual([{ caseId, caseKey: "refund-1", count: 2 }]);
  });

  it("normalizes a comparison key and anchors a case of the comparison's suite", async () => {
    const spaced = comparisonKey.replace(",", ", ");
    const created = await comments.createComment(ada, { targetType: "comparison", targetId: spaced, caseId, body: "B is better here" });
    expect(created.targetId).toBe(comparisonKey);
    expect((await comments.listComments(ada, { targetType: "comparison", targetId: comparisonKey, caseId })).map((comment) => comment.body)).toEqual(["B is better here"]);
  });

  it("a mention notifies the member mentioned, once, with the page and the comment's anchor; the author is not notified", async () => {
    const before = await notificationCount();
    const created = await comments.createComment(ada, {
      targetType: "comparison",
      targetId: comparisonKey,
      caseId,
      body: `@bob.${suffix} please look, and @BOB.${suffix} again; cc @ada.${suffix}; not a mention: mail bob.${suffix}@example.com`,
    });
    expect(created.mentions).toEqual([{ id: bob.user.id, name: "Bob Editor" }, { id: ada.user.id, name: "Ada Lovelace" }]);
    expect(await notificationCount()).toBe(before + 1);
    const line = await db.notification.findFirstOrThrow({ where: { commentId: created.id } });
    expect(line).toMatchObject({
      userId: bob.user.id,
      kind: "mention",
      actorId: ada.user.id,
      summary: "Ada Lovelace mentioned you on case refund-1 of the comparison v1 vs v2",
      path: `/compare?variants=${comparisonKey}&case=refund-1#comment-${created.id}`,
      readAt: null,
    });
  });

  it("edits one's own comment, marks it edited, and notifies only members newly mentioned", async () => {
    const created = await comments.createComment(bob, { targetType: "run", targetId: runId, body: `Draft for @vic.${suffix}` });
    expect(await db.notification.count({ where: { commentId: created.id } })).toBe(1);
    const edited = await comments.updateComment(bob, created.id, { body: `Final for @vic.${suffix} and @ada.${suffix}` });
    expect(edited.body).toBe(`Final for @vic.${suffix} and @ada.${suffix}`);
    expect(edited.editedAt).not.toBeNull();
    const lines = await db.notification.findMany({ where: { commentId: created.id }, orderBy: { createdAt: "asc" } });
    expect(lines.map((line) => [line.userId, line.summary])).toEqual([
      [vic.user.id, "Bob Editor mentioned you on run “nightly”"],
      [ada.user.id, "Bob Editor mentioned you on run “nightly”"],
    ]);
    expect(await refusal(comments.updateComment(ada, created.id, { body: "hijack" }))).toMatchObject({ status: 403, message: "Only its author can edit a comment." });
    expect((await db.comment.findUniqueOrThrow({ where: { id: created.id } })).body).toBe(`Final for @vic.${suffix} and @ada.${suffix}`);
  });

  it("deletes one's own comment; an admin deletes anyone's; an editor cannot delete someone else's", async () => {
    const mine = await comments.createComment(vic, { targetType: "run", targetId: runId, body: `oops @bob.${suffix}` });
    expect(await refusal(comments.deleteComment(bob, mine.id))).toMatchObject({ status: 403, message: "Only its author or an admin can delete this comment; you are an editor." });
    await comments.deleteComment(vic, mine.id);
    expect(await db.notification.count({ where: { commentId: mine.id } })).toBe(0);
    expect((await db.comment.findUniqueOrThrow({ where: { id: mine.id } })).deletedAt).not.toBeNull();
    expect((await comments.listComments(ada, { targetType: "run", targetId: runId })).map((comment) => comment.id)).not.toContain(mine.id);
    const bobs = await comments.createComment(bob, { targetType: "run", targetId: runId, body: "off-topic" });
    const [asOwner] = (await comments.listComments(ada, { targetType: "run", targetId: runId })).filter((comment) => comment.id === bobs.id);
    expect(asOwner).toMatchObject({ canEdit: false, canDelete: true });
    await comments.deleteComment(ada, bobs.id);
    expect(await refusal(comments.deleteComment(ada, bobs.id))).toMatchObject({ status: 404 });
  });
});

describe("comments written in another domain's transaction", () => {
  it("commit or roll back with it: a rolled-back decision leaves no comment and no inbox line", async () => {
    const before = [await commentCount(), await notificationCount()];
    await expect(
      db.$transaction(async (transaction) => {
        await comments.createComment(ada, { targetType: "version", targetId: versionId, body: `@bob.${suffix} changes requested`, reviewId: null }, transaction);
        throw new Error("the decision was refused");
      }),
    ).rejects.toThrow("the decision was refused");
    expect([await commentCount(), await notificationCount()]).toEqual(before);
  });
});

describe("comment input", () => {
  it("refuses an unknown mention naming it, and stores nothing", async () => {
    const [stored, lines] = [await commentCount(), await notificationCount()];
    expect(await refusal(comments.createComment(ada, { targetType: "run", targetId: runId, body: `@bob.${suffix} and @nobody please` }))).toEqual({
      status: 400,
      message: "No member called @nobody in this workspace",
      path: "body",
    });
    expect([await commentCount(), await notificationCount()]).toEqual([stored, lines]);
  });

  it("refuses a member of another workspace as a mention", async () => {
    expect(await refusal(comments.createComment(ada, { targetType: "run", targetId: runId, body: `hey @olga.${suffix}` }))).toMatchObject({
      status: 400,
      message: `No member called @olga.${suffix} in this workspace`,
    });
  });

  it("refuses an empty or blank comment naming body", async () => {
    const stored = await commentCount();
    expect(await refusal(comments.createComment(ada, { targetType: "run", targetId: runId, body: "   \n " }))).toEqual({
      status: 400,
      message: "body: write something first: a comment cannot be empty",
      path: "body",
    });
    expect(await commentCount()).toBe(stored);
  });

  it("refuses a comment over 10,000 characters, and accepts one of exactly 10,000", async () => {
    const stored = await commentCount();
    expect(await refusal(comments.createComment(ada, { targetType: "run", targetId: runId, body: "x".repeat(10_001) }))).toEqual({
      status: 400,
      message: "body: at most 10,000 characters",
      path: "body",
    });
    expect(await commentCount()).toBe(stored);
    await comments.createComment(ada, { targetType: "run", targetId: runId, body: "y".repeat(10_000) });
    expect(await commentCount()).toBe(stored + 1);
  });

  it("answers 404 for a target or a case in another workspace, and 400 for a case on a version", async () => {
    const stored = await commentCount();
    expect(await refusal(comments.createComment(ada, { targetType: "run", targetId: foreignRunId, body: "peek" }))).toMatchObject({ status: 404, message: "No such run in this workspace." });
    expect(await refusal(comments.listComments(outsider, { targetType: "version", targetId: versionId }))).toMatchObject({ status: 404, message: "No such prompt version in this workspace." });
    expect(await refusal(comments.createComment(ada, { targetType: "run", targetId: runId, caseId: foreignCaseId, body: "peek" }))).toMatchObject({ status: 404, message: "No such case in the suite of this run.", path: "caseId" });
    expect(await refusal(comments.createComment(ada, { targetType: "comparison", targetId: `${comparisonKey.split(",")[0]},no-such-variant`, body: "x" }))).toMatchObject({ status: 404 });
    expect(await refusal(comments.createComment(ada, { targetType: "version", targetId: versionId, caseId, body: "x" }))).toMatchObject({ status: 400, path: "caseId" });
    expect(await commentCount()).toBe(stored);
  });

  it("lists mentionable members with their handles, by name", async () => {
    expect((await listMentionable(workspaceId)).map((person) => [person.name, person.handle])).toEqual([
      ["Ada Lovelace", `ada.${suffix}`],
      ["Bob Editor", `bob.${suffix}`],
      ["Vic Viewer", `vic.${suffix}`],
    ]);
  });
});

describe("inbox", () => {
  it("lists my lines newest first with the workspace in the link, counts unread, and marks read", async () => {
    await db.notification.deleteMany({ where: { workspaceId, userId: vic.user.id } });
    const first = await comments.createComment(ada, { targetType: "version", targetId: versionId, body: `@vic.${suffix} first` });
    const second = await comments.createComment(bob, { targetType: "run", targetId: runId, caseId, body: `@vic.${suffix} second` });
    const page = await inbox.listInbox(vic);
    expect(page.unread).toBe(2);
    expect(page.items.map((item) => [item.summary, item.href, item.actor?.name, item.readAt])).toEqual([
      ["Bob Editor mentioned you on case refund-1 of run “nightly”", `/w/${slug}/runs/${runId}?case=refund-1#comment-${second.id}`, "Bob Editor", null],
      ["Ada Lovelace mentioned you on support-triage v3", `/w/${slug}/prompts/${promptId}?v=3#comment-${first.id}`, "Ada Lovelace", null],
    ]);
    const newest = page.items[0]?.id as string;
    expect(await inbox.markRead(vic, { ids: [newest] })).toEqual({ updated: 1, unread: 1 });
    expect((await inbox.listInbox(vic, { unread: "true" })).items.map((item) => item.summary)).toEqual(["Ada Lovelace mentioned you on support-triage v3"]);
    expect(await inbox.markRead(vic, { all: true })).toEqual({ updated: 1, unread: 0 });
    expect((await inbox.listInbox(vic)).items.every((item) => item.readAt !== null)).toBe(true);
  });

  it("does not mark someone else's lines read", async () => {
    const created = await comments.createComment(ada, { targetType: "run", targetId: runId, body: `@bob.${suffix} yours` });
    const line = await db.notification.findFirstOrThrow({ where: { commentId: created.id } });
    expect(await inbox.markRead(vic, { ids: [line.id] })).toEqual({ updated: 0, unread: 0 });
    expect((await db.notification.findUniqueOrThrow({ where: { id: line.id } })).readAt).toBeNull();
  });

  it("pages with before, and refuses a mark-read request that names nothing", async () => {
    await comments.createComment(ada, { targetType: "run", targetId: runId, body: `@vic.${suffix} third` });
    const firstPage = await inbox.listInbox(vic, { limit: 1 });
    expect(firstPage.items).toHaveLength(1);
    expect(firstPage.nextBefore).toBe(firstPage.items[0]?.id);
    const older = await inbox.listInbox(vic, { limit: 1, before: firstPage.nextBefore as string });
    expect(older.items[0]?.summary).toBe("Bob Editor mentioned you on case refund-1 of run “nightly”");
    expect(await refusal(inbox.markRead(vic, {} as { all: true }))).toMatchObject({ status: 400, message: "send { ids: [...] } or { all: true }" });
  });

  it("streams the unread count at once and again when a mention arrives, and stops when the client leaves", async () => {
    await inbox.markRead(bob, { all: true });
    const controller = new AbortController();
    const events = readServerEvents(inboxEvents(bob, controller.signal, 50));
    const first = await events.next();
    expect(first.value).toEqual({ event: "inbox-count", data: JSON.stringify({ unread: 0 }) });
    await comments.createComment(vic, { targetType: "run", targetId: runId, body: `@bob.${suffix} look` });
    const second = await events.next();
    expect(second.value).toEqual({ event: "inbox-count", data: JSON.stringify({ unread: 1 }) });
    controller.abort();
    expect((await events.next()).done).toBe(true);
  });
});

describe("members who share an email local part", () => {
  it("get their whole email as handle; the short form is refused naming both, the long form notifies one", async () => {
    const twinId = `twin-${suffix}`;
    await db.user.create({ data: { id: twinId, name: "Ada Twin", email: `ada.${suffix}@other.org` } });
    await db.membership.create({ data: { workspaceId, userId: twinId, role: "editor" } });
    const handles = (await listMentionable(workspaceId)).map((person) => person.handle);
    expect(handles).toEqual([`ada.${suffix}@example.com`, `ada.${suffix}@other.org`, `bob.${suffix}`, `vic.${suffix}`]);
    const stored = await commentCount();
    expect(await refusal(comments.createComment(bob, { targetType: "run", targetId: runId, body: `@ada.${suffix} which one?` }))).toMatchObject({
      status: 400,
      message: `@ada.${suffix} matches 2 members: write @ada.${suffix}@example.com or @ada.${suffix}@other.org`,
      path: "body",
    });
    expect(await commentCount()).toBe(stored);
    const created = await comments.createComment(bob, { targetType: "run", targetId: runId, body: `@ada.${suffix}@other.org this one` });
    expect((await db.notification.findMany({ where: { commentId: created.id } })).map((line) => line.userId)).toEqual([twinId]);
  });
});
