import { lookup as dnsLookup } from "node:dns/promises";
import { BlockList } from "node:net";
import { env } from "../env.ts";
import { AppError } from "../errors.ts";
import {
  blockListHas,
  canonicalAddress,
  emptyAddressList,
  matchingEntry,
  normalizeHost,
  type AddressList,
  type CanonicalAddress,
} from "./address-list.ts";

// Which hosts and addresses the server may call for a user (connections, inline targets, judges, the Models page).
// Precedence, first match wins:
//   1. ASSAY_OUTBOUND_DENY (host names and addresses/CIDRs): refused, whatever else says;
//   2. ASSAY_OUTBOUND_ALLOW: allowed (a host name entry allows that name whatever it resolves to);
//   3. built-in rules: cloud metadata names and addresses, the unspecified address (0.0.0.0/8, ::) and link-local
//      (169.254.0.0/16, fe80::/10) are refused; loopback is allowed (the local model server, Ollama, llama.cpp);
//      private ranges are allowed unless ASSAY_OUTBOUND_DENY_PRIVATE=1; everything else (public) is allowed.
// The rules judge the address a connection is actually made to (see outbound-fetch.ts), not only the URL's text.

export type OutboundRule = "scheme" | "deny-list" | "metadata-host" | "metadata-address" | "unspecified" | "link-local" | "private";

export type OutboundCheck = { allowed: true } | { allowed: false; rule: OutboundRule; message: string };

export interface OutboundPolicyOptions {
  denyPrivate?: boolean;
  allow?: AddressList;
  deny?: AddressList;
}

/** Names that answer with a cloud instance's credentials (GCP's resolve to 169.254.169.254, caught below too). */
const METADATA_HOSTS = new Set(["metadata.google.internal", "metadata.goog"]);

const METADATA_ADDRESSES = blockList([
  ["169.254.169.254", 32], // AWS, GCP, Azure, Oracle, DigitalOcean…
  ["169.254.170.2", 32], // AWS ECS task credentials
  ["100.100.100.200", 32], // Alibaba Cloud
  ["fd00:ec2::254", 128], // AWS over IPv6
]);
// 0.0.0.0 and :: connect to this machine on Linux, past a "loopback only" check of the URL's text.
const UNSPECIFIED = blockList([
  ["0.0.0.0", 8],
  ["::", 128],
]);
const LINK_LOCAL = blockList([
  ["169.254.0.0", 16],
  ["fe80::", 10],
]);
const LOOPBACK = blockList([
  ["127.0.0.0", 8],
  ["::1", 128],
]);
const PRIVATE = blockList([
  ["10.0.0.0", 8],
  ["172.16.0.0", 12],
  ["192.168.0.0", 16],
  ["100.64.0.0", 10], // carrier-grade NAT, also Tailscale's range
  ["fc00::", 7], // unique local
  ["fec0::", 10], // the old site-local
]);

const BUILT_IN_SUFFIX = "(refused by Assay's outbound policy; ASSAY_OUTBOUND_ALLOW can allow it)";

export class OutboundPolicy {
  readonly denyPrivate: boolean;
  readonly allow: AddressList;
  readonly deny: AddressList;

  constructor(options: OutboundPolicyOptions = {}) {
    this.denyPrivate = options.denyPrivate ?? false;
    this.allow = options.allow ?? emptyAddressList();
    this.deny = options.deny ?? emptyAddressList();
  }

  /** The URL before any DNS: its scheme, its host name's rules, and the address itself when the host is an IP. */
  checkUrl(url: string | URL): OutboundCheck {
    let parsed: URL;
    try {
      parsed = typeof url === "string" ? new URL(url) : url;
    } catch {
      // An unparseable URL is refused here rather than left to fetch's vaguer "Invalid URL".
      return { allowed: false, rule: "scheme", message: `"${url}" is not a URL (refused by Assay's outbound policy)` };
    }
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
      return {
        allowed: false,
        rule: "scheme",
        message: `${parsed.protocol} URLs are not called; only http:// and https:// (refused by Assay's outbound policy)`,
      };
    }
    return this.checkHost(parsed.hostname);
  }

  /** Name rules for a host name; the address rules too when `host` is an IP address. */
  checkHost(host: string): OutboundCheck {
    const address = canonicalAddress(host);
    if (address) return this.checkAddress(host, host);
    return this.checkName(normalizeHost(host)) ?? { allowed: true };
  }

  /** Whether a connection for `host` may be made to `address` (what `host` resolved to, or `host` itself). */
  checkAddress(host: string, address: string): OutboundCheck {
    const name = normalizeHost(host);
    const canonical = canonicalAddress(address);
    if (!canonical) {
      return { allowed: false, rule: "scheme", message: `"${address}" is not an IP address (refused by Assay's outbound policy)` };
    }
    const isLiteral = canonicalAddress(host)?.address === canonical.address;
    const shown = canonical.embeddedIpv4 === undefined ? canonical.address : `${canonical.address} (${canonical.embeddedIpv4})`;
    const denied = matchingEntry(this.deny, name, canonical);
    if (denied) {
      const subject = denied.kind === "host" ? name : isLiteral ? shown : `${name} resolves to ${shown}, which`;
      return {
        allowed: false,
        rule: "deny-list",
        message: `${subject} is listed in ASSAY_OUTBOUND_DENY (entry ${denied.text}; refused by Assay's outbound policy)`,
      };
    }
    if (matchingEntry(this.allow, name, canonical)) return { allowed: true };
    const byName = isLiteral ? undefined : this.checkName(name);
    if (byName) return byName;
    const rule = this.addressRule(canonical);
    if (!rule) return { allowed: true };
    const said = isLiteral ? `${shown} is ${rule.description}` : `${name} resolves to ${shown}, ${rule.description}`;
    return { allowed: false, rule: rule.rule, message: `${said} ${rule.suffix}` };
  }

  /** Rules on the name alone; undefined when they leave the decision to the address. */
  private checkName(name: string): OutboundCheck | undefined {
    const denied = matchingEntry(this.deny, name, undefined);
    if (denied) {
      return {
        allowed: false,
        rule: "deny-list",
        message: `${name} is listed in ASSAY_OUTBOUND_DENY (entry ${denied.text}; refused by Assay's outbound policy)`,
      };
    }
    if (matchingEntry(this.allow, name, undefined)) return { allowed: true };
    if (METADATA_HOSTS.has(name)) {
      return { allowed: false, rule: "metadata-host", message: `${name} is a cloud metadata host name ${BUILT_IN_SUFFIX}` };
    }
    return undefined;
  }

  private addressRule(address: CanonicalAddress): { rule: OutboundRule; description: string; suffix: string } | undefined {
    const refused = (rule: OutboundRule, description: string, suffix = BUILT_IN_SUFFIX) => ({ rule, description, suffix });
    if (blockListHas(METADATA_ADDRESSES, address)) return refused("metadata-address", "a cloud metadata address");
    if (blockListHas(UNSPECIFIED, address)) return refused("unspecified", "the unspecified address (0.0.0.0 or ::)");
    if (blockListHas(LINK_LOCAL, address)) return refused("link-local", "a link-local address");
    if (blockListHas(LOOPBACK, address)) return undefined;
    if (this.denyPrivate && blockListHas(PRIVATE, address)) {
      return refused(
        "private",
        "a private address",
        "(refused by Assay's outbound policy because ASSAY_OUTBOUND_DENY_PRIVATE=1; ASSAY_OUTBOUND_ALLOW can allow it)",
      );
    }
    return undefined;
  }
}

