"use client";
import Link from "next/link";
import { useWorkspacePath } from "@/components/shell/use-workspace-path";
import type { DistillationView } from "@/lib/distill/types";
import { formatBytes, formatPercent, formatTime } from "@/lib/format";
import { DistillationStateBadge, KIND_NAMES, progressText, teacherText } from "./distill-bits";

// The distillations of the workspace, newest first, or what distillation is and how to start one.

export function DistillationsEmpty(props: { canCreate: boolean; refusal: string | null; newHref: string }) {
  return (
    <div className="card mx-auto max-w-2xl p-8 text-sm text-slate-600" data-testid="distillations-empty">
      <h2 className="text-base font-semibold text-slate-800">No distillations yet</h2>
      <p className="mt-2">
        Distillation collects a teacher&apos;s answers — a prompt version on a hosted model — on your cases and calls, and trains a
        small local student to give the same answers, so that most calls no longer need the teacher. The report measures how
        often the student agrees with the teacher, how much faster and cheaper it is, and a cascade that asks the teacher only
        when the student is unsure.
      </p>
      <div className="mt-4">
        {props.canCreate ? (
          <Link href={props.newHref} className="btn-primary" data-testid="new-distillation">New distillation</Link>
        ) : (
          <span className="text-xs text-slate-500" data-testid="new-distillation-refused">{props.refusal}</span>
        )}
      </div>
    </div>
  );
}

export function DistillationsList(props: {
  distillations: DistillationView[];
  /** held-out agreement by distillation id, from its student (the list's views are light: no report) */
  agreements?: Record<string, number>;
  canCreate: boolean;
  refusal: string | null;
}) {
  const inWorkspace = useWorkspacePath();
  if (props.distillations.length === 0) {
    return (
      <div className="p-6">
        <DistillationsEmpty canCreate={props.canCreate} refusal={props.refusal} newHref={inWorkspace("/distill/new")} />
      </div>
    );
  }
  return (
    <div className="space-y-4 p-6">
      <div className="flex items-center justify-end gap-3">
        {props.canCreate ? (
          <Link href={inWorkspace("/distill/new")} className="btn-primary" data-testid="new-distillation">New distillation</Link>
        ) : (
          <span className="text-xs text-slate-500" data-testid="new-distillation-refused">{props.refusal}</span>
        )}
      </div>
      <div className="card overflow-x-auto">
        <table className="w-full text-sm" data-testid="distillations-table">
          <thead className="border-b border-slate-200 bg-slate-50 text-left text-xs font-medium uppercase tracking-wide text-slate-500">
            <tr>
              <th className="px-4 py-2">Student</th>
              <th className="px-4 py-2">Teacher</th>
              <th className="px-4 py-2">State</th>
              <th className="px-4 py-2 text-right">Agreement</th>
              <th className="px-4 py-2 text-right">Size</th>
              <th className="px-4 py-2">Started</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {props.distillations.map((view) => {
              const progress = progressText(view);
              return (
                <tr key={view.id} className="hover:bg-slate-50" data-testid="distillation-row" data-state={view.state}>
                  <td className="px-4 py-2.5">
                    <Link href={inWorkspace(`/distill/${view.id}`)} className="font-medium text-brand-700 hover:underline">{view.name}</Link>
                    <div className="text-xs text-slate-500">
                      {KIND_NAMES[view.studentKind]}
                      {view.studentKind === "lm" && <span className="ml-1 badge bg-amber-100 text-amber-800">experimental</span>}
                    </div>
                  </td>
                  <td className="px-4 py-2.5 text-slate-700">{teacherText(view)}</td>
                  <td className="px-4 py-2.5">
                    <DistillationStateBadge state={view.state} />
                    {progress && <div className="mt-0.5 text-xs text-slate-500" data-testid="distillation-progress">{progress}</div>}
                    {view.state === "failed" && view.error && <div className="mt-0.5 max-w-xs truncate text-xs text-red-700" title={view.error}>{view.error}</div>}
                  </td>
                  <td className="px-4 py-2.5 text-right tabular-nums" data-testid="distillation-agreement">{formatPercent(view.report?.exactMatch ?? props.agreements?.[view.id] ?? null)}</td>
                  <td className="px-4 py-2.5 text-right tabular-nums">{formatBytes(view.report?.sizeBytes ?? view.student?.sizeBytes ?? null)}</td>
                  <td className="whitespace-nowrap px-4 py-2.5 text-slate-500">
                    {formatTime(view.createdAt)}
                    <div className="text-xs">{view.createdBy?.name ?? "—"}</div>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </div>
  );
}
