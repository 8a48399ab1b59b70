import { StudentsTable } from "@/components/distill/students-table";
import { ModelsManager } from "@/components/models/models-manager";
import { PageHeader } from "@/components/shell/page-header";
import { can } from "@/lib/auth/permissions";
import { requireMember } from "@/lib/auth/session";
import { listStudents } from "@/lib/distill/students-list";
import { listLocalModels } from "@/lib/local-models/catalog";
import { suiteAgreementOptions } from "@/lib/quantize/suite-agreement";
import { listTradeoffs } from "@/lib/quantize/tradeoff-service";

export const dynamic = "force-dynamic";
export const metadata = { title: "Local models" };

export default async function ModelsPage() {
  const member = await requireMember();
  const canWrite = can(member.role, "localModel.manage");
  const [page, tradeoffs, suiteOptions] = await Promise.all([
    listLocalModels(member.workspace.id, member.role),
    listTradeoffs(member.workspace.id),
    suiteAgreementOptions(member.workspace.id),
  ]);
  return (
    <>
      <PageHeader
        title="Local models"
        subtitle="GGUF models served on this machine by Assay's model server, behind the same OpenAI API as hosted models. Run them through the Local models connection."
      />
      <ModelsManager initial={page} canWrite={canWrite} canRun={can(member.role, "model.call")} role={member.role} tradeoffs={tradeoffs} suiteOptions={suiteOptions} />
      <StudentsTable students={await listStudents(member.workspace.id)} />
    </>
  );
}
