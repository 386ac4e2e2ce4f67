import { createKafkaHandler, engineOptionsFromEnv } from "../shared/engine/handler";
import { sessionsConfigFromEnv } from "./config";
import { sessionsConsumer } from "./consumer";

/** The Lambda for `theworldshop.clicks`: sessions per user, exactly once, on the engine. */
export const handler = createKafkaHandler(sessionsConsumer, () =>
  engineOptionsFromEnv(sessionsConfigFromEnv()),
);
