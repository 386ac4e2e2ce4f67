import { randomUUID } from "node:crypto";
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SendMessageBatchCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { describe, expect, it } from "vitest";
import type { ReceivedAlert } from "../../local/alert-inbox";
import { relayAlerts } from "../../local/local-stack";
import { receiveSome } from "../../local/queues";

const sqs = new SQSClient({});

describe("the console's alert relay (npm start)", () => {
  it("hands alerts on as they come, not once the queue is empty", async () => {
    const { QueueUrl } = await sqs.send(
      new CreateQueueCommand({ QueueName: `relay-${randomUUID().slice(0, 8)}` }),
    );
    // A queue that stays full while the relay runs: 100 alerts waiting, as during a spike.
    for (let batch = 0; batch < 10; batch++)
      await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl,
          Entries: Array.from({ length: 10 }, (_, i) => ({
            Id: `a${i}`,
            MessageBody: JSON.stringify({ alertId: `relay-${batch * 10 + i}` }),
          })),
        }),
      );
    const handedOn: ReceivedAlert[] = [];
    let stopped: Promise<void> | undefined;
    const stop = relayAlerts(
      {
        receiveSome: async (wait) =>
          (await receiveSome(sqs, QueueUrl!, wait)).map((m) => JSON.parse(m.Body!)),
      },
      {
        onAlert: (alert) => {
          handedOn.push(alert);
          // Stopped at the first alert: what the relay has handed on by then is what it had received.
          stopped ??= stop();
        },
      },
    );

    await expect.poll(() => handedOn.length, { timeout: 10_000 }).toBeGreaterThan(0);
    await stopped;

    // One receive's worth, with the rest still waiting in the queue.
    expect(handedOn.length).toBeGreaterThan(0);
    expect(handedOn.length).toBeLessThanOrEqual(10);
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["ApproximateNumberOfMessages"] }),
    );
    expect(Number(Attributes?.ApproximateNumberOfMessages)).toBe(100 - handedOn.length);
  });
});
