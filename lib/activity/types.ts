// What the activity feed sends to the screen: pure data, safe to import from client components.

/** Release actions as the feed records them (lib/releases/transitions.ts): one list for the kinds and the filter. */
export const RELEASE_ACTIVITY_KINDS = [
  "release.created",
  "release.started",
  "release.paused",
  "release.srm_paused",
  "release.resumed",
  "release.advanced",
  "release.rolled_back",
  "release.promoted",
  "release.promotion_blocked",
  "release.stopped",
] as const;

/** Distillations (issue #12, lib/distill): started, finished with a stored student, failed. */
export const DISTILLATION_ACTIVITY_KINDS = ["distillation.started", "distillation.done", "distillation.failed"] as const;

/** The feed's kind chips: each group names the event kinds it shows (kinds from lib/activity/record.ts). */
export const KIND_GROUPS = {
  prompts: ["version.saved"],
  runs: ["run.started", "run.finished", "comparison.opened", ...DISTILLATION_ACTIVITY_KINDS],
  reviews: ["review.requested", "review.rerequested", "review.approved", "review.changes_requested", "review.withdrawn", "review.closed"],
  labels: ["label.moved", "label.removed"],
  members: ["member.joined", "member.role_changed", "member.removed", "ownership.transferred"],
  releases: RELEASE_ACTIVITY_KINDS,
} as const;

export type KindGroup = keyof typeof KIND_GROUPS;
export const KIND_GROUP_NAMES = Object.keys(KIND_GROUPS) as KindGroup[];

export const KIND_GROUP_LABELS: Record<KindGroup, string> = {
  prompts: "Prompts",
  runs: "Runs & comparisons",
  reviews: "Reviews",
  labels: "Labels",
  members: "Members",
  releases: "Releases",
};

export function groupOfKind(kind: string): KindGroup | null {
  for (const group of KIND_GROUP_NAMES) {
    if ((KIND_GROUPS[group] as readonly string[]).includes(kind)) return group;
  }
  return null;
}

export interface ActivityPerson {
  id: string;
  name: string;
}

export interface ActivityItem {
  id: string;
  kind: string;
  group: KindGroup | null;
  /** ISO timestamp */
  createdAt: string;
  /** who did it; null for the system (a run that ended by itself is attributed to whoever started it) */
  actor: ActivityPerson | null;
  prompt: { id: string; name: string } | null;
  /** one line: "Ada saved support-triage v3 — 'tighter label list'" */
  sentence: string;
  /** workspace-relative link ("/prompts/…?v=3"), or null when the thing is gone */
  path: string | null;
  /** a tone for the line's marker: a failed run is not news of the same colour as an approval */
  tone: "neutral" | "good" | "bad";
}

export interface ActivityPage {
  items: ActivityItem[];
  /** pass as `cursor` for the next (older) page; null on the last page */
  nextCursor: string | null;
}

export interface ActivityFilterOptions {
  people: ActivityPerson[];
  prompts: { id: string; name: string }[];
}
