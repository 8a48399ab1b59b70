import { BlockList, isIP } from "node:net";

// The host / address / CIDR lists of ASSAY_OUTBOUND_ALLOW and ASSAY_OUTBOUND_DENY, and the address arithmetic the
// outbound policy needs. No environment access here: lib/env.ts parses the variables with these functions.

export type IpFamily = "ipv4" | "ipv6";

export interface CanonicalAddress {
  /** dotted IPv4, or IPv6 as the URL parser writes it (lower case, compressed) */
  address: string;
  family: IpFamily;
  /** set when the address is an IPv6 form that carries an IPv4 address (::ffff:a.b.c.d, 64:ff9b::a.b.c.d) */
  embeddedIpv4?: string;
}

/** Host names match exactly (lower case, without a trailing dot; no wildcards); addresses and subnets by CIDR. */
export interface AddressList {
  /** `text` is the entry as written, for messages ("the entry 10.0.0.0/8") */
  entries: readonly AddressListEntry[];
}

export type AddressListEntry =
  | { kind: "host"; text: string; host: string }
  | { kind: "subnet"; text: string; network: string; prefix: number; family: IpFamily; blocks: BlockList };

const HOST_LABEL = /^(?!-)[a-z0-9_-]{1,63}(?<!-)$/;

/** Lower case, no brackets, no trailing dot, no IPv6 zone id ("fe80::1%eth0"): the form every rule compares. */
export function normalizeHost(host: string): string {
  let value = host.trim().toLowerCase();
  if (value.startsWith("[") && value.endsWith("]")) value = value.slice(1, -1);
  const zone = value.indexOf("%");
  if (zone !== -1 && value.includes(":")) value = value.slice(0, zone);
  return value.replace(/\.+$/, "");
}

/**
 * The one spelling of an IP address, or undefined for a host name. IPv4 in decimal, octal, hex or short form
 * ("2852039166", "0xA9FEA9FE", "0251.0376.0251.0376", "127.1") is read the way the WHATWG URL parser (and so fetch)
 * reads it; IPv4-mapped and NAT64 IPv6 addresses name the IPv4 address they carry.
 */
export function canonicalAddress(text: string): CanonicalAddress | undefined {
  const value = normalizeHost(text);
  if (value === "") return undefined;
  if (value.includes(":")) {
    if (isIP(value) !== 6) return undefined;
    const address = new URL(`http://[${value}]/`).hostname.slice(1, -1);
    const embeddedIpv4 = embeddedIpv4Of(address);
    return embeddedIpv4 === undefined ? { address, family: "ipv6" } : { address, family: "ipv6", embeddedIpv4 };
  }
  if (isIP(value) === 4) return { address: value, family: "ipv4" };
  // Only strings made of digits, dots and hex can be a numeric IPv4 form; anything else is a name.
  if (!/^[0-9a-fx.]+$/.test(value)) return undefined;
  let hostname: string;
  try {
    hostname = new URL(`http://${value}/`).hostname;
  } catch {
    // "0x1g", "1.2.3.4.5": not an address the URL parser (and so fetch) accepts, hence no address at all.
    return undefined;
  }
  return isIP(hostname) === 4 ? { address: hostname, family: "ipv4" } : undefined;
}

/** ::ffff:a9fe:a9fe → 169.254.169.254; 64:ff9b::a9fe:a9fe (NAT64) likewise. */
function embeddedIpv4Of(address: string): string | undefined {
  const match = /^(?:::ffff:|64:ff9b::)(?:([0-9a-f]{1,4}):)?([0-9a-f]{1,4})?$/.exec(address);
  if (!match) return undefined;
  const high = Number.parseInt(match[1] ?? "0", 16);
  const low = Number.parseInt(match[2] ?? "0", 16);
  return [high >> 8, high & 255, low >> 8, low & 255].join(".");
}

/** Whether `address` (canonical) is in `blocks`, also by the IPv4 address an IPv6 form carries. */
export function blockListHas(blocks: BlockList, address: CanonicalAddress): boolean {
  if (blocks.check(address.address, address.family)) return true;
  return address.embeddedIpv4 !== undefined && blocks.check(address.embeddedIpv4, "ipv4");
}

/** The entry of `list` that matches, for the message; undefined when none does. */
export function matchingEntry(list: AddressList, host: string, address: CanonicalAddress | undefined): AddressListEntry | undefined {
  for (const entry of list.entries) {
    if (entry.kind === "host") {
      if (entry.host === host) return entry;
      continue;
    }
    if (address && blockListHas(entry.blocks, address)) return entry;
  }
  return undefined;
}

export function parseAddressEntry(text: string): AddressListEntry | { problem: string } {
  const value = text.trim();
  const slash = value.indexOf("/");
  if (slash !== -1) {
    const network = canonicalAddress(value.slice(0, slash));
    const prefixText = value.slice(slash + 1);
    if (!network) {
      return { problem: `"${value}" is not a CIDR subnet (write it like 10.0.0.0/8 or fd00::/8)` };
    }
    const maxPrefix = network.family === "ipv4" ? 32 : 128;
    const prefix = /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : Number.NaN;
    if (!(prefix >= 0 && prefix <= maxPrefix)) {
      return { problem: `"${value}" has a prefix length outside 0–${maxPrefix}` };
    }
    return subnetEntry(value, network.address, prefix, network.family);
  }
  if (value.includes("*")) {
    return { problem: `"${value}": wildcards are not supported; list each host name exactly` };
  }
  const address = canonicalAddress(value);
  if (address) {
    return subnetEntry(value, address.address, address.family === "ipv4" ? 32 : 128, address.family);
  }
  const host = normalizeHost(value);
  // A name whose last label is a number is an IPv4 address to the URL parser, and this one is not valid.
  if (/^(0x[0-9a-f]*|\d+)$/.test(host.split(".").at(-1) ?? "")) {
    return { problem: `"${value}" is not a valid IP address` };
  }
  if (host.length > 253 || !host.split(".").every((label) => HOST_LABEL.test(label))) {
    return { problem: `"${value}" is not a host name, an IP address or a CIDR subnet` };
  }
  return { kind: "host", text: value, host };
}

function subnetEntry(text: string, network: string, prefix: number, family: IpFamily): AddressListEntry {
  const blocks = new BlockList();
  blocks.addSubnet(network, prefix, family);
  return { kind: "subnet", text, network, prefix, family, blocks };
}

/** A comma- or space-separated list; `problems` names every bad entry. */
export function parseAddressList(text: string): { list: AddressList; problems: string[] } {
  const entries: AddressListEntry[] = [];
  const problems: string[] = [];
  for (const item of text.split(/[\s,]+/).filter((part) => part !== "")) {
    const entry = parseAddressEntry(item);
    if ("problem" in entry) {
      problems.push(entry.problem);
      continue;
    }
    entries.push(entry);
  }
  return { list: { entries }, problems };
}

export function emptyAddressList(): AddressList {
  return parseAddressList("").list;
}
