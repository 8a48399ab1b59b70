import { redirect } from "next/navigation";
import { CURRENT_WORKSPACE, workspacePath } from "@/lib/workspaces/paths";

export default function Home() {
  redirect(workspacePath(CURRENT_WORKSPACE, "/prompts"));
}
