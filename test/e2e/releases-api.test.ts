import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { ensureOwner, OWNER } from "../support/browser.ts";
import { signIn } from "../support/people.ts";

// Issue #11 management API over HTTP, through the proxy's CSRF and content-type rules: gateway keys (the key in the
// create answer only) and a canary created, started, raced and rolled back. A workspace of its own, deleted after,
// so the files after this one see nothing of it.

process.env.DATABASE_URL = inject("databaseUrl");
const { db } = await import("../../lib/db.ts");
const prompts = await import("../../lib/prompts/service.ts");
const appUrl = inject("appUrl");

const slug = `releases-api-${randomUUID().slice(0, 8)}`;
let cookie: string;
let workspaceId: string;

async function api<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: T }> {
  const response = await fetch(`${appUrl}${path}`, {
    method,
    headers: { cookie, origin: appUrl, "x-assay-workspace": slug, ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
  });
  return { status: response.status, body: (response.status === 204 ? null : await response.json()) as T };
}

type ErrorAnswer = { error: { subject: string; message: string } };

beforeAll(async () => {
  await ensureOwner(appUrl);
  cookie = await signIn(appUrl, OWNER.email, OWNER.password);
  const owner = await db.user.findUniqueOrThrow({ where: { email: OWNER.email } });
  workspaceId = (await db.workspace.create({ data: { name: "Releases API", slug } })).id;
  await db.membership.create({ data: { workspaceId, userId: owner.id, role: "owner" } });
  const prompt = await prompts.createPrompt(workspaceId, owner.id, {
    name: "triage",
    version: { messages: [{ role: "user", content: "v1 {{ ticket }}" }], examples: [], counterexamples: [], exampleMode: "chat", params: {}, commitMessage: "v1" },
  });
  await prompts.createVersion(workspaceId, prompt.id, owner.id, { messages: [{ role: "user", content: "v2 {{ ticket }}" }], examples: [], counterexamples: [], exampleMode: "chat", params: {}, commitMessage: "v2" });
  await db.promptLabel.create({ data: { promptId: prompt.id, name: "production", versionId: prompt.latest.id } });
});

afterAll(async () => {
  await db.workspace.deleteMany({ where: { id: workspaceId } });
  await db.$disconnect();
});

describe("gateway keys API", () => {
  it("creates a key shown once, lists it without secrets, revokes it idempotently", async () => {
    const created = await api<{ id: string; key: string; prefix: string; name: string }>("POST", "/api/gateway-keys", { name: "checkout" });
    expect(created.status).toBe(201);
    expect(created.body.key).toMatch(/^assay_gw_/);
    const listed = await api<{ keys: { id: string; name: string }[] }>("GET", "/api/gateway-keys");
    expect(listed.body.keys.map((key) => [key.id, key.name])).toEqual([[created.body.id, "checkout"]]);
    expect(JSON.stringify(listed.body)).not.toContain(created.body.key);
    expect((await api("DELETE", `/api/gateway-keys/${created.body.id}`)).status).toBe(204);
    expect((await api("DELETE", `/api/gateway-keys/${created.body.id}`)).status).toBe(204);
    expect((await api("DELETE", "/api/gateway-keys/no-such-key")).status).toBe(404);
    const nameless = await api<ErrorAnswer>("POST", "/api/gateway-keys", { name: "" });
    expect(nameless).toMatchObject({ status: 400, body: { error: { message: "name: a name for the key" } } });
  });
});

describe("releases API", () => {
  it("creates, starts, refuses a stale advance, and rolls back a canary", async () => {
    const refused = await api<ErrorAnswer>("POST", "/api/releases", { prompt: "triage", candidate: 2, mode: "canary", split: [50, 50] });
    expect(refused).toMatchObject({ status: 400, body: { error: { subject: "split" } } });
    const created = await api<{ id: string }>("POST", "/api/releases", { prompt: "triage", candidate: 2, mode: "canary", steps: [5, 100] });
    expect(created.status).toBe(201);
    const id = created.body.id;

    // a body-less action needs no content type; a text/plain one is refused by the proxy
    const started = await api<{ state: string; stage: number; events: { kind: string }[] }>("POST", `/api/releases/${id}/start`);
    expect(started).toMatchObject({ status: 200, body: { state: "running", stage: 0 } });
    expect((await api("POST", `/api/releases/${id}/pause`, "{}", { "content-type": "text/plain" })).status).toBe(415);
    expect((await api<ErrorAnswer>("POST", `/api/releases/${id}/explode`)).status).toBe(404);

    const stale = await api<ErrorAnswer>("POST", `/api/releases/${id}/advance`, { stage: 1 });
    expect(stale).toMatchObject({ status: 409, body: { error: { subject: "stage" } } });
    const advanced = await api<{ stage: number }>("POST", `/api/releases/${id}/advance`, { stage: 0, reason: "looks fine" });
    expect(advanced).toMatchObject({ status: 200, body: { stage: 1 } });

    const rolledBack = await api<{ state: string; reason: { message: string }; events: { kind: string; actor: { name: string } | null }[] }>("POST", `/api/releases/${id}/rollback`, { reason: "tone is off" });
    expect(rolledBack.status).toBe(200);
    expect(rolledBack.body).toMatchObject({ state: "rolled_back", reason: { kind: "manual", message: "tone is off" } });
    expect(rolledBack.body.events.map((event) => [event.kind, event.actor?.name])).toEqual([
      ["created", OWNER.name],
      ["started", OWNER.name],
      ["advanced", OWNER.name],
      ["rolled_back", OWNER.name],
    ]);
    const again = await api<ErrorAnswer>("POST", `/api/releases/${id}/rollback`);
    expect(again).toMatchObject({ status: 409, body: { error: { message: "A rolled back release cannot roll back." } } });

    const view = await api<{ id: string; state: string }>("GET", `/api/releases/${id}`);
    expect(view.body).toMatchObject({ id, state: "rolled_back" });
    const list = await api<{ releases: { id: string; state: string }[] }>("GET", "/api/releases?state=rolled_back");
    expect(list.body.releases.map((release) => [release.id, release.state])).toEqual([[id, "rolled_back"]]);
    expect((await api<ErrorAnswer>("GET", "/api/releases?state=sideways")).status).toBe(400);
  });
});
