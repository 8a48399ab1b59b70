import type { ReleaseMode, ReleaseState } from "@/lib/releases/schema";
import type { ReleaseArmView } from "@/lib/releases/types";

// Small pieces shared by the releases list, the release page and the prompt page's releases section.

export const MODE_NAMES: Record<ReleaseMode, string> = { canary: "Canary", ab: "A/B", shadow: "Shadow", interleaved: "Interleaved" };

/** One line each, as the new-release form explains the choice. */
export const MODE_HELP: Record<ReleaseMode, string> = {
  canary: "A growing share of users gets the candidate, step by step (each user keeps their arm), while the guards pass; the last step promotes it.",
  ab: "A fixed split over stable and one or more candidates until you stop it, with a verdict per metric.",
  shadow: "Stable answers every request; on a sample the candidate runs in the background on the same request and is scored, never shown.",
  interleaved: "For prompts that answer a ranked list: both lists are merged into one, and the items people pick credit the version they came from.",
};

const STATE_STYLE: Record<ReleaseState, string> = {
  draft: "bg-slate-100 text-slate-700",
  running: "bg-blue-100 text-blue-800",
  paused: "bg-amber-100 text-amber-800",
  rolled_back: "bg-red-100 text-red-800",
  promoted: "bg-emerald-100 text-emerald-800",
  stopped: "bg-slate-200 text-slate-700",
};

export const STATE_NAMES: Record<ReleaseState, string> = {
  draft: "draft",
  running: "running",
  paused: "paused",
  rolled_back: "rolled back",
  promoted: "promoted",
  stopped: "stopped",
};

export function ReleaseStateBadge({ state }: { state: ReleaseState }) {
  return (
    <span className={`badge gap-1 ${STATE_STYLE[state]}`} data-testid="release-state" data-state={state}>
      {state === "running" && <span className="h-1.5 w-1.5 animate-pulse rounded-full bg-blue-600" aria-hidden />}
      {STATE_NAMES[state]}
    </span>
  );
}

export function ModeBadge({ mode }: { mode: ReleaseMode }) {
  return <span className="badge bg-violet-50 text-violet-700" data-testid="release-mode">{MODE_NAMES[mode]}</span>;
}

/** "stable v3 → candidate v4" (A/B: "stable v3 · candidate v4 · candidate-2 v5"). */
export function ArmsLine({ arms, mode }: { arms: ReleaseArmView[]; mode: ReleaseMode }) {
  const separator = mode === "ab" ? " · " : " → ";
  return (
    <span className="whitespace-nowrap text-slate-700" data-testid="release-arms">
      {arms.map((arm, index) => (
        <span key={arm.name}>
          {index > 0 && <span className="text-slate-400">{separator}</span>}
          <span className="text-slate-500">{arm.name}</span> <span className="font-mono font-medium">v{arm.versionNumber}</span>
        </span>
      ))}
    </span>
  );
}
