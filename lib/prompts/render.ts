import { Liquid, LiquidError, type Template } from "liquidjs";
import { AppError, type ErrorDetail } from "../errors.ts";
import type { ChatMessage, MessageTemplate, PromptContent, TemplateVariables, VariableValue } from "./types.ts";

// Templates are Liquid (liquidjs): `{{ name }}`, filters (`{{ name | upcase }}`), `{% if %}`, `{% for %}`.
// Strict on purpose: a typo in a variable or filter name must fail in the editor, not silently send "" to a model.

export type TemplateProblemKind = "syntax" | "missing_variable" | "unknown_filter" | "unknown_tag" | "render";

export interface TemplateProblem extends ErrorDetail {
  /** where the template lives in the version, e.g. "messages[1].content" or "examples[0].variables" */
  path: string;
  kind: TemplateProblemKind;
  /** the variable's name, for missing variables */
  variable?: string;
}

export interface PromptValidation {
  /** every variable the messages use, in order of first appearance: the inputs a user fills in */
  variables: string[];
  problems: TemplateProblem[];
}

const engine = new Liquid({
  strictVariables: true,
  strictFilters: true,
  // Objects and arrays (structured case data) render as JSON rather than "[object Object]".
  outputEscape: (value: unknown) =>
    typeof value === "object" && value !== null ? JSON.stringify(value) : String(value ?? ""),
  // Report every error in a template, not just the first, so the editor can mark them all at once.
  catchAllErrors: true,
  // No file system: `{% include %}` and `{% render %}` must never read files on the server.
  templates: {},
  relativeReference: false,
  // A template is user input running on the server: bound its size, time and memory.
  parseLimit: 1_000_000,
  renderLimit: 2_000,
  memoryLimit: 50_000_000,
});

// Nunjucks' (and Jinja's) names for common filters, so templates written for promptfoo render unchanged.
const text = (value: unknown) => (value === null || value === undefined ? "" : String(value));
engine.registerFilter("upper", (value: unknown) => text(value).toUpperCase());
engine.registerFilter("lower", (value: unknown) => text(value).toLowerCase());
engine.registerFilter("title", (value: unknown) => text(value).toLowerCase().replace(/(^|\s)(\p{L})/gu, (_, space: string, letter: string) => space + letter.toUpperCase()));
engine.registerFilter("trim", (value: unknown) => text(value).trim());
engine.registerFilter("length", (value: unknown) => (Array.isArray(value) || typeof value === "string" ? value.length : value && typeof value === "object" ? Object.keys(value).length : 0));
engine.registerFilter("dump", (value: unknown) => JSON.stringify(value));
engine.registerFilter("safe", (value: unknown) => value);

// Parsing and analysis dominate rendering, and a run renders the same few templates for every case: keep both.
// Parsed templates are reusable across renders.
const PARSE_CACHE_LIMIT = 500;
const parseCache = new Map<string, { templates: Template[]; analysis: Analysis }>();

function parse(template: string): { templates: Template[]; analysis: Analysis } {
  const cached = parseCache.get(template);
  if (cached) {
    // Re-insert so the Map's insertion order tracks recency.
    parseCache.delete(template);
    parseCache.set(template, cached);
    return cached;
  }
  const templates = engine.parse(template);
  const parsed = { templates, analysis: analyze(templates) };
  parseCache.set(template, parsed);
  if (parseCache.size > PARSE_CACHE_LIMIT) {
    const oldest = parseCache.keys().next().value;
    if (oldest !== undefined) parseCache.delete(oldest);
  }
  return parsed;
}

interface LiquidErrorLike extends Error {
  token?: { getPosition(): number[] };
  originalError?: Error & { variableName?: string };
  errors?: LiquidErrorLike[];
}

