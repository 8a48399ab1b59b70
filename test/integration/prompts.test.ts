import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { rejection } from "../support/app-error.ts";

// lib/db.ts reads DATABASE_URL on first use; the global setup provides it.
process.env.DATABASE_URL = inject("databaseUrl");

const { db } = await import("../../lib/db.ts");
const { AppError } = await import("../../lib/errors.ts");
const prompts = await import("../../lib/prompts/service.ts");

let workspaceId: string;
let otherWorkspaceId: string;
let userId: string;

const version = (overrides: Record<string, unknown> = {}) => ({
  messages: [
    { role: "system" as const, content: "Classify {{ domain }} reviews." },
    { role: "user" as const, content: "Review: {{ review }}" },
  ],
  examples: [{ variables: { review: "Great" }, output: "positive" }],
  counterexamples: [{ variables: { review: "Fine" }, output: "It is neutral.", reason: "A sentence, not a label." }],
  exampleMode: "chat" as const,
  model: "gpt-4o-mini",
  params: { temperature: 0, maxTokens: 5, stop: ["\n"], responseFormat: { type: "text" as const } },
  commitMessage: "classify reviews",
  ...overrides,
});


beforeAll(async () => {
  const suffix = randomUUID().slice(0, 8);
  userId = `user-${suffix}`;
  await db.user.create({ data: { id: userId, name: "Ada Lovelace", email: `ada-${suffix}@example.com` } });
  // Labels here are plain pointers: this workspace protects none (the release gate has its own tests in reviews.test.ts).
  workspaceId = (await db.workspace.create({ data: { name: "Prompts", slug: `prompts-${suffix}`, protectedLabels: [] } })).id;
  otherWorkspaceId = (await db.workspace.create({ data: { name: "Other", slug: `other-${suffix}` } })).id;
});

afterAll(async () => {
  await db.workspace.deleteMany({ where: { id: { in: [workspaceId, otherWorkspaceId] } } });
  await db.user.deleteMany({ where: { id: userId } });
});

describe("prompts", () => {
  it("creates a prompt with version 1 and reads it back by id and by name", async () => {
    const created = await prompts.createPrompt(workspaceId, userId, { name: "Review sentiment", description: "one word", version: version() });
    expect(created.latest).toMatchObject({
      number: 1,
      messages: version().messages,
      examples: version().examples,
      counterexamples: version().counterexamples,
      exampleMode: "chat",
      model: "gpt-4o-mini",
      connectionId: null,
      params: { temperature: 0, maxTokens: 5, stop: ["\n"], responseFormat: { type: "text" } },
      commitMessage: "classify reviews",
      author: { id: userId, name: "Ada Lovelace" },
    });
    expect(created.latestVersion?.number).toBe(1);
    expect((await prompts.getPrompt(workspaceId, "Review sentiment")).id).toBe(created.id);
    expect((await prompts.getPrompt(workspaceId, created.id)).name).toBe("Review sentiment");
  });

  it("creates a starter version when none is given, and lists prompts with latest version and labels", async () => {
    const created = await prompts.createPrompt(workspaceId, userId, { name: "Starter" });
    expect(created.latest.messages.at(-1)).toEqual({ role: "user", content: "{{ input }}" });
    await prompts.moveLabel(workspaceId, created.id, "staging", created.latest.id, userId);
    const listed = await prompts.listPrompts(workspaceId);
    const starter = listed.find((prompt) => prompt.id === created.id);
    expect(starter?.latestVersion?.number).toBe(1);
    expect(starter?.labels).toMatchObject([{ name: "staging", versionId: created.latest.id, versionNumber: 1 }]);
  });

  it("refuses a duplicate name in the same workspace, but allows it in another", async () => {
    await prompts.createPrompt(workspaceId, userId, { name: "Duplicate" });
    const error = await rejection(prompts.createPrompt(workspaceId, userId, { name: "Duplicate" }));
    expect(error.code).toBe("conflict");
    expect(error.details[0]?.path).toBe("name");
    await expect(prompts.createPrompt(otherWorkspaceId, userId, { name: "Duplicate" })).resolves.toMatchObject({ name: "Duplicate" });
  });

  it("does not show one workspace's prompts to another", async () => {
    const created = await prompts.createPrompt(workspaceId, userId, { name: "Private" });
    expect((await rejection(prompts.getPrompt(otherWorkspaceId, created.id))).code).toBe("not_found");
    expect((await rejection(prompts.createVersion(otherWorkspaceId, created.id, userId, version()))).code).toBe("not_found");
    expect((await rejection(prompts.resolveVersionRef(otherWorkspaceId, "Private"))).code).toBe("not_found");
  });
});

