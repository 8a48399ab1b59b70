import { readFileSync } from "node:fs";
import path from "node:path";
import { parse as parseCsv } from "csv-parse/sync";
import { parse as parseYaml } from "yaml";
import { assertionInput } from "../assertions/schema.ts";
import { flattenIssues } from "../assertions/validate.ts";
import type { ErrorDetail } from "../errors.ts";
import { suiteFileError, validateSuiteFile, type ParsedSuiteFile, type PositionedYaml } from "../suite-file/parse.ts";
import { convertProvider, ProviderProblem, type ConvertedTarget, type ProviderSpec } from "./providers.ts";

// A promptfoo config (promptfooconfig.yaml) read as an Assay suite file: prompts (inline, arrays, file:// text and
// JSON/YAML chat files), providers (OpenAI-compatible ones, see providers.ts), tests (inline or file:// CSV/YAML/JSON,
// vars with array values expanded as promptfoo does), defaultTest, and assertions of the types Assay has. What Assay
// cannot run is reported per assertion (`notices`, skipped: true) and left out; the rest runs. Problems that make the
// config unreadable (a missing file, a provider that is not OpenAI-compatible, a test that is not a mapping) are errors
// with the file, line and key path, and nothing is stored.

export interface PromptfooNotice {
  /** key path in the config (or "tests.csv row 3") */
  where: string;
  line: number | null;
  message: string;
  /** an assertion or setting left out: the results differ from promptfoo's (`--strict` refuses to run) */
  skipped: boolean;
}

export interface ConvertedPromptfoo {
  parsed: ParsedSuiteFile;
  /** variables holding keys written literally in the config, for this process only (never stored or printed) */
  keys: Record<string, string>;
  /** for each of those variables, the provider's own key variable, which a written-out suite file reads instead */
  keyVariables: Record<string, string>;
  /** the config's `env:` block */
  env: Record<string, string>;
  notices: PromptfooNotice[];
}

const PROMPTFOO_KEYS = ["providers", "tests", "defaultTest", "scenarios", "evaluateOptions", "targets"];
const ASSAY_ONLY_KEYS = ["targets", "cases", "name"];

/** A promptfoo config rather than an Assay suite file: it has providers, or tests and no cases. */
export function looksLikePromptfoo(raw: unknown): boolean {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return false;
  const keys = Object.keys(raw);
  if (keys.includes("providers")) return true;
  if (ASSAY_ONLY_KEYS.some((key) => keys.includes(key))) return false;
  return keys.includes("tests") || keys.includes("defaultTest") || PROMPTFOO_KEYS.some((key) => keys.includes(key) && key !== "targets");
}

/** Assertion types both tools have, under the same name and meaning. */
const SAME = new Set(["equals", "contains", "icontains", "contains-any", "contains-all", "starts-with", "regex", "is-json", "contains-json", "levenshtein", "latency", "cost", "llm-rubric", "finish-reason", "is-refusal", "word-count"]);
const WHY_NOT: Record<string, string> = {
  javascript: "it runs JavaScript from the config, which Assay does not execute",
  python: "it runs Python from the config, which Assay does not execute",
  similar: "it needs an embedding model (Assay's similarity assertion is lexical, not the same measure)",
  webhook: "it posts outputs to a URL of the config's choosing",
  "select-best": "it compares outputs across prompts within a test",
  "model-graded-closedqa": "it is a promptfoo-specific graded template",
  factuality: "it is a promptfoo-specific graded template",
  "answer-relevance": "it needs an embedding model",
  perplexity: "it needs token log-probabilities",
  moderation: "it calls a moderation API",
  classifier: "it calls a Hugging Face classifier",
};

type Path = (string | number)[];

interface Context {
  /** tests read from a file are reported by their row ("tests.csv row 4"), not by a key path that is not written */
  display: { where: Path; as: string } | null;
  fileName: string;
  baseDir: string;
  source: PositionedYaml;
  notices: PromptfooNotice[];
  problems: ErrorDetail[];
  /** Assay key path (JSON) → the promptfoo key path it came from */
  origins: Map<string, Path>;
}

const showPath = (where: Path): string => where.map((part, index) => (typeof part === "number" ? `[${part}]` : index === 0 ? part : `.${part}`)).join("");

