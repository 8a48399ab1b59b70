import { describe, expect, it } from "vitest";
import { canonicalAddress, parseAddressList } from "../../../lib/net/address-list.ts";
import { OutboundPolicy, assertOutboundUrlAllowed } from "../../../lib/net/outbound-policy.ts";

const SUFFIX = "(refused by Assay's outbound policy; ASSAY_OUTBOUND_ALLOW can allow it)";

function list(text: string) {
  const { list: parsed, problems } = parseAddressList(text);
  expect(problems).toEqual([]);
  return parsed;
}

const defaults = new OutboundPolicy();

describe("outbound policy: built-in rules on an address", () => {
  it.each([
    ["169.254.169.254", "metadata-address", `169.254.169.254 is a cloud metadata address ${SUFFIX}`],
    ["fd00:ec2::254", "metadata-address", `fd00:ec2::254 is a cloud metadata address ${SUFFIX}`],
    ["100.100.100.200", "metadata-address", `100.100.100.200 is a cloud metadata address ${SUFFIX}`],
    ["0.0.0.0", "unspecified", `0.0.0.0 is the unspecified address (0.0.0.0 or ::) ${SUFFIX}`],
    ["::", "unspecified", `:: is the unspecified address (0.0.0.0 or ::) ${SUFFIX}`],
    ["fe80::1", "link-local", `fe80::1 is a link-local address ${SUFFIX}`],
    ["169.254.10.20", "link-local", `169.254.10.20 is a link-local address ${SUFFIX}`],
    ["::ffff:169.254.169.254", "metadata-address", `::ffff:a9fe:a9fe (169.254.169.254) is a cloud metadata address ${SUFFIX}`],
    ["fe80::1%eth0", "link-local", `fe80::1 is a link-local address ${SUFFIX}`],
  ])("refuses %s (%s)", (address, rule, message) => {
    expect(defaults.checkAddress(address, address)).toEqual({ allowed: false, rule, message });
  });

  it.each(["127.0.0.1", "127.8.9.10", "::1", "8.8.8.8", "2606:4700:4700::1111", "10.0.0.5", "172.20.1.1", "192.168.1.10", "fd12::5"])(
    "allows %s by default (loopback, public, private)",
    (address) => {
      expect(defaults.checkAddress(address, address)).toEqual({ allowed: true });
    },
  );

  it("refuses private ranges only with ASSAY_OUTBOUND_DENY_PRIVATE=1, and still allows loopback then", () => {
    const strict = new OutboundPolicy({ denyPrivate: true });
    expect(strict.checkAddress("10.0.0.5", "10.0.0.5")).toEqual({
      allowed: false,
      rule: "private",
      message:
        "10.0.0.5 is a private address (refused by Assay's outbound policy because ASSAY_OUTBOUND_DENY_PRIVATE=1; ASSAY_OUTBOUND_ALLOW can allow it)",
    });
    expect(strict.checkAddress("fd12::5", "fd12::5").allowed).toBe(false);
    expect(strict.checkAddress("::ffff:192.168.0.1", "::ffff:192.168.0.1").allowed).toBe(false);
    expect(strict.checkAddress("127.0.0.1", "127.0.0.1")).toEqual({ allowed: true });
    expect(strict.checkAddress("::1", "::1")).toEqual({ allowed: true });
    expect(strict.checkAddress("8.8.8.8", "8.8.8.8")).toEqual({ allowed: true });
  });

  it("names the host and what it resolved to when a name leads to a refused address", () => {
    expect(defaults.checkAddress("rebind.example.com", "169.254.169.254")).toEqual({
      allowed: false,
      rule: "metadata-address",
      message: `rebind.example.com resolves to 169.254.169.254, a cloud metadata address ${SUFFIX}`,
    });
    expect(defaults.checkAddress("api.example.com", "93.184.216.34")).toEqual({ allowed: true });
  });
});

