import type { PrismaClient } from "../db.ts";
import { STUDENT_PREFIX } from "./serve-student.ts";
import { CASCADE_PREFIX } from "./types.ts";

// The workspace's students in its Local models connections' model lists, where the playground, suites, run forms,
// comparisons and releases pick models: `student:<name>` for every student, `cascade:<name>` for a classifier student
// with a teacher and a threshold. Rows of students that are gone (or cascades whose threshold was cleared) are
// removed; other models of the connection are left alone. Call it whenever a Student row is written, changed
// (threshold) or deleted. A student answers for free; a cascade costs what its teacher's calls cost, which is not
// known per call here, so its prices stay unknown.

type Client = Pick<PrismaClient, "student" | "connection" | "connectionModel">;

export async function syncStudentModels(client: Client, workspaceId: string): Promise<string[]> {
  const connections = await client.connection.findMany({ where: { workspaceId, kind: "local" }, select: { id: true } });
  const students = await client.student.findMany({
    where: { workspaceId },
    select: { name: true, kind: true, teacherConnectionId: true, teacherModel: true, cascadeThreshold: true },
    orderBy: { name: "asc" },
  });
  const wanted = students.flatMap((student) => {
    const names = [{ name: `${STUDENT_PREFIX}${student.name}`, free: true }];
    if (student.kind !== "lm" && student.teacherConnectionId && student.teacherModel && student.cascadeThreshold !== null) {
      names.push({ name: `${CASCADE_PREFIX}${student.name}`, free: false });
    }
    return names;
  });
  if (connections.length === 0) return wanted.map((entry) => entry.name);
  const connectionIds = connections.map((connection) => connection.id);
  await client.connectionModel.deleteMany({
    where: {
      connectionId: { in: connectionIds },
      OR: [{ name: { startsWith: STUDENT_PREFIX } }, { name: { startsWith: CASCADE_PREFIX } }],
      name: { notIn: wanted.map((entry) => entry.name) },
    },
  });
  await client.connectionModel.createMany({
    data: connectionIds.flatMap((connectionId) =>
      wanted.map((entry) => ({
        connectionId,
        name: entry.name,
        inputPricePerM: entry.free ? 0 : null,
        outputPricePerM: entry.free ? 0 : null,
      })),
    ),
    skipDuplicates: true,
  });
  return wanted.map((entry) => entry.name);
}
