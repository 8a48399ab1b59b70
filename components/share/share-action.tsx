import { can, refusal } from "@/lib/auth/permissions";
import type { Member } from "@/lib/auth/session";
import { shareLinkPolicy } from "@/lib/share-links/service";
import { ShareButton } from "./share-button";

/** "Share" for a page header (server side): the workspace's policy and the member's right to share, looked up here. */
export async function ShareAction(props: { member: Member; resource: "version" | "run" | "comparison"; id: string }) {
  const policy = await shareLinkPolicy(props.member.workspace.id);
  const denied = can(props.member.role, "shareLink.create") ? null : refusal(props.member.role, "shareLink.create");
  return <ShareButton resource={props.resource} id={props.id} policy={policy} refusal={denied} />;
}
