"use client";
import Link from "next/link";
import { useRef, useState } from "react";
import type { CompareVariant, PreferenceSummary, WinRate } from "@/lib/compare/types";
import { formatPValue } from "@/lib/compare/verdict";
import type { JudgeProgress } from "@/lib/compare/judge";
import { ApiError, errorText, workspaceHeaders } from "@/lib/ui/api";
import { readServerEvents } from "@/lib/ui/sse";
import { variantColor } from "./palette";
import { useWorkspacePath } from "@/components/shell/use-workspace-path";

// Blind pairwise preference for the selected pair: what people chose in review mode and what LLM judges chose
// (counted only where both orders agree, with the share where the order flipped the verdict).

export interface JudgeConnection {
  id: string;
  name: string;
  models: string[];
}

const DEFAULT_RUBRIC =
  "Which response answers the input better? Prefer the response that is correct, complete and follows the instructions; penalize factual errors, made-up content and needless length. If both are equally good or equally bad, answer tie.";

function percent(value: number): string {
  return `${Math.round(value * 100)}%`;
}

function WinBar({ rate, indexA, indexB }: { rate: WinRate; indexA: number; indexB: number }) {
  const total = rate.wins + rate.losses + rate.ties;
  if (total === 0) return null;
  return (
    <div className="flex h-2.5 w-full overflow-hidden rounded-full bg-slate-100" aria-hidden>
      <div style={{ width: `${(rate.losses / total) * 100}%`, backgroundColor: variantColor(indexA) }} />
      <div className="bg-slate-300" style={{ width: `${(rate.ties / total) * 100}%` }} />
      <div style={{ width: `${(rate.wins / total) * 100}%`, backgroundColor: variantColor(indexB) }} />
    </div>
  );
}

function winSentence(rate: WinRate, letterA: string, letterB: string): string {
  if (!rate.rate) return rate.ties > 0 ? `${rate.ties} ties, no decided case yet.` : "No votes yet.";
  const decided = rate.wins + rate.losses;
  const leader = rate.wins >= rate.losses ? letterB : letterA;
  const share = rate.wins >= rate.losses ? rate.rate : { estimate: 1 - rate.rate.estimate, low: 1 - rate.rate.high, high: 1 - rate.rate.low };
  const significant = rate.pValue !== null && rate.pValue < 0.05;
  const head = significant ? `${leader} is preferred` : "No detectable preference";
  return `${head}: ${leader} wins ${Math.max(rate.wins, rate.losses)} of ${decided} decided cases (${percent(share.estimate)}, 95 % CI ${percent(share.low)} to ${percent(share.high)}), ${rate.ties} tie${rate.ties === 1 ? "" : "s"} · sign test ${formatPValue(rate.pValue ?? 1)}.`;
}

function JudgeForm(props: { a: string; b: string; connections: JudgeConnection[]; onDone: () => void }) {
  const [connectionId, setConnectionId] = useState(props.connections[0]?.id ?? "");
  const [model, setModel] = useState(props.connections[0]?.models[0] ?? "");
  const [rubric, setRubric] = useState(DEFAULT_RUBRIC);
  const [limit, setLimit] = useState(100);
  const [progress, setProgress] = useState<JudgeProgress | null>(null);
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const controller = useRef<AbortController | null>(null);
  const connection = props.connections.find((item) => item.id === connectionId);

  async function start() {
    setError(null);
    setProgress(null);
    setRunning(true);
    controller.current = new AbortController();
    try {
      const response = await fetch("/api/compare/judge", {
        method: "POST",
        headers: workspaceHeaders({ "content-type": "application/json" }),
        body: JSON.stringify({ variantAId: props.a, variantBId: props.b, connectionId, model, rubric, limit }),
        signal: controller.current.signal,
      });
      if (!response.ok || !response.body) {
        // A non-JSON error body (a proxy's page) still gets a message: the status, below.
        const body = (await response.json().catch(() => null)) as { error?: { message?: string; code?: string } } | null;
        throw new ApiError(response.status, body?.error?.code ?? "error", body?.error?.message ?? `The judge could not start (${response.status}).`, []);
      }
      for await (const event of readServerEvents(response.body)) {
        if (event.event === "progress" || event.event === "done") setProgress(JSON.parse(event.data) as JudgeProgress);
        if (event.event === "error") setError((JSON.parse(event.data) as { message: string }).message);
      }
      props.onDone();
    } catch (caught) {
      if (!controller.current?.signal.aborted) setError(errorText(caught));
    } finally {
      setRunning(false);
    }
  }

  if (props.connections.length === 0) {
    return <p className="text-sm text-slate-500">Add a connection first: the judge is a model reached through any connection.</p>;
  }
  return (
    <div className="space-y-2 rounded-md border border-slate-200 bg-slate-50 p-3" data-testid="judge-form">
      <div className="grid grid-cols-[1fr_1fr_110px] gap-2">
        <label>
          <span className="label">Judge connection</span>
          <select className="input" value={connectionId} onChange={(event) => { setConnectionId(event.target.value); setModel(props.connections.find((item) => item.id === event.target.value)?.models[0] ?? ""); }}>
            {props.connections.map((item) => (
              <option key={item.id} value={item.id}>{item.name}</option>
            ))}
          </select>
        </label>
        <label>
          <span className="label">Model</span>
          <input className="input" list="judge-models" value={model} onChange={(event) => setModel(event.target.value)} placeholder="model name" />
          <datalist id="judge-models">
            {connection?.models.map((name) => <option key={name} value={name} />)}
          </datalist>
        </label>
        <label>
          <span className="label">Cases</span>
          <input className="input" type="number" min={1} max={5000} value={limit} onChange={(event) => setLimit(Number(event.target.value))} />
        </label>
      </div>
      <label className="block">
        <span className="label">Rubric</span>
        <textarea className="input h-20 font-mono text-xs" value={rubric} onChange={(event) => setRubric(event.target.value)} />
      </label>
      <div className="flex items-center gap-2">
        <button className="btn-primary" onClick={start} disabled={running || !model.trim() || rubric.trim().length < 10} data-testid="start-judge">
          {running ? "Judging…" : "Judge in both orders"}
        </button>
        {running && <button className="btn" onClick={() => controller.current?.abort()}>Stop</button>}
        <span className="text-xs text-slate-500">Two calls per case; only cases where both orders agree count. Cases already judged with this rubric are skipped.</span>
      </div>
      {progress && (
        <div className="text-xs text-slate-700" data-testid="judge-progress">
          <div className="mb-1 h-1.5 overflow-hidden rounded-full bg-slate-200">
            <div className="h-full bg-brand-600 transition-all" style={{ width: `${progress.total === 0 ? 100 : (progress.done / progress.total) * 100}%` }} />
          </div>
          {progress.total === 0 ? "Every case already has this judge's verdicts." : `${progress.done} of ${progress.total} cases · ${progress.agreed} agreed · ${progress.disagreed} flipped with the order · ${progress.failed} failed`}
          {progress.lastError && <span className="ml-1 text-red-700">Last error: {progress.lastError}</span>}
        </div>
      )}
      {error && <p role="alert" className="rounded bg-red-50 px-2 py-1 text-sm text-red-700">{error}</p>}
    </div>
  );
}

