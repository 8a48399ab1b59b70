"use client";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import { useWorkspacePath } from "@/components/shell/use-workspace-path";
import { FINAL_STATES, type DistillationReport, type DistillationView, type LatencySummary } from "@/lib/distill/types";
import { formatBytes, formatCount, formatDuration, formatMoney, formatNumber, formatPercent, formatTime } from "@/lib/format";
import { api, errorText } from "@/lib/ui/api";
import { CoverageCurve, LossChart } from "./charts";
import { DistillationStateBadge, KIND_NAMES, ProgressBar, teacherText } from "./distill-bits";
import { UseIt } from "./use-it";

// One distillation: where it is (teacher run → training with its live loss curve → measuring → done), the rows the
// teacher failed, and when done the report — agreement, κ and confusion per head, accuracy, latency, cost, size —,
// the cascade's coverage–agreement curve with its threshold, Compare and how to call the student.

function Section(props: { title: string; hint?: React.ReactNode; actions?: React.ReactNode; children: React.ReactNode; testId?: string }) {
  return (
    <section className="card p-5" data-testid={props.testId}>
      <div className="flex flex-wrap items-start justify-between gap-2">
        <div>
          <h2 className="text-sm font-semibold text-slate-800">{props.title}</h2>
          {props.hint && <p className="mt-0.5 text-xs text-slate-500">{props.hint}</p>}
        </div>
        {props.actions && <div className="flex shrink-0 items-center gap-2">{props.actions}</div>}
      </div>
      <div className="mt-3">{props.children}</div>
    </section>
  );
}

function Figure(props: { label: string; value: string; detail?: string; testId?: string }) {
  return (
    <div>
      <dt className="label">{props.label}</dt>
      <dd className="text-lg font-semibold tabular-nums text-slate-900" data-testid={props.testId}>{props.value}</dd>
      {props.detail && <dd className="text-xs text-slate-500">{props.detail}</dd>}
    </div>
  );
}

