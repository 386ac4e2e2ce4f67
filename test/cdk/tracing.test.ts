import { Template } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import { HANDLER_METADATA } from "../../lib/constructs/kafka-consumer";
import { SOURCES, streamingStack } from "./fixtures/stacks";

describe("tracing", () => {
  it("is active on every function of the stack, whose handlers capture their AWS clients (functions/shared/tracing.ts)", () => {
    const template = Template.fromStack(streamingStack({ "theworldshop:kafka": SOURCES.selfManaged }));
    const functions = Object.values(template.findResources("AWS::Lambda::Function")).filter(
      (fn) => fn.Metadata?.[HANDLER_METADATA],
    );

    expect(functions.length).toBeGreaterThanOrEqual(10);
    for (const fn of functions) expect(fn.Properties.TracingConfig).toStrictEqual({ Mode: "Active" });
  });
});