describe("outbound policy: URLs", () => {
  it.each([
    ["http://169.254.169.254/latest/meta-data/", `169.254.169.254 is a cloud metadata address ${SUFFIX}`],
    // The URL parser (and so fetch) reads these as 169.254.169.254; so does the policy.
    ["http://0xA9FEA9FE/", `169.254.169.254 is a cloud metadata address ${SUFFIX}`],
    ["http://2852039166/", `169.254.169.254 is a cloud metadata address ${SUFFIX}`],
    ["http://0251.0376.0251.0376/", `169.254.169.254 is a cloud metadata address ${SUFFIX}`],
    ["http://[::ffff:169.254.169.254]/", `::ffff:a9fe:a9fe (169.254.169.254) is a cloud metadata address ${SUFFIX}`],
    ["http://[::]:8080/v1", `:: is the unspecified address (0.0.0.0 or ::) ${SUFFIX}`],
    ["http://0.0.0.0:11434/v1", `0.0.0.0 is the unspecified address (0.0.0.0 or ::) ${SUFFIX}`],
    ["http://0/v1", `0.0.0.0 is the unspecified address (0.0.0.0 or ::) ${SUFFIX}`],
    ["http://[fe80::1]/v1", `fe80::1 is a link-local address ${SUFFIX}`],
    ["http://metadata.google.internal/computeMetadata/v1/", `metadata.google.internal is a cloud metadata host name ${SUFFIX}`],
    ["http://METADATA.google.internal./computeMetadata/v1/", `metadata.google.internal is a cloud metadata host name ${SUFFIX}`],
    ["file:///etc/passwd", "file: URLs are not called; only http:// and https:// (refused by Assay's outbound policy)"],
  ])("refuses %s", (url, message) => {
    const check = defaults.checkUrl(url);
    expect(check.allowed).toBe(false);
    expect(check.allowed === false && check.message).toBe(message);
  });

  it.each(["https://api.openai.com/v1", "http://127.0.0.1:11434/v1", "http://localhost:8080/v1", "http://[::1]:8088/v1", "http://10.0.0.5:8000/v1"])(
    "allows %s",
    (url) => {
      expect(defaults.checkUrl(url)).toEqual({ allowed: true });
    },
  );

  it("reads numeric IPv4 forms as the URL parser does, and leaves names as names", () => {
    expect(canonicalAddress("0xA9FEA9FE")).toEqual({ address: "169.254.169.254", family: "ipv4" });
    expect(canonicalAddress("2852039166")).toEqual({ address: "169.254.169.254", family: "ipv4" });
    expect(canonicalAddress("127.1")).toEqual({ address: "127.0.0.1", family: "ipv4" });
    expect(canonicalAddress("[64:ff9b::169.254.169.254]")).toEqual({ address: "64:ff9b::a9fe:a9fe", family: "ipv6", embeddedIpv4: "169.254.169.254" });
    expect(canonicalAddress("deadbeef")).toBeUndefined();
    expect(canonicalAddress("api.openai.com")).toBeUndefined();
  });
});

