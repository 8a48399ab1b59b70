import { redirect } from "next/navigation";
import { requireMember } from "@/lib/auth/session";
import { workspacePath } from "@/lib/workspaces/paths";

export const dynamic = "force-dynamic";

type Props = { params: Promise<{ path?: string[] }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

// "/w/-/<page>" is <page> in my current workspace (the last one opened, else my oldest): where "/" and links made
// before workspaces were in URLs (/prompts/…, proxy.ts redirects them here) land. It redirects to the real slug.
export default async function CurrentWorkspace(props: Props) {
  const member = await requireMember();
  const { path = ["prompts"] } = await props.params;
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(await props.searchParams)) {
    for (const item of Array.isArray(value) ? value : value === undefined ? [] : [value]) query.append(key, item);
  }
  const rest = `/${path.map(encodeURIComponent).join("/")}`;
  redirect(workspacePath(member.workspace.slug, query.size ? `${rest}?${query}` : rest));
}
