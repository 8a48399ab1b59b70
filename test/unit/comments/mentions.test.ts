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