function problemsFromError(error: unknown, path: string): TemplateProblem[] {
  if (!(error instanceof Error)) return [{ path, kind: "render", message: String(error) }];
  const liquidError = error as LiquidErrorLike;
  if (Array.isArray(liquidError.errors) && liquidError.errors.length > 0) {
    return liquidError.errors.flatMap((inner) => problemsFromError(inner, path));
  }
  if (!LiquidError.is(error)) return [{ path, kind: "render", message: error.message }];

  const [line, column] = liquidError.token?.getPosition() ?? [];
  const location = { ...(line !== undefined ? { line } : {}), ...(column !== undefined ? { column } : {}) };
  const where = line !== undefined ? ` (line ${line}${column !== undefined ? `, column ${column}` : ""})` : "";
  // liquidjs appends ", line:2, col:7" to its messages; the position is reported in its own fields instead.
  const bare = error.message.replace(/, line:\d+, col:\d+$/, "");

  const variable = liquidError.originalError?.variableName;
  if (error.name === "UndefinedVariableError" && variable) {
    return [{ path, kind: "missing_variable", variable, ...location, message: `Missing variable "${variable}"${where}` }];
  }
  const filter = /^undefined filter: (.+)$/.exec(bare);
  if (filter) return [{ path, kind: "unknown_filter", ...location, message: `Unknown filter "${filter[1]}"${where}` }];
  const tag = /^tag "(.+)" not found$/.exec(bare);
  if (tag) return [{ path, kind: "unknown_tag", ...location, message: `Unknown tag "${tag[1]}"${where}` }];
  const kind = error.name === "RenderError" ? "render" : "syntax";
  return [{ path, kind, ...location, message: `${kind === "syntax" ? "Syntax error" : "Error"}: ${bare}${where}` }];
}

interface Analysis {
  /** root variable names in order of first use, with where each is first used */
  globals: { name: string; line: number; column: number }[];
}

function analyze(templates: Template[]): Analysis {
  const { globals } = engine.analyzeSync(templates, { partials: false });
  const found = Object.entries(globals).map(([name, uses]) => {
    const first = uses[0]?.location;
    return { name, line: first?.row ?? 1, column: first?.col ?? 1 };
  });
  found.sort((left, right) => left.line - right.line || left.column - right.column);
  return { globals: found };
}

type Parsed = { ok: true; templates: Template[]; analysis: Analysis } | { ok: false; problems: TemplateProblem[] };

function parseAt(template: string, path: string): Parsed {
  try {
    return { ok: true, ...parse(template) };
  } catch (error) {
    return { ok: false, problems: problemsFromError(error, path) };
  }
}

function missingVariables(analysis: Analysis, variables: TemplateVariables, path: string): TemplateProblem[] {
  return analysis.globals
    .filter(({ name }) => !Object.hasOwn(variables, name))
    .map(({ name, line, column }) => ({
      path,
      kind: "missing_variable" as const,
      variable: name,
      line,
      column,
      message: `Missing variable "${name}" (line ${line}, column ${column})`,
    }));
}

function renderParsed(templates: Template[], variables: TemplateVariables, path: string): string {
  try {
    return String(engine.renderSync(templates, variables));
  } catch (error) {
    throw templateError(problemsFromError(error, path));
  }
}

function templateError(problems: TemplateProblem[]): AppError {
  const first = problems[0];
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : "";
  return new AppError("bad_request", "template", `${first ? `${first.path}: ${first.message}` : "Template error"}${more}`, problems);
}

/** The variables a template expects, in order of first use. Throws AppError("bad_request", "template") on a syntax error. */
export function detectVariables(template: string, path = "template"): string[] {
  const parsed = parseAt(template, path);
  if (!parsed.ok) throw templateError(parsed.problems);
  return parsed.analysis.globals.map(({ name }) => name);
}

/**
 * Renders one template. Every variable the template uses must be present (an empty string is a value); nested
 * properties must exist too. Throws AppError("bad_request", "template") naming the variable, filter or syntax error and
 * its line.
 */
export function renderTemplate(template: string, variables: TemplateVariables, path = "template"): string {
  const parsed = parseAt(template, path);
  if (!parsed.ok) throw templateError(parsed.problems);
  const missing = missingVariables(parsed.analysis, variables, path);
  if (missing.length > 0) throw templateError(missing);
  return renderParsed(parsed.templates, variables, path);
}

