// How every screen, the CLI and the exports write durations, money, tokens, counts and percentages, so the same
// figure reads the same everywhere. Unknown values are "—" (never 0); negatives take a true minus sign (−), and
// `signed` adds "+" to positive differences.

export const MISSING = "—";
const MINUS = "−";

export interface SignOptions {
  /** "+" in front of positive values, for differences */
  signed?: boolean;
}

type Maybe = number | null | undefined;

function known(value: Maybe): value is number {
  return typeof value === "number" && Number.isFinite(value);
}

/** `text` is the magnitude; zero (as written) never gets a sign. */
function withSign(value: number, text: string, options: SignOptions | undefined): string {
  if (/^[^1-9]*$/.test(text)) return text;
  if (value < 0) return `${MINUS}${text}`;
  if (value > 0 && options?.signed) return `+${text}`;
  return text;
}

/**
 * "0.4 ms", "4 ms", "842 ms", "1.24 s", "10 s", "12.3 s", "1 min 15 s", "1 h 1 min". Whole seconds print without decimals (a
 * timeout of 10 s), other values keep their digits so latencies side by side line up ("1.50 s vs 1.24 s").
 */
export function formatDuration(ms: Maybe, options?: SignOptions): string {
  if (!known(ms)) return MISSING;
  const magnitude = Math.abs(ms);
  let text: string;
  // Below a millisecond (a cache hit, a local server) one decimal keeps it from reading as 0.
  if (magnitude > 0 && magnitude < 0.95) text = `${magnitude.toFixed(1)} ms`;
  else if (magnitude < 999.5) text = `${Math.round(magnitude)} ms`;
  else if (magnitude < 59_950) {
    const seconds = magnitude / 1000;
    text = Number.isInteger(seconds) ? `${seconds} s` : `${seconds.toFixed(seconds < 9.995 ? 2 : 1)} s`;
  } else {
    const seconds = Math.round(magnitude / 1000);
    const minutes = Math.floor(seconds / 60);
    if (minutes < 60) text = seconds % 60 === 0 ? `${minutes} min` : `${minutes} min ${seconds % 60} s`;
    else text = minutes % 60 === 0 ? `${minutes / 60} h` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
  }
  return withSign(ms, text, options);
}

/**
 * "$1,234.57", "$0.50", "$0.0123", "$0.000875", "$0", or "—" for unknown. Amounts under a cent keep three significant digits:
 * per-call costs are usually fractions of a cent, and "$0.00" would hide every difference between models.
 */