export function PreferencePanel(props: {
  preference: PreferenceSummary | null;
  variants: CompareVariant[];
  a: number;
  b: number;
  connections: JudgeConnection[];
  canVote: boolean;
  canJudge: boolean;
  onJudged: () => void;
}) {
  const inWorkspace = useWorkspacePath();
  const [judging, setJudging] = useState(false);
  const variantA = props.variants[props.a] as CompareVariant;
  const variantB = props.variants[props.b] as CompareVariant;
  const people = props.preference?.people;
  return (
    <div className="space-y-3" data-testid="preference-panel">
      <div>
        <div className="mb-1 flex items-center justify-between gap-2">
          <h4 className="text-sm font-medium text-slate-800">People (blind review)</h4>
          {props.canVote && (
            <Link className="btn px-2 py-1 text-xs" href={inWorkspace(`/compare/review?a=${variantA.id}&b=${variantB.id}`)} data-testid="review-link">
              Review blind →
            </Link>
          )}
        </div>
        {people && people.votes > 0 ? (
          <div className="space-y-1">
            <WinBar rate={people} indexA={props.a} indexB={props.b} />
            <p className="text-sm text-slate-700" data-testid="people-preference">{winSentence(people, variantA.letter, variantB.letter)}</p>
            <p className="text-xs text-slate-500">
              {people.votes} vote{people.votes === 1 ? "" : "s"} by {people.voters} reviewer{people.voters === 1 ? "" : "s"} on {people.cases} cases; several reviewers of one case count as one case.
            </p>
          </div>
        ) : (
          <p className="text-sm text-slate-500">No votes yet. In review mode each case shows both outputs in random order without labels; pick the better one with ← → or tie with ↓.</p>
        )}
      </div>
      <div>
        <div className="mb-1 flex items-center justify-between gap-2">
          <h4 className="text-sm font-medium text-slate-800">LLM judges</h4>
          {props.canJudge && (
            <button className="btn px-2 py-1 text-xs" onClick={() => setJudging((value) => !value)} data-testid="open-judge">
              {judging ? "Hide" : "Run a judge…"}
            </button>
          )}
        </div>
        {judging && <JudgeForm a={variantA.id} b={variantB.id} connections={props.connections} onDone={props.onJudged} />}
        {props.preference && props.preference.judges.length > 0 ? (
          <table className="mt-2 w-full text-xs" data-testid="judge-table">
            <thead>
              <tr className="text-left text-slate-500">
                <th className="py-1 pr-2 font-medium">Judge</th>
                <th className="py-1 pr-2 font-medium">Cases (agreed)</th>
                <th className="py-1 pr-2 font-medium">Position bias</th>
                <th className="py-1 font-medium">Verdict on agreed cases</th>
              </tr>
            </thead>
            <tbody>
              {props.preference.judges.map((judge) => (
                <tr key={judge.judge} className="border-t border-slate-100 align-top">
                  <td className="max-w-[220px] py-1 pr-2 font-mono text-[11px] text-slate-700">{judge.judge}</td>
                  <td className="py-1 pr-2 tabular-nums">{judge.cases} ({judge.agreed})</td>
                  <td className={`py-1 pr-2 tabular-nums ${judge.positionBias && judge.positionBias.estimate > 0.2 ? "font-semibold text-amber-700" : ""}`}>
                    {judge.positionBias ? `${percent(judge.positionBias.estimate)} (${percent(judge.positionBias.low)}–${percent(judge.positionBias.high)})` : "—"}
                  </td>
                  <td className="py-1">
                    <WinBar rate={judge.winRate} indexA={props.a} indexB={props.b} />
                    <span className="text-slate-700">{winSentence(judge.winRate, variantA.letter, variantB.letter)}</span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          !judging && <p className="text-sm text-slate-500">No judge has compared this pair yet.</p>
        )}
      </div>
    </div>
  );
}
