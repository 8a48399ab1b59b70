import { formatCount, formatPercent } from "../format.ts";
import { groupOfKind, type ActivityItem } from "./types.ts";

// One sentence and one link per event. Pure: the feed resolves names in batches first (lib/activity/feed.ts) and
// this turns each row into the line the screen shows. Names come from the rows as they are now (a renamed prompt
// shows its new name); what the event itself wrote (a run's name, version numbers) is the fallback when the thing
// is gone. Areas that record their own kinds (reviews, labels, members) write slightly different facts, so every
// field is read defensively.

export interface EventRow {
  id: string;
  kind: string;
  actorId: string | null;
  promptId: string | null;
  data: unknown;
  createdAt: Date;
}

export interface ResolvedNames {
  users: ReadonlyMap<string, { name: string }>;
  prompts: ReadonlyMap<string, { name: string }>;
  versions: ReadonlyMap<string, { number: number; promptId: string }>;
  runs: ReadonlyMap<string, { name: string }>;
  reviews: ReadonlyMap<string, { title: string; versionId: string; promptId: string }>;
}

type Data = Record<string, unknown>;

function dataOf(event: EventRow): Data {
  return typeof event.data === "object" && event.data !== null && !Array.isArray(event.data) ? (event.data as Data) : {};
}

export function text(data: Data, ...keys: string[]): string | null {
  for (const key of keys) {
    const value = data[key];
    if (typeof value === "string" && value !== "") return value;
  }
  return null;
}

export function count(data: Data, ...keys: string[]): number | null {
  for (const key of keys) {
    const value = data[key];
    if (typeof value === "number" && Number.isFinite(value)) return value;
  }
  return null;
}

/** The ids an event refers to, for the batched lookups. */
export function referencedIds(event: EventRow): { users: string[]; versions: string[]; runs: string[]; reviews: string[]; prompts: string[] } {
  const data = dataOf(event);
  const pick = (...keys: string[]) => keys.map((key) => text(data, key)).filter((value): value is string => value !== null);
  return {
    users: [
      ...(event.actorId ? [event.actorId] : []),
      ...pick("userId", "memberId", "targetUserId", "toUserId", "newOwnerId", "invitedById", "cancelledById"),
      ...idList(data, "reviewerIds"),
    ],
    versions: pick("versionId", "fromVersionId", "toVersionId"),
    runs: pick("runId"),
    reviews: pick("reviewId"),
    prompts: event.promptId ? [event.promptId] : [],
  };
}

function idList(data: Data, key: string): string[] {
  const value = data[key];
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
}

/** "Bob", "Bob and Carl", "Bob, Carl and Dee" */
function listOf(words: readonly string[]): string {
  if (words.length <= 1) return words[0] ?? "";
  return `${words.slice(0, -1).join(", ")} and ${words.at(-1)}`;
}

function quoted(value: string): string {
  return `'${value}'`;
}

function plural(value: number, one: string, many = `${one}s`): string {
  return `${formatCount(value)} ${value === 1 ? one : many}`;
}

const MODE_NAMES: Record<string, string> = { canary: "canary", ab: "A/B test", shadow: "shadow release", interleaved: "interleaved test" };

/** Release actions: "Ada started the canary of support-triage (v2 → v3)", "Assay rolled back … — error rate …". */
function describeRelease(kind: string, data: Data, who: string, promptName: string): Omit<ActivityItem, "id" | "kind" | "group" | "createdAt" | "actor" | "prompt"> {
  const releaseId = text(data, "releaseId");
  const path = releaseId ? `/releases/${releaseId}` : null;
  const what = `the ${MODE_NAMES[text(data, "mode") ?? ""] ?? "release"} of ${promptName}`;
  const reason = text(data, "reason");
  const because = reason ? ` — ${reason}` : "";
  const share = count(data, "share");
  const at = share !== null ? ` to ${formatPercent(share / 100, share < 1 ? 1 : 0)}` : "";
  switch (kind) {
    case "release.created": {
      const from = count(data, "fromNumber");
      const to = count(data, "toNumber");
      return { sentence: `${who} created ${what}${from !== null && to !== null ? ` (v${from} → v${to})` : ""}`, path, tone: "neutral" };
    }
    case "release.started":
      return { sentence: `${who} started ${what}`, path, tone: "neutral" };
    case "release.paused":
      return { sentence: `${who} paused ${what}${because}`, path, tone: "neutral" };
    case "release.srm_paused":
      return { sentence: `${who} paused ${what}: sample ratio mismatch${because}`, path, tone: "bad" };
    case "release.resumed":
      return { sentence: `${who} resumed ${what}`, path, tone: "neutral" };
    case "release.advanced":
      return { sentence: `${who} advanced ${what}${at}`, path, tone: "neutral" };
    case "release.rolled_back":
      return { sentence: `${who} rolled back ${what}${because}`, path, tone: "bad" };
    case "release.promoted":
      return { sentence: `${who} promoted ${what}`, path, tone: "good" };
    case "release.promotion_blocked":
      return { sentence: `The promotion of ${what} is waiting${because}`, path, tone: "bad" };
    default:
      return { sentence: `${who} stopped ${what}${because}`, path, tone: "neutral" };
  }
}

