import { createKafkaHandler, engineOptionsFromEnv } from "../shared/engine/handler";
import { sessionsConfig } from "./config";
import { sessionsConsumer } from "./consumer";

export const handler = createKafkaHandler(sessionsConsumer, () => engineOptionsFromEnv(sessionsConfig));
