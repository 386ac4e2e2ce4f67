import {
  ConditionalCheckFailedException,
  ProvisionedThroughputExceededException,
  TransactionCanceledException,
} from "@aws-sdk/client-dynamodb";
import { ThrottledException } from "@aws-sdk/client-sns";
import { KmsThrottled, RequestThrottled, SQSServiceException } from "@aws-sdk/client-sqs";
import { describe, expect, it } from "vitest";
import { isTransient } from "../../../functions/shared/engine/errors";

const $metadata = { httpStatusCode: 400 };

describe("which AWS errors the engine retries", () => {
  it("retries the throttling errors DynamoDB, SNS and SQS really return", () => {
    expect(isTransient(new ProvisionedThroughputExceededException({ message: "slow down", $metadata }))).toBe(
      true,
    );
    expect(isTransient(new ThrottledException({ message: "slow down", $metadata }))).toBe(true);
    expect(isTransient(new RequestThrottled({ message: "slow down", $metadata }))).toBe(true);
    expect(isTransient(new KmsThrottled({ message: "slow down", $metadata }))).toBe(true);
  });

  it.each(["TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded"])(
    "retries a transaction cancelled for %s, and not one cancelled for a failed condition",
    (code) => {
      const cancelled = (codes: string[]) =>
        new TransactionCanceledException({
          message: "Transaction cancelled",
          $metadata,
          CancellationReasons: codes.map((Code) => ({ Code })),
        });
      expect(isTransient(cancelled(["None", code]))).toBe(true);
      expect(isTransient(cancelled(["None", "ConditionalCheckFailed"]))).toBe(false);
    },
  );

  it("retries an error the SDK marks retryable, whatever its name", () => {
    const error = new SQSServiceException({ name: "SomethingNew", $fault: "client", $metadata });
    Object.assign(error, { $retryable: { throttling: true } });

    expect(isTransient(error)).toBe(true);
  });

  it("retries 5xx responses and does not retry other client errors or non-AWS errors", () => {
    const server = new SQSServiceException({
      name: "InternalError",
      $fault: "server",
      $metadata: { httpStatusCode: 500 },
    });
    expect(isTransient(server)).toBe(true);
    expect(isTransient(new ConditionalCheckFailedException({ message: "changed", $metadata }))).toBe(false);
    expect(
      isTransient(new SQSServiceException({ name: "InvalidParameterValue", $fault: "client", $metadata })),
    ).toBe(false);
    expect(isTransient(new TypeError("bug"))).toBe(false);
  });
});