function shown(context: Context, where: Path): string {
  const display = context.display;
  if (display && display.where.every((part, index) => where[index] === part)) {
    const rest = showPath(where.slice(display.where.length));
    return rest === "" ? display.as : `${display.as}: ${rest.replace(/^\./, "")}`;
  }
  return showPath(where);
}

function lineAt(context: Context, where: Path): number | null {
  return context.source.locate(where)?.line ?? null;
}

function note(context: Context, where: Path | string, message: string, skipped: boolean): void {
  context.notices.push({ where: typeof where === "string" ? where : shown(context, where), line: typeof where === "string" ? null : lineAt(context, where), message, skipped });
}

function problem(context: Context, where: Path, message: string): void {
  const position = context.source.locate(where);
  context.problems.push({ ...(position ? { line: position.line, column: position.column } : {}), path: shown(context, where), message });
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

function readReferenced(context: Context, reference: string, where: Path): { file: string; text: string } | null {
  const relative = reference.slice("file://".length);
  if (/[*?]/.test(relative)) {
    problem(context, where, `"${reference}": file globs are not supported; list the files one by one`);
    return null;
  }
  const file = path.resolve(context.baseDir, relative);
  try {
    return { file: relative, text: readFileSync(file, "utf8") };
  } catch (error) {
    problem(context, where, `cannot read "${relative}" (looked for ${file}): ${(error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (error as Error).message}`);
    return null;
  }
}

// ---------- prompts ----------

interface ConvertedPrompt {
  label: string;
  where?: Path;
  messages: { role: string; content: string }[];
}

function chatMessages(value: unknown): { role: string; content: string }[] | null {
  if (!Array.isArray(value) || value.length === 0) return null;
  const messages = value.map((message) =>
    isRecord(message) && typeof message.role === "string" && typeof message.content === "string" ? { role: message.role, content: message.content } : null,
  );
  return messages.every((message) => message !== null) ? (messages as { role: string; content: string }[]) : null;
}

/** A prompt's text: a JSON chat array becomes messages, anything else one user message. */
function promptFromText(text: string, label: string): ConvertedPrompt {
  const trimmed = text.trim();
  if (trimmed.startsWith("[")) {
    try {
      const messages = chatMessages(JSON.parse(trimmed));
      if (messages) return { label, messages };
    } catch {
      // Not JSON after all: a text prompt that starts with "[", sent as it is.
    }
  }
  return { label, messages: [{ role: "user", content: text }] };
}

function promptsFromFile(context: Context, reference: string, where: Path, label: string | undefined): ConvertedPrompt[] {
  const extension = path.extname(reference.replace(/:[A-Za-z_]\w*$/, "")).toLowerCase();
  if ([".js", ".cjs", ".mjs", ".ts", ".py"].includes(extension)) {
    problem(context, where, `"${reference}": prompts made by code (${extension}) are not supported; use a text, JSON or YAML file`);
    return [];
  }
  const read = readReferenced(context, reference, where);
  if (!read) return [];
  const name = label ?? path.basename(read.file);
  if (extension === ".json" || extension === ".yaml" || extension === ".yml") {
    let value: unknown;
    try {
      value = extension === ".json" ? JSON.parse(read.text) : parseYaml(read.text);
    } catch (error) {
      problem(context, where, `"${read.file}" is not valid ${extension === ".json" ? "JSON" : "YAML"}: ${(error as Error).message.split("\n")[0]}`);
      return [];
    }
    const messages = chatMessages(value);
    if (!messages) {
      problem(context, where, `"${read.file}" must hold a chat: a list of { role, content } messages`);
      return [];
    }
    return [{ label: name, messages }];
  }
  // promptfoo's text files hold one prompt, or several separated by a line of ---
  const parts = read.text.split(/^---\s*$/m).map((part) => part.trim()).filter((part) => part !== "");
  return parts.map((part, index) => promptFromText(part, parts.length === 1 ? name : `${name} #${index + 1}`));
}

function convertPrompts(context: Context, value: unknown): ConvertedPrompt[] {
  const where: Path = ["prompts"];
  if (value === undefined) {
    problem(context, where, "list at least one prompt");
    return [];
  }
  const entries: { value: unknown; label?: string; where: Path }[] = [];
  if (typeof value === "string") entries.push({ value, where });
  else if (Array.isArray(value)) value.forEach((entry, index) => entries.push({ value: entry, where: [...where, index] }));
  else if (isRecord(value)) for (const [key, label] of Object.entries(value)) entries.push({ value: key, ...(typeof label === "string" ? { label } : {}), where: [...where, key] });
  else problem(context, where, "prompts: a string, a list, or a mapping of file to label");
  const prompts: ConvertedPrompt[] = [];
  entries.forEach((entry, index) => {
    const fallback = `prompt ${index + 1}`;
    let text: unknown = entry.value;
    let label = entry.label;
    if (isRecord(entry.value)) {
      text = entry.value.raw ?? entry.value.id;
      if (typeof entry.value.label === "string") label = entry.value.label;
      for (const key of Object.keys(entry.value)) {
        if (!["raw", "id", "label"].includes(key)) note(context, [...entry.where, key], `prompt option "${key}" is ignored`, true);
      }
    }
    if (typeof text !== "string" || text.trim() === "") {
      problem(context, entry.where, "a prompt is a text, a file://path, or { raw | id, label }");
      return;
    }
    const made = text.startsWith("file://") ? promptsFromFile(context, text, entry.where, label) : [promptFromText(text, label ?? fallback)];
    prompts.push(...made.map((prompt) => ({ ...prompt, where: entry.where })));
  });
  return prompts;
}

// ---------- providers ----------

function providerSpecs(context: Context, value: unknown): { spec: ProviderSpec; where: Path }[] {
  const where: Path = ["providers"];
  const list = value === undefined ? [] : Array.isArray(value) ? value : [value];
  if (list.length === 0) problem(context, where, "list at least one provider, such as openai:chat:gpt-4.1-mini");
  const specs: { spec: ProviderSpec; where: Path }[] = [];
  list.forEach((entry, index) => {
    const at: Path = Array.isArray(value) ? [...where, index] : where;
    if (typeof entry === "string") specs.push({ spec: { id: entry }, where: at });
    else if (isRecord(entry) && typeof entry.id === "string") {
      specs.push({ spec: { id: entry.id, label: typeof entry.label === "string" ? entry.label : undefined, config: isRecord(entry.config) ? entry.config : undefined }, where: at });
      for (const key of Object.keys(entry)) {
        if (!["id", "label", "config"].includes(key)) note(context, [...at, key], `provider option "${key}" is ignored`, true);
      }
    } else if (isRecord(entry) && Object.keys(entry).length === 1) {
      // the older form { "openai:gpt-4": { config } }
      const [id, options] = Object.entries(entry)[0]!;
      specs.push({ spec: { id, config: isRecord(options) && isRecord(options.config) ? options.config : undefined }, where: at });
    } else {
      problem(context, at, "a provider is an id such as openai:chat:gpt-4.1-mini, or { id, label, config }");
    }
  });
  return specs;
}

// ---------- assertions ----------

type AssayAssertion = Record<string, unknown>;

function convertAssertion(context: Context, value: unknown, where: Path, origin: string): AssayAssertion[] {
  if (!isRecord(value) || typeof value.type !== "string") {
    problem(context, where, "an assertion is a mapping with a type");
    return [];
  }
  const raw = value.type;
  const negated = raw.startsWith("not-");
  const base = negated ? raw.slice(4) : raw;
  const skip = (why: string) => {
    note(context, where, `${raw}: skipped, ${why}`, true);
    return [];
  };
  if (base === "assert-set") {
    if (value.threshold !== undefined) return skip("an assert-set with a threshold has no Assay equivalent");
    if (!Array.isArray(value.assert)) return skip("an assert-set needs an assert list");
    return value.assert.flatMap((inner, index) => convertAssertion(context, inner, [...where, "assert", index], origin));
  }
  if (value.transform !== undefined) return skip("transform runs JavaScript on the output before the check");
  if (value.weight === 0) return skip("weight 0 (informational in promptfoo) is not an Assay weight");
  if (value.provider !== undefined) note(context, [...where, "provider"], "a per-assertion grader is not supported: the suite's judge grades it", true);
  let loaded = value.value;
  if (typeof loaded === "string" && loaded.startsWith("file://")) {
    const read = readReferenced(context, loaded, [...where, "value"]);
    if (!read) return [];
    loaded = read.text;
  }
  const common: AssayAssertion = { ...(value.weight !== undefined ? { weight: value.weight } : {}), ...(value.metric !== undefined ? { metric: String(value.metric) } : {}) };
  let converted: AssayAssertion[];
  if (base === "icontains-any" || base === "icontains-all") {
    const values = listValue(loaded);
    if (!values) return skip(`${base} needs a list of values`);
    const escaped = values.map((entry) => entry.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
    if (base === "icontains-any") converted = [{ type: `${negated ? "not-" : ""}regex`, value: escaped.join("|"), flags: "i", ...common }];
    else if (negated) return skip("not-icontains-all has no Assay equivalent");
    else converted = escaped.map((pattern) => ({ type: "regex", value: pattern, flags: "i", ...common, weight: (Number(value.weight ?? 1) || 1) / escaped.length }));
  } else if (base === "contains-any" || base === "contains-all") {
    const values = listValue(loaded);
    if (!values) return skip(`${base} needs a list of values`);
    converted = [{ type: raw, value: values, ...(value.threshold !== undefined && base === "contains-all" ? { threshold: value.threshold } : {}), ...common }];
  } else if (base === "equals" && (isRecord(loaded) || Array.isArray(loaded))) {
    converted = [{ type: `${negated ? "not-" : ""}json-path`, path: "$", value: loaded, ...common }];
  } else if (base === "is-json" && isRecord(loaded)) {
    converted = [{ type: `${negated ? "not-" : ""}json-schema`, value: loaded, ...common }];
  } else if (base === "regex" && typeof loaded === "string") {
    converted = [{ type: raw, value: loaded, ...common }];
  } else if (SAME.has(base)) {
    const assertion: AssayAssertion = { type: raw, ...common };
    if (loaded !== undefined && loaded !== null) assertion.value = typeof loaded === "number" && base !== "latency" && base !== "cost" ? String(loaded) : loaded;
    if (base === "latency" || base === "cost") {
      assertion.threshold = value.threshold ?? loaded;
      delete assertion.value;
    } else if (value.threshold !== undefined) {
      if (["levenshtein", "llm-rubric"].includes(base)) assertion.threshold = value.threshold;
      else note(context, [...where, "threshold"], `threshold on ${raw} has no meaning in Assay; ignored`, true);
    }
    converted = [assertion];
  } else {
    return skip(WHY_NOT[base] ? `Assay cannot run it: ${WHY_NOT[base]}` : `Assay has no "${base}" assertion`);
  }
  // Each converted assertion is checked here, so a problem names the promptfoo line rather than the converted file.
  const valid: AssayAssertion[] = [];
  for (const assertion of converted) {
    const result = assertionInput.safeParse(assertion);
    if (result.success) valid.push(assertion);
    else for (const issue of flattenIssues(result.error.issues)) problem(context, where, `${raw}: ${issue.message}`);
  }
  void origin;
  return valid;
}

function listValue(value: unknown): string[] | null {
  if (Array.isArray(value) && value.length > 0) return value.map(String);
  if (typeof value === "string" && value !== "") return value.split(",").map((part) => part.trim()).filter(Boolean);
  return null;
}

function convertAssertions(context: Context, value: unknown, where: Path): AssayAssertion[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    problem(context, where, "assert is a list of assertions");
    return [];
  }
  return value.flatMap((entry, index) => convertAssertion(context, entry, [...where, index], showPath(where)));
}

/** promptfoo's `__expected` shorthand in CSV tests: "contains: foo", "not-icontains: bar", "grade: polite", or a value. */
function expectedShorthand(text: string): Record<string, unknown> {
  const match = /^(not-)?([a-z-]+)(?:\(([\d.]+)\))?\s*:\s*([\s\S]*)$/.exec(text.trim());
  if (match) {
    const [, not = "", name, threshold, rest] = match;
    const type = name === "grade" ? "llm-rubric" : name === "fn" || name === "eval" ? "javascript" : name!;
    if (SAME.has(type) || WHY_NOT[type] || type.startsWith("icontains")) {
      return { type: `${not}${type}`, ...(rest !== "" ? { value: rest } : {}), ...(threshold ? { threshold: Number(threshold) } : {}) };
    }
  }
  if (text.trim() === "is-json" || text.trim() === "contains-json") return { type: text.trim() };
  return { type: "equals", value: text };
}

// ---------- tests ----------

interface ConvertedCase {
  key: string;
  variables: Record<string, unknown>;
  assertions: AssayAssertion[];
  origin: Path;
}

interface RawTest {
  test: Record<string, unknown>;
  where: Path;
  /** "tests.csv row 3" for tests from a file */
  label: string;
}

function testsFromFile(context: Context, reference: string, where: Path): RawTest[] {
  const read = readReferenced(context, reference, where);
  if (!read) return [];
  const extension = path.extname(read.file).toLowerCase();
  if (extension === ".csv") {
    let rows: Record<string, string>[];
    try {
      rows = parseCsv(read.text, { columns: true, skip_empty_lines: true, bom: true }) as Record<string, string>[];
    } catch (error) {
      problem(context, where, `"${read.file}": ${(error as Error).message}`);
      return [];
    }
    return rows.map((row, index) => {
      const vars: Record<string, unknown> = {};
      const assert: Record<string, unknown>[] = [];
      const test: Record<string, unknown> = { vars, assert };
      for (const [column, cell] of Object.entries(row)) {
        if (/^__expected\d*$/.test(column)) {
          if (cell !== "") assert.push(expectedShorthand(cell));
        } else if (column === "__description") test.description = cell;
        else if (column === "__metric") {
          if (cell !== "") test.metric = cell;
        } else if (column === "__threshold") {
          if (cell !== "") test.threshold = Number(cell);
        } else if (column.startsWith("__")) note(context, `${read.file} row ${index + 2}`, `column ${column} is ignored`, true);
        else vars[column] = cell;
      }
      if (typeof test.metric === "string") for (const assertion of assert) assertion.metric = test.metric;
      delete test.metric;
      return { test, where, label: `${read.file} row ${index + 2}` };
    });
  }
  let value: unknown;
  try {
    value = extension === ".json" ? JSON.parse(read.text) : extension === ".jsonl" ? read.text.split(/\r?\n/).filter((line) => line.trim() !== "").map((line) => JSON.parse(line)) : parseYaml(read.text);
  } catch (error) {
    problem(context, where, `"${read.file}": ${(error as Error).message.split("\n")[0]}`);
    return [];
  }
  if (!Array.isArray(value)) {
    problem(context, where, `"${read.file}" must hold a list of tests`);
    return [];
  }
  return value.map((test, index) => (isRecord(test) ? { test, where, label: `${read.file} test ${index + 1}` } : (problem(context, where, `"${read.file}" test ${index + 1} is not a mapping`), null))).filter((entry): entry is RawTest => entry !== null);
}

function rawTests(context: Context, value: unknown): RawTest[] {
  if (value === undefined) return [];
  const list = Array.isArray(value) ? value : [value];
  const tests: RawTest[] = [];
  list.forEach((entry, index) => {
    const where: Path = Array.isArray(value) ? ["tests", index] : ["tests"];
    if (typeof entry === "string" && entry.startsWith("file://")) tests.push(...testsFromFile(context, entry, where));
    else if (isRecord(entry)) tests.push({ test: entry, where, label: showPath(where) });
    else problem(context, where, "a test is a mapping (description, vars, assert) or a file://path to CSV, YAML or JSON tests");
  });
  return tests;
}

function loadVars(context: Context, vars: unknown, where: Path): Record<string, unknown> {
  if (vars === undefined || vars === null) return {};
  if (!isRecord(vars)) {
    problem(context, where, "vars is a mapping of variable names to values");
    return {};
  }
  const loaded: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(vars)) {
    if (typeof value === "string" && value.startsWith("file://")) {
      const read = readReferenced(context, value, [...where, name]);
      loaded[name] = read?.text ?? "";
    } else loaded[name] = value;
  }
  return loaded;
}

