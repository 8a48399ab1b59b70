"use client";
import type { ItemStatus, ShotDiff, TextDiff, TextPart, ValueChange, VersionDiff } from "@/lib/prompts/diff";

export type { VersionDiff };

const STATUS_STYLE: Record<ItemStatus, string> = {
  unchanged: "border-slate-200",
  changed: "border-amber-300",
  added: "border-emerald-300 bg-emerald-50/40",
  removed: "border-red-300 bg-red-50/40",
};

function Parts(props: { parts: TextPart[] }) {
  return (
    <pre className="whitespace-pre-wrap break-words font-mono text-xs leading-5 text-slate-800">
      {props.parts.map((part, index) =>
        part.kind === "added" ? (
          <ins key={index} className="bg-emerald-100 text-emerald-900 no-underline">{part.text}</ins>
        ) : part.kind === "removed" ? (
          <del key={index} className="bg-red-100 text-red-800">{part.text}</del>
        ) : (
          <span key={index}>{part.text}</span>
        ),
      )}
    </pre>
  );
}

/** Word-level inside short texts; for long texts with many changed lines, whole lines read better. */
function TextChange(props: { diff: TextDiff }) {
  const changedLines = props.diff.lines.filter((part) => part.kind !== "equal").length;
  const parts = changedLines > 6 ? props.diff.lines : props.diff.words;
  return <Parts parts={parts} />;
}

function show(value: unknown): string {
  if (value === undefined || value === null) return "—";
  return typeof value === "string" ? value : JSON.stringify(value);
}

function ValueChanges(props: { changes: ValueChange[] }) {
  if (props.changes.length === 0) return null;
  return (
    <table className="w-full text-xs">
      <tbody>
        {props.changes.map((change) => (
          <tr key={change.key} className="border-t border-slate-100 first:border-0">
            <td className="py-1 pr-3 font-mono text-slate-600">{change.key}</td>
            <td className="py-1 pr-3 font-mono text-red-700 line-through decoration-red-300">{show(change.old)}</td>
            <td className="py-1 font-mono text-emerald-800">{show(change.new)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function StatusBadge(props: { status: ItemStatus }) {
  if (props.status === "unchanged") return <span className="badge bg-slate-100 text-slate-500">unchanged</span>;
  const style = props.status === "added" ? "bg-emerald-100 text-emerald-800" : props.status === "removed" ? "bg-red-100 text-red-800" : "bg-amber-100 text-amber-800";
  return <span className={`badge ${style}`}>{props.status}</span>;
}

function Shots(props: { title: string; shots: ShotDiff[] }) {
  if (props.shots.length === 0) return null;
  return (
    <section className="space-y-2">
      <h4 className="text-xs font-semibold uppercase tracking-wide text-slate-500">{props.title}</h4>
      {props.shots.map((shot, index) => (
        <div key={index} className={`rounded border p-2 ${STATUS_STYLE[shot.status]}`}>
          <div className="mb-1 flex items-center gap-2 text-xs text-slate-500">
            <span>#{(shot.newIndex ?? shot.oldIndex ?? 0) + 1}</span>
            <StatusBadge status={shot.status} />
          </div>
          <ValueChanges changes={shot.variables} />
          <div className="mt-1 text-[11px] font-medium text-slate-500">output</div>
          <TextChange diff={shot.output} />
          {shot.reason && (
            <>
              <div className="mt-1 text-[11px] font-medium text-slate-500">why it is wrong</div>
              <TextChange diff={shot.reason} />
            </>
          )}
        </div>
      ))}
    </section>
  );
}

/** Two versions side by side in one column: each message, example and setting with what was added or removed. */
export function VersionDiffView(props: { a: number; b: number; diff: VersionDiff; onClose: () => void }) {
  const { diff } = props;
  const settings: ValueChange[] = [
    ...(diff.model ? [{ key: "model", old: diff.model.old, new: diff.model.new }] : []),
    ...(diff.connectionId ? [{ key: "connection", old: diff.connectionId.old, new: diff.connectionId.new }] : []),
    ...(diff.exampleMode ? [{ key: "examples as", old: diff.exampleMode.old, new: diff.exampleMode.new }] : []),
    ...diff.params,
  ];
  return (
    <div className="card space-y-4 p-4" data-testid="version-diff">
      <div className="flex items-center justify-between">
        <h3 className="text-sm font-semibold">
          v{props.a} → v{props.b}
          {!diff.changed && <span className="ml-2 font-normal text-slate-500">identical content</span>}
        </h3>
        <button className="text-xs text-slate-500 hover:text-slate-800" onClick={props.onClose}>Close</button>
      </div>
      <section className="space-y-2">
        <h4 className="text-xs font-semibold uppercase tracking-wide text-slate-500">Messages</h4>
        {diff.messages.map((message, index) => (
          <div key={index} className={`rounded border p-2 ${STATUS_STYLE[message.status]}`}>
            <div className="mb-1 flex items-center gap-2 text-xs">
              <span className="font-semibold capitalize text-slate-700">{message.role}</span>
              <StatusBadge status={message.status} />
            </div>
            <TextChange diff={message.content} />
          </div>
        ))}
      </section>
      <Shots title="Examples" shots={diff.examples} />
      <Shots title="Counterexamples" shots={diff.counterexamples} />
      {settings.length > 0 && (
        <section className="space-y-1">
          <h4 className="text-xs font-semibold uppercase tracking-wide text-slate-500">Model and parameters</h4>
          <ValueChanges changes={settings} />
        </section>
      )}
      {(diff.testInputs ?? []).length > 0 && (
        <section className="space-y-1" data-testid="diff-test-inputs">
          <h4 className="text-xs font-semibold uppercase tracking-wide text-slate-500">Test inputs</h4>
          <ValueChanges changes={diff.testInputs} />
        </section>
      )}
    </div>
  );
}
