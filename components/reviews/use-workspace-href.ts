"use client";
import { usePathname } from "next/navigation";
import { workspacePath, workspaceSlugOf } from "@/lib/workspaces/paths";

// Links to review pages from client components, inside the workspace the page is in (/w/<slug>/reviews/…).
// Until the workspace-in-every-URL change lands, a page outside /w/ links workspace-relative.
export function useWorkspaceHref(): (path: string) => string {
  const slug = workspaceSlugOf(usePathname() ?? "");
  return (path: string) => (slug ? workspacePath(slug, path) : path);
}
