// `@handle` mentions in comment markdown. One parser for the server (who to notify, which names are unknown) and the
// renderer (which words become chips), so what is highlighted is exactly what was resolved.
//
// A handle is a member's email local part ("ada" for ada@example.com), or the whole email when two members share a
// local part ("@ada@example.com"). The "@" must start a word: "a@b.c" in running text is an email, not a mention.

export interface MentionMatch {
  /** lowercased handle without the "@" */
  handle: string;
  /** offset of the "@" in the text */
  start: number;
  /** offset just past the handle */
  end: number;
}

// Local-part characters, then optionally "@domain.tld" (the long form). The lookbehind keeps emails and words like
// "foo@bar" out; the last character may not be a dot or hyphen, so "@ada." at the end of a sentence is "@ada".
const MENTION = /(?<![\p{L}\p{N}_.+\-@/`])@([\p{L}\p{N}_](?:[\p{L}\p{N}_.+\-]*[\p{L}\p{N}_])?(?:@[\p{L}\p{N}\-]+(?:\.[\p{L}\p{N}\-]+)+)?)/gu;

/** Every mention-looking "@word" in plain text, in order. */
export function findMentions(text: string): MentionMatch[] {
  const matches: MentionMatch[] = [];
  for (const match of text.matchAll(MENTION)) {
    const handle = match[1] as string;
    matches.push({ handle: handle.toLowerCase(), start: match.index, end: match.index + 1 + handle.length });
  }
  return matches;
}

/**
 * The distinct handles a markdown body mentions, in first-seen order. Code (fenced, indented by a fence, or inline)
 * is blanked first: "`@decorator`" in a code span is code, not a person.
 */
export function mentionedHandles(markdown: string): string[] {
  const withoutCode = markdown
    .replace(/^(\s*)(`{3,}|~{3,})[^\n]*\n[\s\S]*?(?:^\s*\2[^\n]*$|(?![\s\S]))/gm, " ")
    .replace(/(`+)[^`]*?\1/g, " ")
    // link destinations and autolinks carry "@" in URLs (mailto:, https://x/@user) that are not mentions
    .replace(/\]\([^)]*\)/g, "] ")
    .replace(/<[^>\s]+>/g, " ");
  return [...new Set(findMentions(withoutCode).map((match) => match.handle))];
}

/** The handle a member is mentioned by: the email's local part, lowercased. */
export function localHandle(email: string): string {
  const at = email.lastIndexOf("@");
  return (at > 0 ? email.slice(0, at) : email).toLowerCase();
}
