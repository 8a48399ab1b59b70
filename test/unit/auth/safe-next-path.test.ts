import { describe, expect, it } from "vitest";
import { afterLoginPath, safeNextPath } from "../../../lib/auth/safe-next-path.ts";

// Issue #9: ?next= after login accepts only same-origin paths.
describe("safeNextPath: ?next= after login stays on this app", () => {
  it.each([
    ["/prompts?x=1", "/prompts?x=1"],
    ["/prompts/abc#v2", "/prompts/abc#v2"],
    ["/", "/"],
    ["/runs/new?suite=a%20b", "/runs/new?suite=a%20b"],
  ])("accepts the same-origin path %j", (value, expected) => {
    expect(safeNextPath(value)).toBe(expected);
  });

  it.each([
    "//evil.com",
    "//evil.com/prompts",
    "/\\evil.com",
    "/\\/evil.com",
    "\\\\evil.com",
    "https://evil.com",
    "http://127.0.0.1:3000/prompts",
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "/%2F%2Fevil.com",
    "/%2fevil.com",
    "/%5Cevil.com",
    "/\t/evil.com",
    "/\n/evil.com",
    " /prompts",
    "prompts",
    "",
    "/%E0%A4%A",
  ])("refuses %j", (value) => {
    expect(safeNextPath(value)).toBeNull();
  });

  it("falls back to the prompts list when next is missing or refused", () => {
    expect(afterLoginPath(null)).toBe("/prompts");
    expect(afterLoginPath("//evil.com")).toBe("/prompts");
    expect(afterLoginPath("/suites")).toBe("/suites");
  });
});
