"use client";
import { useState } from "react";
import {
  assertionSpecs,
  blankDraft,
  formField,
  fromDraft,
  parseProblemPath,
  specByType,
  toDraft,
  type AssertionDraft,
  type DraftProblem,
  type FieldName,
} from "./assertion-fields";
import type { AssertionJson, FieldProblem } from "./types";

/** Problems per assertion (by index), per field; "" holds those that name no field. */
export type ProblemMap = Record<number, Partial<Record<FieldName | "weight" | "", string>>>;

/** Builds the JSON list, or the problems of drafts whose text cannot become JSON. */
export function draftsToAssertions(drafts: AssertionDraft[]): { assertions: AssertionJson[] } | { problems: ProblemMap } {
  const assertions: AssertionJson[] = [];
  const problems: ProblemMap = {};
  drafts.forEach((draft, index) => {
    const result = fromDraft(draft);
    if ("assertion" in result) assertions.push(result.assertion);
    else problems[index] = Object.fromEntries(result.problems.map((problem: DraftProblem) => [problem.field, problem.message]));
  });
  return Object.keys(problems).length > 0 ? { problems } : { assertions };
}

/** Places the server's problems (path "assertions[2].value") on the form's fields; returns the ones it could not place. */
export function mapServerProblems(
  problems: FieldProblem[],
  drafts: AssertionDraft[],
  basePath = "assertions",
): { map: ProblemMap; unplaced: FieldProblem[] } {
  const map: ProblemMap = {};
  const unplaced: FieldProblem[] = [];
  for (const problem of problems) {
    const located = problem.path ? parseProblemPath(problem.path, basePath) : null;
    const draft = located ? drafts[located.index] : undefined;
    if (!located || !draft) {
      unplaced.push(problem);
      continue;
    }
    const field = formField(draft.type, located.field) ?? "";
    const entry = (map[located.index] ??= {});
    entry[field] = entry[field] ? `${entry[field]}; ${problem.message}` : problem.message;
  }
  return { map, unplaced };
}

const groups = ["Text", "Structure", "Similarity", "Call", "Judge"] as const;

export function AssertionsEditor(props: {
  drafts: AssertionDraft[];
  onChange: (drafts: AssertionDraft[]) => void;
  problems?: ProblemMap;
  disabled?: boolean;
  testId?: string;
  emptyText?: string;
}) {
  const [jsonMode, setJsonMode] = useState(false);
  const [jsonText, setJsonText] = useState("");
  const [jsonError, setJsonError] = useState<string | null>(null);
  const testId = props.testId ?? "assertions";

  function update(index: number, change: Partial<AssertionDraft>) {
    props.onChange(props.drafts.map((draft, position) => (position === index ? { ...draft, ...change } : draft)));
  }

  function openJson() {
    const built = props.drafts.map((draft) => {
      const result = fromDraft(draft);
      return "assertion" in result ? result.assertion : { type: draft.negate ? `not-${draft.type}` : draft.type };
    });
    setJsonText(JSON.stringify(built, null, 2));
    setJsonError(null);
    setJsonMode(true);
  }

  function closeJson() {
    try {
      const parsed: unknown = JSON.parse(jsonText);
      if (!Array.isArray(parsed)) throw new Error("expected a JSON array of assertions: [{ \"type\": \"contains\", … }]");
      const drafts = parsed.map((item, index) => {
        if (typeof item !== "object" || item === null || typeof (item as { type?: unknown }).type !== "string") {
          throw new Error(`item ${index + 1} needs a "type"`);
        }
        return toDraft(item as AssertionJson);
      });
      props.onChange(drafts);
      setJsonMode(false);
    } catch (error) {
      setJsonError((error as Error).message);
    }
  }

  return (
    <div className="space-y-2" data-testid={testId}>
      <div className="flex items-center justify-end gap-3 text-xs">
        <button type="button" className="text-slate-500 hover:text-slate-800" onClick={jsonMode ? closeJson : openJson} disabled={props.disabled}>
          {jsonMode ? "Back to the form" : "Edit as JSON"}
        </button>
      </div>
      {jsonMode ? (
        <div>
          <textarea
            className="input font-mono text-xs"
            rows={Math.min(24, Math.max(6, jsonText.split("\n").length))}
            value={jsonText}
            onChange={(event) => setJsonText(event.target.value)}
            disabled={props.disabled}
            data-testid={`${testId}-json`}
          />
          {jsonError && <p className="mt-1 text-xs text-red-600">{jsonError}</p>}
        </div>
      ) : (
        <>
          {props.drafts.length === 0 && (
            <p className="rounded-md border border-dashed border-slate-300 px-3 py-3 text-center text-xs text-slate-500">
              {props.emptyText ?? "No assertions yet."}
            </p>
          )}
          {props.drafts.map((draft, index) => (
            <AssertionRow
              key={draft.key}
              draft={draft}
              index={index}
              problems={props.problems?.[index] ?? {}}
              disabled={props.disabled}
              testId={`${testId}-${index}`}
              onChange={(change) => update(index, change)}
              onRemove={() => props.onChange(props.drafts.filter((_, position) => position !== index))}
            />
          ))}
          <button
            type="button"
            className="btn text-xs"
            onClick={() => props.onChange([...props.drafts, blankDraft()])}
            disabled={props.disabled}
            data-testid={`${testId}-add`}
          >
            + Assertion
          </button>
        </>
      )}
    </div>
  );
}

