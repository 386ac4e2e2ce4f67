import * as z from "zod";
import type { Consumer } from "../../functions/shared/engine/types";

/** A test consumer with no shop rules: per key, a running total with an alert each time it passes a multiple of 10. */
export interface TallyState {
  readonly total: number;
  readonly events: readonly string[];
}
export interface TallyConfig {
  readonly step: number;
}

const tallyValue = z.object({
  eventId: z.string().min(1),
  account: z.string().min(1),
  amount: z.number().int(),
});
export type TallyValue = z.infer<typeof tallyValue>;

export const tallyConsumer: Consumer<TallyValue, TallyState, TallyConfig> = {
  name: "tally",
  schema: tallyValue,
  stateKeys: (record) => [record.value.account],
  reduce(key, state, record, config) {
    const before = state?.total ?? 0;
    const total = before + record.value.amount;
    const crossed = Math.floor(total / config.step) > Math.floor(before / config.step);
    return {
      state: { total, events: [...(state?.events ?? []), record.value.eventId] },
      alerts: crossed
        ? [
            {
              alertId: `tally:${record.topic}:${record.partition}:${record.offset}`,
              alertType: "TALLY_STEP",
              severity: "info",
              subjectId: key,
              eventTime: new Date(record.timestamp).toISOString(),
              message: `${key} passed ${Math.floor(total / config.step) * config.step}`,
            },
          ]
        : [],
      records: crossed
        ? [{ table: "milestones", item: { pk: `${key}#${Math.floor(total / config.step)}`, total } }]
        : [],
    };
  },
};

/** The tally consumer whose item grows by `amount` KB per record: enough records pass DynamoDB's 400 KB. */
export const bulkyConsumer: Consumer<TallyValue, { pads: string[] }, TallyConfig> = {
  ...tallyConsumer,
  name: "bulky",
  reduce: (_key, state, record) => ({
    state: { pads: [...(state?.pads ?? []), "x".repeat(record.value.amount * 1024)] },
  }),
};
