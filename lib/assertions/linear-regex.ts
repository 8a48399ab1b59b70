import { RE2JS } from "re2js";

// User patterns (the regex assertion, JSON Schema `pattern` and `patternProperties`) run on RE2 (re2js, pure
// JavaScript): matching takes time linear in the input, so `^(a+)+$` against a long run of "a"s cannot stall the
// process the way V8's backtracking engine does. JavaScript syntax is translated to RE2's where the meaning is the
// same (\uXXXX, \u{…}, \cX, [^], identity escapes); what RE2 cannot express in linear time (backreferences,
// lookahead) is refused with a reason that names the construct.

export interface LinearRegex {
  readonly source: string;
  readonly flags: string;
  /** true when the pattern matches somewhere in `text` (RegExp.prototype.test without lastIndex) */
  test(text: string): boolean;
  toString(): string;
}

/** The pattern uses something the linear-time engine cannot run; the message says what. */
export class UnsupportedPatternError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UnsupportedPatternError";
  }
}

const engine = "the linear-time regex engine";

// Escapes JavaScript gives a meaning to; any other letter escaped is the letter itself (outside unicode mode),
// while RE2 reads some of those (\a, \z, \A, \Q, \C, …) as something else or refuses them.
const classEscapes = new Set(["d", "D", "w", "W", "s", "S"]);
const controlEscapes: Record<string, string> = { t: "\\t", n: "\\n", r: "\\r", v: "\\v", f: "\\f" };

function hexEscape(codePoint: number): string {
  return `\\x{${codePoint.toString(16)}}`;
}

function isHex(text: string): boolean {
  return /^[0-9a-fA-F]+$/.test(text);
}

/** Translates a JavaScript pattern to RE2 syntax, or throws UnsupportedPatternError. */
export function toRe2Syntax(pattern: string): string {
  let output = "";
  let inClass = false;
  let index = 0;
  while (index < pattern.length) {
    const character = pattern[index] as string;
    if (character === "\\") {
      const [translated, consumed] = translateEscape(pattern, index, inClass);
      output += translated;
      index += consumed;
      continue;
    }
    if (inClass) {
      if (character === "]") inClass = false;
      // A "[" inside a class is a literal in JavaScript; RE2 would read "[:alpha:]" as a named class.
      output += character === "[" ? "\\[" : character;
      index++;
      continue;
    }
    if (character === "[") {
      if (pattern.startsWith("[^]", index)) {
        output += "[\\x{0}-\\x{10ffff}]";
        index += 3;
        continue;
      }
      if (pattern.startsWith("[]", index)) {
        output += "[^\\x{0}-\\x{10ffff}]";
        index += 2;
        continue;
      }
      inClass = true;
      output += character;
      index++;
      // A "]" right after "[" or "[^" is a literal in RE2 but ends an empty class in JavaScript; handled above.
      if (pattern[index] === "^") {
        output += "^";
        index++;
      }
      continue;
    }
    if (character === "(" && pattern[index + 1] === "?") {
      const next = pattern.slice(index + 2, index + 4);
      if (next.startsWith("=") || next.startsWith("!")) {
        const shown = next.startsWith("=") ? "(?=…)" : "(?!…)";
        throw new UnsupportedPatternError(`lookahead ${shown} is not supported by ${engine}`);
      }
    }
    output += character;
    index++;
  }
  return output;
}

