import { randomUUID } from "node:crypto";
import { SubscribeCommand, UnsubscribeCommand } from "@aws-sdk/client-sns";
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
} from "@aws-sdk/client-sqs";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { SNSEvent, SNSEventRecord } from "aws-lambda";
import { ALERT_LOG_TABLE_ENV } from "../functions/alert-log/alert-log";
import { createAlertLogSubscriber } from "../functions/alert-log/subscriber";
import { templateFunction } from "./function-env";
import { awsClients, type LocalStackResources } from "./resources";
import type { ServiceEndpoints } from "./services/endpoints";
import { type CfnTemplate, resourcesOfType } from "./template";

export const ALERT_LOG_ENTRY = "functions/alert-log/handler.ts";

export interface AlertLogFeedOptions {
  readonly template: CfnTemplate;
  readonly resources: LocalStackResources;
  readonly endpoints: ServiceEndpoints;
  readonly onError?: (error: unknown) => void;
}

export interface AlertLogFeed {
  /** Resolves the next time the feed finds its queue empty: every alert published before the call is logged. */
  drained(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The template's SNS → Lambda subscription of the alert log, run locally: the emulator has no Lambda
 * endpoints, so a queue subscribed to the same topic receives the SNS envelopes and the subscriber's
 * handler is invoked in process with the SNS event Lambda would get.
 */
export async function startAlertLogFeed(options: AlertLogFeedOptions): Promise<AlertLogFeed> {
  const { template, resources } = options;
  const subscriber = templateFunction(template, resources, ALERT_LOG_ENTRY);
  const topicArn = subscribedTopic(template, resources, subscriber.logicalId);
  const clients = awsClients(options.endpoints);
  const handle = createAlertLogSubscriber({
    tableName: subscriber.environment[ALERT_LOG_TABLE_ENV]!,
    dynamodb: DynamoDBDocumentClient.from(clients.dynamodb),
  });
  const { QueueUrl: queueUrl } = await clients.sqs.send(
    new CreateQueueCommand({ QueueName: `${resources.prefix}-alert-log-feed-${randomUUID().slice(0, 8)}` }),
  );
  const { Attributes } = await clients.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["QueueArn"] }),
  );
  const { SubscriptionArn: subscriptionArn } = await clients.sns.send(
    new SubscribeCommand({
      TopicArn: topicArn,
      Protocol: "sqs",
      Endpoint: Attributes!.QueueArn!,
      ReturnSubscriptionArn: true,
    }),
  );
  let running = true;
  const waiters: Array<() => void> = [];
  const loop = (async () => {
    while (running) {
      try {
        const { Messages = [] } = await clients.sqs.send(
          new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
        );
        if (Messages.length === 0) {
          for (const resolve of waiters.splice(0)) resolve();
          continue;
        }
        await handle(snsEvent(Messages, subscriptionArn ?? topicArn));
        await clients.sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: Messages.map((message, i) => ({ Id: `m${i}`, ReceiptHandle: message.ReceiptHandle! })),
          }),
        );
      } catch (error) {
        // Left in the queue, as Lambda's async retries would: tried again after the visibility timeout.
        if (running) options.onError?.(error);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  })();
  return {
    drained: () => new Promise<void>((resolve) => waiters.push(resolve)),
    async stop() {
      running = false;
      await loop;
      for (const resolve of waiters.splice(0)) resolve();
      await clients.sns.send(new UnsubscribeCommand({ SubscriptionArn: subscriptionArn })).catch(() => {});
      await clients.sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl })).catch(() => {});
      clients.dynamodb.destroy();
      clients.sns.destroy();
      clients.sqs.destroy();
    },
  };
}

/** The topic the function `functionLogicalId` is subscribed to (a `lambda` subscription of the template). */
function subscribedTopic(
  template: CfnTemplate,
  resources: Pick<LocalStackResources, "resolve">,
  functionLogicalId: string,
): string {
  for (const [, resource] of resourcesOfType(template, "AWS::SNS::Subscription")) {
    const props = resource.Properties ?? {};
    const endpoint = props.Endpoint as { "Fn::GetAtt"?: [string, string] } | undefined;
    if (props.Protocol === "lambda" && endpoint?.["Fn::GetAtt"]?.[0] === functionLogicalId)
      return String(resources.resolve(props.TopicArn));
  }
  throw new Error(`no SNS subscription of the template invokes ${functionLogicalId}`);
}

function snsEvent(messages: readonly Message[], subscriptionArn: string): SNSEvent {
  return {
    Records: messages.map((message): SNSEventRecord => {
      const envelope = JSON.parse(message.Body ?? "{}") as Record<string, unknown>;
      return {
        EventSource: "aws:sns",
        EventVersion: "1.0",
        EventSubscriptionArn: subscriptionArn,
        Sns: {
          Type: "Notification",
          MessageId: String(envelope.MessageId ?? message.MessageId),
          TopicArn: String(envelope.TopicArn ?? ""),
          Subject: (envelope.Subject as string | undefined) ?? "",
          Message: String(envelope.Message ?? ""),
          Timestamp: String(envelope.Timestamp ?? new Date().toISOString()),
          SignatureVersion: "1",
          Signature: "",
          SigningCertUrl: "",
          UnsubscribeUrl: "",
          MessageAttributes: (envelope.MessageAttributes as SNSEventRecord["Sns"]["MessageAttributes"]) ?? {},
        },
      };
    }),
  };
}
