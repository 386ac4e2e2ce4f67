import type { Context, ScheduledEvent } from "aws-lambda";
import { createOutboxRelayHandler } from "../../functions/outbox-relay/relay-handler";
import { createEngineClients, type EngineClients } from "../../functions/shared/engine/clients";
import scheduledEvent from "../events/scheduled-event.json";
import type { EngineTestStack } from "./engine-stack";
import { quiet } from "./quiet";

/** The EventBridge scheduled event of a relay run at `time`. */
export const relaySchedule = (time: Date): ScheduledEvent => ({
  ...(scheduledEvent as ScheduledEvent),
  time: time.toISOString(),
});

const relayInvocation = { getRemainingTimeInMillis: () => 30_000 } as Context;

/**
 * Runs the outbox relay once over the test stack's state table at `time`; the default, five minutes from
 * now, is past every claim a test's invocations made.
 */
export async function runRelay(
  stack: EngineTestStack,
  options: { time?: Date; graceSeconds?: number; clients?: EngineClients } = {},
) {
  const relay = createOutboxRelayHandler(
    () => ({
      stateTables: [stack.stateTable],
      alertTopicArn: stack.alertTopicArn,
      graceMs: (options.graceSeconds ?? 30) * 1000,
    }),
    { clients: options.clients ?? createEngineClients(), ...quiet() },
  );
  return relay(relaySchedule(options.time ?? new Date(Date.now() + 5 * 60_000)), relayInvocation);
}
