import type { PromptSummary, PromptVersionRecord, PromptVersionSummary } from "./records.ts";

// What the browser gets for prompts and versions: plain JSON with ISO dates and no author ids or emails of others
// beyond what the version list shows.

export interface VersionSummaryView {
  id: string;
  number: number;
  commitMessage: string;
  model: string | null;
  createdAt: string;
  author: { name: string; email: string } | null;
  labels: string[];
}

export type VersionView = Omit<PromptVersionRecord, "createdAt" | "author" | "promptId"> & VersionSummaryView;

export interface PromptSummaryView {
  id: string;
  name: string;
  description: string;
  updatedAt: string;
  latestVersion: { id: string; number: number; createdAt: string } | null;
  labels: { name: string; versionNumber: number }[];
}

function authorView(author: { name: string; email: string } | null) {
  return author ? { name: author.name, email: author.email } : null;
}

export function versionSummaryView(version: PromptVersionSummary): VersionSummaryView {
  return {
    id: version.id,
    number: version.number,
    commitMessage: version.commitMessage,
    model: version.model,
    createdAt: version.createdAt.toISOString(),
    author: authorView(version.author),
    labels: version.labels,
  };
}

export function versionView(version: PromptVersionRecord): VersionView {
  const { promptId: _promptId, ...rest } = version;
  return { ...rest, createdAt: version.createdAt.toISOString(), author: authorView(version.author) };
}

export function promptSummaryView(prompt: PromptSummary): PromptSummaryView {
  return {
    id: prompt.id,
    name: prompt.name,
    description: prompt.description,
    updatedAt: prompt.updatedAt.toISOString(),
    latestVersion: prompt.latestVersion
      ? { ...prompt.latestVersion, createdAt: prompt.latestVersion.createdAt.toISOString() }
      : null,
    labels: prompt.labels.map((label) => ({ name: label.name, versionNumber: label.versionNumber })),
  };
}
