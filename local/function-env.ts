import { HANDLER_METADATA } from "../lib/constructs/kafka-consumer";
import type { LocalStackResources } from "./resources";
import { type CfnTemplate, resourcesOfType } from "./template";

/** A Lambda function of the template: its logical id, handler entry and environment resolved locally. */
export interface TemplateFunction {
  readonly logicalId: string;
  readonly entry: string;
  readonly environment: Readonly<Record<string, string>>;
  readonly timeoutSeconds: number;
}

/** Every function of the template that records its handler entry, with its environment resolved to local names. */
export function templateFunctions(template: CfnTemplate, resources: LocalStackResources): TemplateFunction[] {
  return resourcesOfType(template, "AWS::Lambda::Function").flatMap(([logicalId, resource]) => {
    const entry = (resource.Metadata?.[HANDLER_METADATA] as { entry?: string } | undefined)?.entry;
    if (!entry) return [];
    const variables =
      (resource.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ??
      {};
    const environment = Object.fromEntries(
      Object.entries(variables).map(([name, value]) => [name, String(resources.resolve(value))]),
    );
    return [{ logicalId, entry, environment, timeoutSeconds: Number(resource.Properties?.Timeout ?? 3) }];
  });
}

/** The function whose handler is `entry`; fails naming the entry when the template has none. */
export function templateFunction(
  template: CfnTemplate,
  resources: LocalStackResources,
  entry: string,
): TemplateFunction {
  const found = templateFunctions(template, resources).find((fn) => fn.entry === entry);
  if (!found) throw new Error(`the template has no function with handler ${entry}`);
  return found;
}
