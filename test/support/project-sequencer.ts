import { BaseSequencer, type TestSpecification } from "vitest/node";

// Vitest sorts every project's files with the root config's sequencer (a project's own `sequence.sequencer` is not
// used). Browser tests share one app and one database, and the first-run test (01-…) must meet an empty database, so
// e2e files run in name order; unit and integration files keep the default order (slowest first, from the cache).
export class ProjectSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const browser = sorted.filter((file) => file.project.name === "e2e").sort((a, b) => a.moduleId.localeCompare(b.moduleId));
    return [...sorted.filter((file) => file.project.name !== "e2e"), ...browser];
  }
}
