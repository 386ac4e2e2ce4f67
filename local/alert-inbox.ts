import { type SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  type Message,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { drainQueue, receiveAll, receiveSome } from "./queues";
import type { LocalStackResources } from "./resources";

/** An alert as a subscriber of the alert topic receives it (the SNS message body). */
export interface ReceivedAlert {
  readonly alertId: string;
  readonly alertType: string;
  readonly severity?: string;
  readonly subjectId: string;
  readonly eventTime: string;
  readonly message: string;
  readonly details?: Record<string, unknown>;
}

export interface AlertInbox {
  readonly queueUrl: string;
  /** Receives (and deletes) what is in the queue, waiting up to `waitSeconds` for a first alert. */
  receive(waitSeconds?: number): Promise<ReceivedAlert[]>;
  /** Receives (and deletes) up to 10 alerts, waiting up to `waitSeconds` for a first one: for a subscriber that acts as they come. */
  receiveSome(waitSeconds?: number): Promise<ReceivedAlert[]>;
  /** Everything delivered so far: receives until the queue stays empty for a second. */
  drain(): Promise<ReceivedAlert[]>;
}

/**
 * An SQS queue subscribed (raw delivery) to every SNS topic of the local stack: what a subscriber of the
 * shop's alerts receives.
 */
export async function subscribeAlertInbox(
  resources: LocalStackResources,
  clients: { readonly sns: SNSClient; readonly sqs: SQSClient },
  name = "alert-inbox",
): Promise<AlertInbox> {
  const { sqs, sns } = clients;
  const created = await sqs.send(
    new CreateQueueCommand({ QueueName: `${resources.prefix}-${name}`.slice(0, 80) }),
  );
  const queueUrl = created.QueueUrl!;
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["QueueArn"] }),
  );
  for (const resource of resources.byLogicalId.values()) {
    if (resource.type !== "AWS::SNS::Topic") continue;
    await sns.send(
      new SubscribeCommand({
        TopicArn: resource.ref,
        Protocol: "sqs",
        Endpoint: Attributes?.QueueArn,
        Attributes: { RawMessageDelivery: "true" },
      }),
    );
  }
  return {
    queueUrl,
    receive: async (waitSeconds = 0) => (await receiveAll(sqs, queueUrl, waitSeconds)).map(alertOf),
    receiveSome: async (waitSeconds = 0) => (await receiveSome(sqs, queueUrl, waitSeconds)).map(alertOf),
    drain: async () => (await drainQueue(sqs, queueUrl)).map(alertOf),
  };
}

function alertOf(message: Message): ReceivedAlert {
  const body = JSON.parse(message.Body ?? "null") as Record<string, unknown> | null;
  // Without raw delivery the alert is the `Message` of an SNS envelope.
  if (body?.Type === "Notification" && typeof body.Message === "string") {
    return JSON.parse(body.Message) as ReceivedAlert;
  }
  return body as unknown as ReceivedAlert;
}
