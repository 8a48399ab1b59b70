import { db } from "../db.ts";
import { AppError, type ErrorDetail } from "../errors.ts";
import { resolveVersionRef } from "../prompts/labels.ts";
import { validatePrompt } from "../prompts/render.ts";
import type { PromptContent } from "../prompts/types.ts";
import { outboundPolicy } from "../net/outbound-policy.ts";
import { inlineApiKey } from "../runs/targets.ts";
import type { JudgeSpec, VariantSpec } from "../runs/types.ts";
import { suiteFileError, type ParsedSuiteFile } from "./parse.ts";
import type { PromptEntry, TargetEntry } from "./schema.ts";

// Turning a suite file's prompts and targets into run variants (every prompt × every target), resolving stored
// versions (name@version, name@label) and connections by name in the workspace.

export interface LoadedVariant {
  spec: VariantSpec;
  /** the variables its prompt uses */
  variables: string[];
  /** which prompt, for messages: "prompts[1]" */
  promptPath: string;
}

export interface LoadedSuiteFile {
  variants: LoadedVariant[];
  judge?: JudgeSpec;
  usesInlineTargets: boolean;
}

interface ResolvedPrompt {
  label: string;
  versionId?: string;
  prompt: PromptContent;
  variables: string[];
}

async function resolvePrompt(workspaceId: string, entry: PromptEntry, index: number, at: (path: (string | number)[]) => ErrorDetail): Promise<ResolvedPrompt> {
  const where = ["prompts", index];
  if (typeof entry === "string" || "ref" in entry) {
    const ref = typeof entry === "string" ? entry : entry.ref;
    let resolved;
    try {
      resolved = await resolveVersionRef(workspaceId, ref);
    } catch (error) {
      if (error instanceof AppError) throw [{ ...at(where), path: `prompts[${index}]`, message: error.message }];
      throw error;
    }
    const version = resolved.version;
    const prompt: PromptContent = {
      messages: version.messages,
      examples: version.examples,
      counterexamples: version.counterexamples,
      exampleMode: version.exampleMode,
    };
    return {
      label: (typeof entry === "string" ? undefined : entry.label) ?? `${resolved.prompt.name}@${version.number}`,
      versionId: version.id,
      prompt,
      variables: validatePrompt(prompt).variables,
    };
  }
  const prompt: PromptContent = {
    messages: entry.messages,
    examples: entry.examples,
    counterexamples: entry.counterexamples,
    exampleMode: entry.exampleMode,
  };
  const validation = validatePrompt(prompt);
  if (validation.problems.length > 0) {
    throw validation.problems.map((problem) => {
      const path = problem.path.split(/[.[\]]+/).filter(Boolean).map((part) => (/^\d+$/.test(part) ? Number(part) : part));
      const located = at([...where, ...path]);
      return {
        ...located,
        path: `prompts[${index}].${problem.path}`,
        message: problem.message,
      };
    });
  }
  return { label: entry.label ?? `prompt ${index + 1}`, prompt, variables: validation.variables };
}

async function resolveTargetEntry(
  workspaceId: string,
  entry: TargetEntry,
  path: (string | number)[],
  at: (path: (string | number)[]) => ErrorDetail,
  environment: Record<string, string | undefined>,
): Promise<{ label: string; spec: Omit<VariantSpec, "label" | "prompt" | "versionId"> }> {
  const name = path.join(".").replace(/\.(\d+)/g, "[$1]");
  if ("connection" in entry) {
    const connection = await db.connection.findFirst({ where: { workspaceId, name: entry.connection }, select: { id: true } });
    if (!connection) {
      const names = (await db.connection.findMany({ where: { workspaceId }, select: { name: true }, orderBy: { name: "asc" } })).map((row) => row.name);
      throw [
        {
          ...at([...path, "connection"]),
          path: `${name}.connection`,
          message: `no connection named "${entry.connection}" in this workspace${names.length ? ` (there are: ${names.join(", ")})` : ""}`,
        },
      ];
    }
    return { label: entry.label ?? `${entry.connection}/${entry.model}`, spec: { connectionId: connection.id, model: entry.model, params: entry.params } };
  }
  // The URL's own rules now, with the line; the address it resolves to is checked when each call connects.
  const check = outboundPolicy().checkUrl(entry.baseURL);
  if (!check.allowed) throw [{ ...at([...path, "baseURL"]), path: `${name}.baseURL`, message: check.message }];
  const target = {
    baseURL: entry.baseURL,
    ...(entry.apiKeyEnv ? { apiKeyEnv: entry.apiKeyEnv } : {}),
    ...(entry.inputPricePerM !== undefined ? { inputPricePerM: entry.inputPricePerM } : {}),
    ...(entry.outputPricePerM !== undefined ? { outputPricePerM: entry.outputPricePerM } : {}),
  };
  try {
    inlineApiKey(target, environment);
  } catch (error) {
    throw [{ ...at([...path, "apiKeyEnv"]), path: `${name}.apiKeyEnv`, message: (error as Error).message }];
  }
  return { label: entry.label ?? entry.model, spec: { target, model: entry.model, params: entry.params } };
}

export async function loadSuiteFile(
  workspaceId: string,
  parsed: ParsedSuiteFile,
  fileName: string,
  environment: Record<string, string | undefined> = process.env,
): Promise<LoadedSuiteFile> {
  const at = (path: (string | number)[]): ErrorDetail => {
    const line = parsed.lineOf(path);
    return line ? { line, message: "" } : { message: "" };
  };
  const problems: ErrorDetail[] = [];
  const collect = async <T>(work: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await work();
    } catch (error) {
      if (Array.isArray(error)) {
        problems.push(...(error as ErrorDetail[]));
        return undefined;
      }
      throw error;
    }
  };
  const { config } = parsed;
  const prompts = await Promise.all(config.prompts.map((entry, index) => collect(() => resolvePrompt(workspaceId, entry, index, at))));
  const targets = await Promise.all(
    config.targets.map((entry, index) => collect(() => resolveTargetEntry(workspaceId, entry, ["targets", index], at, environment))),
  );
  const judge = config.judge ? await collect(() => resolveTargetEntry(workspaceId, config.judge as TargetEntry, ["judge"], at, environment)) : undefined;
  if (problems.length > 0) throw suiteFileError(fileName, problems);

  const variants: LoadedVariant[] = [];
  for (const [promptIndex, prompt] of prompts.entries()) {
    for (const target of targets) {
      if (!prompt || !target) continue;
      variants.push({
        spec: {
          // Name the columns by what varies: the prompt when there is one target, the target when there is one prompt.
          label:
            config.targets.length === 1 ? prompt.label : config.prompts.length === 1 ? target.label : `${prompt.label} · ${target.label}`,
          ...(prompt.versionId ? { versionId: prompt.versionId } : {}),
          prompt: prompt.prompt,
          ...target.spec,
        },
        variables: prompt.variables,
        promptPath: `prompts[${promptIndex}]`,
      });
    }
  }
  return {
    variants,
    ...(judge ? { judge: { ...judge.spec } } : {}),
    usesInlineTargets: config.targets.some((entry) => "baseURL" in entry) || (config.judge !== undefined && "baseURL" in config.judge),
  };
}
