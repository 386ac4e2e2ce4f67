import { cardVelocityConfigFromEnv } from "../functions/card-velocity/config";
import { cardVelocityConsumer } from "../functions/card-velocity/consumer";
import { inventoryConfigFromEnv } from "../functions/inventory/config";
import { inventoryConsumer } from "../functions/inventory/consumer";
import { ordersConfig, ordersSettingsFromEnv } from "../functions/orders/config";
import { ordersConsumer } from "../functions/orders/consumer";
import { sessionsConfigFromEnv } from "../functions/sessions/config";
import { sessionsConsumer } from "../functions/sessions/consumer";
import type { Consumer } from "../functions/shared/engine/types";

/** A consumer under benchmark: the reducer, its config, its topic, and its function in the template. */
export interface BenchConsumer {
  readonly consumer: Consumer<unknown, unknown, unknown>;
  /** The consumer's config from its function's environment, as its handler reads it. */
  configFromEnv(env: NodeJS.ProcessEnv): unknown;
  readonly topic: string;
  /** The handler entry recorded in the template's function metadata. */
  readonly entry: string;
}

const erase = <V, S, C>(consumer: Consumer<V, S, C>) =>
  consumer as unknown as Consumer<unknown, unknown, unknown>;

export const BENCH_CONSUMERS: Readonly<Record<string, BenchConsumer>> = {
  inventory: {
    consumer: erase(inventoryConsumer),
    configFromEnv: (env) => inventoryConfigFromEnv(env),
    topic: "theworldshop.inventory",
    entry: "functions/inventory/handler.ts",
  },
  cardVelocity: {
    consumer: erase(cardVelocityConsumer),
    configFromEnv: (env) => cardVelocityConfigFromEnv(env),
    topic: "theworldshop.fraud-signals",
    entry: "functions/card-velocity/handler.ts",
  },
  orders: {
    consumer: erase(ordersConsumer),
    configFromEnv: (env) => ordersConfig(ordersSettingsFromEnv(env)),
    topic: "theworldshop.orders",
    entry: "functions/orders/handler.ts",
  },
  sessions: {
    consumer: erase(sessionsConsumer),
    configFromEnv: (env) => sessionsConfigFromEnv(env),
    topic: "theworldshop.clicks",
    entry: "functions/sessions/handler.ts",
  },
};
