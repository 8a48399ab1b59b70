// Finds error handlers that drop the error without a comment saying why (issue #9, "No error is lost").
//
// Flagged, unless a `//` or `/* */` comment sits on the handler's line, the line before, or (for a block) the first
// line inside it:
// - a `catch` block that is empty;
// - a `catch {` (no binding) whose body does not start with `throw`: the error is gone;
// - a `catch (error)` whose body neither starts with `throw` nor mentions `error`;
// - `.catch(() => {})`, `.catch(() => undefined)` and other constant fallbacks (null, false, "", [], 0).

export interface SwallowedError {
  /** 1-based */
  line: number;
  kind: "empty catch" | "catch drops the error" | "constant .catch";
  text: string;
}

const COMMENT = /\/\/|\/\*/;
const CONSTANT_CATCH = /\.catch\(\s*(?:\(\s*\w*\s*(?::\s*\w+\s*)?\)|\w+)\s*=>\s*(?:\{\s*\}|undefined|null|void 0|false|true|0|""|''|``|\[\s*\])\s*\)/g;
const CATCH_BLOCK = /\bcatch\s*(?:\(\s*([A-Za-z_$][\w$]*)[^)]*\)\s*)?\{/g;

/** Index just past the `}` closing the block whose `{` is at `open`, skipping strings, templates and comments. */
function blockEnd(source: string, open: number): number {
  let depth = 0;
  let index = open;
  while (index < source.length) {
    const char = source[index]!;
    const next = source[index + 1];
    if (char === "/" && next === "/") {
      index = source.indexOf("\n", index);
      if (index === -1) return source.length;
      continue;
    }
    if (char === "/" && next === "*") {
      const close = source.indexOf("*/", index + 2);
      index = close === -1 ? source.length : close + 2;
      continue;
    }
    if (char === '"' || char === "'" || char === "`") {
      index++;
      while (index < source.length && source[index] !== char) {
        if (source[index] === "\\") index++;
        index++;
      }
      index++;
      continue;
    }
    if (char === "{") depth++;
    if (char === "}") {
      depth--;
      if (depth === 0) return index + 1;
    }
    index++;
  }
  return source.length;
}

function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/[^\n]*/g, "");
}

function lineOf(source: string, index: number): number {
  let line = 1;
  for (let at = source.indexOf("\n"); at !== -1 && at < index; at = source.indexOf("\n", at + 1)) line++;
  return line;
}

/** Every handler in `source` that loses its error without a comment saying why. */
export function findSwallowedErrors(source: string): SwallowedError[] {
  const lines = source.split("\n");
  const commented = (...numbers: number[]) => numbers.some((number) => COMMENT.test(lines[number - 1] ?? ""));
  const found: SwallowedError[] = [];

  for (const match of source.matchAll(CATCH_BLOCK)) {
    const open = match.index + match[0].length - 1;
    const line = lineOf(source, match.index);
    const body = source.slice(open + 1, blockEnd(source, open) - 1);
    const firstInside = lineOf(source, open) + (/^[ \t]*\n/.test(body) ? 1 : 0);
    if (commented(line, line - 1, firstInside)) continue;
    const code = withoutComments(body).trim();
    const binding = match[1];
    let kind: SwallowedError["kind"] | null = null;
    if (code === "") kind = "empty catch";
    else if (!code.startsWith("throw") && (binding === undefined || !new RegExp(`\\b${binding.replace("$", "\\$")}\\b`).test(code))) {
      kind = "catch drops the error";
    }
    if (kind) found.push({ line, kind, text: (lines[line - 1] ?? "").trim() });
  }

  for (const match of source.matchAll(CONSTANT_CATCH)) {
    const line = lineOf(source, match.index);
    if (commented(line, line - 1)) continue;
    found.push({ line, kind: "constant .catch", text: (lines[line - 1] ?? "").trim() });
  }
  return found.sort((a, b) => a.line - b.line);
}
