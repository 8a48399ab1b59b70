import { createHash, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { runAssay, type CliOutcome } from "../support/cli.ts";

// `assay releases` and `assay gateway-keys` as a deploy pipeline runs them: real processes against the database,
// acting as the member named by --as (issue #11).

process.env.DATABASE_URL = inject("databaseUrl");

const { db } = await import("../../lib/db.ts");
const prompts = await import("../../lib/prompts/service.ts");

const suffix = randomUUID().slice(0, 8);
const slug = `releases-cli-${suffix}`;
const ada = { id: `ada-${suffix}`, name: "Ada Lovelace", email: `ada-${suffix}@example.test` };
const grace = { id: `grace-${suffix}`, name: "Grace Hopper", email: `grace-${suffix}@example.test` };
let workspaceId: string;
let promptId: string;

function assay(args: string[]): Promise<CliOutcome> {
  return runAssay([...args, "--workspace", slug]);
}

const content = (text: string) => ({ messages: [{ role: "user" as const, content: `${text} {{ x }}` }], examples: [], counterexamples: [], exampleMode: "chat" as const, params: {}, commitMessage: text });

beforeAll(async () => {
  await db.user.createMany({ data: [ada, grace] });
  workspaceId = (await db.workspace.create({ data: { name: "Releases CLI", slug } })).id;
  await db.membership.createMany({ data: [{ workspaceId, userId: ada.id, role: "editor" }, { workspaceId, userId: grace.id, role: "admin" }] });
  const prompt = await prompts.createPrompt(workspaceId, ada.id, { name: "support-triage", version: content("v1") });
  promptId = prompt.id;
  await prompts.createVersion(workspaceId, promptId, ada.id, content("v2"));
  await db.promptLabel.create({ data: { promptId, name: "production", versionId: prompt.latest.id } });
});

afterAll(async () => {
  await db.workspace.deleteMany({ where: { id: workspaceId } });
  await db.user.deleteMany({ where: { id: { in: [ada.id, grace.id] } } });
  await db.$disconnect();
});

describe("assay releases", () => {
  it("creates and starts a canary, shows it as JSON, and refuses what the API refuses with its exit code", async () => {
    const refused = await assay(["releases", "create", "--prompt", "support-triage", "--candidate", "2", "--mode", "canary", "--as", ada.email]);
    expect(refused).toMatchObject({ code: 1, stderr: "assay releases: Admins and above can manage releases; you are an editor.\n" });
    const invalid = await assay(["releases", "create", "--prompt", "support-triage", "--candidate", "2", "--mode", "canary", "--steps", "1,50", "--as", grace.email]);
    expect(invalid).toMatchObject({ code: 2, stderr: "assay releases: steps: the last step must be 100 % (it is 50 %)\n" });
    expect(await db.release.count({ where: { workspaceId } })).toBe(0);

    const created = await assay(["releases", "create", "--prompt", "support-triage", "--candidate", "2", "--mode", "canary", "--steps", "1,5,25,50,100", "--no-auto-advance", "--as", grace.email, "--json"]);
    expect(created.stderr).toBe("");
    expect(created.code).toBe(0);
    const { id } = JSON.parse(created.stdout) as { id: string };
    expect(await db.release.findUniqueOrThrow({ where: { id } })).toMatchObject({ state: "draft", createdById: grace.id, config: expect.objectContaining({ autoAdvance: false, steps: [1, 5, 25, 50, 100] }) });

    const started = await assay(["releases", "start", id, "--as", grace.email, "--reason", "deploy 412"]);
    expect(started).toMatchObject({ code: 0, stderr: "", stdout: `${id}  support-triage  canary  running at everyone 1 %  production v1 → v2\n` });
    const again = await assay(["releases", "start", id, "--as", grace.email]);
    expect(again).toMatchObject({ code: 1, stderr: "assay releases: The release is already running: only a draft starts.\n" });

    const shown = await assay(["releases", "show", id, "--json"]);
    expect(shown.code).toBe(0);
    const view = JSON.parse(shown.stdout);
    expect(view).toMatchObject({ id, promptName: "support-triage", mode: "canary", state: "running", stage: 0, stableLabel: "production" });
    expect(view.arms.map((arm: { name: string; versionNumber: number }) => `${arm.name} v${arm.versionNumber}`)).toEqual(["stable v1", "candidate v2"]);
    expect(view.events.map((event: { kind: string; actor: { name: string } | null; data: { note?: string } }) => [event.kind, event.actor?.name, event.data.note ?? null])).toEqual([
      ["created", "Grace Hopper", null],
      ["started", "Grace Hopper", "deploy 412"],
    ]);

    const text = await assay(["releases", "show", id]);
    expect(text.stdout).toContain("Stages: [everyone 1 %] → everyone 5 % → everyone 25 % → everyone 50 % → everyone 100 %\n");
    const listed = await assay(["releases", "list", "--state", "running"]);
    expect(listed).toMatchObject({ code: 0, stdout: `${id}  support-triage  canary  running at everyone 1 %  production v1 → v2\n` });
  });
});

describe("assay gateway-keys", () => {
  it("creates a key printed once on stdout, lists it without the secret, revokes it", async () => {
    const created = await assay(["gateway-keys", "create", "checkout", "--as", grace.email]);
    expect(created.code).toBe(0);
    const key = created.stdout.trim();
    expect(key).toMatch(/^assay_gw_[A-Za-z0-9_-]{43}$/);
    const row = await db.gatewayKey.findFirstOrThrow({ where: { workspaceId, name: "checkout" } });
    expect(row.keyHash).toBe(createHash("sha256").update(key).digest("hex"));
    const listed = await assay(["gateway-keys", "list", "--as", grace.email, "--json"]);
    expect(listed.stdout).not.toContain(key);
    expect(JSON.parse(listed.stdout)).toEqual([expect.objectContaining({ id: row.id, name: "checkout", revokedAt: null, createdBy: { id: grace.id, name: "Grace Hopper" } })]);
    expect(await assay(["gateway-keys", "revoke", row.id, "--as", grace.email])).toMatchObject({ code: 0, stdout: `Revoked gateway key ${row.id}.\n` });
    expect((await db.gatewayKey.findUniqueOrThrow({ where: { id: row.id } })).revokedById).toBe(grace.id);
  });
});
