import { readdir, readFile } from "node:fs/promises";
import path from "node:path";

// The API routes as the file tree has them, so a crawl covers a route added later without being edited.

const root = path.resolve(import.meta.dirname, "../..");
export const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
export type Method = (typeof METHODS)[number];

/** Routes (relative to app/api, e.g. "prompts/[id]/versions") with the HTTP methods their route.ts exports. */
export async function apiRoutes(): Promise<{ route: string; methods: Method[] }[]> {
  const found: { route: string; methods: Method[] }[] = [];
  async function walk(folder: string): Promise<void> {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.name === "route.ts") {
        const source = await readFile(full, "utf8");
        const methods = METHODS.filter((method) => new RegExp(`export (const|async function) ${method}\\b`).test(source));
        found.push({ route: path.relative(path.join(root, "app/api"), folder), methods });
      }
    }
  }
  await walk(path.join(root, "app/api"));
  return found.sort((a, b) => a.route.localeCompare(b.route));
}

/** A concrete URL for a route pattern: dynamic segments get ids that exist nowhere. */
export function urlOf(appUrl: string, route: string): string {
  return `${appUrl}/api/${route.replace(/\[\.\.\.[^\]]+\]/g, "x").replace(/\[[^\]]+\]/g, "no-such-id")}`;
}
