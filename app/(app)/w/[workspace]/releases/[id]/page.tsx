import { notFound } from "next/navigation";
import { ReleaseScreen } from "@/components/releases/release-screen";
import { gatewayBaseUrl } from "@/components/releases/gateway-url";
import { can, refusal } from "@/lib/auth/permissions";
import { requireMember } from "@/lib/auth/session";
import { AppError } from "@/lib/errors";
import { detectVariables } from "@/lib/prompts/render";
import { getVersionById } from "@/lib/prompts/service";
import { getReleaseView } from "@/lib/releases/service";
import type { ReleaseView } from "@/lib/releases/types";

export const dynamic = "force-dynamic";
export const metadata = { title: "Release" };

export default async function ReleasePage(props: { params: Promise<{ id: string }>; searchParams: Promise<{ notice?: string }> }) {
  const member = await requireMember();
  const { id } = await props.params;
  const { notice } = await props.searchParams;
  let view: ReleaseView;
  try {
    view = await getReleaseView(member.workspace.id, id);
  } catch (error) {
    if (error instanceof AppError && error.code === "not_found") notFound();
    throw error;
  }
  // The "Call it" snippet lists the variables the stable version's templates use, as metadata keys.
  const stable = view.arms[0];
  const version = stable ? await getVersionById(member.workspace.id, stable.versionId) : null;
  const variables = [...new Set(version ? version.messages.flatMap((message, index) => detectVariables(message.content, `messages[${index}].content`)) : [])];
  return (
    <ReleaseScreen
      initial={JSON.parse(JSON.stringify(view)) as ReleaseView}
      refusal={can(member.role, "release.manage") ? null : refusal(member.role, "release.manage")}
      gatewayUrl={await gatewayBaseUrl()}
      variables={variables}
      notice={notice ?? null}
    />
  );
}
