import { assign, hashUserKey, type Assignment } from "../releases/assign.ts";
import { badRequest, GatewayError, modelNotFound } from "./errors.ts";
import type { PromptPlan, ReleasePlan, VersionPlan, WorkspacePlan } from "./plan-cache.ts";
import type { TemplateVariables } from "../prompts/types.ts";

// Which version answers a request. `model: "<prompt>"` goes through the prompt's live release when it has one, else
// to its `production` label; `"<prompt>@<label>"` pins a label and bypasses releases. A prompt without a production
// label is still callable pinned (GET /models lists it as "<prompt>@<label>"): the gateway never guesses a label,
// so adding a second label to a prompt cannot change what its unpinned callers get.

export const DEFAULT_LABEL = "production";

export interface Arm {
  name: string;
  version: VersionPlan;
}

export interface Route {
  prompt: PromptPlan;
  /** the release that routes the request; null when pinned or without a live release */
  release: ReleasePlan | null;
  /** the label pinned, or the one the answer comes from (the release's stable label) */
  label: string;
  answer: Arm;
  assignment: Assignment | null;
  /** shadow mode: the arm run in the background */
  shadow: Arm | null;
  /** interleaved mode: the candidate merged with the answer */
  interleave: Arm | null;
  userKeyHash: string | null;
}

export interface Audience {
  userKey: string | null;
  ringHeader: string | null;
}

export function routeRequest(plan: WorkspacePlan, model: string, audience: Audience): Route {
  let prompt = plan.prompts.get(model);
  let pinned: string | null = null;
  if (!prompt) {
    const at = model.lastIndexOf("@");
    if (at > 0) {
      prompt = plan.prompts.get(model.slice(0, at));
      pinned = model.slice(at + 1);
    }
  }
  if (!prompt) {
    throw modelNotFound(`The model "${model}" does not exist: no prompt of this workspace has that name (GET /models lists them).`);
  }
  const userKeyHash = audience.userKey === null ? null : hashUserKey(plan.workspaceId, audience.userKey);
  if (pinned !== null) {
    const version = prompt.labels.get(pinned);
    if (!version) {
      throw modelNotFound(`The prompt "${prompt.name}" has no label "${pinned}"${labelList(prompt)}.`);
    }
    return { prompt, release: null, label: pinned, answer: { name: "", version }, assignment: null, shadow: null, interleave: null, userKeyHash };
  }
  const release = prompt.release;
  if (release) {
    const assignment = assign(release.routing, { userKey: audience.userKey, ringHeader: audience.ringHeader, memberEmails: plan.memberEmails });
    const answer = armOf(release, assignment.arm);
    const shadow = assignment.shadowArm ? armOf(release, assignment.shadowArm) : null;
    const interleave = assignment.interleave ? (release.routing.arms[1] ? armOf(release, release.routing.arms[1]) : null) : null;
    return { prompt, release, label: release.stableLabel, answer, assignment, shadow, interleave, userKeyHash };
  }
  const version = prompt.labels.get(DEFAULT_LABEL);
  if (!version) {
    throw modelNotFound(`The prompt "${prompt.name}" has no "${DEFAULT_LABEL}" label and no running release: pin a label with "${prompt.name}@<label>"${labelList(prompt)}.`);
  }
  return { prompt, release: null, label: DEFAULT_LABEL, answer: { name: "", version }, assignment: null, shadow: null, interleave: null, userKeyHash };
}

function labelList(prompt: PromptPlan): string {
  const names = [...prompt.labels.keys()];
  return names.length === 0 ? " (it has no labels)" : ` (its labels: ${names.join(", ")})`;
}

function armOf(release: ReleasePlan, name: string): Arm {
  const version = release.arms.get(name);
  if (!version) throw new GatewayError(500, `Release ${release.id} has no arm "${name}".`, { code: "release_broken" });
  return { name, version };
}

/**
 * Checks the request's variables: any the prompt's routed versions do not use is refused (a typo must not pass
 * silently), and every variable the answering version uses must be sent. A shadow or interleaved candidate missing a
 * variable is skipped instead (the candidate must never make stable's answer fail).
 */
export function checkVariables(route: Route, values: TemplateVariables, origin: ReadonlyMap<string, string>): void {
  const allowed = route.release ? route.release.variables : new Set(route.answer.version.variables);
  for (const name of Object.keys(values)) {
    if (!allowed.has(name)) {
      const uses = [...allowed];
      throw badRequest(
        origin.get(name) ?? `variables.${name}`,
        `Unknown variable "${name}": prompt "${route.prompt.name}" uses ${uses.length === 0 ? "no variables" : uses.map((use) => `"${use}"`).join(", ")}.`,
        "unknown_variable",
      );
    }
  }
  for (const name of route.answer.version.variables) {
    if (!Object.hasOwn(values, name)) {
      throw badRequest(
        `metadata.${name}`,
        `Missing variable "${name}": version ${route.answer.version.number} of prompt "${route.prompt.name}" needs it (send it in metadata or variables).`,
        "missing_variable",
      );
    }
  }
}

export function hasVariables(version: VersionPlan, values: TemplateVariables): boolean {
  return version.variables.every((name) => Object.hasOwn(values, name));
}
