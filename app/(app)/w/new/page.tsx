import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { AuthCard } from "@/components/auth/auth-card";
import { NewWorkspaceForm } from "@/components/members/new-workspace-form";
import { getAuth } from "@/lib/auth/auth";
import { listMyWorkspaces } from "@/lib/workspaces/create";
import { workspacePath } from "@/lib/workspaces/paths";

export const dynamic = "force-dynamic";
export const metadata = { title: "New workspace" };

// Outside the workspace layout: an account of no workspace may create its first one here too.
export default async function NewWorkspacePage() {
  const session = await (await getAuth()).api.getSession({ headers: await headers() });
  if (!session) redirect("/login?next=%2Fw%2Fnew");
  const mine = await listMyWorkspaces(session.user.id);
  const back = mine[0] ? workspacePath(mine[0].slug, "/prompts") : null;
  return (
    <AuthCard title="New workspace" subtitle="A workspace holds its own prompts, suites, runs, connections and members. You will be its owner.">
      <NewWorkspaceForm cancelHref={back} />
    </AuthCard>
  );
}
