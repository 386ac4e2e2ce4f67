import { describe, expect, it } from "vitest";
import { type DeliveryContext, FaultInjector, FaultSpecError, parseFaults } from "../../../local/faults";

const context = (sequence: number, lastAttempt = false): DeliveryContext => ({
  stream: "theworldshop-inventory/theworldshop.inventory-0",
  sequence,
  attempt: 0,
  lastAttempt,
});
const write = {
  service: "DynamoDB",
  command: "TransactWriteItemsCommand",
  input: { TableName: "T", pk: "P-1" },
};

describe("--faults", () => {
  it("parses kind=probability pairs; a kind left out is 0", () => {
    expect(parseFaults("redeliver=0.2,crash=0.1,throttle=0.1,snsfail=0.05")).toEqual({
      redeliver: 0.2,
      crash: 0.1,
      throttle: 0.1,
      snsfail: 0.05,
    });
    expect(parseFaults("crash=0.3")).toEqual({ redeliver: 0, crash: 0.3, throttle: 0, snsfail: 0 });
    expect(parseFaults("")).toEqual({ redeliver: 0, crash: 0, throttle: 0, snsfail: 0 });
  });

  it.each(["explode=0.1", "crash", "crash=1", "crash=-0.1", "crash=often"])("refuses %j", (spec) => {
    expect(() => parseFaults(spec)).toThrow(FaultSpecError);
  });
});

describe("the fault injector", () => {
  it("decides the same faults for the same seed, stream and call", () => {
    const rates = parseFaults("redeliver=0.5,crash=0.5,throttle=0.5");
    const decide = (seed: number) =>
      Array.from({ length: 40 }, (_, sequence) => {
        const injector = new FaultInjector(rates, seed);
        return [injector.redeliver(context(sequence)), injector.callFaults(context(sequence))?.(write)];
      });

    expect(decide(1)).toEqual(decide(1));
    expect(decide(1)).not.toEqual(decide(2));
  });

  it("injects roughly the asked-for share of faults", () => {
    const injector = new FaultInjector(parseFaults("redeliver=0.2"), 1);
    const redelivered = Array.from({ length: 2000 }, (_, sequence) => injector.redeliver(context(sequence)));

    expect(redelivered.filter(Boolean).length / 2000).toBeCloseTo(0.2, 1);
  });

  it("throttles DynamoDB with ProvisionedThroughputExceededException and fails SNS publishes with a 500", () => {
    const injector = new FaultInjector(parseFaults("throttle=0.99,snsfail=0.99"), 1);
    const calls = injector.callFaults(context(0))!;

    const throttled = calls(write)?.fail as Error & { $metadata?: { httpStatusCode?: number } };
    const refused = calls({ service: "SNS", command: "PublishBatchCommand", input: {} })?.fail as Error & {
      $metadata?: { httpStatusCode?: number };
    };

    expect(throttled.name).toBe("ProvisionedThroughputExceededException");
    expect(refused.name).toBe("InternalErrorException");
    expect(refused.$metadata?.httpStatusCode).toBe(500);
  });

  it("leaves a final attempt alone, so faults delay results but never change them", () => {
    const injector = new FaultInjector(parseFaults("crash=0.99,throttle=0.99"), 1);

    expect(injector.callFaults(context(0, true))).toBeUndefined();
  });

  it("moves the boundaries of a redelivery within the batch size", () => {
    const injector = new FaultInjector(parseFaults("redeliver=0.5"), 1);
    const sizes = Array.from({ length: 200 }, (_, sequence) =>
      injector.redeliveryBatchSize(context(sequence), 7),
    );

    expect(Math.min(...sizes)).toBe(1);
    expect(Math.max(...sizes)).toBe(7);
  });
});
