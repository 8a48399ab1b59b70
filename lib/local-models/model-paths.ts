import { lstat, readlink, realpath } from "node:fs/promises";
import path from "node:path";
import type { Role } from "../generated/prisma/client.ts";
import { env } from "../env.ts";
import { AppError } from "../errors.ts";
import { can } from "../auth/permissions.ts";

// Which files may be registered by path: only those inside the models folder (ASSAY_MODELS_DIR) or a folder listed
// in ASSAY_MODEL_PATHS, after symlinks and `..` are resolved. A path outside gets one message whether or not a file
// is there, so the form cannot be used to probe the server's file system.

/** The folders as configured, absolute; the models folder (`assay serve-model --models-dir` may name another) first. */
export function allowedModelFolders(modelsDir: string = env.ASSAY_MODELS_DIR): string[] {
  const listed = env.ASSAY_MODEL_PATHS.split(/[:,]/)
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
  return [...new Set([modelsDir, ...listed].map((folder) => path.resolve(folder)))];
}

export function outsideAllowedFolders(folders: readonly string[] = allowedModelFolders()): AppError {
  const message = `Models can be registered only from ${folders.join(", ")}.`;
  return new AppError("bad_request", "model", message, [{ path: "path", message }]);
}

function inside(folder: string, candidate: string): boolean {
  const relative = path.relative(folder, candidate);
  return relative !== "" && !relative.startsWith("..") && !path.isAbsolute(relative);
}

async function realFolders(folders: readonly string[]): Promise<string[]> {
  const real = await Promise.all(
    folders.map((folder) =>
      realpath(folder).then(
        (resolved) => [resolved],
        // A configured folder that does not exist (yet) holds nothing to register.
        () => [] as string[],
      ),
    ),
  );
  return real.flat();
}

/** Where a path that does not resolve would be: dangling links followed, then its nearest existing ancestor, real. */
async function realLocationOfMissing(candidate: string): Promise<string> {
  let target = candidate;
  // A dangling link says where it points, inside or out; 40 is the kernel's own limit on links in a row.
  for (let hop = 0; hop < 40; hop++) {
    // Nothing there (or not ours to read): the walk stops at the last link it could follow.
    const stats = await lstat(target).catch(() => null);
    if (!stats?.isSymbolicLink()) break;
    target = path.resolve(path.dirname(target), await readlink(target));
  }
  let current = path.dirname(target);
  for (;;) {
    try {
      return await realpath(current);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if ((code !== "ENOENT" && code !== "ENOTDIR") || path.dirname(current) === current) throw error;
      current = path.dirname(current);
    }
  }
}

export type RegistrablePath = { state: "file"; realPath: string } | { state: "missing"; path: string };

/**
 * Resolves an absolute path for registration. Outside the allowed folders (lexically, or once symlinks are
 * followed): the one AppError of `outsideAllowedFolders`. Inside: the real path, or "missing" when nothing is there
 * (saying so inside an allowed folder tells nothing about the rest of the disk).
 */
export async function resolveRegistrablePath(absolutePath: string, folders: readonly string[] = allowedModelFolders()): Promise<RegistrablePath> {
  const candidate = path.resolve(absolutePath);
  const real = await realFolders(folders);
  // Nothing outside is touched on disk: the answer must not depend on what is there.
  if (![...folders, ...real].some((folder) => inside(folder, candidate))) throw outsideAllowedFolders(folders);
  let resolved: string;
  try {
    resolved = await realpath(candidate);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== "ENOENT" && code !== "ENOTDIR") throw outsideAllowedFolders(folders);
    // A dangling link, or a path through a linked folder: only where its existing part really lies counts.
    // An ancestor Assay may not read tells nothing about where the path lies: it counts as outside.
    const location = await realLocationOfMissing(candidate).catch(() => null);
    if (location === null || !real.some((folder) => folder === location || inside(folder, location))) throw outsideAllowedFolders(folders);
    return { state: "missing", path: candidate };
  }
  if (!real.some((folder) => inside(folder, resolved))) throw outsideAllowedFolders(folders);
  return { state: "file", realPath: resolved };
}

/**
 * Whether a stored registration still lies in an allowed folder (rows from before the rule, or a folder since taken
 * out of ASSAY_MODEL_PATHS, do not). A file that is gone counts as inside: loading it reports that it is gone.
 */
export async function isInAllowedFolders(filePath: string, folders: readonly string[] = allowedModelFolders()): Promise<boolean> {
  try {
    await resolveRegistrablePath(filePath, folders);
    return true;
  } catch (error) {
    if (error instanceof AppError) return false;
    throw error;
  }
}

/**
 * Whether a member sees where model files are on disk (absolute paths, the models folder) or only their file names:
 * those who may manage local models, by the permission table.
 */
export function canSeeModelPaths(role: Role): boolean {
  return can(role, "localModel.manage");
}
