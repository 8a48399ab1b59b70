"use client";
import Link from "next/link";
import { useState } from "react";
import { useWorkspacePath } from "@/components/shell/use-workspace-path";
import { formatTime } from "@/lib/format";
import { RELEASE_STATES, type ReleaseState } from "@/lib/releases/schema";
import type { ReleaseSummary } from "@/lib/releases/types";
import { ArmsLine, ModeBadge, ReleaseStateBadge, STATE_NAMES } from "./release-bits";

export function ReleasesEmpty(props: { canManage: boolean; newHref: string }) {
  return (
    <div className="card mx-auto max-w-2xl p-8 text-sm text-slate-600" data-testid="releases-empty">
      <h2 className="text-base font-semibold text-slate-800">No releases yet</h2>
      <p className="mt-2">
        A release puts a new prompt version in front of real traffic carefully. Applications call the prompt by name through the
        gateway; the release decides which version answers — internal users first, then a growing canary share, an A/B split, a
        shadow run or an interleaved ranking — and its guards roll the candidate back by themselves when it errs more, gets slower
        or scores worse than stable.
      </p>
      <div className="mt-4">
        {props.canManage ? (
          <Link href={props.newHref} className="btn-primary" data-testid="start-release">Start a release</Link>
        ) : (
          <span className="text-xs text-slate-500">Admins and owners start releases.</span>
        )}
      </div>
    </div>
  );
}

export function ReleasesList(props: { releases: ReleaseSummary[]; canManage: boolean }) {
  const inWorkspace = useWorkspacePath();
  const [state, setState] = useState<ReleaseState | "all">("all");
  const counts = props.releases.reduce<Record<string, number>>((all, release) => ({ ...all, [release.state]: (all[release.state] ?? 0) + 1 }), {});
  const shown = state === "all" ? props.releases : props.releases.filter((release) => release.state === state);

  if (props.releases.length === 0) {
    return (
      <div className="p-6">
        <ReleasesEmpty canManage={props.canManage} newHref={inWorkspace("/releases/new")} />
      </div>
    );
  }
  return (
    <div className="space-y-4 p-6">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <div className="flex flex-wrap gap-1 rounded-lg border border-slate-200 bg-white p-1 text-sm" role="tablist" aria-label="Filter by state">
          {(["all", ...RELEASE_STATES] as const).map((item) => (
            <button
              key={item}
              role="tab"
              aria-selected={state === item}
              className={`rounded-md px-2.5 py-1 ${state === item ? "bg-brand-50 font-medium text-brand-700" : "text-slate-600 hover:bg-slate-100"}`}
              onClick={() => setState(item)}
              data-testid={`releases-filter-${item}`}
            >
              {item === "all" ? "all" : STATE_NAMES[item]} <span className="text-xs text-slate-400">{item === "all" ? props.releases.length : (counts[item] ?? 0)}</span>
            </button>
          ))}
        </div>
        {props.canManage && <Link href={inWorkspace("/releases/new")} className="btn-primary" data-testid="start-release">Start a release</Link>}
      </div>
      <div className="card overflow-x-auto">
        <table className="w-full text-sm" data-testid="releases-table">
          <thead className="border-b border-slate-200 bg-slate-50 text-left text-xs font-medium uppercase tracking-wide text-slate-500">
            <tr>
              <th className="px-4 py-2">Prompt</th>
              <th className="px-4 py-2">Mode</th>
              <th className="px-4 py-2">Arms</th>
              <th className="px-4 py-2">State</th>
              <th className="px-4 py-2">Stage</th>
              <th className="px-4 py-2">Updated</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {shown.map((release) => (
              <tr key={release.id} className="hover:bg-slate-50" data-testid="release-row" data-state={release.state}>
                <td className="px-4 py-2.5">
                  <Link href={inWorkspace(`/releases/${release.id}`)} className="font-medium text-brand-700 hover:underline">{release.promptName}</Link>
                  <div className="text-xs text-slate-500">replaces <span className="font-mono">{release.stableLabel}</span></div>
                </td>
                <td className="px-4 py-2.5"><ModeBadge mode={release.mode} /></td>
                <td className="px-4 py-2.5"><ArmsLine arms={release.arms} mode={release.mode} /></td>
                <td className="px-4 py-2.5"><ReleaseStateBadge state={release.state} /></td>
                <td className="px-4 py-2.5 text-slate-700" data-testid="release-stage">{release.stageTitle}</td>
                <td className="whitespace-nowrap px-4 py-2.5 text-slate-500">{formatTime(release.updatedAt)}</td>
              </tr>
            ))}
            {shown.length === 0 && (
              <tr><td colSpan={6} className="px-4 py-6 text-center text-slate-500">No {state === "all" ? "" : STATE_NAMES[state]} releases.</td></tr>
            )}
          </tbody>
        </table>
      </div>
    </div>
  );
}
