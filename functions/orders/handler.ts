import { createKafkaHandler, engineOptionsFromEnv } from "../shared/engine/handler";
import { ordersConfig, ordersSettingsFromEnv } from "./config";
import { ordersConsumer } from "./consumer";

const config = ordersConfig(ordersSettingsFromEnv());

/** The `theworldshop.orders` consumer: orders per minute and seller cancellation-rate alerts. */
export const handler = createKafkaHandler(ordersConsumer, () => engineOptionsFromEnv(config));
