import { WORKSPACE_PREFIX, workspacePath } from "./paths.ts";

// Where the workspace switcher goes: the same area in the other workspace ("/w/a/runs/123" → "/w/b/runs"). Ids of
// one workspace mean nothing in another, so only the area is kept (and the settings page, which is the same in both).

export function switchWorkspacePath(pathname: string, slug: string): string {
  if (!pathname.startsWith(WORKSPACE_PREFIX)) return workspacePath(slug, "/prompts");
  const [, area, sub] = pathname.slice(WORKSPACE_PREFIX.length).split("/");
  if (!area) return workspacePath(slug, "/prompts");
  if (area === "settings" && sub) return workspacePath(slug, `/settings/${sub}`);
  return workspacePath(slug, `/${area}`);
}