export function ConfusionMatrix(props: { classes: string[]; confusion: number[][] }) {
  return (
    <table className="text-sm" data-testid="confusion-matrix">
      <thead>
        <tr>
          <th className="px-2 py-1 text-left text-xs font-normal text-slate-500">teacher ↓ · student →</th>
          {props.classes.map((name) => <th key={name} className="px-2 py-1 text-right font-mono text-xs font-medium text-slate-600">{name}</th>)}
        </tr>
      </thead>
      <tbody>
        {props.classes.map((name, row) => (
          <tr key={name} className="border-t border-slate-100">
            <th className="px-2 py-1 text-left font-mono text-xs font-medium text-slate-600">{name}</th>
            {props.classes.map((other, column) => {
              const count = props.confusion[row]?.[column] ?? 0;
              const diagonal = row === column;
              return (
                <td
                  key={other}
                  className={`px-2 py-1 text-right tabular-nums ${diagonal ? "bg-emerald-50 font-semibold text-emerald-800" : count > 0 ? "bg-red-50 text-red-700" : "text-slate-400"}`}
                  data-testid={diagonal ? "confusion-diagonal" : "confusion-cell"}
                >
                  {formatCount(count)}
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function latencyCells(summary: LatencySummary | null) {
  return summary ? (
    <>
      <td className="px-3 py-1.5 text-right tabular-nums">{formatDuration(summary.p50Ms)}</td>
      <td className="px-3 py-1.5 text-right tabular-nums">{formatDuration(summary.p95Ms)}</td>
      <td className="px-3 py-1.5 text-right tabular-nums text-slate-500">{formatCount(summary.calls)}</td>
    </>
  ) : (
    <td colSpan={3} className="px-3 py-1.5 text-center text-slate-400">—</td>
  );
}

function ReportFigures({ report }: { report: DistillationReport }) {
  return (
    <>
      <dl className="grid grid-cols-2 gap-4 lg:grid-cols-4">
        <Figure
          label="Agreement with the teacher"
          value={formatPercent(report.exactMatch)}
          detail={`exact match on ${formatCount(report.rows.heldOut)} held-out rows`}
          testId="report-agreement"
        />
        <Figure
          label="Accuracy vs expected"
          value={report.accuracy ? formatPercent(report.accuracy.student) : "—"}
          detail={report.accuracy ? `teacher ${formatPercent(report.accuracy.teacher)}${report.accuracy.cascade === null ? "" : ` · cascade ${formatPercent(report.accuracy.cascade)}`} · ${formatCount(report.accuracy.cases)} cases` : "no held-out case has an expected answer"}
          testId="report-accuracy"
        />
        <Figure label="Size on disk" value={formatBytes(report.sizeBytes)} detail={`trained in ${formatDuration(report.trainingMs)}`} testId="report-size" />
        <Figure
          label="Rows"
          value={formatCount(report.rows.total)}
          detail={`${formatCount(report.rows.train)} train · ${formatCount(report.rows.heldOut)} held out${report.rows.failed > 0 ? ` · ${formatCount(report.rows.failed)} failed, left out` : ""}`}
        />
      </dl>
      {report.lm && (
        <p className="mt-3 text-sm text-slate-600">
          Fine-tuned {formatCount(report.lm.epochs)} epochs on {formatCount(report.lm.trainTokens)} tokens; final loss {formatNumber(report.lm.finalLoss, 3)}.
        </p>
      )}
      <div className="mt-4 overflow-x-auto">
        <table className="w-full text-sm" data-testid="report-latency">
          <thead className="text-left text-xs text-slate-500">
            <tr>
              <th className="px-3 py-1.5"></th>
              <th className="px-3 py-1.5 text-right">p50 latency</th>
              <th className="px-3 py-1.5 text-right">p95 latency</th>
              <th className="px-3 py-1.5 text-right">calls measured</th>
              <th className="px-3 py-1.5 text-right">cost per 1,000 calls</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            <tr>
              <th className="px-3 py-1.5 text-left font-medium">Student</th>
              {latencyCells(report.latency.student)}
              <td className="px-3 py-1.5 text-right tabular-nums">{formatMoney(report.costPer1000.student)}</td>
            </tr>
            <tr>
              <th className="px-3 py-1.5 text-left font-medium">Cascade</th>
              {latencyCells(report.latency.cascade)}
              <td className="px-3 py-1.5 text-right tabular-nums">{formatMoney(report.costPer1000.cascade)}</td>
            </tr>
            <tr>
              <th className="px-3 py-1.5 text-left font-medium">Teacher</th>
              {latencyCells(report.latency.teacher)}
              <td className="px-3 py-1.5 text-right tabular-nums">{report.costPer1000.teacher === null ? "unpriced" : formatMoney(report.costPer1000.teacher)}</td>
            </tr>
          </tbody>
        </table>
        <p className="mt-1 text-xs text-slate-500">All three measured through the same call path on the held-out inputs; the teacher&apos;s from its run.</p>
      </div>
    </>
  );
}

function Heads({ report }: { report: DistillationReport }) {
  return (
    <div className="grid gap-6 lg:grid-cols-2">
      {report.heads.map((head) => (
        <div key={head.field ?? "label"} data-testid="report-head">
          <h3 className="text-sm font-semibold text-slate-800">{head.field === null ? "Label" : <span>Field <code className="kbd">{head.field}</code></span>}</h3>
          <p className="mb-2 text-xs text-slate-600" data-testid="report-kappa">
            agreement {formatPercent(head.exactMatch)} · Cohen&apos;s κ {formatNumber(head.kappa, 2)} (95 % interval {formatNumber(head.kappaInterval[0], 2)} to {formatNumber(head.kappaInterval[1], 2)}) on {formatCount(head.n)} rows
          </p>
          <ConfusionMatrix classes={head.classes} confusion={head.confusion} />
        </div>
      ))}
    </div>
  );
}

function CascadeControl(props: { view: DistillationView; canCall: boolean; onChange: (view: DistillationView) => void }) {
  const report = props.view.report as DistillationReport;
  const cascade = report.cascade;
  const [mode, setMode] = useState<"target" | "threshold">("target");
  const [target, setTarget] = useState(String(Math.round((cascade?.targetAgreement ?? props.view.config.targetAgreement) * 1000) / 10));
  const [threshold, setThreshold] = useState(String(props.view.student?.cascadeThreshold ?? cascade?.threshold ?? 0.5));
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function apply(event: React.FormEvent) {
    event.preventDefault();
    setSaving(true);
    setError(null);
    try {
      const body = mode === "target" ? { targetAgreement: Number(target) / 100 } : { threshold: Number(threshold) };
      props.onChange(await api<DistillationView>(`/api/distillations/${props.view.id}/cascade`, { method: "PUT", body }));
    } catch (caught) {
      setError(errorText(caught));
    } finally {
      setSaving(false);
    }
  }

  return (
    <div className="grid gap-4 lg:grid-cols-[1fr_16rem]">
      <CoverageCurve curve={report.curve} picked={cascade} target={mode === "target" ? cascade?.targetAgreement ?? null : null} />
      <div className="space-y-3">
        {cascade ? (
          <dl className="space-y-2 text-sm" data-testid="cascade-figures">
            <div><dt className="label">Threshold</dt><dd className="font-semibold tabular-nums" data-testid="cascade-threshold">{formatNumber(cascade.threshold, 2)}</dd></div>
            <div><dt className="label">Answered by the student</dt><dd className="font-semibold tabular-nums" data-testid="cascade-coverage">{formatPercent(cascade.coverage)}</dd></div>
            <div><dt className="label">Agreement with the teacher</dt><dd className="font-semibold tabular-nums" data-testid="cascade-agreement">{formatPercent(cascade.agreement)}</dd></div>
            <div>
              <dt className="label">Sent to the teacher</dt>
              <dd className="font-semibold tabular-nums">{formatPercent(1 - cascade.coverage)} <span className="text-xs font-normal text-slate-500">({formatCount(cascade.teacherCalls)} of {formatCount(report.rows.heldOut)} held-out rows)</span></dd>
            </div>
          </dl>
        ) : (
          <p className="text-sm text-slate-500">No cascade threshold picked yet.</p>
        )}
        {props.canCall && (
          <form onSubmit={apply} className="space-y-2 border-t border-slate-100 pt-3" data-testid="cascade-form">
            <div className="flex overflow-hidden rounded-md border border-slate-200 text-xs w-fit">
              {(["target", "threshold"] as const).map((option) => (
                <button key={option} type="button" onClick={() => setMode(option)} className={`px-2 py-0.5 ${mode === option ? "bg-slate-800 text-white" : "bg-white text-slate-600 hover:bg-slate-50"}`} data-testid={`cascade-mode-${option}`}>
                  {option === "target" ? "target agreement" : "threshold"}
                </button>
              ))}
            </div>
            {mode === "target" ? (
              <label className="block">
                <span className="label">Target agreement (%)</span>
                <input className="input" type="number" min={50} max={100} step={0.1} value={target} onChange={(event) => setTarget(event.target.value)} data-testid="cascade-target" />
              </label>
            ) : (
              <label className="block">
                <span className="label">Confidence threshold (0–1)</span>
                <input className="input" type="number" min={0} max={1} step={0.01} value={threshold} onChange={(event) => setThreshold(event.target.value)} data-testid="cascade-threshold-input" />
              </label>
            )}
            {error && <p role="alert" className="text-xs text-red-600" data-testid="cascade-error">{error}</p>}
            <button className="btn" type="submit" disabled={saving} data-testid="cascade-apply">{saving ? "Saving…" : "Use this threshold"}</button>
          </form>
        )}
      </div>
    </div>
  );
}

export function DistillationScreen(props: { initial: DistillationView; canCall: boolean; canDelete: boolean; refusal: string | null; modelServerUrl: string }) {
  const router = useRouter();
  const inWorkspace = useWorkspacePath();
  const [view, setView] = useState(props.initial);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const final = FINAL_STATES.includes(view.state);
  const viewRef = useRef(view);
  viewRef.current = view;

  // Live while not final: the loss curve grows, the teacher run's bar fills, the state moves on.
  useEffect(() => {
    if (final) return;
    let stopped = false;
    const controller = new AbortController();
    const timer = setInterval(async () => {
      try {
        const next = await api<DistillationView>(`/api/distillations/${viewRef.current.id}`, { signal: controller.signal });
        if (!stopped) setView(next);
      } catch (caught) {
        if (stopped) return; // the page left: the aborted fetch is expected
        console.warn("distillation poll failed", caught);
      }
    }, 1000);
    return () => {
      stopped = true;
      controller.abort();
      clearInterval(timer);
    };
  }, [final]);

  async function cancel() {
    setBusy("cancel");
    setError(null);
    try {
      await api(`/api/distillations/${view.id}/cancel`, { method: "POST", body: {} });
      setView(await api<DistillationView>(`/api/distillations/${view.id}`));
    } catch (caught) {
      setError(errorText(caught));
    } finally {
      setBusy(null);
    }
  }

  async function remove() {
    if (!window.confirm(`Delete the distillation ${view.name} and its student? Calls to student:${view.name} will fail.`)) return;
    setBusy("delete");
    setError(null);
    try {
      await api(`/api/distillations/${view.id}`, { method: "DELETE" });
      router.push(inWorkspace("/distill"));
    } catch (caught) {
      setError(errorText(caught));
      setBusy(null);
    }
  }

  async function compare(against: "student" | "cascade") {
    setBusy(`compare-${against}`);
    setError(null);
    try {
      const created = await api<{ runId: string; comparePath?: string }>(`/api/distillations/${view.id}/compare`, { body: { against } });
      if (created.comparePath) {
        router.push(inWorkspace(created.comparePath));
        return;
      }
      const run = await api<{ variants: { id: string }[] }>(`/api/runs/${created.runId}`);
      const [teacher, student] = run.variants;
      router.push(inWorkspace(teacher && student ? `/compare?run=${created.runId}&a=${teacher.id}&b=${student.id}` : `/runs/${created.runId}`));
    } catch (caught) {
      setError(errorText(caught));
      setBusy(null);
    }
  }

  const run = view.teacherRun;
  const report = view.report;
  return (
    <div className="mx-auto max-w-6xl space-y-4 p-6" data-testid="distillation-screen" data-state={view.state}>
      <section className="card p-5" data-testid="distillation-status">
        <div className="flex flex-wrap items-start justify-between gap-3">
          <div className="min-w-0 space-y-1 text-sm">
            <div className="flex flex-wrap items-center gap-2">
              <DistillationStateBadge state={view.state} />
              <span className="text-slate-700">{KIND_NAMES[view.studentKind]} student</span>
              {view.studentKind === "lm" && <span className="badge bg-amber-100 text-amber-800">experimental</span>}
              {view.cancelRequested && !final && <span className="text-xs text-amber-700">cancelling…</span>}
            </div>
            <div className="text-slate-600">
              Teacher{" "}
              {view.teacher.promptId ? (
                <Link href={inWorkspace(`/prompts/${view.teacher.promptId}`)} className="text-brand-700 hover:underline">{teacherText(view)}</Link>
              ) : (
                teacherText(view)
              )}
              {view.suite && (
                <>
                  {" "}· dataset <Link href={inWorkspace(`/suites/${view.suite.id}`)} className="text-brand-700 hover:underline">{view.suite.name}</Link>
                </>
              )}
              {" "}· held out {formatPercent(view.config.heldOutShare, 0)}
            </div>
            <div className="text-xs text-slate-500">
              started {formatTime(view.createdAt)} by {view.createdBy?.name ?? "—"}
              {view.finishedAt && ` · finished ${formatTime(view.finishedAt)}`}
            </div>
          </div>
          <div className="flex shrink-0 items-center gap-2">
            {!final && props.canCall && (
              <button className="btn-danger" type="button" onClick={cancel} disabled={busy !== null || view.cancelRequested} data-testid="distillation-cancel">
                {busy === "cancel" ? "Cancelling…" : "Cancel"}
              </button>
            )}
            {final && props.canDelete && (
              <button className="btn" type="button" onClick={remove} disabled={busy !== null} data-testid="distillation-delete">Delete</button>
            )}
          </div>
        </div>
        {run && (
          <div className="mt-4 space-y-1" data-testid="teacher-run">
            <div className="flex items-center justify-between text-xs text-slate-600">
              <span>
                Teacher run: {formatCount(run.done)} of {formatCount(run.total)} calls
                {run.failed > 0 && <span className="text-red-700"> · {formatCount(run.failed)} failed</span>} · {run.status}
              </span>
              <Link href={inWorkspace(`/runs/${run.id}`)} className="text-brand-700 hover:underline" data-testid="teacher-run-link">Open the run</Link>
            </div>
            <ProgressBar done={run.done} total={run.total} testId="teacher-run-progress" />
          </div>
        )}
        {view.state === "failed" && view.error && <p role="alert" className="mt-3 whitespace-pre-line rounded-md bg-red-50 px-3 py-2 text-sm text-red-700" data-testid="distillation-error">{view.error}</p>}
        {error && <p role="alert" className="mt-3 whitespace-pre-line rounded-md bg-red-50 px-3 py-2 text-sm text-red-700" data-testid="distillation-action-error">{error}</p>}
        {!props.canCall && props.refusal && !final && <p className="mt-3 text-xs text-slate-500">{props.refusal}</p>}
      </section>

      {(view.loss.length > 0 || view.state === "training") && (
        <Section title="Training loss" hint={view.state === "training" ? "Live: one point per epoch, updated every second." : "Cross-entropy per epoch on the training rows (dashed: held-out rows)."} testId="loss-section">
          <LossChart loss={view.loss} live={view.state === "training"} />
        </Section>
      )}

      {report && (
        <>
          <Section
            title="Report"
            hint="The student against the teacher on rows it never trained on."
            testId="distillation-report"
            actions={
              props.canCall && view.student ? (
                <>
                  <button className="btn" type="button" onClick={() => compare("student")} disabled={busy !== null} data-testid="compare-student">
                    {busy === "compare-student" ? "Starting…" : "Compare teacher vs student"}
                  </button>
                  {report.cascade && (
                    <button className="btn" type="button" onClick={() => compare("cascade")} disabled={busy !== null} data-testid="compare-cascade">
                      {busy === "compare-cascade" ? "Starting…" : "Compare teacher vs cascade"}
                    </button>
                  )}
                </>
              ) : undefined
            }
          >
            <ReportFigures report={report} />
          </Section>
          {report.heads.length > 0 && report.heads.some((head) => head.classes.length > 0) && (
            <Section title="Agreement per head" hint="Rows: the teacher's answer; columns: the student's. The diagonal is where they agree." testId="distillation-heads">
              <Heads report={report} />
            </Section>
          )}
          {report.curve.length > 0 && (
            <Section
              title="Cascade"
              hint="The student answers when its confidence is at least the threshold; the other calls go to the teacher. Higher thresholds agree more and save less."
              testId="distillation-cascade"
            >
              <CascadeControl view={view} canCall={props.canCall} onChange={setView} />
            </Section>
          )}
          {view.student && view.student.models.length > 0 && (
            <Section title="Use it" testId="distillation-use-it">
              <UseIt models={view.student.models} modelServerUrl={props.modelServerUrl} />
            </Section>
          )}
        </>
      )}

      {view.failedRows.length > 0 && (
        <Section title={`Rows the teacher failed (${formatCount(view.failedRows.length)})`} hint="Left out of training and of the report." testId="failed-rows">
          <div className="max-h-80 overflow-auto">
            <table className="w-full text-sm">
              <thead className="text-left text-xs text-slate-500">
                <tr><th className="py-1 pr-3">Case</th><th className="py-1 pr-3">Input</th><th className="py-1">Error</th></tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {view.failedRows.map((row) => (
                  <tr key={row.caseKey} data-testid="failed-row">
                    <td className="whitespace-nowrap py-1.5 pr-3 font-mono text-xs">{row.caseKey}</td>
                    <td className="max-w-md truncate py-1.5 pr-3 text-slate-700" title={row.input}>{row.input}</td>
                    <td className="py-1.5 text-red-700">{row.error}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </Section>
      )}
    </div>
  );
}
