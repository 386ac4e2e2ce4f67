import { createKafkaHandler, engineOptionsFromEnv } from "../shared/engine/handler";
import { inventoryConfigFromEnv } from "./config";
import { inventoryConsumer } from "./consumer";

/** The `theworldshop.inventory` consumer: availability per product, stock alerts, exactly once. */
export const handler = createKafkaHandler(inventoryConsumer, () =>
  engineOptionsFromEnv(inventoryConfigFromEnv()),
);
