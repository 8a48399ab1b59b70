import { BaseSequencer, type TestSpecification } from "vitest/node";

// Browser tests share one app and one database; the first-run test (01-…) must meet an empty database, so the files
// run in name order rather than by cached duration.
export class AlphabeticalSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    return [...files].sort((a, b) => a.moduleId.localeCompare(b.moduleId));
  }
}
