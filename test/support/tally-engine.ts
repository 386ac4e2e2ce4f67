import type { Context } from "aws-lambda";
import { createKafkaHandler, type HandlerDependencies } from "../../functions/shared/engine/handler";
import type { Consumer, EngineOptions } from "../../functions/shared/engine/types";
import type { RawKafkaRecord } from "../../local/kafka-event";
import type { EngineTestStack } from "./engine-stack";
import { quiet } from "./quiet";
import { type TallyConfig, type TallyValue, tallyConsumer } from "./tally-consumer";

export const TALLY_CONFIG: TallyConfig = { step: 10 };

/** An invocation with 30 s left, as the event source mapping gives a consumer with a 60 s timeout. */
export const invocation = { getRemainingTimeInMillis: () => 30_000 } as Context;

/** A valid tally record: `amount` added to `account`. */
export const tallyRecord = (
  topic: string,
  partition: number,
  offset: number,
  account: string,
  amount: number,
): RawKafkaRecord => ({
  topic,
  partition,
  offset,
  key: account,
  value: JSON.stringify({ eventId: `e-${topic}-${partition}-${offset}`, account, amount }),
  timestamp: Date.UTC(2026, 10, 20, 23, 0, 0) + offset * 1000,
});

/** The engine options of a tally consumer on the test stack. */
export const tallyEngineOptions = (stack: EngineTestStack): EngineOptions<TallyConfig> => ({
  config: TALLY_CONFIG,
  tableName: stack.stateTable,
  sideTables: { milestones: stack.milestonesTable },
  alertTopicArn: stack.alertTopicArn,
  rejectedQueueUrl: stack.rejectedQueueUrl,
});

/** The tally consumer's handler (or a variant of it) on the test stack, quiet, with the given clients. */
export function tallyHandler(
  stack: EngineTestStack,
  dependencies: HandlerDependencies = {},
  consumer: Consumer<TallyValue, unknown, TallyConfig> = tallyConsumer,
) {
  return createKafkaHandler(consumer, () => tallyEngineOptions(stack), { ...quiet(), ...dependencies });
}
