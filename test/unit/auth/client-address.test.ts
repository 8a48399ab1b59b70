import { describe, expect, it } from "vitest";
import { clientAddress } from "../../../lib/auth/client-address.ts";

// Issue #9: X-Forwarded-For is believed only when ASSAY_TRUST_PROXY says a proxy stands in front.
describe("clientAddress for the sign-in limit", () => {
  const headers = (values: Record<string, string>) => new Headers(values);

  it("ignores X-Forwarded-For and X-Real-IP without a trusted proxy: every client is 'direct'", () => {
    expect(clientAddress(headers({ "x-forwarded-for": "203.0.113.9" }), 0)).toBe("direct");
    expect(clientAddress(headers({ "x-real-ip": "203.0.113.9" }), 0)).toBe("direct");
  });

  it("takes the entry the trusted proxy appended, not the ones the client wrote", () => {
    expect(clientAddress(headers({ "x-forwarded-for": "6.6.6.6, 203.0.113.9" }), 1)).toBe("203.0.113.9");
    expect(clientAddress(headers({ "x-forwarded-for": "6.6.6.6, 203.0.113.9, 10.0.0.2" }), 2)).toBe("203.0.113.9");
    expect(clientAddress(headers({ "x-real-ip": "203.0.113.9" }), 1)).toBe("203.0.113.9");
  });

  it("normalizes IPv4-mapped IPv6 and refuses what is not an address", () => {
    expect(clientAddress(headers({ "x-forwarded-for": "::ffff:203.0.113.9" }), 1)).toBe("203.0.113.9");
    expect(clientAddress(headers({ "x-forwarded-for": "2001:DB8::1" }), 1)).toBe("2001:db8::1");
    expect(clientAddress(headers({ "x-forwarded-for": "not-an-ip" }), 1)).toBe("direct");
    expect(clientAddress(headers({}), 1)).toBe("direct");
  });
});
