import { describe, expect, it } from "vitest";
import { createSseStream } from "../../../lib/playground/sse.ts";

// A long-running stream (the inbox's unread count, a run's progress) polls the database until its client leaves.
// The client leaving cancels the stream: `writer.gone` must say so, or every page ever opened keeps a loop alive.

describe("createSseStream", () => {
  it("aborts writer.gone when the client cancels the stream, so a polling loop ends", async () => {
    let rounds = 0;
    let ended!: () => void;
    const loopEnded = new Promise<void>((resolve) => (ended = resolve));
    const stream = createSseStream(
      async (writer) => {
        while (!writer.gone.aborted) {
          rounds++;
          writer.send("tick", { rounds });
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        ended();
      },
      { context: "test" },
    );
    const reader = stream.getReader();
    await reader.read();
    await reader.cancel();
    await loopEnded;
    const after = rounds;
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(rounds).toBe(after);
  });
});
