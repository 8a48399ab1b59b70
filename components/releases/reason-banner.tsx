import { formatNumber, formatTime } from "@/lib/format";
import type { GuardStatus, ReleaseView, SrmStatus } from "@/lib/releases/types";
import { EvidenceBar, GUARD_TITLES, guardValue } from "./guard-panel";

// Why the release paused, rolled back, was promoted or stopped: the stored reason and the evidence the decision
// was made on (a guard's status or the SRM check at that moment), so the page says why without digging.

function isGuard(evidence: unknown): evidence is GuardStatus {
  return typeof evidence === "object" && evidence !== null && "bound" in evidence && "evidence" in evidence && "name" in evidence;
}

function isSrm(evidence: unknown): evidence is SrmStatus {
  return typeof evidence === "object" && evidence !== null && "chiSquare" in evidence && "observed" in evidence;
}

const TONE: Record<string, string> = {
  paused: "border-amber-200 bg-amber-50 text-amber-900",
  rolled_back: "border-red-200 bg-red-50 text-red-900",
  promoted: "border-emerald-200 bg-emerald-50 text-emerald-900",
  stopped: "border-slate-200 bg-slate-50 text-slate-800",
};

const HEADLINE: Record<string, string> = { paused: "Paused", rolled_back: "Rolled back", promoted: "Promoted", stopped: "Stopped" };

export function ReasonBanner({ view }: { view: ReleaseView }) {
  const tone = TONE[view.state];
  if (!tone || !view.reason) return null;
  const evidence = view.reason.evidence;
  // the monitor stores { guards: [the breaching guards] } for a guard and the SRM status for a pause
  const guards = typeof evidence === "object" && evidence !== null && Array.isArray((evidence as { guards?: unknown }).guards) ? (evidence as { guards: unknown[] }).guards : null;
  const evidenceList = guards ?? (Array.isArray(evidence) ? evidence : evidence === undefined || evidence === null ? [] : [evidence]);
  return (
    <div className={`rounded-lg border px-4 py-3 ${tone}`} role="status" data-testid="release-reason" data-kind={view.reason.kind}>
      <p className="text-sm">
        <strong>{HEADLINE[view.state]}</strong>
        {view.reason.kind === "manual" ? " by hand" : view.reason.kind === "guard" ? " by a guard" : view.reason.kind === "srm" ? " by the sample-ratio check" : ""}
        {view.endedAt && <span className="opacity-70"> · {formatTime(view.endedAt)}</span>}
        : <span data-testid="release-reason-message">{view.reason.message}</span>
      </p>
      {evidenceList.map((item, index) =>
        isGuard(item) ? (
          <div key={index} className="mt-2 flex flex-wrap items-center gap-4 text-xs" data-testid="release-reason-evidence">
            <span className="font-medium">{GUARD_TITLES[item.name] ?? item.name}{item.arm && item.arm !== "candidate" ? ` (${item.arm})` : ""}</span>
            <span>
              candidate − stable {guardValue(item, item.estimate)}
              {item.interval?.low !== null && item.interval?.low !== undefined && ` (${guardValue(item, item.interval.low)} – ${guardValue(item, item.interval.high)})`}, tolerated {guardValue(item, Math.abs(item.threshold), false)}
            </span>
            <EvidenceBar evidence={item.evidence} bound={item.bound} breach={item.status === "breach"} />
            {item.message && !view.reason?.message.includes(item.message) && <span className="opacity-80">{item.message}</span>}
          </div>
        ) : isSrm(item) ? (
          <div key={index} className="mt-2 text-xs" data-testid="release-reason-evidence">
            χ² {formatNumber(item.chiSquare, 2)}, p = {formatNumber(item.pValue, 6)} — observed {Object.entries(item.observed).map(([arm, count]) => `${arm} ${count}`).join(", ")}; planned{" "}
            {Object.entries(item.expected).map(([arm, count]) => `${arm} ${formatNumber(count, 0)}`).join(", ")}
          </div>
        ) : (
          <details key={index} className="mt-2 text-xs">
            <summary className="cursor-pointer opacity-80">Evidence</summary>
            <pre className="mt-1 overflow-x-auto rounded bg-white/60 p-2">{JSON.stringify(item, null, 2)}</pre>
          </details>
        ),
      )}
    </div>
  );
}
