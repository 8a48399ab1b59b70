import { describe, expect, it } from "vitest";
import { switchWorkspacePath } from "../../lib/workspaces/switch-path.ts";

describe("the workspace switcher keeps the area", () => {
  it("opens the same area in the other workspace, without ids of the first", () => {
    expect(switchWorkspacePath("/w/acme/runs", "lab")).toBe("/w/lab/runs");
    expect(switchWorkspacePath("/w/acme/runs/cl123", "lab")).toBe("/w/lab/runs");
    expect(switchWorkspacePath("/w/acme/prompts/p1?v=3", "lab")).toBe("/w/lab/prompts");
    expect(switchWorkspacePath("/w/acme/settings/members", "lab")).toBe("/w/lab/settings/members");
    expect(switchWorkspacePath("/w/acme", "lab")).toBe("/w/lab/prompts");
    expect(switchWorkspacePath("/somewhere", "lab")).toBe("/w/lab/prompts");
    expect(switchWorkspacePath("/w/acme/runs", "a b")).toBe("/w/a%20b/runs");
  });
});
