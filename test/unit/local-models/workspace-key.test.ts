import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { localModelKeyFor, workspaceModelKey, workspaceOfModelKey } from "../../../lib/local-models/workspace-key.ts";

// The model server tells a request's workspace from its key; only this install's master key makes a valid one.
const masterKey = randomBytes(32);

describe("workspace model-server keys", () => {
  it("maps a workspace's key back to the workspace", () => {
    expect(workspaceOfModelKey(workspaceModelKey("ws_a", masterKey), masterKey)).toBe("ws_a");
  });

  it("treats keys that are not workspace keys as no workspace", () => {
    expect(["none", "sk-test-0123", "no-key", ""].map((key) => workspaceOfModelKey(key, masterKey))).toEqual([null, null, null, null]);
  });

  it("refuses a key that claims another workspace, or comes from another install, with 401", () => {
    const mine = workspaceModelKey("ws_b", masterKey);
    const claimed = `assay-ws-ws_a.${mine.split(".").pop()}`;
    const foreign = workspaceModelKey("ws_a", randomBytes(32));
    for (const key of [claimed, foreign, "assay-ws-ws_a", "assay-ws-.x"]) {
      expect(() => workspaceOfModelKey(key, masterKey)).toThrow(expect.objectContaining({ code: "unauthorized", openAiCode: "invalid_api_key" }));
    }
  });

  it("gives the key only to URLs on this machine, whatever a connection's kind says", async () => {
    const urls = [
      "http://127.0.0.1:8088/v1",
      "http://localhost:8088/v1",
      "http://[::1]:8088/v1",
      "https://evil.example/v1",
      "http://10.0.0.5:8088/v1",
      "http://localhost.evil.example:8088/v1",
      "http://127.0.0.1.nip.io:8088/v1",
      "not a url",
    ];
    const keys = await Promise.all(urls.map((url) => localModelKeyFor("ws_a", url)));
    expect(keys.map((key) => (key === null ? null : key.startsWith("assay-ws-ws_a.")))).toEqual([true, true, true, null, null, null, null, null]);
  });
});
