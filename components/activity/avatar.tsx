// A person's initials on a colour of their own (stable per user id), or Assay's mark for what no one did by hand.

const COLOURS = ["bg-sky-100 text-sky-800", "bg-emerald-100 text-emerald-800", "bg-amber-100 text-amber-800", "bg-rose-100 text-rose-800", "bg-violet-100 text-violet-800", "bg-teal-100 text-teal-800", "bg-orange-100 text-orange-800", "bg-indigo-100 text-indigo-800"];

export function initialsOf(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const letters = words.length >= 2 ? [words[0], words[words.length - 1]] : [words[0]];
  return letters.map((word) => (word ? (Array.from(word)[0] ?? "") : "")).join("").toUpperCase() || "?";
}

function colourOf(id: string): string {
  let hash = 0;
  for (const character of id) hash = (hash * 31 + (character.codePointAt(0) ?? 0)) >>> 0;
  return COLOURS[hash % COLOURS.length] ?? COLOURS[0] ?? "";
}

export function Avatar(props: { person: { id: string; name: string } | null; size?: "sm" | "md" }) {
  const size = props.size === "sm" ? "h-6 w-6 text-[10px]" : "h-8 w-8 text-xs";
  if (!props.person) {
    return (
      <span className={`${size} flex shrink-0 items-center justify-center rounded-full bg-brand-600 font-bold text-white`} title="Assay" aria-hidden>
        A
      </span>
    );
  }
  return (
    <span className={`${size} ${colourOf(props.person.id)} flex shrink-0 items-center justify-center rounded-full font-semibold`} title={props.person.name} aria-hidden>
      {initialsOf(props.person.name)}
    </span>
  );
}
