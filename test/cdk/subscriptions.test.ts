import { Match, Template } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import { SOURCES, streamingStack } from "./fixtures/stacks";

const QUEUE_ARN = "arn:aws:sqs:eu-west-1:123456789012:storefront-alerts";
const FUNCTION_ARN = "arn:aws:lambda:eu-west-1:123456789012:function:page-the-fraud-team";

function synth(alertSubscriptions: unknown[], opsSubscriptions: unknown[] = []): Template {
  return Template.fromStack(
    streamingStack({
      "theworldshop:kafka": SOURCES.selfManaged,
      "theworldshop:alertSubscriptions": alertSubscriptions,
      "theworldshop:opsSubscriptions": opsSubscriptions,
    }),
  );
}

const alertTopic = { Ref: Match.stringLikeRegexp("^Alerts") };

describe("alert subscriptions", () => {
  it("subscribes email, SMS and HTTPS endpoints with their filter on alertType and severity", () => {
    const template = synth([
      {
        protocol: "email",
        endpoint: "stock@theworldshop.example",
        filter: { alertType: ["LOW_STOCK", "OUT_OF_STOCK"] },
      },
      { protocol: "sms", endpoint: "+4915112345678", filter: { severity: ["critical"] } },
      { protocol: "https", endpoint: "https://hooks.theworldshop.example/alerts" },
    ]);

    template.hasResourceProperties("AWS::SNS::Subscription", {
      TopicArn: alertTopic,
      Protocol: "email",
      Endpoint: "stock@theworldshop.example",
      FilterPolicy: { alertType: ["LOW_STOCK", "OUT_OF_STOCK"] },
    });
    template.hasResourceProperties("AWS::SNS::Subscription", {
      TopicArn: alertTopic,
      Protocol: "sms",
      Endpoint: "+4915112345678",
      FilterPolicy: { severity: ["critical"] },
    });
    template.hasResourceProperties("AWS::SNS::Subscription", {
      TopicArn: alertTopic,
      Protocol: "https",
      Endpoint: "https://hooks.theworldshop.example/alerts",
      FilterPolicy: Match.absent(),
    });
  });

  it("subscribes an SQS queue (raw delivery) and a Lambda function, which the topic may then invoke", () => {
    const template = synth([
      {
        protocol: "sqs",
        endpoint: QUEUE_ARN,
        rawMessageDelivery: true,
        filter: { alertType: ["BACK_IN_STOCK"] },
      },
      {
        protocol: "lambda",
        endpoint: FUNCTION_ARN,
        filter: { alertType: ["CARD_VELOCITY"], severity: ["critical"] },
      },
    ]);

    template.hasResourceProperties("AWS::SNS::Subscription", {
      TopicArn: alertTopic,
      Protocol: "sqs",
      Endpoint: QUEUE_ARN,
      RawMessageDelivery: true,
      FilterPolicy: { alertType: ["BACK_IN_STOCK"] },
    });
    template.hasResourceProperties("AWS::SNS::Subscription", {
      TopicArn: alertTopic,
      Protocol: "lambda",
      Endpoint: FUNCTION_ARN,
      FilterPolicy: { alertType: ["CARD_VELOCITY"], severity: ["critical"] },
    });
    template.hasResourceProperties("AWS::Lambda::Permission", {
      Action: "lambda:InvokeFunction",
      FunctionName: FUNCTION_ARN,
      Principal: "sns.amazonaws.com",
      SourceArn: alertTopic,
    });
  });

  it("subscribes the ops endpoints to the alarms topic, not to the alerts", () => {
    const template = synth([], [{ protocol: "email", endpoint: "oncall@theworldshop.example" }]);

    template.hasResourceProperties("AWS::SNS::Subscription", {
      TopicArn: { Ref: Match.stringLikeRegexp("^MonitoringOpsTopic") },
      Protocol: "email",
      Endpoint: "oncall@theworldshop.example",
    });
    // The stack's own subscribers (the alert log's Lambda) aside, the one endpoint is subscribed once.
    const endpoints = template.findResources("AWS::SNS::Subscription", { Properties: { Protocol: "email" } });
    expect(Object.keys(endpoints)).toHaveLength(1);
  });

  it("refuses one endpoint subscribed twice", () => {
    const twice = { protocol: "email", endpoint: "stock@theworldshop.example" };
    expect(() => synth([twice, { ...twice, filter: { severity: ["warning"] } }])).toThrow(
      /email:stock@theworldshop.example is subscribed twice/,
    );
  });
});
