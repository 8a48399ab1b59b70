import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { runAssay, type CliOutcome } from "../support/cli.ts";

// `assay labels` as a release script runs it: a real process against the database, with the release gate of the
// prompt page and the API (issue #10).

process.env.DATABASE_URL = inject("databaseUrl");

const { db } = await import("../../lib/db.ts");
const prompts = await import("../../lib/prompts/service.ts");
const reviews = await import("../../lib/reviews/service.ts");

const suffix = randomUUID().slice(0, 8);
const slug = `labels-cli-${suffix}`;
const ada = { id: `ada-${suffix}`, name: "Ada Lovelace", email: `ada-${suffix}@example.test` };
const grace = { id: `grace-${suffix}`, name: "Grace Hopper", email: `grace-${suffix}@example.test` };
let workspaceId: string;
let promptId: string;
let v2Id: string;

function assay(args: string[]): Promise<CliOutcome> {
  return runAssay(args);
}

const content = (text: string) => ({ messages: [{ role: "user" as const, content: `${text} {{ x }}` }], examples: [], counterexamples: [], exampleMode: "chat" as const, params: {}, commitMessage: text });

beforeAll(async () => {
  await db.user.createMany({ data: [ada, grace] });
  workspaceId = (await db.workspace.create({ data: { name: "Labels CLI", slug } })).id;
  await db.membership.createMany({ data: [{ workspaceId, userId: ada.id, role: "editor" }, { workspaceId, userId: grace.id, role: "owner" }] });
  const prompt = await prompts.createPrompt(workspaceId, ada.id, { name: "support-triage", version: content("v1") });
  promptId = prompt.id;
  v2Id = (await prompts.createVersion(workspaceId, promptId, ada.id, content("v2"))).id;
});

afterAll(async () => {
  await db.workspace.deleteMany({ where: { id: workspaceId } });
  await db.user.deleteMany({ where: { id: { in: [ada.id, grace.id] } } });
  await db.$disconnect();
});

describe("assay labels", () => {
  it("refuses production without approvals: prints the reason, exits 1, moves nothing", async () => {
    const result = await assay(["labels", "move", "support-triage", "production", "2", "--workspace", slug, "--as", grace.email]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe("assay labels: production needs 1 approval of support-triage v2 from someone other than its author; it has 0.\n");
    expect(await db.promptLabel.count({ where: { promptId } })).toBe(0);
  });

  it("refuses a member whose role cannot move a protected label, and names the rule", async () => {
    const result = await assay(["labels", "move", "support-triage", "production", "v2", "--workspace", slug, "--as", ada.email]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe("assay labels: Admins and above can move protected labels such as production; you are an editor.\n");
  });

  it("moves an ordinary label for an editor, and production once v2 is approved; lists them", async () => {
    const staging = await assay(["labels", "move", "support-triage", "staging", "1", "--workspace", slug, "--as", ada.email]);
    expect(staging).toMatchObject({ code: 0, stdout: "staging → support-triage v1, moved by Ada Lovelace\n" });
    const actor = (person: typeof ada, role: "editor" | "owner") => ({ user: { id: person.id, name: person.name }, workspace: { id: workspaceId }, role });
    const review = await reviews.requestReview(actor(ada, "editor"), { versionId: v2Id, reviewerIds: [grace.id] });
    await reviews.decideReview(actor(grace, "owner"), review.id, { verdict: "approved", comment: "Good." });
    const moved = await assay(["labels", "move", "support-triage", "production", "v2", "--workspace", slug, "--as", grace.email]);
    expect(moved.stderr).toBe("");
    expect(moved).toMatchObject({ code: 0, stdout: "production → support-triage v2, moved by Grace Hopper\n" });
    const event = await db.activityEvent.findFirstOrThrow({ where: { workspaceId, kind: "label.moved", data: { path: ["label"], equals: "production" } } });
    expect(event).toMatchObject({ actorId: grace.id, data: expect.objectContaining({ toNumber: 2, reviewId: review.id }) });
    const list = await assay(["labels", "list", "support-triage", "--workspace", slug]);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^production\s+v2\s+\S+ \S+\s+protected, needs 1, has 1\nstaging\s+v1\s+\S+ \S+\nlatest\s+v2\n$/);
  });

  it("exits 2 on invalid input with the problem named", async () => {
    const noAs = await assay(["labels", "move", "support-triage", "staging", "1", "--workspace", slug]);
    expect(noAs).toMatchObject({ code: 2, stderr: "assay labels: --as EMAIL: say who moves the label (their role and the approvals apply)\n" });
    const badVersion = await assay(["labels", "move", "support-triage", "staging", "9", "--workspace", slug, "--as", ada.email]);
    expect(badVersion).toMatchObject({ code: 2, stderr: "assay labels: No version 9 of this prompt\n" });
    const badName = await assay(["labels", "move", "support-triage", "Staging!", "1", "--workspace", slug, "--as", ada.email]);
    expect(badName.code).toBe(2);
    expect(badName.stderr).toBe("assay labels: name: A label holds lowercase letters, digits, - and _\n");
    const stranger = await assay(["labels", "move", "support-triage", "staging", "1", "--workspace", slug, "--as", "nobody@example.test"]);
    expect(stranger).toMatchObject({ code: 1, stderr: `assay labels: nobody@example.test is not a member of Labels CLI\n` });
  });
});
