import { describe, expect, it } from "vitest";
import { envVariableOf, parseStreamingConfig, StreamingConfigError } from "../../lib/config";

const context = (values: Record<string, unknown>) => (key: string) => values[key];
const msk = { mode: "msk", clusterArn: "arn:aws:kafka:eu-west-1:123456789012:cluster/shop/abc" };
const noEnv = {};

describe("the streaming config", () => {
  it("applies defaults for stage and topic names", () => {
    const config = parseStreamingConfig(context({ "theworldshop:kafka": msk }), noEnv);
    expect(config.stage).toBe("dev");
    expect(config.topics.fraudSignals).toBe("theworldshop.fraud-signals");
    expect(config.kafka).toMatchObject({ mode: "msk", auth: "iam" });
  });

  it("accepts JSON strings as given on the command line with -c", () => {
    const config = parseStreamingConfig(
      context({ "theworldshop:kafka": '{"mode":"self-managed","bootstrapServers":["k1:9092","k2:9092"]}' }),
      noEnv,
    );
    expect(config.kafka).toEqual({
      mode: "self-managed",
      bootstrapServers: ["k1:9092", "k2:9092"],
      auth: "sasl-scram-512",
    });
  });

  it("names every bad setting in one error", () => {
    const parse = () =>
      parseStreamingConfig(
        context({ "theworldshop:kafka": { mode: "msk", clusterArn: "nope" }, "theworldshop:stage": "qa" }),
        noEnv,
      );
    expect(parse).toThrow(StreamingConfigError);
    expect(parse).toThrow(/theworldshop:kafka\.clusterArn: must be an MSK cluster ARN/);
    expect(parse).toThrow(/theworldshop:stage/);
  });

  it("gives the rules' thresholds by default, typed per consumer", () => {
    const config = parseStreamingConfig(context({ "theworldshop:kafka": msk }), noEnv);
    expect(config.inventory.lowStockThreshold).toBe(10);
    expect(config.cardVelocity).toEqual({ maxTransactions: 5, windowSeconds: 60 });
    expect(config.sessions).toEqual({ gapMinutes: 30 });
  });

  it("bounds how far an eventTime may lie ahead, 60 minutes by default, and names the setting when it is bad", () => {
    expect(parseStreamingConfig(context({ "theworldshop:kafka": msk }), noEnv).engine).toEqual({
      maxEventTimeAheadMinutes: 60,
    });
    const set = (engine: unknown) =>
      parseStreamingConfig(context({ "theworldshop:kafka": msk, "theworldshop:engine": engine }), noEnv);
    expect(set('{"maxEventTimeAheadMinutes":5}').engine.maxEventTimeAheadMinutes).toBe(5);
    expect(() => set({ maxEventTimeAheadMinutes: 0 })).toThrow(
      /theworldshop:engine\.maxEventTimeAheadMinutes: /,
    );
    expect(() => set({ maxEventTimeAheadMinutes: 1.5 })).toThrow(
      /theworldshop:engine\.maxEventTimeAheadMinutes: /,
    );
    expect(() => set({ maxEventTimeAhead: 5 })).toThrow(
      /theworldshop:engine\.maxEventTimeAhead: is no setting/,
    );
  });

  it("takes one consumer's batching from theworldshop:consumers and leaves the others to the consumers", () => {
    const config = parseStreamingConfig(
      context({
        "theworldshop:kafka": msk,
        "theworldshop:consumers": { orders: { batchSize: 1000, maxBatchingWindowSeconds: 5 } },
      }),
      noEnv,
    );
    expect(config.consumers.orders).toEqual({ batchSize: 1000, maxBatchingWindowSeconds: 5 });
    expect(config.consumers.inventory).toEqual({});
  });

  it("takes subscriptions of every protocol, each with an optional filter on alertType and severity", () => {
    const alertSubscriptions = [
      { protocol: "email", endpoint: "stock@theworldshop.example", filter: { alertType: ["LOW_STOCK"] } },
      { protocol: "sms", endpoint: "+4915112345678", filter: { severity: ["critical"] } },
      { protocol: "https", endpoint: "https://hooks.theworldshop.example/alerts" },
      { protocol: "sqs", endpoint: "arn:aws:sqs:eu-west-1:123456789012:alerts" },
      { protocol: "lambda", endpoint: "arn:aws:lambda:eu-west-1:123456789012:function:pager:live" },
    ];
    const config = parseStreamingConfig(
      context({ "theworldshop:kafka": msk, "theworldshop:alertSubscriptions": alertSubscriptions }),
      noEnv,
    );
    expect(config.alertSubscriptions.map((s) => s.protocol)).toEqual([
      "email",
      "sms",
      "https",
      "sqs",
      "lambda",
    ]);
    expect(config.alertSubscriptions[3]).toEqual({ ...alertSubscriptions[3], rawMessageDelivery: false });
    expect(config.opsSubscriptions).toEqual([]);
  });

  it.each([
    [
      { "theworldshop:kafka": { ...msk, auth: "sasl-scram" } },
      /theworldshop:kafka\.secretArn: is required when auth is sasl-scram/,
    ],
    [
      {
        "theworldshop:kafka": { ...msk, secretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:x" },
      },
      /theworldshop:kafka\.secretArn: must be a Secrets Manager secret's complete ARN/,
    ],
    [{ "theworldshop:kafka": { mode: "kinesis" } }, /theworldshop:kafka/],
    [
      { "theworldshop:consumers": { sessions: { minimumPollers: 4, maximumPollers: 2 } } },
      /theworldshop:consumers\.sessions\.maximumPollers: must be at least minimumPollers/,
    ],
    [
      { "theworldshop:consumers": { cardVelocity: { keysPerWrite: 101 } } },
      /theworldshop:consumers\.cardVelocity\.keysPerWrite: .*100/,
    ],
    [
      { "theworldshop:consumers": { sessions: { keyConcurrency: 0 } } },
      /theworldshop:consumers\.sessions\.keyConcurrency: .*1/,
    ],
    [{ "theworldshop:cardVelocity": { maxTransactions: 0 } }, /theworldshop:cardVelocity\.maxTransactions/],
    [
      { "theworldshop:alertSubscriptions": [{ protocol: "pager", endpoint: "x" }] },
      /theworldshop:alertSubscriptions\.0\.protocol: protocol must be one of/,
    ],
    [
      { "theworldshop:alertSubscriptions": [{ protocol: "https", endpoint: "http://plain.example" }] },
      /theworldshop:alertSubscriptions\.0\.endpoint: must be an https:\/\/ URL/,
    ],
    [
      { "theworldshop:alertSubscriptions": [{ protocol: "email", endpoint: "a@b.example", filter: {} }] },
      /theworldshop:alertSubscriptions\.0\.filter: needs alertType or severity/,
    ],
    [
      {
        "theworldshop:alertSubscriptions": [
          { protocol: "email", endpoint: "a@b.example", filter: { severity: ["urgent"] } },
        ],
      },
      /theworldshop:alertSubscriptions\.0\.filter\.severity\.0/,
    ],
    [
      {
        "theworldshop:opsSubscriptions": [
          { protocol: "email", endpoint: "a@b.example", filter: { severity: ["critical"] } },
        ],
      },
      /theworldshop:opsSubscriptions\.0\.filter: ops subscriptions take no filter/,
    ],
    [{ "theworldshop:alarms": { outboxAgeSeconds: 10 } }, /theworldshop:alarms\.outboxAgeSeconds/],
  ])("refuses %o naming the setting", (values, message) => {
    expect(() => parseStreamingConfig(context({ "theworldshop:kafka": msk, ...values }), noEnv)).toThrow(
      message,
    );
  });

  it("refuses a misspelt setting instead of deploying its default", () => {
    const values = {
      "theworldshop:kafka": msk,
      "theworldshop:consumer": { orders: { batchSize: 10 } },
      "theworldshop:sessions": { gapMinuts: 45 },
    };
    const parse = () => parseStreamingConfig(context(values), noEnv, Object.keys(values));
    expect(parse).toThrow(/theworldshop:consumer: is no setting/);
    expect(parse).toThrow(/theworldshop:sessions\.gapMinuts: is no setting/);
  });

  it("lets THEWORLDSHOP_* environment variables override the context, and names them in errors", () => {
    const fromEnv = parseStreamingConfig(
      context({
        "theworldshop:kafka": msk,
        "theworldshop:stage": "dev",
        // prod needs the dashboard on a custom domain (TLS 1.2).
        "theworldshop:dashboard": {
          domain: {
            name: "ops.theworldshop.example",
            certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c",
          },
        },
      }),
      {
        THEWORLDSHOP_STAGE: "prod",
        THEWORLDSHOP_ALERT_SUBSCRIPTIONS: '[{"protocol":"email","endpoint":"stock@theworldshop.example"}]',
      },
    );
    expect(fromEnv.stage).toBe("prod");
    expect(fromEnv.alertSubscriptions).toHaveLength(1);
    expect(envVariableOf("alertSubscriptions")).toBe("THEWORLDSHOP_ALERT_SUBSCRIPTIONS");

    expect(() => parseStreamingConfig(context({}), { THEWORLDSHOP_KAFKA: '{"mode":"msk"}' })).toThrow(
      /theworldshop:kafka\.clusterArn \(from THEWORLDSHOP_KAFKA\): is required/,
    );
    expect(() => parseStreamingConfig(context({}), { THEWORLDSHOP_KAFKA: "{not json" })).toThrow(
      /theworldshop:kafka \(from THEWORLDSHOP_KAFKA\): is not valid JSON/,
    );
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
