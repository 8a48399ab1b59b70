import { describe, expect, it } from "vitest";
import { decodedSegment } from "../../../lib/http/path-segment.ts";

describe("decodedSegment", () => {
  it("decodes an encoded segment and keeps one that was already decoded, instead of a URIError", () => {
    expect(["release%20candidate", "production", "50%", "100%25", "caf%C3%A9"].map(decodedSegment)).toEqual([
      "release candidate",
      "production",
      "50%",
      "100%",
      "café",
    ]);
  });
});
