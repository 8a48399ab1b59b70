import Link from "next/link";
import type { ActivityItem } from "@/lib/activity/types";
import { formatClock, formatRelativeTime, formatTime } from "@/lib/format";
import { Avatar } from "./avatar";

// One line of the feed: who, what (a link to it), when. Shared by the activity page and the prompt page's list.

const TONE: Record<ActivityItem["tone"], string> = { neutral: "bg-slate-300", good: "bg-emerald-500", bad: "bg-red-500" };

/** The sentence with the actor's name in bold when it leads, as feeds print "**Ada** saved …". */
function Sentence(props: { item: ActivityItem }) {
  const name = props.item.actor?.name;
  if (name && props.item.sentence.startsWith(`${name} `)) {
    return (
      <>
        <span className="font-medium text-slate-900">{name}</span>
        {props.item.sentence.slice(name.length)}
      </>
    );
  }
  return <>{props.item.sentence}</>;
}

export function ActivityLine(props: { item: ActivityItem; href: string | null; when: "relative" | "clock"; compact?: boolean }) {
  const { item } = props;
  const time = props.when === "relative" ? formatRelativeTime(item.createdAt) : formatClock(item.createdAt);
  return (
    <li className={`flex items-start gap-3 ${props.compact ? "py-2" : "px-4 py-3"}`} data-testid="activity-item" data-kind={item.kind}>
      <Avatar person={item.actor} size={props.compact ? "sm" : "md"} />
      <div className="min-w-0 flex-1 text-sm text-slate-700">
        <div className="flex items-start gap-2">
          <span className={`mt-1.5 h-1.5 w-1.5 shrink-0 rounded-full ${TONE[item.tone]}`} aria-hidden />
          {props.href ? (
            <Link href={props.href} className="min-w-0 break-words hover:text-brand-700 hover:underline" data-testid="activity-sentence">
              <Sentence item={item} />
            </Link>
          ) : (
            <span className="min-w-0 break-words" data-testid="activity-sentence">
              <Sentence item={item} />
            </span>
          )}
        </div>
      </div>
      <time className="shrink-0 whitespace-nowrap pt-0.5 text-xs text-slate-400" dateTime={item.createdAt} title={formatTime(item.createdAt)} suppressHydrationWarning>
        {time}
      </time>
    </li>
  );
}
