import type { AssertionContext, Judge, JudgeVerdict } from "../assertions/types.ts";
import type { ChatMessage } from "../llm/types.ts";

// The llm-rubric judge: a model grading an output against a rubric, answering in JSON. The call itself is the run
// engine's (with its limits and retries); this file builds the messages and reads the verdict.

export class JudgeError extends Error {
  constructor(
    message: string,
    readonly kind: string = "judge",
  ) {
    super(message);
    this.name = "JudgeError";
  }
}

const SYSTEM = [
  "You grade the output of an AI system against a rubric.",
  'Answer with one JSON object and nothing else: {"reasoning": "<one or two sentences>", "pass": true|false, "score": <number from 0 to 1>}.',
  "pass is true only when the output meets the rubric; score says how well it does.",
].join("\n");

export function judgeMessages(rubric: string, output: string, context: AssertionContext): ChatMessage[] {
  const parts = [`<rubric>\n${rubric}\n</rubric>`];
  const variables = Object.entries(context.variables ?? {});
  if (variables.length > 0) {
    const shown = variables.map(([name, value]) => `${name}: ${typeof value === "string" ? value : JSON.stringify(value)}`);
    parts.push(`<input>\n${shown.join("\n")}\n</input>`);
  }
  if (context.expected) parts.push(`<reference_answer>\n${context.expected}\n</reference_answer>`);
  parts.push(`<output>\n${output}\n</output>`);
  return [
    { role: "system", content: SYSTEM },
    { role: "user", content: parts.join("\n\n") },
  ];
}

/** Reads the judge's JSON, tolerating code fences and text around it. Throws JudgeError when there is no verdict. */
export function parseVerdict(text: string): JudgeVerdict {
  const start = text.indexOf("{");
  const end = text.lastIndexOf("}");
  if (start < 0 || end <= start) throw new JudgeError(`The judge did not answer with JSON: ${shorten(text)}`, "judge_format");
  let value: unknown;
  try {
    value = JSON.parse(text.slice(start, end + 1));
  } catch {
    throw new JudgeError(`The judge's answer is not valid JSON: ${shorten(text)}`, "judge_format");
  }
  const record = (value ?? {}) as { pass?: unknown; score?: unknown; reasoning?: unknown };
  const score = typeof record.score === "number" && Number.isFinite(record.score) ? Math.min(1, Math.max(0, record.score)) : null;
  const pass = typeof record.pass === "boolean" ? record.pass : score !== null ? score >= 0.5 : null;
  if (pass === null) throw new JudgeError(`The judge's answer has neither "pass" nor "score": ${shorten(text)}`, "judge_format");
  return {
    pass,
    score: score ?? (pass ? 1 : 0),
    reasoning: typeof record.reasoning === "string" ? record.reasoning : "",
  };
}

function shorten(text: string): string {
  return JSON.stringify(text.length > 200 ? `${text.slice(0, 200)}…` : text);
}

/**
 * A Judge over `call`, which sends messages to the judge model (with retries) and returns its output or throws. The
 * cell's assertion context is passed along so the caller can count the judge's retries into the cell's.
 */
export function createJudge(call: (messages: ChatMessage[], context: AssertionContext) => Promise<string>): Judge {
  return async (rubric, output, context) => {
    const answer = await call(judgeMessages(rubric, output, context), context);
    return parseVerdict(answer);
  };
}
