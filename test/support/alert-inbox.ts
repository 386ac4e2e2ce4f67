import { randomUUID } from "node:crypto";
import { SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";

const sqs = new SQSClient({});
const sns = new SNSClient({});

/** Drains every message currently in a queue, parsed as JSON. */
export async function drainQueue<T = Record<string, unknown>>(queueUrl: string): Promise<T[]> {
  const messages: T[] = [];
  for (;;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        MessageAttributeNames: ["All"],
      }),
    );
    if (Messages.length === 0) return messages;
    for (const message of Messages) messages.push(JSON.parse(message.Body ?? "null") as T);
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: Messages.map((m, i) => ({ Id: `m${i}`, ReceiptHandle: m.ReceiptHandle! })),
      }),
    );
  }
}

/** An SQS queue subscribed (raw delivery) to an alert topic: what a subscriber of the shop's alerts receives. */
export async function subscribeInbox(topicArn: string) {
  const { QueueUrl } = await sqs.send(
    new CreateQueueCommand({ QueueName: `inbox-${randomUUID().slice(0, 8)}` }),
  );
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }),
  );
  await sns.send(
    new SubscribeCommand({
      TopicArn: topicArn,
      Protocol: "sqs",
      Endpoint: Attributes!.QueueArn!,
      Attributes: { RawMessageDelivery: "true" },
    }),
  );
  return { queueUrl: QueueUrl!, drain: <T = Record<string, unknown>>() => drainQueue<T>(QueueUrl!) };
}
