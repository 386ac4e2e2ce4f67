import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { inject } from "vitest";
import { buildKafkaEvent, type RawKafkaRecord } from "../../local/kafka-event";
import { templateFunctions } from "../../local/lambda/functions";
import { LocalFunction } from "../../local/lambda/local-function";
import { createStackResources, type LocalStackResources } from "../../local/resources";
import { endpointEnvironment } from "../../local/services/endpoints";
import { synthesizeTemplate } from "../../local/template";

const ROOT = join(import.meta.dirname, "../..");

/** A stack synthesized with `context` (theworldshop:* settings), its resources created locally, its functions runnable. */
export interface SettingsStack {
  readonly resources: LocalStackResources;
  /** The function whose handler is `entry`, its module loaded under the template's environment for it. */
  fn(entry: string): LocalFunction;
  /** Invokes the consumer `entry` with `records` as its event source mapping would; fails on any failure. */
  deliver(entry: string, records: readonly RawKafkaRecord[]): Promise<void>;
}

/**
 * Synthesizes the stack with `context`, creates its resources under a fresh prefix and runs each function as
 * the local runtime does: the handler module imported with the environment the template gives that function.
 */
export async function settingsStack(
  name: string,
  context: Record<string, unknown>,
  /** Variables over the template's, e.g. `""` to take one away. */
  environmentOverrides: Readonly<Record<string, string>> = {},
): Promise<SettingsStack> {
  const template = synthesizeTemplate(context);
  const prefix = `${name}-${randomUUID().slice(0, 8)}`;
  const resources = await createStackResources(template, inject("endpoints"), prefix);
  const functions = new Map<string, LocalFunction>();
  for (const definition of templateFunctions(template, resources.resolve).values())
    functions.set(
      definition.entry,
      new LocalFunction(definition, {
        root: ROOT,
        instance: prefix,
        baseEnvironment: { ...endpointEnvironment(inject("endpoints")), POWERTOOLS_LOG_LEVEL: "ERROR" },
        environmentOverrides,
      }),
    );
  const fn = (entry: string) => {
    const found = functions.get(entry);
    if (!found) throw new Error(`the template has no function with handler ${entry}`);
    return found;
  };
  return {
    resources,
    fn,
    async deliver(entry, records) {
      const outcome = await fn(entry).invoke(buildKafkaEvent(records));
      if (outcome.status !== "ok") throw outcome.error;
      const { batchItemFailures } = outcome.result as { batchItemFailures: unknown[] };
      if (batchItemFailures.length > 0)
        throw new Error(`${entry} reported failures: ${JSON.stringify(batchItemFailures)}`);
    },
  };
}
