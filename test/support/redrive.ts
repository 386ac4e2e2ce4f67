import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { Context } from "aws-lambda";
import type { EngineClients } from "../../functions/shared/engine/clients";
import { createKafkaHandler, engineOptionsFromEnv } from "../../functions/shared/engine/handler";
import { rejectedPartOf } from "../../functions/shared/engine/rejected-message";
import type { Consumer } from "../../functions/shared/engine/types";
import { templateFunction } from "../../local/function-env";
import type { RawKafkaRecord } from "../../local/kafka-event";
import type { RedriveEvent } from "../../local/ops/redrive";
import type { LocalStackResources } from "../../local/resources";
import { stackTemplate } from "./stack";

const context = { getRemainingTimeInMillis: () => 30_000 } as Context;

/** The environment the template gives the function of handler `entry`, resolved against `resources`. */
export function functionEnv(resources: LocalStackResources, entry: string): Record<string, string> {
  return { ...templateFunction(stackTemplate(), resources, entry).environment };
}

/** A consumer's handler as its handler.ts builds it (or a variant of it: a stricter schema), on `env`. */
export function consumerHandler<V, S, C>(
  consumer: Consumer<V, S, C>,
  config: C,
  env: Record<string, string>,
  clients?: EngineClients,
) {
  return createKafkaHandler(consumer, () => engineOptionsFromEnv(config, env), { clients });
}

/** The redrive's `invoke` for a handler run in this process. */
export const invokeHandler = (handler: ReturnType<typeof consumerHandler>) => async (event: RedriveEvent) =>
  handler(event as never, context);

/** Puts a format-2 rejected-record message for `record` on the queue, as the engine's writer does. */
export async function postRejected(
  queueUrl: string,
  consumer: string,
  record: RawKafkaRecord,
  reason: string,
  changes: { masked?: boolean; truncateValueAt?: number } = {},
): Promise<void> {
  const sqs = new SQSClient({});
  try {
    const value = record.value === null ? null : Buffer.from(record.value, "utf8");
    const body = {
      format: 2,
      consumer,
      topic: record.topic,
      partition: record.partition,
      offset: record.offset,
      timestamp: record.timestamp ?? 0,
      headers: { ...record.headers },
      reason,
      rejectedAt: new Date().toISOString(),
      key: rejectedPartOf(record.key === null ? null : Buffer.from(record.key, "utf8")),
      value: rejectedPartOf(value, changes.truncateValueAt),
      masked: changes.masked ?? false,
    };
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(body) }));
  } finally {
    sqs.destroy();
  }
}
