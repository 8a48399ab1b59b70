import { db } from "../db.ts";
import { DEMO_SUITE, DEMO_TRIAGE_PROMPT } from "./demo-content.ts";
import { findDemoRun } from "./demo-run.ts";

// The "Start here" panel a member sees until they close it: four steps through the whole loop, each linking to the
// place where it is done — in the demo workspace, to the demo prompt, the demo run, its comparison and the members
// page; elsewhere, to the pages where one starts.

export type StartHereStepKey = "edit" | "run" | "compare" | "share";

export interface StartHereStep {
  key: StartHereStepKey;
  title: string;
  description: string;
  /** workspace-relative ("/prompts/abc") */
  href: string;
}

export async function startHereSteps(workspaceId: string): Promise<StartHereStep[]> {
  const [prompt, suite, demoRun] = await Promise.all([
    db.prompt.findFirst({ where: { workspaceId, name: DEMO_TRIAGE_PROMPT }, select: { id: true } }),
    db.suite.findFirst({ where: { workspaceId, name: DEMO_SUITE.name }, select: { id: true } }),
    findDemoRun(workspaceId),
  ]);
  return [
    {
      key: "edit",
      title: "Edit a prompt",
      description: prompt
        ? "Open support-triage, pick a test input and press Run: the local model answers, no API key needed."
        : "Write a prompt with {{ variables }}, examples and counterexamples, and run it in the playground.",
      href: prompt ? `/prompts/${prompt.id}` : "/prompts",
    },
    {
      key: "run",
      title: "Run a suite",
      description: demoRun
        ? "Both versions of support-triage on 24 cases: pass rate, latency and every output."
        : "Run prompt versions against a suite of cases with assertions.",
      href: demoRun ? `/runs/${demoRun.runId}` : suite ? `/suites/${suite.id}` : "/suites",
    },
    {
      key: "compare",
      title: "Compare",
      description: demoRun
        ? "Zero-shot against few-shot, with intervals and a plain verdict."
        : "Put two variants side by side: quality, latency and cost, each with its interval.",
      href: demoRun ? `/compare?run=${demoRun.runId}&a=${demoRun.variantIds[0]}&b=${demoRun.variantIds[1]}` : "/compare",
    },
    {
      key: "share",
      title: "Share",
      description: "Invite teammates to review and sign off before anything is released.",
      href: "/settings/members",
    },
  ];
}

/** The steps, or null once this member closed the panel. */
export async function startHereFor(member: { workspace: { id: string }; user: { id: string } }): Promise<StartHereStep[] | null> {
  const membership = await db.membership.findUnique({
    where: { workspaceId_userId: { workspaceId: member.workspace.id, userId: member.user.id } },
    select: { startHereDismissedAt: true },
  });
  if (!membership || membership.startHereDismissedAt) return null;
  return startHereSteps(member.workspace.id);
}

/** Closes the panel for this member of this workspace, for good. */
export async function dismissStartHere(member: { workspace: { id: string }; user: { id: string } }): Promise<{ dismissed: true }> {
  await db.membership.updateMany({
    where: { workspaceId: member.workspace.id, userId: member.user.id, startHereDismissedAt: null },
    data: { startHereDismissedAt: new Date() },
  });
  return { dismissed: true };
}
