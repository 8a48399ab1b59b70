import os from "node:os";
import { describe, expect, it } from "vitest";
import { displayUrl, localAddress } from "../../../lib/runtime/listen-address.ts";
import { isLoopbackHost } from "../../../lib/net/outbound-policy.ts";
import { setupTokenRequired } from "../../../lib/workspaces/setup-token.ts";

// Issue #9: Assay listens on loopback unless ASSAY_HOST/--host says otherwise; beyond loopback setup needs a token.
describe("listen addresses", () => {
  it("counts only loopback names and addresses as loopback; the wildcard addresses are the network", () => {
    for (const host of ["127.0.0.1", "127.0.1.1", "localhost", "::1", "[::1]", "LOCALHOST", "::ffff:127.0.0.1", "127.1"]) expect(isLoopbackHost(host), host).toBe(true);
    for (const host of ["0.0.0.0", "::", "192.168.1.20", "assay.internal", "10.0.0.5", "localhost.evil.com", "127.0.0.1.nip.io"]) expect(isLoopbackHost(host), host).toBe(false);
    expect(setupTokenRequired({ host: "127.0.0.1" })).toBe(false);
    expect(setupTokenRequired({ host: "127.0.0.1", publicUrl: "http://localhost:3000" })).toBe(false);
    // behind a reverse proxy the app listens on loopback, and is reachable all the same
    expect(setupTokenRequired({ host: "127.0.0.1", trustedProxies: 1 })).toBe(true);
    expect(setupTokenRequired({ host: "127.0.0.1", publicUrl: "https://assay.example.com" })).toBe(true);
    expect(setupTokenRequired({ host: "0.0.0.0" })).toBe(true);
  });

  it("checks health on loopback when listening on every interface", () => {
    expect(localAddress("0.0.0.0")).toBe("127.0.0.1");
    expect(localAddress("::")).toBe("[::1]");
    expect(localAddress("192.168.1.20")).toBe("192.168.1.20");
    expect(localAddress("fd00::5")).toBe("[fd00::5]");
  });

  it("prints ASSAY_PUBLIC_URL when set, else the address others would open", () => {
    expect(displayUrl("0.0.0.0", 3000, "https://assay.example.com/")).toBe("https://assay.example.com");
    expect(displayUrl("127.0.0.1", 3000, undefined)).toBe("http://localhost:3000");
    expect(displayUrl("0.0.0.0", 4000, undefined)).toBe(`http://${os.hostname()}:4000`);
    expect(displayUrl("192.168.1.20", 3000, undefined)).toBe("http://192.168.1.20:3000");
  });
});
