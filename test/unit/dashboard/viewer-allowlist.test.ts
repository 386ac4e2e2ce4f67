import { describe, expect, it } from "vitest";
import { viewerAllowlistCode } from "../../../lib/constructs/viewer-allowlist";

/** Runs the generated CloudFront Function for a viewer IP: "allowed" when it passes the request on. */
function verdict(cidrs: readonly string[], ip: string): "allowed" | number {
  const handler = new Function(`${viewerAllowlistCode(cidrs)}; return handler;`)() as (event: unknown) => {
    statusCode?: number;
    uri?: string;
  };
  const result = handler({ viewer: { ip }, request: { uri: "/index.html" } });
  return result.statusCode ?? "allowed";
}

describe("the dashboard's viewer allowlist (CloudFront Function)", () => {
  it("lets nobody in when no networks are configured", () => {
    expect(verdict([], "203.0.113.7")).toBe(403);
    expect(verdict([], "2001:db8::1")).toBe(403);
  });

  it("admits IPv4 viewers inside a configured network and no others", () => {
    const cidrs = ["203.0.113.0/24", "198.51.100.17/32"];
    expect(verdict(cidrs, "203.0.113.0")).toBe("allowed");
    expect(verdict(cidrs, "203.0.113.255")).toBe("allowed");
    expect(verdict(cidrs, "198.51.100.17")).toBe("allowed");
    expect(verdict(cidrs, "198.51.100.18")).toBe(403);
    expect(verdict(cidrs, "203.0.114.1")).toBe(403);
  });

  it("matches prefixes that do not fall on an octet boundary", () => {
    expect(verdict(["10.16.0.0/12"], "10.31.255.255")).toBe("allowed");
    expect(verdict(["10.16.0.0/12"], "10.32.0.0")).toBe(403);
    expect(verdict(["0.0.0.0/0"], "192.0.2.1")).toBe("allowed");
  });

  it("admits IPv6 viewers inside a configured network, shortened or not", () => {
    const cidrs = ["2001:db8:abcd::/48"];
    expect(verdict(cidrs, "2001:db8:abcd:12::1")).toBe("allowed");
    expect(verdict(cidrs, "2001:0db8:abcd:0000:0000:0000:0000:0001")).toBe("allowed");
    expect(verdict(cidrs, "2001:db8:abce::1")).toBe(403);
    expect(verdict(cidrs, "203.0.113.7")).toBe(403);
  });

  it("refuses what is not an address", () => {
    expect(verdict(["203.0.113.0/24"], "not-an-ip")).toBe(403);
    expect(verdict(["2001:db8::/32"], "2001:db8::1::2")).toBe(403);
  });
});