export function formatMoney(usd: Maybe, options?: SignOptions): string {
  if (!known(usd)) return MISSING;
  if (usd === 0) return "$0";
  const amount = Math.abs(usd);
  let text: string;
  if (amount >= 1) {
    text = `$${amount.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
  } else {
    const decimals = amount >= 0.01 ? 4 : Math.min(12, 2 - Math.floor(Math.log10(amount)));
    // Trailing zeros go, but cents stay: "$0.50", "$0.0123", "$0.00015".
    const fixed = amount.toFixed(decimals).replace(/0+$/, "").replace(/\.(\d)?$/, (_, digit: string | undefined) => `.${digit ?? "0"}0`);
    if (fixed === "0") return `${usd < 0 ? MINUS : ""}<$0.000000000001`;
    text = `$${fixed}`;
  }
  return withSign(usd, text, options);
}

/** Token counts: "1,234"; a mean keeps one decimal below 100 ("12.5"). */
export function formatTokens(value: Maybe, options?: SignOptions): string {
  if (!known(value)) return MISSING;
  const magnitude = Math.abs(value);
  const text = magnitude >= 100 || Number.isInteger(magnitude) ? Math.round(magnitude).toLocaleString("en-US") : magnitude.toFixed(1);
  return withSign(value, text, options);
}

/** A share of 1 as a percentage: formatPercent(0.123) → "12.3%". */
export function formatPercent(share: Maybe, digits = 1, options?: SignOptions): string {
  if (!known(share)) return MISSING;
  return withSign(share, `${Math.abs(share * 100).toFixed(digits)}%`, options);
}

/** Whole things counted: "12,000". */
export function formatCount(value: Maybe): string {
  return known(value) ? withSign(value, Math.abs(value).toLocaleString("en-US"), undefined) : MISSING;
}

/** A number with a fixed number of digits and a true minus sign. */
export function formatNumber(value: Maybe, digits: number, options?: SignOptions): string {
  if (!known(value)) return MISSING;
  return withSign(value, Math.abs(value).toFixed(digits), options);
}

/** File sizes in SI units, as model cards give them: "3.8 MB", "494 MB", "12 GB". */
export function formatBytes(bytes: Maybe): string {
  if (!known(bytes)) return MISSING;
  const units = ["B", "KB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value < 10 && unit > 0 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

/** Parameter counts: "494 M", "1.2 B". */
export function formatParameters(count: Maybe): string {
  if (!known(count)) return MISSING;
  if (count >= 1e9) return `${(count / 1e9).toFixed(count >= 1e10 ? 0 : 1)} B`;
  if (count >= 1e6) return `${(count / 1e6).toFixed(count >= 1e7 ? 0 : 1)} M`;
  if (count >= 1e3) return `${Math.round(count / 1e3)} K`;
  return String(count);
}

/** Generation speed: "42.5 tok/s", "1,250 tok/s". */
export function formatRate(tokensPerSecond: Maybe): string {
  if (!known(tokensPerSecond)) return MISSING;
  return `${tokensPerSecond >= 100 ? Math.round(tokensPerSecond).toLocaleString("en-US") : tokensPerSecond.toFixed(1)} tok/s`;
}

/** A timestamp in lists: "01 Dec, 14:05" (the viewer's time zone). */
export function formatTime(iso: string): string {
  const date = new Date(iso);
  return date.toLocaleString("en-GB", { day: "2-digit", month: "short", hour: "2-digit", minute: "2-digit" });
}

/** A day, with its year, for expiry dates: "15 Dec 2026" (the viewer's time zone). */
export function formatDate(iso: string): string {
  return new Date(iso).toLocaleDateString("en-GB", { day: "numeric", month: "short", year: "numeric" });
}

/**
 * Sizes of limits, in binary units as they are configured (ASSAY_MAX_BODY=1mb is 1,048,576 bytes): "1 MB", "200 MB",
 * "512 KB", "1,500 bytes", in the unit the size is a whole multiple of.
 */
export function formatByteLimit(bytes: number): string {
  const units: [number, string][] = [
    [1024 ** 3, "GB"],
    [1024 ** 2, "MB"],
    [1024, "KB"],
  ];
  for (const [size, unit] of units) {
    if (bytes >= size && bytes % size === 0) return `${(bytes / size).toLocaleString("en-US")} ${unit}`;
  }
  for (const [size, unit] of units) {
    if (bytes >= size) return `${(bytes / size).toLocaleString("en-US", { maximumFractionDigits: 1 })} ${unit}`;
  }
  return `${bytes.toLocaleString("en-US")} bytes`;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/**
 * How long ago, for feeds: "just now", "5 min ago", "3 h ago", "2 days ago", then the date as formatTime writes it
 * (after a week, "9 days ago" is harder to place than "22 Nov, 14:05"). A time slightly ahead (clock skew) is "just now".
 */
export function formatRelativeTime(iso: string, now: number = Date.now()): string {
  const ago = now - Date.parse(iso);
  if (!Number.isFinite(ago)) return MISSING;
  if (ago < MINUTE_MS) return "just now";
  if (ago < HOUR_MS) return `${Math.floor(ago / MINUTE_MS)} min ago`;
  if (ago < DAY_MS) return `${Math.floor(ago / HOUR_MS)} h ago`;
  if (ago < 7 * DAY_MS) {
    const days = Math.floor(ago / DAY_MS);
    return days === 1 ? "yesterday" : `${days} days ago`;
  }
  return formatTime(iso);
}

/** The viewer's local calendar day of a timestamp, to group lines by: "2026-12-01". */
export function localDayKey(iso: string): string {
  const date = new Date(iso);
  return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, "0")}-${String(date.getDate()).padStart(2, "0")}`;
}

/** A day heading in the viewer's time zone: "Today", "Yesterday", "Monday 30 November", with the year when not this one. */
export function formatDay(iso: string, now: number = Date.now()): string {
  const day = localDayKey(iso);
  if (day === localDayKey(new Date(now).toISOString())) return "Today";
  if (day === localDayKey(new Date(now - DAY_MS).toISOString())) return "Yesterday";
  const date = new Date(iso);
  const sameYear = date.getFullYear() === new Date(now).getFullYear();
  return date.toLocaleDateString("en-GB", { weekday: "long", day: "numeric", month: "long", ...(sameYear ? {} : { year: "numeric" }) }).replace(",", "");
}

/** The time of day in the viewer's time zone: "14:05". */
export function formatClock(iso: string): string {
  return new Date(iso).toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });
}