describe("outbound policy: ASSAY_OUTBOUND_ALLOW and ASSAY_OUTBOUND_DENY", () => {
  it("lets an allow entry (address, CIDR or host name) open a built-in refusal", () => {
    const policy = new OutboundPolicy({ allow: list("169.254.169.254, fe80::/10 metadata.google.internal") });
    expect(policy.checkUrl("http://169.254.169.254/")).toEqual({ allowed: true });
    expect(policy.checkAddress("fe80::abcd", "fe80::abcd")).toEqual({ allowed: true });
    expect(policy.checkUrl("http://metadata.google.internal/")).toEqual({ allowed: true });
    expect(policy.checkAddress("metadata.google.internal", "169.254.169.254")).toEqual({ allowed: true });
    expect(policy.checkAddress("169.254.1.1", "169.254.1.1").allowed).toBe(false);
  });

  it("lets an allowed CIDR open private addresses under ASSAY_OUTBOUND_DENY_PRIVATE=1, and only those", () => {
    const policy = new OutboundPolicy({ denyPrivate: true, allow: list("10.1.0.0/16") });
    expect(policy.checkAddress("vllm.internal", "10.1.2.3")).toEqual({ allowed: true });
    expect(policy.checkAddress("other.internal", "10.2.0.1").allowed).toBe(false);
  });

  it("refuses what the deny list names, by host name, address or CIDR, even public and loopback addresses", () => {
    const policy = new OutboundPolicy({ deny: list("203.0.113.0/24 blocked.example.com ::1") });
    expect(policy.checkAddress("api.example.com", "203.0.113.9")).toEqual({
      allowed: false,
      rule: "deny-list",
      message: "api.example.com resolves to 203.0.113.9, which is listed in ASSAY_OUTBOUND_DENY (entry 203.0.113.0/24; refused by Assay's outbound policy)",
    });
    expect(policy.checkUrl("https://blocked.example.com/v1")).toEqual({
      allowed: false,
      rule: "deny-list",
      message: "blocked.example.com is listed in ASSAY_OUTBOUND_DENY (entry blocked.example.com; refused by Assay's outbound policy)",
    });
    expect(policy.checkUrl("http://[::1]:8080/")).toMatchObject({ allowed: false, rule: "deny-list" });
    // Host names match exactly: a subdomain is not the listed name.
    expect(policy.checkUrl("https://api.blocked.example.com/v1")).toEqual({ allowed: true });
  });

  it("puts the deny list above the allow list", () => {
    const policy = new OutboundPolicy({ allow: list("10.0.0.0/8 vllm.internal"), deny: list("10.9.0.0/16") });
    expect(policy.checkAddress("vllm.internal", "10.9.1.1")).toMatchObject({ allowed: false, rule: "deny-list" });
    expect(policy.checkAddress("vllm.internal", "10.8.1.1")).toEqual({ allowed: true });
  });

  it("names every bad entry of a list", () => {
    expect(parseAddressList("10.0.0.0/8, *.corp.example, 300.1.1.1 fd00::/129 ok.example.com").problems).toEqual([
      '"*.corp.example": wildcards are not supported; list each host name exactly',
      '"300.1.1.1" is not a valid IP address',
      '"fd00::/129" has a prefix length outside 0–128',
    ]);
  });
});

describe("assertOutboundUrlAllowed (save time)", () => {
  it("refuses a base URL with a 400 naming the field and the rule", async () => {
    const error = await assertOutboundUrlAllowed("http://169.254.169.254/v1", { policy: defaults }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({
      code: "bad_request",
      subject: "outbound",
      message: `baseUrl: 169.254.169.254 is a cloud metadata address ${SUFFIX}`,
      details: [{ path: "baseUrl", message: `169.254.169.254 is a cloud metadata address ${SUFFIX}` }],
    });
  });

  it("checks every address a name resolves to, and lets a name that does not resolve through to the call", async () => {
    const lookup = async (hostname: string) => {
      if (hostname === "mixed.example.com") return [{ address: "93.184.216.34", family: 4 }, { address: "169.254.169.254", family: 4 }];
      if (hostname === "public.example.com") return [{ address: "93.184.216.34", family: 4 }];
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" });
    };
    await expect(assertOutboundUrlAllowed("https://mixed.example.com/v1", { policy: defaults, lookup })).rejects.toMatchObject({
      message: `baseUrl: mixed.example.com resolves to 169.254.169.254, a cloud metadata address ${SUFFIX}`,
    });
    await expect(assertOutboundUrlAllowed("https://public.example.com/v1", { policy: defaults, lookup })).resolves.toBeUndefined();
    await expect(assertOutboundUrlAllowed("https://nowhere.example.com/v1", { policy: defaults, lookup })).resolves.toBeUndefined();
  });
});
