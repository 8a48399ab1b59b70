// The unit a stored API key is bound to: scheme + host + port, as browsers compare origins. WHATWG URL parsing
// lowercases the scheme and host, turns IDNs into punycode, normalises IPv4 spellings (http://2130706433 is
// 127.0.0.1) and drops the scheme's default port, so "HTTPS://API.example.com:443/v1" and "https://api.example.com/v2"
// share one origin. Paths, queries and credentials in the URL are not part of it.

/** The origin of an http(s) URL, e.g. "https://api.openai.com"; throws on anything else. */
export function originOf(url: string): string {
  const parsed = new URL(url);
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new Error(`Not an http(s) URL: ${parsed.protocol}`);
  }
  return parsed.origin;
}

export function sameOrigin(first: string, second: string): boolean {
  return originOf(first) === originOf(second);
}
