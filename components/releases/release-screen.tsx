"use client";
import Link from "next/link";
import { useCallback, useEffect, useRef, useState } from "react";
import { PageHeader } from "@/components/shell/page-header";
import { useWorkspacePath } from "@/components/shell/use-workspace-path";
import { formatTime } from "@/lib/format";
import type { ReleaseView } from "@/lib/releases/types";
import { api, errorText } from "@/lib/ui/api";
import { ArmMetrics, LatencyEcdf, LiveSplit } from "./arm-figures";
import { CallIt } from "./call-it";
import { GuardPanel, SrmPanel } from "./guard-panel";
import { ReasonBanner } from "./reason-banner";
import { ReleaseActions } from "./release-actions";
import { ArmsLine, ModeBadge, ReleaseStateBadge } from "./release-bits";
import { ReleaseTimeline } from "./release-timeline";
import { StageProgress } from "./stage-progress";
import { AbVerdicts, InterleavingSummary, ShadowSummary } from "./verdicts";

const POLL_MS = 2500;

function Card(props: { title: string; hint?: string; children: React.ReactNode; testId?: string; flush?: boolean }) {
  return (
    <section className="card" data-testid={props.testId}>
      <div className="border-b border-slate-100 px-4 py-2.5">
        <h2 className="text-sm font-semibold text-slate-800">{props.title}</h2>
        {props.hint && <p className="text-xs text-slate-500">{props.hint}</p>}
      </div>
      <div className={props.flush ? "" : "p-4"}>{props.children}</div>
    </section>
  );
}

/** GET /api/releases/:id every 2.5 s while the release is live and the tab is visible. */
function useLiveRelease(initial: ReleaseView) {
  const [view, setView] = useState(initial);
  const [error, setError] = useState<string | null>(null);
  const inFlight = useRef(false);
  const refresh = useCallback(async () => {
    if (inFlight.current) return;
    inFlight.current = true;
    try {
      setView(await api<ReleaseView>(`/api/releases/${initial.id}`));
      setError(null);
    } catch (caught) {
      setError(errorText(caught));
    } finally {
      inFlight.current = false;
    }
  }, [initial.id]);
  const live = view.state === "running" || view.state === "paused";
  useEffect(() => {
    if (!live) return;
    let timer: ReturnType<typeof setInterval> | null = null;
    const start = () => {
      if (timer === null) timer = setInterval(() => void refresh(), POLL_MS);
    };
    const stop = () => {
      if (timer !== null) clearInterval(timer);
      timer = null;
    };
    const onVisibility = () => {
      if (document.hidden) stop();
      else {
        void refresh();
        start();
      }
    };
    if (!document.hidden) start();
    document.addEventListener("visibilitychange", onVisibility);
    return () => {
      stop();
      document.removeEventListener("visibilitychange", onVisibility);
    };
  }, [live, refresh]);
  return { view, error, refresh };
}

export function ReleaseScreen(props: { initial: ReleaseView; refusal: string | null; gatewayUrl: string; variables: string[]; notice: string | null }) {
  const inWorkspace = useWorkspacePath();
  const { view, error, refresh } = useLiveRelease(props.initial);
  const [notice, setNotice] = useState(props.notice);
  const figures = view.figures;
  const currentStage = view.stages[view.stage];

  return (
    <>
      <PageHeader
        title={
          <span>
            <Link href={inWorkspace("/releases")} className="text-slate-400 hover:text-slate-600">Releases</Link>
            <span className="mx-2 text-slate-300">/</span>
            <Link href={inWorkspace(`/prompts/${view.promptId}`)} className="hover:underline" data-testid="release-prompt-link">{view.promptName}</Link>
          </span>
        }
        subtitle={
          <span className="flex flex-wrap items-center gap-2" data-testid="release-header">
            <ModeBadge mode={view.mode} />
            <ArmsLine arms={view.arms} mode={view.mode} />
            <ReleaseStateBadge state={view.state} />
            {currentStage && view.state !== "draft" && <span className="text-slate-600" data-testid="release-current-stage">stage {view.stage + 1} of {view.stages.length}: <strong>{currentStage.title}</strong></span>}
            <span className="text-xs text-slate-400">replaces label <span className="font-mono">{view.stableLabel}</span>{view.startedAt && ` · started ${formatTime(view.startedAt)}`}</span>
          </span>
        }
        actions={<ReleaseActions view={view} refusal={props.refusal} onChanged={refresh} />}
      />
      <div className="mx-auto max-w-6xl space-y-4 p-6">
        {notice && (
          <p role="status" className="flex items-start justify-between gap-2 rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-800" data-testid="release-notice">
            <span>The release was created but not started: {notice}</span>
            <button className="text-xs underline" onClick={() => setNotice(null)}>dismiss</button>
          </p>
        )}
        {error && <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">Live update failed: {error}</p>}
        <ReasonBanner view={view} />

        <Card title="Stages" testId="release-stages-card">
          <StageProgress view={view} />
        </Card>

        <div className="grid gap-4 lg:grid-cols-3">
          <div className="space-y-4 lg:col-span-2">
            <Card title="Live split" hint={`Answering calls per arm, updated every few seconds · ${formatTime(figures.computedAt)}`} testId="release-split-card">
              <LiveSplit figures={figures} shadow={view.mode === "shadow"} />
              <div className="mt-4 border-t border-slate-100 pt-3"><SrmPanel srm={figures.srm} /></div>
            </Card>
          </div>
          <Card title="Timeline" testId="release-timeline-card">
            <div className="-ml-2 max-h-96 overflow-y-auto pl-2"><ReleaseTimeline events={view.events} stages={view.stages} /></div>
          </Card>
        </div>

        <Card title="Guards" hint="Candidate against stable, checked continuously; a breach rolls back." testId="release-guards-card" flush>
          <GuardPanel guards={figures.guards} />
        </Card>

        <Card title="Metrics per arm" testId="release-metrics-card" flush>
          <ArmMetrics figures={figures} />
        </Card>


        {view.mode === "ab" && (
          <Card title="A/B verdicts" hint={view.arms.length > 2 ? "Holm-corrected across the candidate arms." : undefined} testId="release-ab-card">
            <AbVerdicts verdicts={figures.ab} />
          </Card>
        )}
        {view.mode === "shadow" && (
          <Card title="Shadow comparison" hint="Both outputs of the same request, scored online; the answer was always stable's." testId="release-shadow-card">
            <ShadowSummary releaseId={view.id} shadow={figures.shadow} />
          </Card>
        )}
        {view.mode === "interleaved" && (
          <Card title="Interleaving verdict" testId="release-interleaving-card">
            <InterleavingSummary verdict={figures.interleaving} />
          </Card>
        )}

        <div className="grid items-start gap-4 lg:grid-cols-2">
          <Card title="Latency" hint="Share of answered calls at or under each latency, per arm." testId="release-latency-card">
            {figures.arms.some((arm) => arm.latencyMs.ecdf.length > 0) ? <LatencyEcdf figures={figures} /> : <p className="text-sm text-slate-500">No answered calls to plot yet.</p>}
          </Card>
          <Card title="Call it" hint="From the application, with the official openai SDK." testId="release-call-it-card">
            <CallIt gatewayUrl={props.gatewayUrl} promptName={view.promptName} variables={props.variables} />
          </Card>
        </div>
      </div>
    </>
  );
}