function AssertionRow(props: {
  draft: AssertionDraft;
  index: number;
  problems: Partial<Record<FieldName | "weight" | "", string>>;
  disabled?: boolean;
  testId: string;
  onChange: (change: Partial<AssertionDraft>) => void;
  onRemove: () => void;
}) {
  const { draft, problems } = props;
  const spec = specByType.get(draft.type);
  const invalid = Object.keys(problems).length > 0;
  // A problem on a field this type's form does not show (a key typed in the JSON view) is shown under the row.
  const shown = new Set<string>(["weight", ...(spec?.fields.map((field) => field.name) ?? [])]);
  const general = Object.entries(problems)
    .filter(([field]) => !shown.has(field))
    .map(([field, message]) => (field ? `${field}: ${message}` : message));
  return (
    <div className={`rounded-md border p-3 ${invalid ? "border-red-300 bg-red-50/40" : "border-slate-200 bg-slate-50/60"}`} data-testid={props.testId}>
      <div className="flex flex-wrap items-center gap-2">
        <span className="w-5 text-right text-xs tabular-nums text-slate-400">{props.index + 1}</span>
        <label className="flex items-center gap-1 text-xs font-medium text-slate-600" title="Negate: passes when the check fails">
          <input type="checkbox" checked={draft.negate} disabled={props.disabled} onChange={(event) => props.onChange({ negate: event.target.checked })} className="accent-brand-600" data-testid={`${props.testId}-not`} />
          not
        </label>
        <select
          className="input w-48! py-1 font-mono text-xs"
          value={draft.type}
          disabled={props.disabled}
          onChange={(event) => props.onChange({ type: event.target.value, fields: {} })}
          aria-label="Assertion type"
          data-testid={`${props.testId}-type`}
        >
          {!spec && <option value={draft.type}>{draft.type} (unknown)</option>}
          {groups.map((group) => (
            <optgroup key={group} label={group}>
              {assertionSpecs.filter((item) => item.group === group).map((item) => (
                <option key={item.type} value={item.type}>{draft.negate ? `not-${item.label}` : item.label}</option>
              ))}
            </optgroup>
          ))}
        </select>
        <label className="flex items-center gap-1 text-xs text-slate-600">
          weight
          <input
            className={`input w-16! py-1 text-xs ${problems.weight ? "border-red-400" : ""}`}
            value={draft.weight}
            disabled={props.disabled}
            inputMode="decimal"
            onChange={(event) => props.onChange({ weight: event.target.value })}
            data-testid={`${props.testId}-weight`}
          />
        </label>
        <span className="min-w-0 flex-1 truncate text-xs text-slate-500" title={spec?.summary}>{spec?.summary}</span>
        <button type="button" className="text-xs text-slate-400 hover:text-red-600" onClick={props.onRemove} disabled={props.disabled} aria-label="Remove assertion">
          Remove
        </button>
      </div>
      {problems.weight && <p className="ml-7 mt-1 text-xs text-red-600">weight: {problems.weight}</p>}
      {spec && spec.fields.length > 0 && (
        <div className="ml-7 mt-2 grid grid-cols-1 gap-2 md:grid-cols-2">
          {spec.fields.map((field) => {
            const problem = problems[field.name];
            const value = draft.fields[field.name] ?? "";
            const setValue = (next: string) => props.onChange({ fields: { ...draft.fields, [field.name]: next } });
            const className = `input text-xs ${field.kind === "code" || field.kind === "multiline" ? "font-mono" : ""} ${problem ? "border-red-400 focus:border-red-500 focus:ring-red-100" : ""}`;
            const wide = field.kind === "code" || field.kind === "multiline";
            return (
              <label key={field.name} className={`block ${wide ? "md:col-span-2" : ""}`}>
                <span className="label">
                  {field.label}
                  {field.required && <span className="text-red-500"> *</span>}
                </span>
                {wide ? (
                  <textarea className={className} rows={field.kind === "code" ? 5 : 2} value={value} placeholder={field.placeholder} disabled={props.disabled} onChange={(event) => setValue(event.target.value)} data-testid={`${props.testId}-${field.name}`} />
                ) : (
                  <input className={className} value={value} placeholder={field.placeholder} disabled={props.disabled} inputMode={field.kind === "number" ? "decimal" : undefined} onChange={(event) => setValue(event.target.value)} data-testid={`${props.testId}-${field.name}`} />
                )}
                {problem ? (
                  <span className="mt-0.5 block text-xs text-red-600" data-testid={`${props.testId}-${field.name}-error`}>{problem}</span>
                ) : (
                  field.hint && <span className="mt-0.5 block text-[11px] text-slate-400">{field.hint}</span>
                )}
              </label>
            );
          })}
        </div>
      )}
      {general.length > 0 && <p className="ml-7 mt-1 text-xs text-red-600" data-testid={`${props.testId}-error`}>{general.join("; ")}</p>}
    </div>
  );
}
