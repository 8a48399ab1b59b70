import { describe, expect, it } from "vitest";
import { findMentions, localHandle, mentionedHandles } from "../../../lib/markdown/mentions.ts";

describe("mention parsing", () => {
  it("finds @handles at the start of words, lowercased, without trailing punctuation", () => {
    expect(mentionedHandles("@Ada can you look? cc @grace.hopper.")).toEqual(["ada", "grace.hopper"]);
    expect(findMentions("(@bob) and @bob, again")).toEqual([
      { handle: "bob", start: 1, end: 5 },
      { handle: "bob", start: 11, end: 15 },
    ]);
  });

  it("does not read emails, URLs or code as mentions", () => {
    expect(mentionedHandles("write to ada@example.com or see https://x.test/@ada")).toEqual([]);
    expect(mentionedHandles("use `@decorator` here\n\n```ts\n@Component()\n```\n")).toEqual([]);
    expect(mentionedHandles("[mail](mailto:ada@example.com) <ada@example.com>")).toEqual([]);
  });

  it("accepts the long form @local@domain for members who share a local part", () => {
    expect(mentionedHandles("thanks @ada@example.com!")).toEqual(["ada@example.com"]);
  });

  it("distinct handles in order of first use; a lone @ is not a mention", () => {
    expect(mentionedHandles("@b @a @b meet @ 5pm")).toEqual(["b", "a"]);
  });

  it("a member's handle is the email's local part", () => {
    expect(localHandle("Ada.Lovelace@Example.com")).toBe("ada.lovelace");
  });
});

describe("relative times in threads and the inbox", async () => {
  const { formatRelativeTime } = await import("../../../lib/format.ts");
  const now = new Date("2026-12-01T12:00:00Z");
  it("reads as a person would say it, and falls back to the date after a week", () => {
    expect(formatRelativeTime("2026-12-01T11:59:30Z", now)).toBe("just now");
    expect(formatRelativeTime("2026-12-01T11:56:00Z", now)).toBe("4 min ago");
    expect(formatRelativeTime("2026-12-01T09:00:00Z", now)).toBe("3 h ago");
    expect(formatRelativeTime("2026-11-30T12:00:00Z", now)).toBe("yesterday");
    expect(formatRelativeTime("2026-11-26T12:00:00Z", now)).toBe("5 days ago");
    expect(formatRelativeTime("2026-11-01T12:00:00Z", now)).toMatch(/^01 Nov, \d\d:\d\d$/);
  });
});
