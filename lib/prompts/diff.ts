import { diffArrays, diffLines, diffWordsWithSpace, type ChangeObject } from "diff";
import type { ModelParams } from "./schema.ts";
import type { ChatRole, Counterexample, Example, PromptContent, TemplateVariables } from "./types.ts";

// A structured diff of two versions for the UI: what changed in each message (line- and word-level), which examples
// and counterexamples were added, removed or edited, and which settings changed from what to what.

export interface TextPart {
  kind: "equal" | "added" | "removed";
  text: string;
}

export interface TextDiff {
  changed: boolean;
  /** whole lines: for long texts */
  lines: TextPart[];
  /** words and spaces: for reading a small edit inside a line */
  words: TextPart[];
}

export type ItemStatus = "unchanged" | "changed" | "added" | "removed";

export interface MessageDiff {
  status: ItemStatus;
  /** position in the old version, null when added */
  oldIndex: number | null;
  /** position in the new version, null when removed */
  newIndex: number | null;
  role: ChatRole;
  content: TextDiff;
}

export interface ValueChange {
  key: string;
  /** undefined when absent on that side (and then left out of the JSON) */
  old: unknown;
  new: unknown;
}

export interface ShotDiff {
  status: ItemStatus;
  oldIndex: number | null;
  newIndex: number | null;
  /** variables added, removed or changed */
  variables: ValueChange[];
  output: TextDiff;
  /** counterexamples only */
  reason?: TextDiff;
}

export interface Change<T> {
  old: T;
  new: T;
}

export interface VersionDiff {
  changed: boolean;
  messages: MessageDiff[];
  examples: ShotDiff[];
  counterexamples: ShotDiff[];
  exampleMode: Change<PromptContent["exampleMode"]> | null;
  model: Change<string | null> | null;
  connectionId: Change<string | null> | null;
  /** changed parameters only, in a fixed order */
  params: ValueChange[];
  /** test inputs added, removed or changed, by name (not part of what is sent, so not in `changed`) */
  testInputs: ValueChange[];
}

export interface DiffableVersion extends PromptContent {
  model?: string | null;
  connectionId?: string | null;
  params: ModelParams;
  testInputs?: ReadonlyArray<{ name: string; variables: Record<string, unknown> }>;
}

/** JSON with object keys sorted, so {a, b} and {b, a} compare equal. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner && typeof inner === "object" && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner as Record<string, unknown>).sort(([left], [right]) => left.localeCompare(right)))
      : inner,
  ) ?? "undefined";
}

function parts(changes: ChangeObject<string>[]): TextPart[] {
  return changes.map((change) => ({
    kind: change.added ? "added" : change.removed ? "removed" : "equal",
    text: change.value,
  }));
}

// Word diffs are quadratic in the worst case; past this budget the line diff stands in for it.
const WORD_DIFF_TIMEOUT_MS = 500;

export function diffText(oldText: string, newText: string): TextDiff {
  if (oldText === newText) {
    const same: TextPart[] = oldText === "" ? [] : [{ kind: "equal", text: oldText }];
    return { changed: false, lines: same, words: same };
  }
  const lines = parts(diffLines(oldText, newText));
  const words = diffWordsWithSpace(oldText, newText, { timeout: WORD_DIFF_TIMEOUT_MS });
  return { changed: true, lines, words: words ? parts(words) : lines };
}

function onlyText(kind: "added" | "removed", text: string): TextDiff {
  const all: TextPart[] = text === "" ? [] : [{ kind, text }];
  return { changed: true, lines: all, words: all };
}

function diffValues(oldValues: Record<string, unknown>, newValues: Record<string, unknown>, order: readonly string[] = []): ValueChange[] {
  const extra = [...new Set([...Object.keys(oldValues), ...Object.keys(newValues)])].filter((key) => !order.includes(key)).sort();
  return [...order, ...extra]
    .filter((key) => canonical(oldValues[key]) !== canonical(newValues[key]))
    .map((key) => ({ key, old: oldValues[key], new: newValues[key] }));
}

/**
 * Walks an LCS alignment of two lists. `same` decides which items align; aligned items go to `pair`. A run of removed
 * items followed by a run of added ones (an edit in place) is paired positionally too, the rest are added/removed.
 */
