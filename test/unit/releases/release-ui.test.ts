import { describe, expect, it } from "vitest";
import { callSnippet } from "../../../components/releases/call-it.tsx";
import { errorsAt, fieldErrorsOf } from "../../../components/releases/field-errors.ts";
import { actionsFor } from "../../../components/releases/release-actions.tsx";
import { ApiError } from "../../../lib/ui/api.ts";
import type { ReleaseView } from "../../../lib/releases/types.ts";

// The release screens' pure parts: which buttons a state offers, where a 400 is shown, the "Call it" snippet.

function view(state: ReleaseView["state"], mode: ReleaseView["mode"], stage: number, stages: number): ReleaseView {
  return {
    state,
    mode,
    stage,
    stages: Array.from({ length: stages }, (_, index) => ({ index, ring: "everyone", ringIndex: 0, shareBps: 10_000, title: `s${index}` })),
  } as ReleaseView;
}

describe("actionsFor", () => {
  it("offers start on a draft and nothing once the release has ended", () => {
    expect(actionsFor(view("draft", "canary", 0, 5))).toEqual(["start"]);
    for (const ended of ["rolled_back", "promoted", "stopped"] as const) expect(actionsFor(view(ended, "canary", 2, 5))).toEqual([]);
  });

  it("offers advance before the last stage, and stop only outside a canary", () => {
    expect(actionsFor(view("running", "canary", 0, 5))).toEqual(["advance", "pause", "rollback", "promote"]);
    expect(actionsFor(view("running", "canary", 4, 5))).toEqual(["pause", "rollback", "promote"]);
    expect(actionsFor(view("running", "ab", 0, 1))).toEqual(["pause", "rollback", "promote", "stop"]);
    expect(actionsFor(view("paused", "canary", 1, 5))).toEqual(["resume", "rollback", "promote"]);
    expect(actionsFor(view("paused", "shadow", 0, 1))).toEqual(["resume", "rollback", "promote", "stop"]);
  });
});

describe("fieldErrorsOf", () => {
  it("files zod issues under their dotted path and shows them under a parent path too", () => {
    const errors = fieldErrorsOf(
      new ApiError(400, "bad_request", "rings.0.name: a ring needs a name", [
        { path: "rings.0.name", message: "a ring needs a name" },
        { path: "guards.latency.maxIncrease", message: "at most 10" },
      ]),
    );
    expect(errorsAt(errors, "rings.0.name")).toEqual(["a ring needs a name"]);
    expect(errorsAt(errors, "guards")).toEqual(["at most 10"]);
    expect(errorsAt(errors, "guards.alpha")).toEqual([]);
    // "rings.0" is a prefix of "rings.0.name", "rings.1" is not a prefix of "rings.10"
    expect(errorsAt(errors, "rings.1")).toEqual([]);
  });

  it("uses the error's subject when a service refusal carries no details, and ignores other statuses", () => {
    expect([...fieldErrorsOf(new ApiError(400, "bad_request", "steps: the last step must be 100 %", [], "steps"))]).toEqual([["steps", ["steps: the last step must be 100 %"]]]);
    expect(fieldErrorsOf(new ApiError(409, "conflict", "already live", [{ path: "release", message: "x" }], "release")).size).toBe(0);
    expect(fieldErrorsOf(new Error("network down")).size).toBe(0);
  });
});

describe("callSnippet", () => {
  it("names the gateway, the prompt and its variables as metadata", () => {
    expect(callSnippet({ gatewayUrl: "https://assay.example.com/api/gateway/v1", promptName: "triage", variables: ["ticket", "tier"] })).toBe(`import OpenAI from "openai";

const client = new OpenAI({
  baseURL: "https://assay.example.com/api/gateway/v1",
  apiKey: process.env.ASSAY_GATEWAY_KEY, // assay_gw_…
});

const completion = await client.chat.completions.create({
  model: "triage",
  user: currentUser.id, // sticky: one user, one version
  metadata: {
    "ticket": "…",
    "tier": "…",
  },
});
console.log(completion.choices[0].message.content);`);
  });
});