describe("versions", () => {
  it("numbers versions, lists them newest first with author, message and labels", async () => {
    const prompt = await prompts.createPrompt(workspaceId, userId, { name: "Numbered", version: version({ commitMessage: "v1" }) });
    const second = await prompts.createVersion(workspaceId, prompt.id, userId, version({ commitMessage: "v2", exampleMode: "inline" }));
    const third = await prompts.createVersion(workspaceId, prompt.id, userId, version({ commitMessage: "v3" }));
    expect([second.number, third.number]).toEqual([2, 3]);
    expect(second.exampleMode).toBe("inline");
    await prompts.moveLabel(workspaceId, prompt.id, "production", second.id, userId);

    const history = await prompts.listVersions(workspaceId, prompt.id);
    expect(history.map((entry) => [entry.number, entry.commitMessage, entry.labels])).toEqual([
      [3, "v3", []],
      [2, "v2", ["production"]],
      [1, "v1", []],
    ]);
    expect(history[0]?.author).toMatchObject({ name: "Ada Lovelace", email: expect.stringContaining("@example.com") });
    expect((await prompts.getVersion(workspaceId, prompt.id, 2)).id).toBe(second.id);
    expect((await prompts.getVersionById(workspaceId, third.id)).number).toBe(3);
    expect((await prompts.getPrompt(workspaceId, prompt.id)).latest.number).toBe(3);
  });

  it("gives 10 concurrent saves 10 distinct numbers", async () => {
    const prompt = await prompts.createPrompt(workspaceId, userId, { name: "Concurrent" });
    const saved = await Promise.all(
      Array.from({ length: 10 }, (_, index) =>
        prompts.createVersion(workspaceId, prompt.id, userId, version({ commitMessage: `save ${index}` })),
      ),
    );
    expect(saved.map((entry) => entry.number).sort((a, b) => a - b)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(await db.promptVersion.count({ where: { promptId: prompt.id } })).toBe(11);
  });

  it("writes nothing when a template is invalid, and says where", async () => {
    const prompt = await prompts.createPrompt(workspaceId, userId, { name: "Invalid" });
    const before = await db.promptVersion.count({ where: { promptId: prompt.id } });
    const broken = version({
      messages: [
        { role: "system", content: "Classify." },
        { role: "user", content: "Review:\n{{ review | shout }}" },
      ],
    });
    const error = await rejection(prompts.createVersion(workspaceId, prompt.id, userId, broken));
    expect(error.code).toBe("bad_request");
    expect(error.details[0]).toMatchObject({ path: "messages[1].content", line: 2, message: expect.stringContaining('"shout"') });
    expect(await db.promptVersion.count({ where: { promptId: prompt.id } })).toBe(before);

    const exampleMissingVariable = version({ examples: [{ variables: { text: "x" }, output: "y" }] });
    const exampleError = await rejection(prompts.createVersion(workspaceId, prompt.id, userId, exampleMissingVariable));
    expect(exampleError.details[0]).toMatchObject({ path: "examples[0].variables", message: expect.stringContaining('"review"') });

    const badSchema = version({ params: { responseFormat: { type: "json_schema", name: "out", schema: { type: "nonsense" } } } });
    const schemaError = await rejection(prompts.createVersion(workspaceId, prompt.id, userId, badSchema));
    expect(schemaError.details[0]?.path).toBe("params.responseFormat.schema");

    await expect(prompts.createPrompt(workspaceId, userId, { name: "Never created", version: broken })).rejects.toThrow(/shout/);
    expect(await db.prompt.count({ where: { workspaceId, name: "Never created" } })).toBe(0);
    expect(await db.promptVersion.count({ where: { promptId: prompt.id } })).toBe(before);
  });

  it("response schemas: two workspaces may each save a different schema under the same $id", async () => {
    const withSchema = (schema: Record<string, unknown>) => version({ params: { responseFormat: { type: "json_schema", name: "out", schema } } });
    const first = { $id: "https://example.com/answer.json", type: "object", required: ["label"], properties: { label: { type: "string" } } };
    const second = { $id: "https://example.com/answer.json", type: "object", required: ["score"], properties: { score: { type: "number" } } };
    const a = await prompts.createPrompt(workspaceId, userId, { name: `Schema id ${randomUUID().slice(0, 8)}`, version: withSchema(first) });
    const b = await prompts.createPrompt(otherWorkspaceId, userId, { name: `Schema id ${randomUUID().slice(0, 8)}`, version: withSchema(second) });
    expect(a.latest.params).toMatchObject({ responseFormat: { schema: first } });
    expect(b.latest.params).toMatchObject({ responseFormat: { schema: second } });
  });

  it("rejects a default connection from another workspace", async () => {
    const prompt = await prompts.createPrompt(workspaceId, userId, { name: "Connection check" });
    const error = await rejection(prompts.createVersion(workspaceId, prompt.id, userId, version({ connectionId: "missing-connection" })));
    expect(error.details[0]?.path).toBe("connectionId");
  });
});

describe("labels", () => {
  it("moves a label between versions and resolves references by label, number and latest", async () => {
    const prompt = await prompts.createPrompt(workspaceId, userId, { name: "summarize", version: version({ commitMessage: "one" }) });
    const two = await prompts.createVersion(workspaceId, prompt.id, userId, version({ commitMessage: "two" }));
    await prompts.createVersion(workspaceId, prompt.id, userId, version({ commitMessage: "three" }));

    const created = await prompts.moveLabel(workspaceId, prompt.id, "production", prompt.latest.id, userId);
    expect(created).toMatchObject({ name: "production", versionNumber: 1, updatedById: userId });
    expect((await prompts.resolveVersionRef(workspaceId, "summarize@production")).version.number).toBe(1);

    const moved = await prompts.moveLabel(workspaceId, prompt.id, "production", two.id, userId);
    expect(moved.versionNumber).toBe(2);
    const resolved = await prompts.resolveVersionRef(workspaceId, "summarize@production");
    expect(resolved).toMatchObject({ prompt: { id: prompt.id, name: "summarize" }, version: { number: 2, labels: ["production"] } });
    expect(await db.promptLabel.count({ where: { promptId: prompt.id } })).toBe(1);

    expect((await prompts.resolveVersionRef(workspaceId, "summarize")).version.commitMessage).toBe("three");
    expect((await prompts.resolveVersionRef(workspaceId, "summarize@latest")).version.number).toBe(3);
    expect((await prompts.resolveVersionRef(workspaceId, "summarize@1")).version.commitMessage).toBe("one");

    expect((await rejection(prompts.resolveVersionRef(workspaceId, "summarize@9"))).message).toBe('Prompt "summarize" has no version 9');
    expect((await rejection(prompts.resolveVersionRef(workspaceId, "summarize@staging"))).message).toBe(
      'Prompt "summarize" has no label "staging"',
    );
    expect((await rejection(prompts.resolveVersionRef(workspaceId, "nothing@1"))).code).toBe("not_found");

    await prompts.deleteLabel(workspaceId, prompt.id, "production", userId);
    expect((await rejection(prompts.resolveVersionRef(workspaceId, "summarize@production"))).code).toBe("not_found");
    expect((await rejection(prompts.deleteLabel(workspaceId, prompt.id, "production", userId))).code).toBe("not_found");
  });

  it("refuses a version of another prompt and badly formed label names", async () => {
    const first = await prompts.createPrompt(workspaceId, userId, { name: "Label A" });
    const second = await prompts.createPrompt(workspaceId, userId, { name: "Label B" });
    expect((await rejection(prompts.moveLabel(workspaceId, first.id, "production", second.latest.id, userId))).code).toBe("not_found");
    await expect(prompts.moveLabel(workspaceId, first.id, "Production!", first.latest.id, userId)).rejects.toThrow(/lowercase/);
    await expect(prompts.moveLabel(workspaceId, first.id, "latest", first.latest.id, userId)).rejects.toThrow(/newest/);
  });
});

describe("opening a version from ?v=", () => {
  it("opens the version asked for, and says so when it does not exist instead of showing the latest silently", async () => {
    const { openVersion } = await import("../../lib/prompts/open-version.ts");
    const created = await prompts.createPrompt(workspaceId, userId, { name: `Opened ${randomUUID().slice(0, 6)}`, version: version({ commitMessage: "v1" }) });
    await prompts.createVersion(workspaceId, created.id, userId, version({ commitMessage: "v2" }));
    await prompts.createVersion(workspaceId, created.id, userId, version({ commitMessage: "v3" }));
    const prompt = await prompts.getPrompt(workspaceId, created.id);

    const second = await openVersion(workspaceId, prompt, "2");
    expect([second.version.number, second.notice]).toEqual([2, null]);
    expect((await openVersion(workspaceId, prompt, "v1")).version.number).toBe(1);
    expect(await openVersion(workspaceId, prompt, undefined)).toMatchObject({ version: { number: 3 }, notice: null });

    const missing = await openVersion(workspaceId, prompt, "99");
    expect([missing.version.number, missing.notice]).toEqual([3, "Version v99 does not exist; showing the latest (v3)."]);
    const garbled = await openVersion(workspaceId, prompt, "latest-ish");
    expect([garbled.version.number, garbled.notice]).toEqual([3, '"latest-ish" is not a version number; showing the latest (v3).']);
  });
});
