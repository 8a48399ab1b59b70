// Every page URL names its workspace: /w/<slug>/prompts/…, so a link a teammate pastes opens the workspace it was
// copied from. Pure (no server import): pages, client components and the inbox use the same two functions.

export const WORKSPACE_PREFIX = "/w/";

/** "/prompts/abc" in workspace "acme" → "/w/acme/prompts/abc". `path` is workspace-relative and starts with "/". */
export function workspacePath(slug: string, path: string): string {
  const relative = path.startsWith("/") ? path : `/${path}`;
  return `${WORKSPACE_PREFIX}${encodeURIComponent(slug)}${relative === "/" ? "" : relative}`;
}

/** The workspace slug a pathname names ("/w/acme/runs" → "acme"), or null outside a workspace. */
export function workspaceSlugOf(pathname: string): string | null {
  if (!pathname.startsWith(WORKSPACE_PREFIX)) return null;
  const segment = pathname.slice(WORKSPACE_PREFIX.length).split("/")[0];
  if (!segment) return null;
  try {
    return decodeURIComponent(segment);
  } catch {
    // a malformed escape in the URL names no workspace; the page answers 404 like any unknown path
    return null;
  }
}
