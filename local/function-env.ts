import { type FunctionDefinition, templateFunctions as functionDefinitions } from "./lambda/functions";
import type { LocalStackResources } from "./resources";
import type { CfnTemplate } from "./template";

/** A Lambda function of the template: its logical id, handler entry and environment resolved locally. */
export type TemplateFunction = Pick<
  FunctionDefinition,
  "logicalId" | "entry" | "environment" | "timeoutSeconds" | "memorySize"
>;

/** Every function of the template that records its handler entry, with its environment resolved to local names. */
export function templateFunctions(template: CfnTemplate, resources: LocalStackResources): TemplateFunction[] {
  return [...functionDefinitions(template, resources.resolve).values()];
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
