import type { Consumer, ConsumerRecord, Reduction } from "../../functions/shared/engine/types";

/**
 * One record's reduction of one key as the engine applies it when nothing runs beside it: the key's state and
 * its shared keys' states from `states`, and the reduction's state and shared writes put back there.
 */
export function reduceInto<V, S, C>(
  consumer: Consumer<V, S, C>,
  key: string,
  record: ConsumerRecord<V>,
  config: C,
  states: Map<string, unknown>,
): Reduction<S> {
  const shared = new Map<string, unknown>();
  for (const sharedKey of consumer.sharedKeys?.(key, record, config) ?? [])
    if (states.has(sharedKey)) shared.set(sharedKey, states.get(sharedKey));
  const reduction = consumer.reduce(key, states.get(key) as S | undefined, record, config, shared);
  states.set(key, reduction.state);
  for (const [sharedKey, write] of Object.entries(reduction.sharedWrites ?? {}))
    states.set(sharedKey, write.state);
  return reduction;
}
