import { describe, expect, it } from "vitest";
import { registerShutdownHook, runShutdownHooks } from "../../../lib/runtime/shutdown.ts";

describe("clean stop hooks", () => {
  it("runs every hook, reports a failing one, and gives up on one that never ends at the cap", async () => {
    const done: string[] = [];
    registerShutdownHook("call log", async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      done.push("call log");
    });
    registerShutdownHook("broken", () => {
      throw new Error("listener already closed");
    });
    registerShutdownHook("stuck", () => new Promise<void>(() => undefined));
    registerShutdownHook("run worker", () => {
      done.push("run worker");
    });
    const lines: string[] = [];
    await runShutdownHooks(200, (line) => lines.push(line));
    expect(done.sort()).toEqual(["call log", "run worker"]);
    expect(lines).toEqual(["[shutdown] broken failed: listener already closed", "[shutdown] gave up after 200 ms waiting for: stuck"]);
    // A second signal joins the same stop instead of running the hooks again.
    await runShutdownHooks(200, (line) => lines.push(line));
    expect(done).toHaveLength(2);
  });
});
