import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";

/** Receives and deletes what a queue holds now, waiting up to `waitSeconds` for a first message. */
export async function receiveAll(sqs: SQSClient, queueUrl: string, waitSeconds = 0): Promise<Message[]> {
  const received: Message[] = [];
  let wait = waitSeconds;
  for (;;) {
    const messages = await receiveSome(sqs, queueUrl, wait);
    if (messages.length === 0) return received;
    wait = 0;
    received.push(...messages);
  }
}

/**
 * One ReceiveMessage call: up to 10 messages, deleted, waiting up to `waitSeconds` for a first one. What a
 * subscriber that acts on each message as it comes uses: `receiveAll` returns only once a queue is empty, which
 * under steady traffic is never.
 */
export async function receiveSome(sqs: SQSClient, queueUrl: string, waitSeconds = 0): Promise<Message[]> {
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: waitSeconds }),
  );
  if (Messages.length === 0) return [];
  await sqs.send(
    new DeleteMessageBatchCommand({
      QueueUrl: queueUrl,
      Entries: Messages.map((message, index) => ({ Id: `m${index}`, ReceiptHandle: message.ReceiptHandle! })),
    }),
  );
  return Messages;
}

/** Every message delivered to a queue so far: receives until the queue stays empty for a second. */
export async function drainQueue(sqs: SQSClient, queueUrl: string): Promise<Message[]> {
  const drained = await receiveAll(sqs, queueUrl);
  for (;;) {
    const more = await receiveAll(sqs, queueUrl, 1);
    if (more.length === 0) return drained;
    drained.push(...more);
  }
}
