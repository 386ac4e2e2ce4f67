import { createKafkaHandler, engineOptionsFromEnv } from "../shared/engine/handler";
import { type OrdersConfig, ordersSettingsFromEnv } from "./config";
import { ordersConsumer } from "./consumer";

const { cancellationRate, minimumPlaced, lateMinutes } = ordersSettingsFromEnv();
const config: OrdersConfig = { cancellationRate, minimumPlaced, lateMinutes };

/** The `theworldshop.orders` consumer: orders per minute and seller cancellation-rate alerts. */
export const handler = createKafkaHandler(ordersConsumer, () => engineOptionsFromEnv(config));
