"use client";
import { useEffect, useRef, useState, type KeyboardEvent } from "react";
import { api } from "@/lib/ui/api";

// A textarea that completes "@" to a member's handle: typing "@" (at the start of a word) opens the list of the
// workspace's members, filtered by name or handle as one types; ↑/↓ choose, Enter or Tab insert "@handle ", Escape
// closes. The members are fetched once per page (every thread on the page shares the list).

export interface MentionMember {
  id: string;
  name: string;
  handle: string;
}

let membersRequest: Promise<MentionMember[]> | null = null;

function loadMembers(): Promise<MentionMember[]> {
  membersRequest ??= api<{ members: MentionMember[] }>("/api/comments/mentionable")
    .then((answer) => answer.members)
    .catch((error: unknown) => {
      // A failed fetch must not stay cached for the page's life: the next "@" asks again.
      membersRequest = null;
      throw error;
    });
  return membersRequest;
}

/** The "@query" being typed just before the caret, or null. */
function activeQuery(text: string, caret: number): { start: number; query: string } | null {
  const match = /(^|[\s(\[{"'])@([\p{L}\p{N}_.+\-@]*)$/u.exec(text.slice(0, caret));
  if (!match) return null;
  return { start: caret - (match[2] as string).length - 1, query: (match[2] as string).toLowerCase() };
}

const MAX_SHOWN = 8;

export function MentionTextarea(props: {
  value: string;
  onChange: (value: string) => void;
  /** Ctrl/⌘+Enter */
  onSubmit?: () => void;
  placeholder?: string;
  rows?: number;
  autoFocus?: boolean;
  testId?: string;
  ariaLabel: string;
}) {
  const textarea = useRef<HTMLTextAreaElement>(null);
  const [members, setMembers] = useState<MentionMember[]>([]);
  const [query, setQuery] = useState<{ start: number; query: string } | null>(null);
  const [highlighted, setHighlighted] = useState(0);

  useEffect(() => {
    if (query && members.length === 0) {
      loadMembers().then(setMembers, (error: unknown) => console.warn("[mentions] could not load the members", error));
    }
  }, [query, members.length]);

  const matches = query
    ? members
        .filter((member) => member.handle.includes(query.query) || member.name.toLowerCase().includes(query.query))
        .sort((left, right) => Number(!left.handle.startsWith(query.query)) - Number(!right.handle.startsWith(query.query)))
        .slice(0, MAX_SHOWN)
    : [];
  const open = query !== null && matches.length > 0;

  function refresh(text: string, caret: number) {
    const next = activeQuery(text, caret);
    setQuery(next);
    if (next?.query !== query?.query) setHighlighted(0);
  }

  function insert(member: MentionMember) {
    if (!query || !textarea.current) return;
    const caret = textarea.current.selectionStart;
    const before = props.value.slice(0, query.start);
    const after = props.value.slice(caret);
    const inserted = `@${member.handle} `;
    props.onChange(`${before}${inserted}${after}`);
    setQuery(null);
    const position = before.length + inserted.length;
    requestAnimationFrame(() => {
      textarea.current?.focus();
      textarea.current?.setSelectionRange(position, position);
    });
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (open) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        const step = event.key === "ArrowDown" ? 1 : -1;
        setHighlighted((current) => (current + step + matches.length) % matches.length);
        return;
      }
      if (event.key === "Enter" || event.key === "Tab") {
        event.preventDefault();
        const member = matches[Math.min(highlighted, matches.length - 1)];
        if (member) insert(member);
        return;
      }
      if (event.key === "Escape") {
        // Escape closes the list only; the panel around the box (a case detail) must not close too.
        event.preventDefault();
        event.stopPropagation();
        setQuery(null);
        return;
      }
    }
    if (event.key === "Enter" && (event.metaKey || event.ctrlKey) && props.onSubmit) {
      event.preventDefault();
      props.onSubmit();
    }
  }

  return (
    <div className="relative">
      <textarea
        ref={textarea}
        className="input min-h-[4.5rem] resize-y font-sans"
        rows={props.rows ?? 3}
        value={props.value}
        placeholder={props.placeholder}
        autoFocus={props.autoFocus}
        aria-label={props.ariaLabel}
        aria-autocomplete="list"
        aria-expanded={open}
        data-testid={props.testId}
        onChange={(event) => {
          props.onChange(event.target.value);
          refresh(event.target.value, event.target.selectionStart);
        }}
        onKeyDown={onKeyDown}
        onKeyUp={(event) => {
          if (event.key === "ArrowLeft" || event.key === "ArrowRight" || event.key === "Home" || event.key === "End") refresh(event.currentTarget.value, event.currentTarget.selectionStart);
        }}
        onClick={(event) => refresh(event.currentTarget.value, event.currentTarget.selectionStart)}
        onBlur={() => setTimeout(() => setQuery(null), 150)}
      />
      {open && (
        <ul role="listbox" className="absolute left-2 top-full z-50 mt-1 w-72 overflow-hidden rounded-md border border-slate-200 bg-white py-1 text-sm shadow-lg" data-testid="mention-list">
          {matches.map((member, index) => (
            <li
              key={member.id}
              role="option"
              aria-selected={index === highlighted}
              className={`flex cursor-pointer items-baseline gap-2 px-3 py-1.5 ${index === highlighted ? "bg-brand-50 text-brand-800" : "text-slate-700"}`}
              onMouseEnter={() => setHighlighted(index)}
              onMouseDown={(event) => {
                // mousedown, not click: the textarea's blur would close the list before a click lands
                event.preventDefault();
                insert(member);
              }}
            >
              <span className="font-medium">{member.name}</span>
              <span className="truncate text-xs text-slate-500">@{member.handle}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
