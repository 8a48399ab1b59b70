import { db } from "../db.ts";

// What the new-distillation form offers as a teacher: every prompt with its versions (newest first), its labels, and
// how many stored calls (playground, gateway) it has — the "include the prompt's stored calls" source counts them.

export interface TeacherPromptOption {
  id: string;
  name: string;
  versions: { id: string; number: number; commitMessage: string; connectionId: string | null; model: string | null }[];
  labels: { name: string; versionNumber: number }[];
  storedCalls: number;
}

export async function teacherPromptOptions(workspaceId: string): Promise<TeacherPromptOption[]> {
  const [prompts, calls] = await Promise.all([
    db.prompt.findMany({
      where: { workspaceId },
      orderBy: { updatedAt: "desc" },
      select: {
        id: true,
        name: true,
        versions: { orderBy: { number: "desc" }, select: { id: true, number: true, commitMessage: true, connectionId: true, model: true } },
        labels: { orderBy: { name: "asc" }, select: { name: true, version: { select: { number: true } } } },
      },
    }),
    db.call.groupBy({ by: ["promptId"], where: { workspaceId, promptId: { not: null } }, _count: { _all: true } }),
  ]);
  const counts = new Map(calls.map((row) => [row.promptId, row._count._all]));
  return prompts.map((prompt) => ({
    id: prompt.id,
    name: prompt.name,
    versions: prompt.versions,
    labels: prompt.labels.map((label) => ({ name: label.name, versionNumber: label.version.number })),
    storedCalls: counts.get(prompt.id) ?? 0,
  }));
}