function blockList(subnets: readonly (readonly [string, number])[]): BlockList {
  const blocks = new BlockList();
  for (const [network, prefix] of subnets) blocks.addSubnet(network, prefix, network.includes(":") ? "ipv6" : "ipv4");
  return blocks;
}

let configured: OutboundPolicy | undefined;

/** The policy from ASSAY_OUTBOUND_DENY_PRIVATE, ASSAY_OUTBOUND_ALLOW and ASSAY_OUTBOUND_DENY. */
/**
 * Whether a host, as written (no DNS), can only be this machine: "localhost", 127.0.0.0/8, ::1 and the IPv4-mapped
 * forms of those. A name that merely resolves to loopback is not, so DNS cannot turn another host into this one.
 */
export function isLoopbackHost(host: string): boolean {
  const bare = normalizeHost(host);
  if (bare === "localhost") return true;
  const address = canonicalAddress(bare);
  return address !== undefined && blockListHas(LOOPBACK, address);
}

export function outboundPolicy(): OutboundPolicy {
  configured ??= new OutboundPolicy({
    denyPrivate: env.ASSAY_OUTBOUND_DENY_PRIVATE,
    allow: env.ASSAY_OUTBOUND_ALLOW,
    deny: env.ASSAY_OUTBOUND_DENY,
  });
  return configured;
}

/** `checkAddress` of the configured policy. */
export function checkAddress(host: string, address: string): OutboundCheck {
  return outboundPolicy().checkAddress(host, address);
}

export type OutboundLookup = (hostname: string) => Promise<readonly { address: string; family: number }[]>;

export const systemLookup: OutboundLookup = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/** The 400 for a refused URL or address; `field` names the input it came from (baseUrl). */
export function outboundRefusal(check: { message: string }, field?: string): AppError {
  if (field === undefined) return new AppError("bad_request", "outbound", check.message);
  return new AppError("bad_request", "outbound", `${field}: ${check.message}`, [{ path: field, message: check.message }]);
}

/** The refusal somewhere in an error's cause chain (fetch wraps it in "fetch failed", the SDK in a connection error). */
export function outboundRefusalIn(error: unknown): AppError | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && typeof current === "object" && current !== null; depth++) {
    if (current instanceof AppError && current.subject === "outbound") return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * Save-time check of a URL a user gives (a connection's base URL): the URL's own rules and, for a host name, every
 * address it resolves to now. A name that does not resolve is let through: the call, which checks again on the
 * address it connects to, will say it is unreachable.
 */
export async function assertOutboundUrlAllowed(
  url: string,
  options: { field?: string; policy?: OutboundPolicy; lookup?: OutboundLookup } = {},
): Promise<void> {
  const policy = options.policy ?? outboundPolicy();
  const field = options.field ?? "baseUrl";
  const check = policy.checkUrl(url);
  if (!check.allowed) throw outboundRefusal(check, field);
  const host = new URL(url).hostname;
  // An IP address was judged by checkUrl; only names have addresses to look up.
  if (canonicalAddress(host)) return;
  let addresses: readonly { address: string }[];
  try {
    addresses = await (options.lookup ?? systemLookup)(normalizeHost(host));
  } catch {
    // Not resolvable from here (yet): no address to judge now; the call-time check judges the one it connects to.
    return;
  }
  for (const { address } of addresses) {
    const result = policy.checkAddress(host, address);
    if (!result.allowed) throw outboundRefusal(result, field);
  }
}
