import { AppError } from "../errors.ts";

// The whole permission matrix of a workspace, in one place: every API route names one action (withWorkspace), and
// every page hides or disables what the member's role cannot do by asking the same table. Pure, with no server-only
// import, so client components can ask `can` too.

export const ROLES = ["owner", "admin", "editor", "viewer"] as const;
export type Role = (typeof ROLES)[number];

export type Action =
  /** read everything in the workspace: prompts, suites, runs, comparisons, connections (never keys), local models */
  | "workspace.read"
  /** comment on a version, a run, a comparison or a case (issue #10) */
  | "comment.write"
  /** cast or withdraw one's own vote in a blind review */
  | "vote.cast"
  /** create prompts, save versions, rename, preview a draft */
  | "prompt.edit"
  /** create, edit and delete suites and their cases, import cases */
  | "suite.edit"
  /** anything that calls a model: the playground, runs (start, resume), judges, ablations */
  | "model.call"
  /** stop a run in progress */
  | "run.cancel"
  /** move or remove a label that is not protected */
  | "label.move"
  /** move or remove a protected label (`production`) */
  | "label.moveProtected"
  /** request a review of a version, and approve or request changes when asked (issue #10) */
  | "review.write"
  /** make a read-only share link (issue #10) */
  | "shareLink.create"
  /** see and revoke everyone's share links, allow or forbid the "anyone" scope (issue #10) */
  | "shareLink.manage"
  /** delete anyone's comment (issue #10) */
  | "comment.moderate"
  /** create, edit, test and delete connections and their keys */
  | "connection.manage"
  /** register, measure and remove local models */
  | "localModel.manage"
  /** invite, change roles, remove members (issue #10) */
  | "member.manage"
  /** start, ramp, pause and roll back releases (issue #11) */
  | "release.manage"
  /** create and revoke gateway keys (issue #11) */
  | "gatewayKey.manage"
  /** workspace settings: name, protected labels and their approvals, share-link maximums */
  | "workspace.settings"
  | "workspace.transfer"
  | "workspace.delete";

const VIEWER_UP = ["owner", "admin", "editor", "viewer"] as const;
const EDITOR_UP = ["owner", "admin", "editor"] as const;
const ADMIN_UP = ["owner", "admin"] as const;
const OWNER = ["owner"] as const;

/** Action → the roles allowed to do it. The one matrix: add an action here before a route or a page uses it. */
export const PERMISSIONS: Record<Action, readonly Role[]> = {
  "workspace.read": VIEWER_UP,
  "comment.write": VIEWER_UP,
  "vote.cast": VIEWER_UP,
  "prompt.edit": EDITOR_UP,
  "suite.edit": EDITOR_UP,
  "model.call": EDITOR_UP,
  "run.cancel": EDITOR_UP,
  "label.move": EDITOR_UP,
  "review.write": EDITOR_UP,
  "shareLink.create": EDITOR_UP,
  "label.moveProtected": ADMIN_UP,
  "shareLink.manage": ADMIN_UP,
  "comment.moderate": ADMIN_UP,
  "connection.manage": ADMIN_UP,
  "localModel.manage": ADMIN_UP,
  "member.manage": ADMIN_UP,
  "release.manage": ADMIN_UP,
  "gatewayKey.manage": ADMIN_UP,
  "workspace.settings": OWNER,
  "workspace.transfer": OWNER,
  "workspace.delete": OWNER,
};

/** What a refusal says the member tried: "Editors and above can <run models>; you are a viewer." */
const DOING: Record<Action, string> = {
  "workspace.read": "read this workspace",
  "comment.write": "comment",
  "vote.cast": "vote in blind reviews",
  "prompt.edit": "edit prompts",
  "suite.edit": "edit suites",
  "model.call": "run models",
  "run.cancel": "stop runs",
  "label.move": "move labels",
  "label.moveProtected": "move protected labels such as production",
  "review.write": "request and give reviews",
  "shareLink.create": "share links",
  "shareLink.manage": "manage everyone's share links",
  "comment.moderate": "delete other people's comments",
  "connection.manage": "manage connections and their keys",
  "localModel.manage": "manage local models",
  "member.manage": "manage members",
  "release.manage": "manage releases",
  "gatewayKey.manage": "manage gateway keys",
  "workspace.settings": "change workspace settings",
  "workspace.transfer": "transfer ownership",
  "workspace.delete": "delete the workspace",
};

const PLURAL: Record<Role, string> = { owner: "owners", admin: "admins", editor: "editors", viewer: "viewers" };
const ARTICLE: Record<Role, string> = { owner: "an owner", admin: "an admin", editor: "an editor", viewer: "a viewer" };

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}

export function can(role: Role, action: Action): boolean {
  return PERMISSIONS[action].includes(role);
}

/** Who may do it, in words: "Editors and above", "Only owners", or the list when it is not a rank and above. */
export function whoCan(action: Action): string {
  const allowed = PERMISSIONS[action];
  const capitalized = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
  if (allowed.length === 1 && allowed[0]) return `Only ${PLURAL[allowed[0]]}`;
  const lowest = ROLES.findLast((role) => allowed.includes(role));
  const rankAndAbove = lowest !== undefined && ROLES.slice(0, ROLES.indexOf(lowest) + 1).every((role) => allowed.includes(role));
  if (lowest !== undefined && rankAndAbove) return `${capitalized(PLURAL[lowest])} and above`;
  return `Only ${ROLES.filter((role) => allowed.includes(role)).map((role) => PLURAL[role]).join(" and ")}`;
}

/** The reason a role cannot do an action, as buttons show it and as a 403 says it. */
export function refusal(role: Role, action: Action): string {
  return `${whoCan(action)} can ${DOING[action]}; you are ${ARTICLE[role]}.`;
}

/** Throws AppError("forbidden") naming the action and the role it needs. */
export function assertCan(member: { role: Role }, action: Action): void {
  if (!can(member.role, action)) throw new AppError("forbidden", action, refusal(member.role, action));
}

/**
 * Moving or removing a protected label (production traffic follows it) is `label.moveProtected`, not `label.move`.
 * Which labels are protected is a workspace setting (Workspace.protectedLabels, parsed by lib/reviews/protected-labels.ts);
 * the caller passes the names so this table stays pure and usable in client components.
 */
export function labelAction(name: string, protectedNames: readonly string[]): "label.move" | "label.moveProtected" {
  return protectedNames.includes(name) ? "label.moveProtected" : "label.move";
}
