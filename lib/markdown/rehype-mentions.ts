import type { Element, ElementContent, Root, RootContent, Text } from "hast";
import { findMentions } from "./mentions.ts";

// A rehype step that turns "@handle" in text into <span class="mention">, after sanitizing: it only ever adds spans
// with a fixed class and text content, so it cannot bring back anything the sanitizer removed. Text inside code,
// pre and links is left alone (a mention inside a link would nest interactive content).

const SKIP = new Set(["code", "pre", "a"]);

function splitText(node: Text): ElementContent[] {
  const matches = findMentions(node.value);
  if (matches.length === 0) return [node];
  const parts: ElementContent[] = [];
  let cursor = 0;
  for (const match of matches) {
    if (match.start > cursor) parts.push({ type: "text", value: node.value.slice(cursor, match.start) });
    parts.push(mentionSpan(match.handle, node.value.slice(match.start, match.end)));
    cursor = match.end;
  }
  if (cursor < node.value.length) parts.push({ type: "text", value: node.value.slice(cursor) });
  return parts;
}

function mentionSpan(handle: string, text: string): Element {
  return { type: "element", tagName: "span", properties: { className: ["mention"], dataMention: handle }, children: [{ type: "text", value: text }] };
}

/**
 * The long form "@ada@example.com" reaches this step as "@" followed by a mailto link (GFM links bare emails): the
 * pair becomes one chip again when the "@" starts a word.
 */
function longFormMention(previous: RootContent | ElementContent | undefined, child: Element): { before: string; chip: Element } | null {
  const href = child.properties.href;
  if (child.tagName !== "a" || typeof href !== "string" || !href.startsWith("mailto:")) return null;
  if (previous?.type !== "text" || !/(^|[^\p{L}\p{N}_.+\-@/`])@$/u.test(previous.value)) return null;
  const email = href.slice("mailto:".length);
  return { before: previous.value.slice(0, -1), chip: mentionSpan(email.toLowerCase(), `@${email}`) };
}

function walk(parent: Root | Element): void {
  const next: (RootContent | ElementContent)[] = [];
  for (const child of parent.children) {
    const long = child.type === "element" ? longFormMention(next.at(-1), child) : null;
    if (long) {
      next.pop();
      if (long.before) next.push({ type: "text", value: long.before });
      next.push(long.chip);
    } else if (child.type === "text") next.push(...splitText(child));
    else {
      if (child.type === "element" && !SKIP.has(child.tagName)) walk(child);
      next.push(child);
    }
  }
  parent.children = next as typeof parent.children;
}

export function rehypeMentions() {
  return (tree: Root) => walk(tree);
}
