// Assertion values may name the case's variables as {{name}} (dotted paths reach into objects: {{user.city}}) and the
// case's expected output as {{expected}} (unless a variable of that name exists).
const placeholder = /\{\{\s*([A-Za-z_][\w-]*(?:\.[\w-]+)*)\s*\}\}/g;

export class MissingVariableError extends Error {
  readonly variable: string;
  constructor(variable: string) {
    super(`the assertion refers to {{${variable}}}, which is not a variable of this case`);
    this.name = "MissingVariableError";
    this.variable = variable;
  }
}

export function fillTemplate(text: string, variables: Record<string, unknown>, expected: string | null | undefined): string {
  if (!text.includes("{{")) return text;
  return text.replace(placeholder, (_match, name: string) => {
    const value = lookup(variables, name);
    if (value !== undefined) return typeof value === "string" ? value : JSON.stringify(value);
    if (name === "expected" && expected !== null && expected !== undefined) return expected;
    throw new MissingVariableError(name);
  });
}

function lookup(variables: Record<string, unknown>, name: string): unknown {
  if (Object.hasOwn(variables, name)) return variables[name];
  let current: unknown = variables;
  for (const part of name.split(".")) {
    if (typeof current !== "object" || current === null || !Object.hasOwn(current, part)) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}
