import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { ZodError } from "zod";

// Test inputs (named variable sets) are saved with a version like its examples: read back in order, carried into
// the next version the studio saves, kept by a pruned draft, refused with the field named when invalid.

process.env.DATABASE_URL = inject("databaseUrl");

const { db } = await import("../../lib/db.ts");
const prompts = await import("../../lib/prompts/service.ts");
const { versionView } = await import("../../lib/prompts/views.ts");
const { createPrunedVersion } = await import("../../lib/prune/draft.ts");

let workspaceId: string;
let userId: string;

const inputs = [
  { name: "Refund", variables: { message: "Please refund my last payment." } },
  { name: "Crash", variables: { message: "The app crashes on export." } },
];

const version = (overrides: Record<string, unknown> = {}) => ({
  messages: [{ role: "user" as const, content: "Route this: {{ message }}" }],
  examples: [{ variables: { message: "Charged twice" }, output: "billing" }],
  testInputs: inputs,
  commitMessage: "with test inputs",
  ...overrides,
});

beforeAll(async () => {
  const suffix = randomUUID().slice(0, 8);
  userId = `user-${suffix}`;
  await db.user.create({ data: { id: userId, name: "Grace Hopper", email: `grace-${suffix}@example.com` } });
  workspaceId = (await db.workspace.create({ data: { name: "Test inputs", slug: `test-inputs-${suffix}` } })).id;
});

afterAll(async () => {
  await db.workspace.deleteMany({ where: { id: workspaceId } });
  await db.user.deleteMany({ where: { id: userId } });
});

describe("test inputs on a version", () => {
  it("are saved with the version and read back in order, in the service and in the browser's view", async () => {
    const created = await prompts.createPrompt(workspaceId, userId, { name: "triage", version: version() });
    expect(created.latest.testInputs).toEqual(inputs);
    const read = await prompts.getVersion(workspaceId, created.id, 1);
    expect(read.testInputs.map((input) => input.name)).toEqual(["Refund", "Crash"]);
    expect(versionView(read).testInputs).toEqual(inputs);
    const row = await db.promptVersion.findFirstOrThrow({ where: { promptId: created.id }, select: { testInputs: true } });
    expect(row.testInputs).toEqual(inputs);
  });

  it("default to none, and a new version keeps what it is given (the studio sends the draft's)", async () => {
    const created = await prompts.createPrompt(workspaceId, userId, { name: "no inputs", version: version({ testInputs: undefined }) });
    expect(created.latest.testInputs).toEqual([]);
    const next = await prompts.createVersion(workspaceId, created.id, userId, version({ testInputs: [inputs[1]!] }));
    expect([next.number, next.testInputs]).toEqual([2, [inputs[1]]]);
  });

  it("are carried into a pruned draft", async () => {
    const created = await prompts.createPrompt(workspaceId, userId, { name: "pruned", version: version() });
    const draft = await createPrunedVersion(workspaceId, userId, { versionId: created.latest.id, keepExamples: [], keepCounterexamples: [] });
    expect([draft.number, draft.examples, draft.testInputs]).toEqual([2, [], inputs]);
  });

  it("refuses two test inputs with one name, an empty name, or a bad variable name, naming the field, and writes nothing", async () => {
    const created = await prompts.createPrompt(workspaceId, userId, { name: "refused", version: version() });
    const attempts: Array<[unknown, string]> = [
      [[inputs[0], { name: "Refund", variables: {} }], "testInputs.1.name"],
      [[{ name: "  ", variables: {} }], "testInputs.0.name"],
      [[{ name: "Odd", variables: { "has space": "x" } }], "testInputs.0.variables.has space"],
    ];
    for (const [testInputs, path] of attempts) {
      const error = await prompts.createVersion(workspaceId, created.id, userId, version({ testInputs })).catch((caught: unknown) => caught);
      expect(error, path).toBeInstanceOf(ZodError);
      expect((error as ZodError).issues.map((issue) => issue.path.join("."))).toContain(path);
    }
    expect((await prompts.listVersions(workspaceId, created.id)).map((item) => item.number)).toEqual([1]);
  });
});
