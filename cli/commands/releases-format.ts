import { formatPercent } from "../../lib/format.ts";
import type { ReleaseSummary, ReleaseView } from "../../lib/releases/types.ts";

// How `assay releases` prints a release as text (--json prints the API's own JSON).

const MODE: Record<string, string> = { canary: "canary", ab: "A/B", shadow: "shadow", interleaved: "interleaved" };

type Listed = Pick<ReleaseSummary, "id" | "promptName" | "mode" | "state" | "stableLabel" | "arms"> & { stageTitle?: string; stages?: ReleaseView["stages"]; stage?: number };

function stageTitle(release: Listed): string {
  if (release.stageTitle !== undefined) return release.stageTitle;
  const stages = release.stages ?? [];
  return stages[release.stage ?? 0]?.title ?? "";
}

/** "cm3…  support-triage  canary  running at everyone 5 %  production v1 → v2" */
export function summaryLine(release: Listed): string {
  const [stable, ...candidates] = release.arms;
  const arms = `${release.stableLabel} v${stable?.versionNumber ?? "?"} → ${candidates.map((arm) => `v${arm.versionNumber}`).join(", ")}`;
  const where = release.state === "running" || release.state === "paused" ? ` at ${stageTitle(release)}` : "";
  return `${release.id}  ${release.promptName}  ${MODE[release.mode] ?? release.mode}  ${release.state.replace("_", " ")}${where}  ${arms}`;
}

export function describeView(view: ReleaseView): string {
  const lines = [summaryLine(view), ""];
  lines.push(`Stages: ${view.stages.map((stage, index) => (index === view.stage ? `[${stage.title}]` : stage.title)).join(" → ")}`);
  if (view.mode === "ab") lines.push(`Split: ${view.config.split.map((share, index) => `${view.arms[index]?.name ?? "?"} ${share} %`).join(", ")}`);
  if (view.mode === "shadow") lines.push(`Shadow sample: ${view.config.sample} %`);
  if (view.reason) lines.push(`Reason: ${view.reason.message}`);
  lines.push(`Promotion of ${view.promotion.label}: ${view.promotion.ready ? "ready" : (view.promotion.reason ?? "not ready")}`);
  if (view.figures.arms.length > 0) {
    lines.push("", "Arms:");
    for (const arm of view.figures.arms) {
      lines.push(`  ${arm.arm.padEnd(12)} v${String(arm.versionNumber).padEnd(4)} ${String(arm.calls).padStart(8)} calls  errors ${formatPercent(arm.errorRate.value)}`);
    }
  }
  if (view.figures.guards.length > 0) {
    lines.push("", "Guards:");
    for (const guard of view.figures.guards) lines.push(`  ${guard.name.padEnd(10)} ${guard.arm.padEnd(12)} ${guard.status.padEnd(8)} ${guard.message}`);
  }
  lines.push("", "Timeline:");
  for (const event of view.events) {
    const note = typeof event.data.note === "string" && event.data.note !== "" ? ` — ${event.data.note}` : "";
    const stated = event.data.reason;
    const why = typeof stated === "string" ? stated : typeof stated === "object" && stated !== null && "message" in stated ? String(stated.message) : "";
    const reason = why ? ` — ${why}` : "";
    lines.push(`  ${event.createdAt.slice(0, 19).replace("T", " ")}  ${event.kind.padEnd(18)} ${event.actor?.name ?? "Assay"}${note || reason}`);
  }
  return `${lines.join("\n")}\n`;
}
