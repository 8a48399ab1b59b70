"use client";
import { useParams } from "next/navigation";
import { workspacePath } from "@/lib/workspaces/paths";

/** For client components under /w/<slug>/…: `(path) => "/w/<slug><path>"`, so every link stays in this workspace. */
export function useWorkspacePath(): (path: string) => string {
  const params = useParams<{ workspace?: string }>();
  // useParams gives the segment still percent-encoded on some Next versions; workspacePath encodes it again.
  const slug = decodeURIComponent(params.workspace ?? "-");
  return (path: string) => workspacePath(slug, path);
}
