import { describe, expect, it } from "vitest";
import { originOf, sameOrigin } from "../../../lib/connections/origin.ts";

describe("originOf (what a stored key is bound to)", () => {
  it.each([
    ["https://API.OpenAI.com/v1", "https://api.openai.com"],
    ["HTTPS://api.openai.com:443/v1", "https://api.openai.com"],
    ["http://localhost:80/v1", "http://localhost"],
    ["http://127.0.0.1:8088/v1", "http://127.0.0.1:8088"],
    ["http://2130706433:8088/v1", "http://127.0.0.1:8088"],
    ["https://user:pass@api.example.com/v1?x=1", "https://api.example.com"],
    ["http://[::1]:11434/v1", "http://[::1]:11434"],
  ])("%s → %s", (url, origin) => {
    expect(originOf(url)).toBe(origin);
  });

  it("tells origins apart by scheme, host and port, not by path", () => {
    expect(sameOrigin("https://api.example.com/v1", "https://api.example.com/v2")).toBe(true);
    expect(sameOrigin("https://api.example.com/v1", "http://api.example.com/v1")).toBe(false);
    expect(sameOrigin("https://api.example.com/v1", "https://api.example.com:8443/v1")).toBe(false);
    expect(sameOrigin("https://api.example.com/v1", "https://api.example.com.evil.test/v1")).toBe(false);
  });

  it("refuses what is not http(s)", () => {
    expect(() => originOf("file:///etc/passwd")).toThrow(/Not an http\(s\) URL/);
  });
});
