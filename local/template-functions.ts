import { HANDLER_METADATA } from "../lib/constructs/kafka-consumer";
import type { LocalStackResources } from "./resources";
import { type CfnTemplate, resourcesOfType } from "./template";

/** A function of the template found by its handler source, with its environment resolved locally. */
export interface TemplateFunction {
  readonly logicalId: string;
  readonly environment: Readonly<Record<string, string>>;
}

/** The one function of `template` whose handler source (metadata `theworldshop:handler`) is `entry`. */
export function templateFunction(
  template: CfnTemplate,
  resources: Pick<LocalStackResources, "resolve">,
  entry: string,
): TemplateFunction {
  const found = resourcesOfType(template, "AWS::Lambda::Function").filter(
    ([, resource]) =>
      (resource.Metadata?.[HANDLER_METADATA] as { entry?: unknown } | undefined)?.entry === entry,
  );
  if (found.length !== 1)
    throw new Error(`expected one function running ${entry} in the template, found ${found.length}`);
  const [logicalId, resource] = found[0]!;
  const variables =
    (resource.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ??
    {};
  return { logicalId, environment: resources.resolve(variables) as Record<string, string> };
}