/**
 * The message that carries the actual input: the last user message. Examples are rendered with its template and
 * placed before it.
 */
export function inputMessageIndex(messages: readonly MessageTemplate[]): number {
  for (let index = messages.length - 1; index >= 0; index--) {
    if (messages[index]?.role === "user") return index;
  }
  return -1;
}

/** A variable's value as text: strings as they are, structured values as JSON. */
export function formatVariableValue(value: VariableValue): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/**
 * Every problem in a prompt at once, for the live editor: syntax errors, unknown filters and tags in each message;
 * examples and counterexamples lacking a variable the input message uses; and, when `variables` is given, variables
 * missing from it. Never throws.
 */
export function validatePrompt(
  prompt: Pick<PromptContent, "messages"> & Partial<Pick<PromptContent, "examples" | "counterexamples">>,
  variables?: TemplateVariables,
): PromptValidation {
  const problems: TemplateProblem[] = [];
  const names: string[] = [];
  const parsedMessages = prompt.messages.map((message, index) => {
    const path = `messages[${index}].content`;
    const parsed = parseAt(message.content, path);
    if (parsed.ok) {
      for (const { name } of parsed.analysis.globals) if (!names.includes(name)) names.push(name);
    } else {
      problems.push(...parsed.problems);
    }
    return { path, parsed };
  });

  const inputIndex = inputMessageIndex(prompt.messages);
  if (inputIndex < 0) problems.push({ path: "messages", kind: "syntax", message: "A prompt needs at least one user message" });

  // Examples are rendered through the input message's template: each must supply every variable it uses.
  const input = parsedMessages[inputIndex];
  if (input?.parsed.ok) {
    const inputTemplate = input.parsed;
    const shots = [
      ...(prompt.examples ?? []).map((shot, index) => ({ shot, path: `examples[${index}].variables` })),
      ...(prompt.counterexamples ?? []).map((shot, index) => ({ shot, path: `counterexamples[${index}].variables` })),
    ];
    for (const { shot, path } of shots) {
      const missing = missingVariables(inputTemplate.analysis, shot.variables, path).map((problem) => ({
        ...problem,
        message: `Missing variable "${problem.variable}" used by ${input.path} (line ${problem.line})`,
      }));
      problems.push(...missing);
      if (missing.length === 0) problems.push(...renderProblems(inputTemplate.templates, shot.variables, path));
    }
  }

  if (variables) {
    for (const { path, parsed } of parsedMessages) {
      if (!parsed.ok) continue;
      const missing = missingVariables(parsed.analysis, variables, path);
      problems.push(...missing);
      if (missing.length === 0) problems.push(...renderProblems(parsed.templates, variables, path));
    }
  }
  return { variables: names, problems };
}

function renderProblems(templates: Template[], variables: TemplateVariables, path: string): TemplateProblem[] {
  try {
    engine.renderSync(templates, variables);
    return [];
  } catch (error) {
    return problemsFromError(error, path);
  }
}

/**
 * Renders the version's own messages (no examples) with `variables`. Throws AppError("bad_request", "template") with
 * every problem found (details: path, line, column, message) before anything is rendered.
 */
export function renderPrompt(messages: readonly MessageTemplate[], variables: TemplateVariables): ChatMessage[] {
  const { problems } = validatePrompt({ messages: [...messages] }, variables);
  if (problems.length > 0) throw templateError(problems);
  return messages.map((message, index) => ({
    role: message.role,
    content: renderParsed(parse(message.content).templates, variables, `messages[${index}].content`),
  }));
}

/** Throws the problems of `validatePrompt` as one AppError, or returns the detected variables. */
export function assertValidPrompt(
  prompt: Pick<PromptContent, "messages"> & Partial<Pick<PromptContent, "examples" | "counterexamples">>,
  variables?: TemplateVariables,
): string[] {
  const validation = validatePrompt(prompt, variables);
  if (validation.problems.length > 0) throw templateError(validation.problems);
  return validation.variables;
}
