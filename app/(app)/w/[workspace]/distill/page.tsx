import { DistillationsList } from "@/components/distill/distillations-list";
import { PageHeader } from "@/components/shell/page-header";
import { can, refusal } from "@/lib/auth/permissions";
import { requireMember } from "@/lib/auth/session";
import { listDistillations } from "@/lib/distill/service";
import { listStudents } from "@/lib/distill/students-list";

export const dynamic = "force-dynamic";
export const metadata = { title: "Distill" };

export default async function DistillPage() {
  const member = await requireMember();
  const [distillations, students] = await Promise.all([listDistillations(member.workspace.id), listStudents(member.workspace.id)]);
  const agreements = Object.fromEntries(students.flatMap((student) => (student.distillationId && student.exactMatch !== null ? [[student.distillationId, student.exactMatch]] : [])));
  const canCreate = can(member.role, "model.call");
  return (
    <>
      <PageHeader title="Distill" subtitle="A small local student trained on a teacher's answers — measured against the teacher on cases it never saw." />
      <DistillationsList distillations={JSON.parse(JSON.stringify(distillations))} agreements={agreements} canCreate={canCreate} refusal={canCreate ? null : refusal(member.role, "model.call")} />
    </>
  );
}
