import { describe, expect, it } from "vitest";
import { cacheKey } from "../../../lib/runs/cache.ts";

// The response cache key: everything that changes the answer, and the workspace, so one workspace never reads
// another's cached answers.
const scope = { workspaceId: "w1", connectionId: null, baseURL: "http://127.0.0.1:9/v1" };
const body = { model: "m", messages: [{ role: "user", content: "hi" }], temperature: 0 };

describe("response cache key", () => {
  it("differs between workspaces for the same URL, model, messages and params", () => {
    expect(cacheKey({ ...scope, workspaceId: "w2" }, body)).not.toBe(cacheKey(scope, body));
  });

  it("differs by connection, base URL, model, messages and params", () => {
    const base = cacheKey(scope, body);
    const variants = [
      cacheKey({ ...scope, connectionId: "c1" }, body),
      cacheKey({ ...scope, baseURL: "http://127.0.0.1:10/v1" }, body),
      cacheKey(scope, { ...body, model: "n" }),
      cacheKey(scope, { ...body, messages: [{ role: "user", content: "ho" }] }),
      cacheKey(scope, { ...body, temperature: 1 }),
      cacheKey(scope, { ...body, seed: 1 }),
    ];
    expect(new Set([base, ...variants]).size).toBe(variants.length + 1);
  });

  it("is the same for the same request written with keys in another order or a trailing slash", () => {
    const reordered = { temperature: 0, messages: [{ content: "hi", role: "user" }], model: "m" };
    expect(cacheKey({ ...scope, baseURL: "http://127.0.0.1:9/v1/" }, reordered)).toBe(cacheKey(scope, body));
  });
});
