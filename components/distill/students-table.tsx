"use client";
import Link from "next/link";
import { useWorkspacePath } from "@/components/shell/use-workspace-path";
import type { StudentListItem } from "@/lib/distill/students-list";
import { formatBytes, formatPercent, formatTime } from "@/lib/format";
import { KIND_NAMES } from "./distill-bits";

// The Local models page's students: what `student:<name>` (and `cascade:<name>`) the model server answers for.

export function StudentsTable(props: { students: StudentListItem[] }) {
  const inWorkspace = useWorkspacePath();
  return (
    <section className="px-6 pb-6" data-testid="students">
      <div className="card overflow-x-auto">
        <div className="flex items-baseline justify-between gap-3 border-b border-slate-200 px-4 py-3">
          <div>
            <h2 className="text-sm font-semibold text-slate-800">Students</h2>
            <p className="text-xs text-slate-500">Small models distilled from a teacher, served as <code className="kbd">student:&lt;name&gt;</code> and <code className="kbd">cascade:&lt;name&gt;</code> on the Local models connection.</p>
          </div>
          <Link href={inWorkspace("/distill")} className="shrink-0 text-sm text-brand-700 hover:underline">Distill</Link>
        </div>
        {props.students.length === 0 ? (
          <p className="px-4 py-4 text-sm text-slate-500" data-testid="students-empty">No students yet: distill a prompt into one on the Distill page.</p>
        ) : (
          <table className="w-full text-sm">
            <thead className="bg-slate-50 text-left text-xs font-medium uppercase tracking-wide text-slate-500">
              <tr>
                <th className="px-4 py-2">Model names</th>
                <th className="px-4 py-2">Kind</th>
                <th className="px-4 py-2 text-right">Agreement</th>
                <th className="px-4 py-2 text-right">Size</th>
                <th className="px-4 py-2">Distillation</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {props.students.map((student) => (
                <tr key={student.id} data-testid="student-row">
                  <td className="px-4 py-2.5 font-mono text-xs">
                    student:{student.name}
                    {student.cascade && <div className="text-slate-500">cascade:{student.name}</div>}
                  </td>
                  <td className="px-4 py-2.5 text-slate-700">
                    {KIND_NAMES[student.kind as keyof typeof KIND_NAMES] ?? student.kind} <span className="text-xs text-slate-500">· {student.task} task</span>
                  </td>
                  <td className="px-4 py-2.5 text-right tabular-nums">{formatPercent(student.exactMatch)}</td>
                  <td className="px-4 py-2.5 text-right tabular-nums">{formatBytes(student.sizeBytes)}</td>
                  <td className="px-4 py-2.5">
                    {student.distillationId ? (
                      <Link href={inWorkspace(`/distill/${student.distillationId}`)} className="text-brand-700 hover:underline" data-testid="student-distillation">Open</Link>
                    ) : (
                      <span className="text-xs text-slate-500" title="trained with assay distill --from rows.jsonl">from the CLI · {formatTime(student.createdAt)}</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </section>
  );
}