function translateEscape(pattern: string, index: number, inClass: boolean): [string, number] {
  const next = pattern[index + 1];
  if (next === undefined) return ["\\\\", 1];
  if (/[1-9]/.test(next) && !inClass) {
    throw new UnsupportedPatternError(`backreferences (\\${next}) are not supported by ${engine}`);
  }
  if (next === "k" && pattern[index + 2] === "<") {
    throw new UnsupportedPatternError(`named backreferences (\\k<…>) are not supported by ${engine}`);
  }
  if (next === "u") {
    const braced = /^\\u\{([0-9a-fA-F]{1,6})\}/.exec(pattern.slice(index));
    if (braced?.[1]) return [hexEscape(Number.parseInt(braced[1], 16)), braced[0].length];
    const four = pattern.slice(index + 2, index + 6);
    if (four.length === 4 && isHex(four)) {
      const high = Number.parseInt(four, 16);
      // A surrogate pair written as two escapes is one character (an emoji): RE2 sees code points.
      const low = pattern.slice(index + 6, index + 12);
      if (high >= 0xd800 && high <= 0xdbff && /^\\u[dD][c-fC-F][0-9a-fA-F]{2}$/.test(low)) {
        const lowValue = Number.parseInt(low.slice(2), 16);
        return [hexEscape(0x10000 + (high - 0xd800) * 0x400 + (lowValue - 0xdc00)), 12];
      }
      return [hexEscape(high), 6];
    }
    return ["u", 2];
  }
  if (next === "x") {
    const two = pattern.slice(index + 2, index + 4);
    return two.length === 2 && isHex(two) ? [hexEscape(Number.parseInt(two, 16)), 4] : ["x", 2];
  }
  if (next === "c") {
    const letter = pattern[index + 2];
    if (letter && /[A-Za-z]/.test(letter)) return [hexEscape(letter.charCodeAt(0) % 32), 3];
    return ["\\\\c", 2];
  }
  if (next === "0" && !/[0-9]/.test(pattern[index + 2] ?? "")) return ["\\x{0}", 2];
  if (next === "p" || next === "P") {
    // \p{Script=Greek} and \p{sc=Greek} are \p{Greek} in RE2; general categories read the same.
    const property = /^\\[pP]\{(?:Script|sc|Script_Extensions|scx)=([A-Za-z_]+)\}/.exec(pattern.slice(index));
    if (property?.[1]) return [`\\${next}{${property[1]}}`, property[0].length];
    return [`\\${next}`, 2];
  }
  if (next === "b") return [inClass ? "\\x{8}" : "\\b", 2];
  if (next === "B" && !inClass) return ["\\B", 2];
  if (classEscapes.has(next)) return [`\\${next}`, 2];
  const control = controlEscapes[next];
  if (control) return [control, 2];
  if (/[A-Za-z]/.test(next)) return [next, 2];
  // ASCII punctuation escaped is a literal in both syntaxes; anything else escaped is itself in JavaScript.
  if (/[!-/:-@[-`{-~]/.test(next)) return [`\\${next}`, 2];
  return [next, 2];
}

const flagBits: Record<string, number> = {
  i: RE2JS.CASE_INSENSITIVE,
  m: RE2JS.MULTILINE,
  s: RE2JS.DOTALL,
};

/**
 * Compiles a JavaScript pattern with JavaScript flags (d g i m s u v y) on RE2. g and d change nothing for a yes/no
 * test; u and v are how RE2 always reads text (by code point); y anchors the match at the start.
 */
export function compileLinearRegex(pattern: string, flags = ""): LinearRegex {
  let bits = RE2JS.LOOKBEHINDS;
  for (const flag of flags) {
    const bit = flagBits[flag];
    if (bit !== undefined) bits |= bit;
    else if (!"dguvy".includes(flag)) throw new UnsupportedPatternError(`unknown regex flag "${flag}"`);
  }
  let source = toRe2Syntax(pattern);
  if (flags.includes("y")) source = `\\A(?:${source})`;
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(source, bits);
  } catch (error) {
    throw new UnsupportedPatternError(describeSyntaxError(error));
  }
  return {
    source: pattern,
    flags,
    test: (text) => compiled.test(text),
    toString: () => `/${pattern}/${flags}`,
  };
}

function describeSyntaxError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const detail = message.replace(/^error parsing regexp:\s*/, "");
  if (/invalid repeat count/.test(detail)) return `repeat counts above 1,000 are not supported by ${engine} (${detail})`;
  if (/lookbehind/i.test(detail) || /\(\?<[=!]/.test(detail)) {
    return `this lookbehind is not supported by ${engine} (only lookbehinds without capturing groups are): ${detail}`;
  }
  return `not supported by ${engine}: ${detail}`;
}

/** Ajv's `code.regExp`: JSON Schema `pattern` and `patternProperties` run on the same engine. */
export const ajvRegExpEngine = Object.assign((pattern: string, flags: string) => compileLinearRegex(pattern, flags), {
  code: "compileLinearRegex",
});
