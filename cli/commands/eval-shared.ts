import { createWriteStream } from "node:fs";
import { once } from "node:events";
import path from "node:path";
import type { RunDetail, RunProgress } from "../../lib/runs/types.ts";

// What `assay eval` and `assay runs` share: workspace choice, the progress display, and writing result files.

export async function chooseWorkspace(wanted: string | undefined): Promise<{ id: string; name: string }> {
  const { db } = await import("../../lib/db.ts");
  if (wanted) {
    const found = await db.workspace.findFirst({ where: { OR: [{ slug: wanted }, { name: wanted }, { id: wanted }] }, select: { id: true, name: true } });
    if (!found) throw new UsageError(`no workspace "${wanted}" (give its slug or name)`);
    return found;
  }
  const member = await db.workspace.findFirst({ where: { memberships: { some: {} } }, orderBy: { createdAt: "asc" }, select: { id: true, name: true } });
  const any = member ?? (await db.workspace.findFirst({ orderBy: { createdAt: "asc" }, select: { id: true, name: true } }));
  if (any) return any;
  // A fresh database in CI: evaluations still need a home.
  return db.workspace.create({ data: { name: "Evaluations", slug: "evaluations" }, select: { id: true, name: true } });
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** A progress bar redrawn in place on a terminal; a line every 10 s otherwise (CI logs). */
export function progressReporter(stream: NodeJS.WriteStream = process.stderr): { update(progress: RunProgress): void; end(): void } {
  let lastLine = 0;
  let drawn = false;
  let format: ((progress: RunProgress) => string) | null = null;
  const ready = import("../../lib/runs/format.ts").then((module) => (format = (progress) => module.progressLine(progress)));
  void ready;
  return {
    update(progress) {
      if (!format) return;
      const line = format(progress);
      if (stream.isTTY) {
        stream.write(`\r\x1b[2K${line}`);
        drawn = true;
      } else if (Date.now() - lastLine >= 10_000 || progress.done === progress.total) {
        stream.write(`${line}\n`);
        lastLine = Date.now();
      }
    },
    end() {
      if (drawn) stream.write("\n");
      drawn = false;
    },
  };
}

/** Writes the run's results to `file`, in the format its extension names (.json, .jsonl, .csv, .xml for JUnit). */
export async function writeOutput(workspaceId: string, run: RunDetail, file: string): Promise<void> {
  const { exportRecords, exportResults } = await import("../../lib/runs/export.ts");
  const { junitXml } = await import("../../lib/runs/junit.ts");
  const extension = path.extname(file).toLowerCase();
  const chunks =
    extension === ".xml"
      ? junitXml(run, exportRecords(run))
      : exportResults(workspaceId, run.id, extension === ".csv" ? "csv" : extension === ".json" ? "json" : "jsonl");
  const output = createWriteStream(file);
  for await (const chunk of chunks) {
    if (!output.write(chunk)) await once(output, "drain");
  }
  output.end();
  await once(output, "finish");
}

export function outputFormatProblem(file: string): string | null {
  const extension = path.extname(file).toLowerCase();
  return [".json", ".jsonl", ".csv", ".xml"].includes(extension) ? null : `--output must end in .json, .jsonl, .csv or .xml (JUnit), not "${extension || file}"`;
}

