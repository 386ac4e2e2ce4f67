import { describe, expect, it } from "vitest";
import { parseStreamingConfig, StreamingConfigError } from "../../lib/config";

const context = (values: Record<string, unknown>) => (key: string) => values[key];

describe("the streaming config", () => {
  it("applies defaults for stage and topic names", () => {
    const config = parseStreamingConfig(
      context({
        "theworldshop:kafka": {
          mode: "msk",
          clusterArn: "arn:aws:kafka:eu-west-1:123456789012:cluster/shop/abc",
        },
      }),
    );
    expect(config.stage).toBe("dev");
    expect(config.topics.fraudSignals).toBe("theworldshop.fraud-signals");
    expect(config.kafka).toMatchObject({ mode: "msk", auth: "iam" });
  });

  it("accepts JSON strings as given on the command line with -c", () => {
    const config = parseStreamingConfig(
      context({ "theworldshop:kafka": '{"mode":"self-managed","bootstrapServers":["k1:9092","k2:9092"]}' }),
    );
    expect(config.kafka).toEqual({ mode: "self-managed", bootstrapServers: ["k1:9092", "k2:9092"] });
  });

  it("names every bad setting in one error", () => {
    const parse = () =>
      parseStreamingConfig(
        context({ "theworldshop:kafka": { mode: "msk", clusterArn: "nope" }, "theworldshop:stage": "qa" }),
      );
    expect(parse).toThrow(StreamingConfigError);
    expect(parse).toThrow(/theworldshop:kafka\.clusterArn: must be an MSK cluster ARN/);
    expect(parse).toThrow(/theworldshop:stage/);
  });
});

describe("the ops dashboard settings", () => {
  const kafka = { mode: "msk", clusterArn: "arn:aws:kafka:eu-west-1:123456789012:cluster/shop/abc" };

  it("admit nobody by default", () => {
    const config = parseStreamingConfig(context({ "theworldshop:kafka": kafka }));
    expect(config.dashboard).toEqual({ allowedCidrs: [] });
  });

  it("take IPv4 and IPv6 networks and refuse what is not a CIDR", () => {
    const config = parseStreamingConfig(
      context({
        "theworldshop:kafka": kafka,
        "theworldshop:dashboard": { allowedCidrs: ["203.0.113.0/24", "2001:db8:abcd::/48"] },
      }),
    );
    expect(config.dashboard.allowedCidrs).toEqual(["203.0.113.0/24", "2001:db8:abcd::/48"]);
    expect(() =>
      parseStreamingConfig(
        context({ "theworldshop:kafka": kafka, "theworldshop:dashboard": { allowedCidrs: ["203.0.113.0"] } }),
      ),
    ).toThrow(/theworldshop:dashboard\.allowedCidrs\.0: must be an IPv4 or IPv6 CIDR/);
  });
});
