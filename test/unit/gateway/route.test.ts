import { describe, expect, it } from "vitest";
import { GatewayError } from "../../../lib/gateway/errors.ts";
import type { PromptPlan, ReleasePlan, VersionPlan, WorkspacePlan } from "../../../lib/gateway/plan-cache.ts";
import { checkVariables, routeRequest } from "../../../lib/gateway/route.ts";
import { clientChunk, upstreamError } from "../../../lib/gateway/upstream.ts";
import { completeConfig, releaseConfigInput } from "../../../lib/releases/schema.ts";
import { stagesOf } from "../../../lib/releases/stages.ts";

const version = (number: number, variables: string[]): VersionPlan => ({
  id: `v${number}`,
  number,
  promptId: "p",
  params: {},
  variables,
  assemble: () => [],
  target: null,
  resolved: null,
  problem: null,
});

function planWith(prompts: PromptPlan[]): WorkspacePlan {
  return { workspaceId: "w", loadedAt: 0, prompts: new Map(prompts.map((prompt) => [prompt.name, prompt])), memberEmails: new Set() };
}

function shadowRelease(stable: VersionPlan, candidate: VersionPlan): ReleasePlan {
  const config = completeConfig(releaseConfigInput.parse({ sample: 100 }), 2);
  const stages = stagesOf("shadow", config);
  return {
    id: "r1",
    mode: "shadow",
    state: "running",
    stableLabel: "production",
    salt: "00",
    config,
    stages,
    routing: { mode: "shadow", salt: "00", arms: ["stable", "candidate"], stage: stages[0]!, config, state: "running" },
    arms: new Map([
      ["stable", stable],
      ["candidate", candidate],
    ]),
    variables: new Set([...stable.variables, ...candidate.variables]),
  };
}

const error = (run: () => unknown): GatewayError => {
  try {
    run();
  } catch (thrown) {
    if (thrown instanceof GatewayError) return thrown;
    throw thrown;
  }
  throw new Error("did not throw");
};

describe("routing a model id", () => {
  const v1 = version(1, ["text"]);
  const v2 = version(2, ["text", "tone"]);
  const summarize: PromptPlan = { id: "p", name: "summarize", labels: new Map([["production", v1], ["staging", v2]]), release: null };
  const drafts: PromptPlan = { id: "q", name: "drafts", labels: new Map([["staging", v2]]), release: null };
  const emailAt: PromptPlan = { id: "e", name: "mail@home", labels: new Map([["production", v2]]), release: null };
  const plan = planWith([summarize, drafts, emailAt]);
  const audience = { userKey: "u1", ringHeader: null };

  it("answers an unpinned prompt from production and a pinned one from its label, with no release", () => {
    expect(routeRequest(plan, "summarize", audience).answer.version.number).toBe(1);
    const pinned = routeRequest(plan, "summarize@staging", audience);
    expect([pinned.answer.version.number, pinned.label, pinned.release]).toEqual([2, "staging", null]);
    // A prompt whose own name has an @ is found by its whole name first.
    expect(routeRequest(plan, "mail@home", audience).answer.version.number).toBe(2);
  });

  it("is 404 model_not_found for an unknown prompt, an unknown label, and a prompt without production", () => {
    expect(error(() => routeRequest(plan, "nothing", audience))).toMatchObject({ status: 404, code: "model_not_found", param: "model" });
    expect(error(() => routeRequest(plan, "summarize@prod", audience)).message).toBe('The prompt "summarize" has no label "prod" (its labels: production, staging).');
    expect(error(() => routeRequest(plan, "drafts", audience)).message).toMatch(/no "production" label.*drafts@<label>/);
  });

  it("refuses an unknown variable by its field and a missing one of the answering version", () => {
    const route = routeRequest(plan, "summarize", audience);
    expect(error(() => checkVariables(route, { text: "a", tone: "b" }, new Map([["tone", "variables.tone"]])))).toMatchObject({
      status: 400,
      param: "variables.tone",
      code: "unknown_variable",
    });
    expect(error(() => checkVariables(route, {}, new Map()))).toMatchObject({ status: 400, param: "metadata.text", code: "missing_variable" });
    expect(() => checkVariables(route, { text: "a" }, new Map())).not.toThrow();
  });

  it("in a release, accepts any arm's variable and asks only the answering version's", () => {
    const released: PromptPlan = { ...summarize, release: shadowRelease(v1, v2) };
    const route = routeRequest(planWith([released]), "summarize", audience);
    expect([route.answer.name, route.shadow?.name, route.release?.id]).toEqual(["stable", "candidate", "r1"]);
    // "tone" is the candidate's: allowed, and stable answers without it.
    expect(() => checkVariables(route, { text: "a", tone: "b" }, new Map())).not.toThrow();
    expect(() => checkVariables(route, { text: "a" }, new Map())).not.toThrow();
  });
});

describe("upstream answers", () => {
  it("passes a provider's status and words through, and names network and timeout failures", () => {
    expect(upstreamError({ kind: "server", status: 503, message: "overloaded", type: "server_error" })).toMatchObject({ status: 503, message: "overloaded", type: "server_error" });
    expect(upstreamError({ kind: "rate_limit", status: 429, message: "slow down", retryAfterMs: 1500 }).headers).toEqual({ "retry-after": "2" });
    expect(upstreamError({ kind: "network", message: "ECONNREFUSED" }).status).toBe(502);
    expect(upstreamError({ kind: "timeout", message: "no first byte in 60 s" }).status).toBe(504);
  });

  it("forwards usage only when asked, and drops a usage-only chunk otherwise", () => {
    const base = { id: "c", object: "chat.completion.chunk" as const, created: 1, model: "m" };
    const content = { ...base, choices: [{ index: 0, delta: { content: "hi" }, finish_reason: null }], usage: null };
    const usage = { ...base, choices: [], usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 } };
    expect(clientChunk(content, false)).toEqual({ ...base, choices: content.choices });
    expect(clientChunk(usage, false)).toBeNull();
    expect(clientChunk(usage, true)).toBe(usage);
  });
});
