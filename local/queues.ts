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
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: wait }),
    );
    if (Messages.length === 0) return received;
    wait = 0;
    received.push(...Messages);
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: Messages.map((message, index) => ({
          Id: `m${index}`,
          ReceiptHandle: message.ReceiptHandle!,
        })),
      }),
    );
  }
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
