import { PageHeader } from "@/components/shell/page-header";
import { PromptList } from "@/components/prompts/prompt-list";
import { can } from "@/lib/auth/permissions";
import { requireMember } from "@/lib/auth/session";
import { listPrompts } from "@/lib/prompts/service";
import { promptSummaryView } from "@/lib/prompts/views";

export const dynamic = "force-dynamic";
export const metadata = { title: "Prompts" };

export default async function PromptsPage() {
  const member = await requireMember();
  const prompts = (await listPrompts(member.workspace.id)).map(promptSummaryView);
  return (
    <>
      <PageHeader title="Prompts" subtitle="Templates with examples and counterexamples, versioned and labelled." />
      <PromptList prompts={prompts} canWrite={can(member.role, "prompt.edit")} />
    </>
  );
}