function align<T, R>(
  oldItems: readonly T[],
  newItems: readonly T[],
  same: (left: T, right: T) => boolean,
  pair: (left: T, right: T, oldIndex: number, newIndex: number) => R,
  single: (item: T, status: "added" | "removed", index: number) => R,
): R[] {
  const result: R[] = [];
  let oldIndex = 0;
  let newIndex = 0;
  let removed: number[] = [];
  const flushRemoved = () => {
    for (const index of removed) result.push(single(oldItems[index] as T, "removed", index));
    removed = [];
  };
  for (const change of diffArrays([...oldItems], [...newItems], { comparator: same })) {
    const count = change.count ?? change.value.length;
    if (change.removed) {
      removed.push(...Array.from({ length: count }, (_, offset) => oldIndex + offset));
      oldIndex += count;
    } else if (change.added) {
      for (let offset = 0; offset < count; offset++) {
        const partner = removed.shift();
        if (partner !== undefined) result.push(pair(oldItems[partner] as T, newItems[newIndex] as T, partner, newIndex));
        else result.push(single(newItems[newIndex] as T, "added", newIndex));
        newIndex++;
      }
      flushRemoved();
    } else {
      flushRemoved();
      for (let offset = 0; offset < count; offset++) {
        result.push(pair(oldItems[oldIndex] as T, newItems[newIndex] as T, oldIndex, newIndex));
        oldIndex++;
        newIndex++;
      }
    }
  }
  flushRemoved();
  return result;
}

function diffMessages(oldMessages: PromptContent["messages"], newMessages: PromptContent["messages"]): MessageDiff[] {
  // Messages align by role sequence, so inserting a system message does not shift every later message into "changed".
  return align<PromptContent["messages"][number], MessageDiff>(
    oldMessages,
    newMessages,
    (left, right) => left.role === right.role,
    (left, right, oldIndex, newIndex) => {
      const content = diffText(left.content, right.content);
      const status = left.role !== right.role || content.changed ? "changed" : "unchanged";
      return { status, oldIndex, newIndex, role: right.role, content };
    },
    (message, status, index) => ({
      status,
      oldIndex: status === "removed" ? index : null,
      newIndex: status === "added" ? index : null,
      role: message.role,
      content: onlyText(status, message.content),
    }),
  );
}

type Shot = Example | Counterexample;

function diffShots(oldShots: readonly Shot[], newShots: readonly Shot[], withReason: boolean): ShotDiff[] {
  const reasonOf = (shot: Shot) => ("reason" in shot ? shot.reason : "");
  const noVariables: TemplateVariables = {};
  return align<Shot, ShotDiff>(
    oldShots,
    newShots,
    (left, right) => canonical(left) === canonical(right),
    (left, right, oldIndex, newIndex) => {
      const variables = diffValues(left.variables, right.variables);
      const output = diffText(left.output, right.output);
      const reason = withReason ? diffText(reasonOf(left), reasonOf(right)) : undefined;
      const changed = variables.length > 0 || output.changed || Boolean(reason?.changed);
      return { status: changed ? "changed" : "unchanged", oldIndex, newIndex, variables, output, ...(reason ? { reason } : {}) };
    },
    (shot, status, index) => {
      const [before, after] = status === "added" ? [noVariables, shot.variables] : [shot.variables, noVariables];
      return {
        status,
        oldIndex: status === "removed" ? index : null,
        newIndex: status === "added" ? index : null,
        variables: diffValues(before, after),
        output: onlyText(status, shot.output),
        ...(withReason ? { reason: onlyText(status, reasonOf(shot)) } : {}),
      };
    },
  );
}

function change<T>(oldValue: T, newValue: T): Change<T> | null {
  return canonical(oldValue) === canonical(newValue) ? null : { old: oldValue, new: newValue };
}

const PARAM_ORDER = ["temperature", "maxTokens", "topP", "stop", "seed", "responseFormat"] as const;

/** What changed from version `a` (old) to version `b` (new). */
export function diffVersions(a: DiffableVersion, b: DiffableVersion): VersionDiff {
  const messages = diffMessages(a.messages, b.messages);
  const examples = diffShots(a.examples, b.examples, false);
  const counterexamples = diffShots(a.counterexamples, b.counterexamples, true);
  const exampleMode = change(a.exampleMode, b.exampleMode);
  const model = change(a.model ?? null, b.model ?? null);
  const connectionId = change(a.connectionId ?? null, b.connectionId ?? null);
  const params = diffValues(a.params, b.params, PARAM_ORDER);
  const byName = (version: DiffableVersion) => Object.fromEntries((version.testInputs ?? []).map((input) => [input.name, input.variables]));
  const testInputs = diffValues(byName(a), byName(b), (b.testInputs ?? []).map((input) => input.name));
  const changed =
    [...messages, ...examples, ...counterexamples].some((item) => item.status !== "unchanged") ||
    exampleMode !== null ||
    model !== null ||
    connectionId !== null ||
    params.length > 0;
  return { changed, messages, examples, counterexamples, exampleMode, model, connectionId, params, testInputs };
}
