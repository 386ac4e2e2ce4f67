import { relayOptionsFromEnv } from "./relay";
import { createOutboxRelayHandler } from "./relay-handler";

/** Scheduled every minute: publishes the alerts left pending in any state table's outbox. */
export const handler = createOutboxRelayHandler(() => relayOptionsFromEnv());