/** promptfoo runs a test once per combination of its array-valued vars. */
function expand(vars: Record<string, unknown>): Record<string, unknown>[] {
  let combinations: Record<string, unknown>[] = [{}];
  for (const [name, value] of Object.entries(vars)) {
    const values = Array.isArray(value) ? value : [value];
    combinations = combinations.flatMap((combination) => values.map((entry) => ({ ...combination, [name]: entry })));
  }
  return combinations;
}

function convertTests(context: Context, config: Record<string, unknown>, defaultVars: Record<string, unknown>): ConvertedCase[] {
  const cases: ConvertedCase[] = [];
  const keys = new Map<string, number>();
  const tests = rawTests(context, config.tests);
  tests.forEach((raw, index) => {
    const { test, where } = raw;
    context.display = raw.label === showPath(where) ? null : { where, as: raw.label };
    for (const key of Object.keys(test)) {
      if (["description", "vars", "assert"].includes(key)) continue;
      if (key === "threshold") note(context, [...where, key], "a test threshold is not applied: the case passes only when every assertion passes", true);
      else if (key === "metadata") continue;
      else note(context, [...where, key], `test option "${key}" is ignored`, true);
    }
    const vars = { ...defaultVars, ...loadVars(context, test.vars, [...where, "vars"]) };
    const assertions = convertAssertions(context, test.assert, [...where, "assert"]);
    const combinations = expand(vars);
    combinations.forEach((combination, combinationIndex) => {
      const base = typeof test.description === "string" && test.description.trim() !== "" ? test.description.trim().slice(0, 180) : `test ${index + 1}`;
      const named = combinations.length > 1 ? `${base} #${combinationIndex + 1}` : base;
      const seen = keys.get(named) ?? 0;
      keys.set(named, seen + 1);
      cases.push({ key: seen === 0 ? named : `${named} (${seen + 1})`, variables: combination, assertions, origin: where });
    });
  });
  context.display = null;
  return cases;
}

