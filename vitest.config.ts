import { defineConfig } from "vitest/config";
import path from "node:path";
import { ProjectSequencer } from "./test/support/project-sequencer.ts";

const alias = { "@": path.resolve(import.meta.dirname) };

export default defineConfig({
  resolve: { alias },
  test: {
    reporters: ["default", "./test/support/summary-reporter.ts"],
    sequence: { sequencer: ProjectSequencer },
    projects: [
      {
        resolve: { alias },
        test: { name: "unit", include: ["test/unit/**/*.test.ts"], environment: "node" },
      },
      {
        resolve: { alias },
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          environment: "node",
          globalSetup: ["test/support/database-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        resolve: { alias },
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          environment: "node",
          globalSetup: ["test/support/database-setup.ts", "test/support/app-setup.ts"],
          // One file at a time, after unit and integration: the files share one app, and the first meets an empty
          // database. (A project's fileParallelism is not honoured; maxWorkers with its own group is.)
          maxWorkers: 1,
          sequence: { groupOrder: 1 },
          // browser assertions poll (expect.poll) while the page streams and re-renders
          expect: { poll: { timeout: 15_000, interval: 100 } },
          testTimeout: 120_000,
          hookTimeout: 600_000,
        },
      },
    ],
  },
});
