import type { LookupFunction } from "node:net";
import { Agent, fetch as undiciFetch } from "undici";
import {
  outboundPolicy,
  outboundRefusal,
  outboundRefusalIn,
  systemLookup,
  type OutboundLookup,
  type OutboundPolicy,
} from "./outbound-policy.ts";

// A fetch for every call made for a user. The URL is checked before anything is sent; a host name is then resolved
// once, inside the connection (the dispatcher's `lookup`), every address is checked, and the socket connects to those
// very addresses: there is no second resolution a rebinding DNS server could answer differently. The URL keeps its
// host name, so the Host header, TLS SNI and certificate checks are for that name. Redirects are not followed: the
// 3xx comes back as the answer (the SDK reports it as an error), so a public URL cannot bounce a call inward.
//
// undici's own fetch is used with its Agent (one version for both, whatever Node bundles and whatever Next.js does
// to the global fetch).

export interface OutboundFetchOptions {
  policy?: OutboundPolicy;
  /** how host names resolve; tests inject one */
  lookup?: OutboundLookup;
  /**
   * a fetch to send through instead of undici (tests and benchmarks inject one); the URL checks and the manual
   * redirects still apply, the address pinning cannot (that fetch makes its own connections)
   */
  transport?: typeof fetch;
}

export function createOutboundFetch(options: OutboundFetchOptions = {}): typeof fetch {
  const policy = () => options.policy ?? outboundPolicy();
  let agent: Agent | undefined;
  const send = async (url: string, init: RequestInit): Promise<Response> => {
    if (options.transport) return options.transport(url, init);
    agent ??= new Agent({ connect: { lookup: checkedLookup(policy(), options.lookup ?? systemLookup) } });
    // undici's fetch types are its own classes; at run time they are the same WHATWG shapes the SDK reads.
    const response = await undiciFetch(url, { ...(init as Parameters<typeof undiciFetch>[1]), dispatcher: agent });
    return response as unknown as Response;
  };
  return async (input, init = {}) => {
    const { url, requestInit } = splitRequest(input, init);
    const check = policy().checkUrl(url);
    if (!check.allowed) throw outboundRefusal(check);
    try {
      return await send(url, { ...requestInit, redirect: "manual" });
    } catch (error) {
      // fetch wraps what the lookup refused in "fetch failed"; the refusal itself is what the user needs to read.
      throw outboundRefusalIn(error) ?? error;
    }
  };
}

/** A `Request` input becomes its URL and init, so undici's fetch never receives another implementation's Request. */
function splitRequest(input: string | URL | Request, init: RequestInit): { url: string; requestInit: RequestInit } {
  if (typeof input === "string") return { url: input, requestInit: init };
  if (input instanceof URL) return { url: input.href, requestInit: init };
  const fromRequest: RequestInit & { duplex?: "half" } = {
    method: input.method,
    headers: input.headers,
    signal: input.signal,
    ...(input.body ? { body: input.body, duplex: "half" } : {}),
  };
  return { url: input.url, requestInit: { ...fromRequest, ...init } };
}

/** node:net's lookup for the dispatcher's sockets: resolve once, refuse the connection if any address is refused. */
export function checkedLookup(policy: OutboundPolicy, lookup: OutboundLookup): LookupFunction {
  return (hostname, lookupOptions, callback) => {
    lookup(hostname).then(
      (found) => {
        // Any refused address refuses the name: a name that mixes public and metadata addresses is not trusted
        // with a pick (and the connection could otherwise fall back to the refused one).
        for (const { address } of found) {
          const check = policy.checkAddress(hostname, address);
          if (!check.allowed) return callback(outboundRefusal(check), "", 0);
        }
        const family = lookupOptions.family === 4 || lookupOptions.family === "IPv4" ? 4 : lookupOptions.family === 6 || lookupOptions.family === "IPv6" ? 6 : 0;
        const usable = family === 0 ? found : found.filter((item) => item.family === family);
        const first = usable[0];
        if (!first) {
          const error = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND", hostname });
          return callback(error, "", 0);
        }
        if (lookupOptions.all) {
          // node:net asks for every address (to try them in turn); its callback then takes the list.
          const all = callback as unknown as (error: Error | null, addresses: { address: string; family: number }[]) => void;
          return all(null, usable.map((item) => ({ address: item.address, family: item.family })));
        }
        return callback(null, first.address, first.family);
      },
      (error: Error) => callback(error, "", 0),
    );
  };
}

let shared: typeof fetch | undefined;

/** The configured policy's fetch, one dispatcher (and so one connection pool) for the process. */
export function outboundFetch(): typeof fetch {
  shared ??= createOutboundFetch();
  return shared;
}
