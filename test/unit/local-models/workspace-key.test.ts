import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { workspaceModelKey, workspaceOfModelKey } from "../../../lib/local-models/workspace-key.ts";

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
});
