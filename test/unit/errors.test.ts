import { describe, expect, it } from "vitest";
import { AppError, unlessNotFound } from "../../lib/errors.ts";

describe("unlessNotFound (pages catch only not-found)", () => {
  it("gives null for a missing thing and the value otherwise", async () => {
    expect(await unlessNotFound(Promise.reject(new AppError("not_found", "run", "No such run")))).toBeNull();
    expect(await unlessNotFound(Promise.resolve("run 1"))).toBe("run 1");
  });

  it("lets every other error through to the error boundary", async () => {
    await expect(unlessNotFound(Promise.reject(new AppError("forbidden", "run", "Not yours")))).rejects.toThrow("Not yours");
    await expect(unlessNotFound(Promise.reject(new Error("connection refused")))).rejects.toThrow("connection refused");
  });
});