export function describeEvent(event: EventRow, names: ResolvedNames): ActivityItem {
  const data = dataOf(event);
  const actor = event.actorId ? { id: event.actorId, name: names.users.get(event.actorId)?.name ?? "A former member" } : null;
  const who = actor?.name ?? "Assay";
  const review = names.reviews.get(text(data, "reviewId") ?? "");
  const promptId = event.promptId ?? review?.promptId ?? null;
  const promptName = (promptId ? names.prompts.get(promptId)?.name : null) ?? text(data, "promptName") ?? "a deleted prompt";
  const prompt = promptId && names.prompts.has(promptId) ? { id: promptId, name: promptName } : null;
  const promptPath = (number?: number | null) => (prompt ? `/prompts/${prompt.id}${number ? `?v=${number}` : ""}` : null);
  const numberOf = (idKey: string, numberKeys: string[]): number | null => {
    const id = text(data, idKey);
    return (id ? names.versions.get(id)?.number : undefined) ?? count(data, ...numberKeys);
  };
  const base = { id: event.id, kind: event.kind, group: groupOfKind(event.kind), createdAt: event.createdAt.toISOString(), actor, prompt };
  const line = (sentence: string, path: string | null, tone: ActivityItem["tone"] = "neutral"): ActivityItem => ({ ...base, sentence, path, tone });

  switch (event.kind) {
    case "version.saved": {
      const number = numberOf("versionId", ["number"]);
      const message = text(data, "commitMessage");
      const version = number ? `${promptName} v${number}` : promptName;
      const verb = number === 1 ? `created ${promptName} (v1)` : `saved ${version}`;
      return line(`${who} ${verb}${message ? ` — ${quoted(message)}` : ""}`, promptPath(number));
    }
    case "run.started":
    case "run.finished": {
      const runId = text(data, "runId");
      const runName = (runId ? names.runs.get(runId)?.name : null) ?? text(data, "name") ?? "a deleted run";
      const path = runId && names.runs.has(runId) ? `/runs/${runId}` : null;
      const cells = count(data, "cells");
      if (event.kind === "run.started") {
        if (data.resumed === true) return line(`${who} resumed run ${quoted(runName)}`, path);
        const variants = count(data, "variants");
        const size = [variants !== null ? plural(variants, "variant") : null, cells !== null ? plural(cells, "cell") : null].filter(Boolean).join(", ");
        const from = text(data, "source") === "cli" ? " from the CLI" : "";
        const started = actor ? `${actor.name} started run ${quoted(runName)}${from}` : `Run ${quoted(runName)} started${from}`;
        return line(`${started}${size ? ` — ${size}` : ""}`, path);
      }
      const status = text(data, "status");
      const done = count(data, "done");
      const progress = done !== null && cells !== null ? `${formatCount(done)} of ${plural(cells, "cell")}` : null;
      if (status === "cancelled") {
        const canceller = text(data, "cancelledById");
        const by = canceller ? (names.users.get(canceller)?.name ?? "A former member") : "Someone";
        return line(`${by} cancelled run ${quoted(runName)}${progress ? ` at ${progress}` : ""}`, path, "bad");
      }
      if (status === "failed") return line(`Run ${quoted(runName)} failed${progress ? ` after ${progress}` : ""}`, path, "bad");
      const passRate = count(data, "passRate");
      const errors = count(data, "errors") ?? 0;
      const outcome = passRate !== null ? `: ${formatPercent(passRate, 0)} pass` : "";
      return line(`Run ${quoted(runName)} finished${outcome}${errors > 0 ? ` (${plural(errors, "error")})` : ""}`, path, errors > 0 ? "bad" : "good");
    }
    case "comparison.opened": {
      const key = text(data, "variants");
      const labels = Array.isArray(data.labels) ? data.labels.filter((label): label is string => typeof label === "string") : [];
      const what = labels.length >= 2 ? labels.map(quoted).join(" vs ") : "a comparison";
      return line(`${who} opened the comparison ${what}`, key ? `/compare?variants=${key}` : null);
    }
    case "label.moved":
    case "label.removed": {
      const label = text(data, "label", "name") ?? "a label";
      const from = numberOf("fromVersionId", ["fromNumber"]);
      if (event.kind === "label.removed") return line(`${who} removed ${label} from ${promptName}${from ? ` v${from}` : ""}`, promptPath(null));
      const to = numberOf("toVersionId", ["toNumber"]);
      const move = from ? `from v${from} to v${to ?? "?"}` : `to v${to ?? "?"}`;
      return line(`${who} moved ${label} of ${promptName} ${move}`, promptPath(to));
    }
    case "review.requested":
    case "review.rerequested":
    case "review.approved":
    case "review.changes_requested":
    case "review.withdrawn":
    case "review.closed": {
      const reviewId = text(data, "reviewId");
      // The version the event was about (a re-requested review has since moved on to a newer one), else the review's.
      const number =
        numberOf("versionId", ["versionNumber", "number"]) ??
        numberOf("toVersionId", ["toNumber"]) ??
        (review ? names.versions.get(review.versionId)?.number : undefined) ??
        null;
      const subject = `${promptName}${number ? ` v${number}` : ""}`;
      const path = reviewId && review ? `/reviews/${reviewId}` : promptPath(number);
      const reviewers = idList(data, "reviewerIds").map((id) => names.users.get(id)?.name ?? "a former member");
      const from = reviewers.length > 0 ? ` from ${listOf(reviewers)}` : "";
      if (event.kind === "review.requested") return line(`${who} requested a review of ${subject}${from}`, path);
      if (event.kind === "review.rerequested") return line(`${who} re-requested a review of ${subject}${from}`, path);
      if (event.kind === "review.approved") return line(`${who} approved ${subject}`, path, "good");
      if (event.kind === "review.changes_requested") return line(`${who} requested changes on ${subject}`, path, "bad");
      if (event.kind === "review.withdrawn") return line(`${who} withdrew the review of ${subject}`, path);
      const reason = text(data, "reason", "closedReason");
      return line(`The review of ${subject} closed${reason ? ` (${reason})` : ""}`, path);
    }
    case "member.joined":
    case "member.role_changed":
    case "member.removed":
    case "ownership.transferred": {
      const subjectId = text(data, "userId", "memberId", "targetUserId", "toUserId", "newOwnerId");
      const subject = (subjectId ? names.users.get(subjectId)?.name : null) ?? text(data, "name", "toName", "email") ?? "a member";
      const role = text(data, "role", "toRole", "to");
      if (event.kind === "member.joined") {
        const joiner = subjectId && subjectId !== event.actorId ? subject : who;
        const inviter = text(data, "invitedById");
        const invited = inviter && inviter !== event.actorId && names.users.has(inviter) ? `, invited by ${names.users.get(inviter)?.name}` : "";
        return line(`${joiner} joined${role ? ` as ${role}` : ""}${invited}`, "/settings/members", "good");
      }
      if (event.kind === "member.role_changed") {
        const from = text(data, "fromRole", "from", "previousRole");
        return line(`${who} changed ${subject}'s role${from ? ` from ${from}` : ""}${role ? ` to ${role}` : ""}`, "/settings/members");
      }
      if (event.kind === "member.removed") {
        if (data.left === true || subjectId === event.actorId) return line(`${who} left the workspace`, "/settings/members", "bad");
        return line(`${who} removed ${subject} from the workspace`, "/settings/members", "bad");
      }
      return line(`${who} transferred ownership to ${subject}`, "/settings/members");
    }
    case "release.created":
    case "release.started":
    case "release.paused":
    case "release.srm_paused":
    case "release.resumed":
    case "release.advanced":
    case "release.rolled_back":
    case "release.promoted":
    case "release.promotion_blocked":
    case "release.stopped":
      return { ...base, ...describeRelease(event.kind, data, who, promptName) };
    case "distillation.started":
    case "distillation.done":
    case "distillation.failed": {
      const name = text(data, "name") ?? "a student";
      const id = text(data, "distillationId");
      const path = id ? `/distill/${id}` : null;
      if (event.kind === "distillation.started") return line(`${who} started distilling ${quoted(name)} from ${promptName}`, path);
      if (event.kind === "distillation.failed") return line(`Distillation ${quoted(name)} failed${text(data, "error") ? `: ${text(data, "error")}` : ""}`, path, "bad");
      const agreement = count(data, "agreement");
      return line(`Distillation ${quoted(name)} finished${agreement !== null ? `: ${formatPercent(agreement, 1)} agreement with the teacher` : ""}`, path, "good");
    }
    default:
      return line(`${who}: ${event.kind}`, null);
  }
}
