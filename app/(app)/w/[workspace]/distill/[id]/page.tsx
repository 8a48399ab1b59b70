import Link from "next/link";
import { notFound } from "next/navigation";
import { DistillationScreen } from "@/components/distill/distillation-screen";
import { PageHeader } from "@/components/shell/page-header";
import { can, refusal } from "@/lib/auth/permissions";
import { requireMember } from "@/lib/auth/session";
import { getDistillation } from "@/lib/distill/service";
import type { DistillationView } from "@/lib/distill/types";
import { listConnections } from "@/lib/connections/service";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { workspacePath } from "@/lib/workspaces/paths";

export const dynamic = "force-dynamic";
export const metadata = { title: "Distillation" };

export default async function DistillationPage(props: { params: Promise<{ id: string }> }) {
  const member = await requireMember();
  const { id } = await props.params;
  let view: DistillationView;
  try {
    view = await getDistillation(member.workspace.id, id);
  } catch (error) {
    if (error instanceof AppError && error.code === "not_found") notFound();
    throw error;
  }
  const connections = await listConnections(member.workspace.id);
  const local = connections.find((connection) => connection.kind === "local");
  const canCall = can(member.role, "model.call");
  return (
    <>
      <PageHeader
        title={
          <span>
            <Link href={workspacePath(member.workspace.slug, "/distill")} className="text-slate-400 hover:text-slate-600">Distill</Link>
            <span className="mx-2 text-slate-300">/</span>
            <span className="font-mono">{view.name}</span>
          </span>
        }
      />
      <DistillationScreen
        initial={JSON.parse(JSON.stringify(view)) as DistillationView}
        canCall={canCall}
        canDelete={can(member.role, "localModel.manage")}
        refusal={canCall ? null : refusal(member.role, "model.call")}
        modelServerUrl={local?.baseUrl ?? `http://127.0.0.1:${env.ASSAY_MODEL_PORT}/v1`}
      />
    </>
  );
}
