import { Tracer } from "@aws-lambda-powertools/tracer";
import { BatchGetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import type { Context } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createEngineClients } from "../../../functions/shared/engine/clients";
import { createKafkaHandler } from "../../../functions/shared/engine/handler";
import { buildKafkaEvent } from "../../../local/kafka-event";
import { quiet } from "../../support/quiet";
import { tallyConsumer } from "../../support/tally-consumer";

const XRAY_MIDDLEWARE = /^XRaySDKInstrumentation/;

/** A tracer built as in a Lambda function (AWS_EXECUTION_ENV set), or as anywhere else. */
function tracerIn(lambda: boolean, traceEnabled?: string): Tracer {
  vi.stubEnv("AWS_EXECUTION_ENV", lambda ? "AWS_Lambda_nodejs22.x" : "");
  if (traceEnabled !== undefined) vi.stubEnv("POWERTOOLS_TRACE_ENABLED", traceEnabled);
  return new Tracer({ serviceName: "tally" });
}

const middlewareOf = (client: { middlewareStack: { identify(): string[] } }) =>
  client.middlewareStack.identify().filter((name) => XRAY_MIDDLEWARE.test(name));

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe("the engine's AWS clients under X-Ray", () => {
  it("are captured, DynamoDB, SNS and SQS each, when tracing is on in Lambda", () => {
    const clients = createEngineClients({}, tracerIn(true));

    expect(middlewareOf(clients.dynamodb)).toHaveLength(1);
    expect(middlewareOf(clients.sns)).toHaveLength(1);
    expect(middlewareOf(clients.sqs)).toHaveLength(1);
  });

  it("are left as they are outside Lambda and when POWERTOOLS_TRACE_ENABLED is false", () => {
    for (const tracer of [tracerIn(false), tracerIn(true, "false")]) {
      const clients = createEngineClients({}, tracer);

      expect(middlewareOf(clients.dynamodb)).toStrictEqual([]);
      expect(middlewareOf(clients.sns)).toStrictEqual([]);
      expect(middlewareOf(clients.sqs)).toStrictEqual([]);
    }
  });
});

describe("the Kafka handler's trace", () => {
  it("is annotated with the consumer, the batch's topic-partitions and its size", async () => {
    const tracer = tracerIn(false);
    const annotations = vi.spyOn(tracer, "putAnnotation");
    const clients = createEngineClients({}, tracer);
    const dynamodb = mockClient(clients.dynamodb);
    dynamodb.on(BatchGetCommand).resolves({ Responses: { "tally-state": [] } });
    dynamodb.on(PutCommand).resolves({});
    const handler = createKafkaHandler(
      tallyConsumer,
      () => ({
        config: { step: 10 },
        tableName: "tally-state",
        alertTopicArn: "arn:aws:sns:us-east-1:000000000000:alerts",
        rejectedQueueUrl: "http://127.0.0.1/000000000000/rejected",
      }),
      { clients, tracer, ...quiet() },
    );
    const value = (account: string) => JSON.stringify({ eventId: `e-${account}`, account, amount: 1 });
    const event = buildKafkaEvent([
      { topic: "theworldshop.tally", partition: 0, offset: 5, key: "A", value: value("A") },
      { topic: "theworldshop.tally", partition: 0, offset: 6, key: "B", value: value("B") },
      { topic: "theworldshop.tally", partition: 3, offset: 1, key: "C", value: value("C") },
    ]);

    await handler(event, { getRemainingTimeInMillis: () => 10_000 } as Context);

    expect(Object.fromEntries(annotations.mock.calls)).toStrictEqual({
      consumer: tallyConsumer.name,
      topicPartitions: "theworldshop.tally-0,theworldshop.tally-3",
      batchSize: 3,
    });
  });
});
