import { AppError } from "../errors.ts";
import { getVersion, type PromptDetail, type PromptVersionRecord } from "./service.ts";

// Which version the prompt page opens for `?v=`: the one asked for, or the latest with a notice saying why — a stale
// link to a version that never existed must not silently show another one as if it were it.

export interface OpenedVersion {
  version: PromptVersionRecord;
  /** shown above the editor when the requested version could not be opened */
  notice: string | null;
}

export async function openVersion(workspaceId: string, prompt: PromptDetail, requested: string | undefined): Promise<OpenedVersion> {
  if (requested === undefined || requested === "") return { version: prompt.latest, notice: null };
  const latest = `showing the latest (v${prompt.latest.number})`;
  const match = /^v?(\d+)$/i.exec(requested.trim());
  if (!match) return { version: prompt.latest, notice: `"${requested}" is not a version number; ${latest}.` };
  const number = Number(match[1]);
  try {
    return { version: await getVersion(workspaceId, prompt.id, number), notice: null };
  } catch (error) {
    if (error instanceof AppError && error.code === "not_found") {
      return { version: prompt.latest, notice: `Version v${number} does not exist; ${latest}.` };
    }
    throw error;
  }
}
