import { describe, expect, it } from "vitest";
import { connectionSemaphore } from "../../../lib/llm/connection-limits.ts";

describe("connection limits shared per process", () => {
  it("gives every caller on one connection (run cells, the run's judge, the pairwise judge) the same semaphore", async () => {
    const forRun = connectionSemaphore({ limitKey: "connection-shared-1", concurrency: 2 });
    const forJudge = connectionSemaphore({ limitKey: "connection-shared-1", concurrency: 2 });
    expect(forJudge).toBe(forRun);
    await forRun?.acquire();
    await forJudge?.acquire();
    // Two slots in all, not two each: a third call waits whoever makes it.
    expect(forRun?.inUse).toBe(2);
    const third = forJudge?.acquire();
    expect(forJudge?.waiting).toBe(1);
    forRun?.release();
    await third;
    expect(forJudge?.inUse).toBe(2);
    expect(connectionSemaphore({ limitKey: "connection-shared-2", concurrency: 2 })).not.toBe(forRun);
  });

  it("has no semaphore for an unlimited connection, and applies an edited limit once the old one is idle", () => {
    expect(connectionSemaphore({ limitKey: "connection-unlimited", concurrency: null })).toBeNull();
    expect(connectionSemaphore({ limitKey: "connection-unlimited", concurrency: 0 })).toBeNull();
    const before = connectionSemaphore({ limitKey: "connection-edited", concurrency: 1 });
    const after = connectionSemaphore({ limitKey: "connection-edited", concurrency: 3 });
    expect(after).toBe(before);
    after?.acquire();
    after?.acquire();
    after?.acquire();
    expect(after?.inUse).toBe(3);
  });
});
