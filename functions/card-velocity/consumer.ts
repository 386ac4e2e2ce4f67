import type { Consumer } from "../shared/engine/types";
import type { CardVelocityConfig } from "./config";
import { type CardWindow, reduceCardVelocity } from "./reducer";
import { type FraudSignal, fraudSignalSchema } from "./schema";

/** The consumer of `theworldshop.fraud-signals`: one state per card, keyed by its fingerprint. */
export const cardVelocityConsumer: Consumer<FraudSignal, CardWindow, CardVelocityConfig> = {
  name: "cardVelocity",
  schema: fraudSignalSchema,
  stateKeys: (record) => [record.value.cardFingerprint],
  reduce: (_key, state, record, config) => reduceCardVelocity(state, record, config),
};
