// Every page URL names its workspace: /w/<slug>/prompts/…, so a link a teammate pastes opens the workspace it was
// copied from. Pure (no server import): pages, client components and the inbox use the same two functions.

export const WORKSPACE_PREFIX = "/w/";
/** The request header naming the workspace a request is for: set by proxy.ts from a page URL, sent by api(). */
export const WORKSPACE_HEADER = "x-assay-workspace";
/** The request header carrying the page path and query a request is for (set by proxy.ts; read by requireMember). */
export const PAGE_PATH_HEADER = "x-assay-page";
/** The cookie remembering the last workspace opened, for links without one (/, old bookmarks, scripts). */
export const LAST_WORKSPACE_COOKIE = "assay-workspace";
/** "/w/-/runs" means "runs in my current workspace": the page resolves it and redirects to the real slug. */
export const CURRENT_WORKSPACE = "-";
/** Slugs no workspace may take: they are pages of their own under /w/. */
export const RESERVED_SLUGS: readonly string[] = [CURRENT_WORKSPACE, "new"];
/** Page areas that lived at the root before workspaces were in URLs; old links to them still work. */
export const LEGACY_AREAS = ["prompts", "suites", "runs", "compare", "connections", "models"] as const;

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
