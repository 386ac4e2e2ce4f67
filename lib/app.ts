import type { App } from "aws-cdk-lib";
import { parseStreamingConfig } from "./config";
import { EmulatorSynthesizer } from "./emulator/synthesizer";
import { StreamingStack } from "./streaming-stack";

export const STACK_NAME = "TheWorldShopStreaming";

/** Reads the typed config from context and adds the streaming stack to `app`. */
export function buildStreamingApp(app: App): StreamingStack {
  const config = parseStreamingConfig(
    (key) => app.node.tryGetContext(key),
    process.env,
    Object.keys(app.node.getAllContext()),
  );
  return new StreamingStack(app, STACK_NAME, {
    config,
    synthesizer: config.emulator ? new EmulatorSynthesizer(config.emulator) : undefined,
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
    description:
      "TheWorldShop stream processing: Kafka topics to Lambda consumers, DynamoDB state, SNS alerts",
  });
}
