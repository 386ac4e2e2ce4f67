import { createKafkaHandler, engineOptionsFromEnv } from "../shared/engine/handler";
import { CARD_VELOCITY_CONFIG } from "./config";
import { cardVelocityConsumer } from "./consumer";

/** The Lambda for `theworldshop.fraud-signals`: the card velocity rule, exactly once, on the engine. */
export const handler = createKafkaHandler(cardVelocityConsumer, () =>
  engineOptionsFromEnv(CARD_VELOCITY_CONFIG),
);
