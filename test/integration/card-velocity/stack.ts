import type { APIGatewayProxyEventV2, Context } from "aws-lambda";
import { expect } from "vitest";
import { cardVelocityConfigFromEnv } from "../../../functions/card-velocity/config";
import { cardVelocityConsumer } from "../../../functions/card-velocity/consumer";
import type { FraudSignal } from "../../../functions/card-velocity/schema";
import { createKafkaHandler, engineOptionsFromEnv } from "../../../functions/shared/engine/handler";
import type { Alert } from "../../../functions/shared/engine/types";
import { HANDLER_METADATA } from "../../../lib/constructs/kafka-consumer";
import { buildKafkaEvent, type RawKafkaRecord } from "../../../local/kafka-event";
import type { LocalStackResources } from "../../../local/resources";
import { resourcesOfType } from "../../../local/template";
import getDecision from "../../events/function-url-get-decision.json";
import { subscribeInbox } from "../../support/alert-inbox";
import { createTestStack, stackTemplate } from "../../support/stack";

export const FRAUD_SIGNALS = "theworldshop.fraud-signals";
const CONSUMER_ENTRY = "functions/card-velocity/handler.ts";

/** The environment the template gives the function whose handler is `entry`, resolved to the local stack. */
export function functionEnvironment(stack: LocalStackResources, entry: string): Record<string, string> {
  const found = resourcesOfType(stackTemplate(), "AWS::Lambda::Function").find(
    ([, resource]) =>
      (resource.Metadata?.[HANDLER_METADATA] as { entry?: string } | undefined)?.entry === entry,
  );
  if (!found) throw new Error(`no function in the template runs ${entry}`);
  const environment = found[1].Properties?.Environment as { Variables?: Record<string, unknown> } | undefined;
  return stack.resolve(environment?.Variables ?? {}) as Record<string, string>;
}

/** A fraud-signals record keyed by its card fingerprint (or `key`). */
export function fraudSignalRecord(
  partition: number,
  offset: number,
  value: FraudSignal,
  key: string = value.cardFingerprint,
): RawKafkaRecord {
  const timestamp = Date.parse(value.eventTime);
  return { topic: FRAUD_SIGNALS, partition, offset, key, value: JSON.stringify(value), timestamp };
}

const context = { getRemainingTimeInMillis: () => 60_000 } as Context;

/**
 * A private copy of the stack with the card velocity consumer on the engine, configured through the
 * environment the template gives its function, and a queue subscribed to the alert topic.
 */
export async function cardVelocityStack(name: string) {
  const stack = await createTestStack(name);
  const environment = functionEnvironment(stack, CONSUMER_ENTRY);
  const options = engineOptionsFromEnv(cardVelocityConfigFromEnv(environment), environment);
  const handler = createKafkaHandler(cardVelocityConsumer, () => options);
  const inbox = await subscribeInbox(environment.ALERT_TOPIC_ARN!);
  return {
    stack,
    environment,
    /** Invokes the handler as the event source mapping would with these records, expecting no failures. */
    async deliver(records: readonly RawKafkaRecord[]) {
      expect(await handler(buildKafkaEvent(records), context)).toEqual({ batchItemFailures: [] });
    },
    /** The alerts published since the last call, by alertId. */
    async alerts() {
      return (await inbox.drain<Alert>()).sort((a, b) => a.alertId.localeCompare(b.alertId));
    },
  };
}

/** A Function URL request as Lambda hands it to the handler. */
export function functionUrlEvent(method: string, rawPath: string): APIGatewayProxyEventV2 {
  const event = structuredClone(getDecision) as unknown as APIGatewayProxyEventV2;
  const http = { ...event.requestContext.http, method, path: rawPath };
  return { ...event, rawPath, requestContext: { ...event.requestContext, http } };
}
