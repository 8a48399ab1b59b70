import { afterEach, describe, expect, it, vi } from "vitest";

// ASSAY_MODEL_URL: where the app and the workers reach a model server that runs elsewhere (compose's `models`).

const saved = { url: process.env.ASSAY_MODEL_URL, port: process.env.ASSAY_MODEL_PORT };

afterEach(() => {
  for (const [key, value] of [["ASSAY_MODEL_URL", saved.url], ["ASSAY_MODEL_PORT", saved.port]] as const) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  vi.resetModules();
});

describe("the local model server's URL", () => {
  it("is loopback on ASSAY_MODEL_PORT when ASSAY_MODEL_URL is unset", async () => {
    delete process.env.ASSAY_MODEL_URL;
    process.env.ASSAY_MODEL_PORT = "8123";
    vi.resetModules();
    const { localModelServerUrl } = await import("../../../lib/env.ts");
    expect(localModelServerUrl()).toBe("http://127.0.0.1:8123/v1");
  });

  it("is ASSAY_MODEL_URL without its trailing slash, and the built-in connection follows it", async () => {
    process.env.ASSAY_MODEL_URL = " http://models:8088/v1/ ";
    delete process.env.ASSAY_MODEL_PORT;
    vi.resetModules();
    const { localModelServerUrl, modelPortConfigured } = await import("../../../lib/env.ts");
    expect(localModelServerUrl()).toBe("http://models:8088/v1");
    expect(modelPortConfigured).toBe(true);
  });

  it("refuses a value that is not an http(s) URL, naming the variable", async () => {
    process.env.ASSAY_MODEL_URL = "models:8088";
    vi.resetModules();
    await expect(import("../../../lib/env.ts")).rejects.toThrow(/ASSAY_MODEL_URL: ASSAY_MODEL_URL must be an http\(s\) URL/);
  });
});