// ---------- the whole config ----------

const KNOWN_TOP = new Set(["description", "prompts", "providers", "tests", "defaultTest", "evaluateOptions", "env", "outputPath", "sharing", "tags", "metadata", "writeLatestResults", "commandLineOptions"]);

export function convertPromptfoo(source: PositionedYaml, fileName: string, baseDir: string, environment: Record<string, string | undefined> = process.env): ConvertedPromptfoo {
  const config = source.raw as Record<string, unknown>;
  const context: Context = { display: null, fileName, baseDir, source, notices: [], problems: [], origins: new Map() };
  const origin = (assay: Path, from: Path) => context.origins.set(JSON.stringify(assay), from);

  for (const key of Object.keys(config)) {
    if (KNOWN_TOP.has(key)) continue;
    note(context, [key], `"${key}" is not supported and is ignored`, true);
  }
  const env: Record<string, string> = {};
  if (isRecord(config.env)) for (const [name, value] of Object.entries(config.env)) env[name] = String(value);
  const effective = { ...env, ...environment };

  const prompts = convertPrompts(context, config.prompts);
  prompts.forEach((prompt, index) => origin(["prompts", index], prompt.where ?? ["prompts"]));

  const keys: Record<string, string> = {};
  const keyVariables: Record<string, string> = {};
  const targets: ConvertedTarget[] = [];
  providerSpecs(context, config.providers).forEach(({ spec, where }, index) => {
    try {
      const converted = convertProvider(spec, effective);
      if (converted.literalKey !== undefined) {
        const name = `ASSAY_PROMPTFOO_KEY_${index}`;
        keys[name] = converted.literalKey;
        keyVariables[name] = converted.keyEnv;
        converted.target.apiKeyEnv = name;
      }
      for (const message of converted.notes) note(context, [...where, "config"], message, true);
      targets.push(converted.target);
      origin(["targets", targets.length - 1], where);
    } catch (error) {
      if (!(error instanceof ProviderProblem)) throw error;
      problem(context, where, error.message);
    }
  });

  const defaultTest = isRecord(config.defaultTest) ? config.defaultTest : {};
  if (config.defaultTest !== undefined && !isRecord(config.defaultTest)) problem(context, ["defaultTest"], "defaultTest is a mapping (vars, assert, options)");
  const defaultVars = loadVars(context, defaultTest.vars, ["defaultTest", "vars"]);
  const assertions = convertAssertions(context, defaultTest.assert, ["defaultTest", "assert"]);
  for (const key of Object.keys(defaultTest)) {
    if (!["vars", "assert", "options", "threshold", "metadata"].includes(key)) note(context, ["defaultTest", key], `defaultTest option "${key}" is ignored`, true);
    if (key === "threshold") note(context, ["defaultTest", key], "a test threshold is not applied: the case passes only when every assertion passes", true);
  }
  const options = isRecord(defaultTest.options) ? defaultTest.options : {};
  for (const key of Object.keys(options)) {
    if (key !== "provider") note(context, ["defaultTest", "options", key], `option "${key}" is ignored`, true);
  }

  const cases = convertTests(context, config, defaultVars);
  if (config.tests === undefined && Object.keys(defaultVars).length > 0) {
    cases.push({ key: "test 1", variables: defaultVars, assertions: [], origin: ["defaultTest"] });
  }
  cases.forEach((entry, index) => origin(["cases", index], entry.origin));
  if (cases.length === 0 && context.problems.length === 0) problem(context, ["tests"], "the config has no tests");

  // llm-rubric needs a grader: defaultTest.options.provider, else promptfoo's default (OpenAI).
  let judge: ConvertedTarget | undefined;
  const usesRubric = JSON.stringify([assertions, cases.map((entry) => entry.assertions)]).includes("llm-rubric");
  if (usesRubric) {
    const grader = options.provider;
    const spec: ProviderSpec | null =
      typeof grader === "string" ? { id: grader } : isRecord(grader) && typeof grader.id === "string" ? { id: grader.id, config: isRecord(grader.config) ? grader.config : undefined } : grader === undefined ? { id: "openai:chat:gpt-4.1-mini" } : null;
    if (!spec) problem(context, ["defaultTest", "options", "provider"], "the grader is a provider id or { id, config }");
    else {
      try {
        const converted = convertProvider(spec, effective);
        if (converted.literalKey !== undefined) {
          keys.ASSAY_PROMPTFOO_KEY_JUDGE = converted.literalKey;
          keyVariables.ASSAY_PROMPTFOO_KEY_JUDGE = converted.keyEnv;
          converted.target.apiKeyEnv = "ASSAY_PROMPTFOO_KEY_JUDGE";
        }
        judge = converted.target;
        origin(["judge"], grader === undefined ? ["defaultTest"] : ["defaultTest", "options", "provider"]);
      } catch (error) {
        if (!(error instanceof ProviderProblem)) throw error;
        problem(context, ["defaultTest", "options", "provider"], error.message);
      }
    }
  }

  if (context.problems.length > 0) throw suiteFileError(fileName, context.problems);

  const evaluateOptions = isRecord(config.evaluateOptions) ? config.evaluateOptions : {};
  const description = typeof config.description === "string" && config.description.trim() !== "" ? config.description.trim() : null;
  const suite: Record<string, unknown> = {
    name: (description ?? `promptfoo ${path.basename(fileName)}`).slice(0, 200),
    description: `Converted from the promptfoo config ${path.basename(fileName)}`,
    prompts: prompts.map((prompt) => ({ label: prompt.label.slice(0, 100), messages: prompt.messages })),
    targets: targets.map((target) => ({ ...target, label: target.label.slice(0, 100) })),
    ...(judge ? { judge: { ...judge, label: judge.label.slice(0, 100) } } : {}),
    assertions,
    cases: cases.map((entry) => ({ key: entry.key, variables: entry.variables, assertions: entry.assertions })),
    ...(typeof evaluateOptions.maxConcurrency === "number" ? { concurrency: Math.min(500, evaluateOptions.maxConcurrency) } : {}),
    ...(typeof evaluateOptions.repeat === "number" ? { repeats: evaluateOptions.repeat } : {}),
    // promptfoo's default: every test must pass
    threshold: 1,
  };
  for (const key of Object.keys(evaluateOptions)) {
    if (key !== "maxConcurrency" && key !== "repeat") note(context, ["evaluateOptions", key], `evaluateOptions.${key} is ignored`, false);
  }
  const positions: PositionedYaml = {
    raw: suite,
    locate(assayPath) {
      for (let depth = assayPath.length; depth >= 0; depth--) {
        const from = context.origins.get(JSON.stringify(assayPath.slice(0, depth)));
        if (from) return source.locate(from);
      }
      return null;
    },
  };
  return { parsed: validateSuiteFile(positions, fileName), keys, keyVariables, env, notices: context.notices };
}

/** The notices as lines for a terminal: "promptfooconfig.yaml:14: tests[0].assert[1]: javascript: skipped, …". */
export function noticeLines(fileName: string, notices: readonly PromptfooNotice[]): string {
  const skipped = notices.filter((notice) => notice.skipped).length;
  const head = `${skipped} ${skipped === 1 ? "part is" : "parts are"} left out, ${notices.length - skipped} noted:`;
  return [head, ...notices.map((notice) => `  ${notice.line ? `${fileName}:${notice.line}: ` : ""}${notice.where}: ${notice.message}`)].join("\n");
}
