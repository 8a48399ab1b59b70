import { PageHeader } from "@/components/shell/page-header";
import { PromptList } from "@/components/prompts/prompt-list";
import { StartHerePanel } from "@/components/shell/start-here-panel";
import { can } from "@/lib/auth/permissions";
import { requireMember } from "@/lib/auth/session";
import { listPrompts } from "@/lib/prompts/service";
import { promptSummaryView } from "@/lib/prompts/views";
import { startHereFor } from "@/lib/workspaces/start-here";

export const dynamic = "force-dynamic";
export const metadata = { title: "Prompts" };

export default async function PromptsPage() {
  const member = await requireMember();
  const [prompts, startHere] = await Promise.all([listPrompts(member.workspace.id).then((rows) => rows.map(promptSummaryView)), startHereFor(member)]);
  return (
    <>
      <PageHeader title="Prompts" subtitle="Templates with examples and counterexamples, versioned and labelled." />
      {startHere && <StartHerePanel steps={startHere} />}
      <PromptList prompts={prompts} canWrite={can(member.role, "prompt.edit")} />
    </>
  );
}
