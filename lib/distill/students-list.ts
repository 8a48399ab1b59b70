import { db } from "../db.ts";

// The students of a workspace as the Local models page lists them: name, kind, size, held-out agreement, and the
// distillation that made it (null for `assay distill --from rows.jsonl`).

export interface StudentListItem {
  id: string;
  name: string;
  kind: string;
  task: string;
  sizeBytes: number | null;
  exactMatch: number | null;
  distillationId: string | null;
  cascade: boolean;
  createdAt: string;
}

export async function listStudents(workspaceId: string): Promise<StudentListItem[]> {
  const rows = await db.student.findMany({
    where: { workspaceId },
    orderBy: { name: "asc" },
    select: { id: true, name: true, kind: true, task: true, sizeBytes: true, metrics: true, distillationId: true, teacherModel: true, createdAt: true },
  });
  return rows.map((row) => {
    const exactMatch = (row.metrics as { exactMatch?: unknown } | null)?.exactMatch;
    return {
      id: row.id,
      name: row.name,
      kind: row.kind,
      task: row.task,
      sizeBytes: row.sizeBytes,
      exactMatch: typeof exactMatch === "number" ? exactMatch : null,
      distillationId: row.distillationId,
      cascade: row.teacherModel !== null,
      createdAt: row.createdAt.toISOString(),
    };
  });
}
