import { createKafkaHandler, engineOptionsFromEnv } from "../shared/engine/handler";
import { cardVelocityConfigFromEnv } from "./config";
import { cardVelocityConsumer } from "./consumer";

/** The Lambda for `theworldshop.fraud-signals`: the card velocity rule, exactly once, on the engine. */
export const handler = createKafkaHandler(cardVelocityConsumer, () =>
  engineOptionsFromEnv(cardVelocityConfigFromEnv()),
);
