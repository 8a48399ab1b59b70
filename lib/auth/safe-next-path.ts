// Where the login page may send the user after signing in: a path of this app, never another site. Browsers read
// "//evil.com" and "/\evil.com" as another host, drop tabs and newlines inside URLs ("/\t/evil.com" becomes
// "//evil.com"), and some servers decode "%2F" before routing, so each of those is refused rather than repaired.

export const DEFAULT_AFTER_LOGIN = "/prompts";

const BASE = "http://assay.invalid";

function looksLikeAnotherHost(path: string): boolean {
  return path.startsWith("//") || path.startsWith("/\\");
}

/** The value when it is a same-origin path ("/prompts?x=1"), otherwise null. */
export function safeNextPath(value: string | null | undefined): string | null {
  if (typeof value !== "string" || !value.startsWith("/") || value.length > 2000) return null;
  if (looksLikeAnotherHost(value) || value.includes("\\")) return null;
  // control characters (tab, CR, LF…) and spaces: the URL parser strips or rewrites them
  if (/[\u0000-\u0020\u007f]/.test(value)) return null;
  let decoded: string;
  try {
    decoded = decodeURIComponent(value);
  } catch {
    // a malformed %-escape: not a link this app made
    return null;
  }
  if (looksLikeAnotherHost(decoded) || decoded.includes("\\")) return null;
  const url = new URL(value, BASE);
  if (url.origin !== BASE) return null;
  return `${url.pathname}${url.search}${url.hash}`;
}

/** Where to go after signing in, given the login page's `next` parameter. */
export function afterLoginPath(next: string | null | undefined): string {
  return safeNextPath(next) ?? DEFAULT_AFTER_LOGIN;
}
