import { HANDLER_METADATA } from "../../lib/constructs/kafka-consumer";
import type { LocalStackResources } from "../../local/resources";
import { resourcesOfType } from "../../local/template";
import { stackTemplate } from "./stack";

export const ORDERS_HANDLER_ENTRY = "functions/orders/handler.ts";

/** The orders consumer function's environment in the template, resolved against the local stack. */
export function ordersConsumerEnvironment(stack: LocalStackResources): Record<string, string> {
  const consumer = resourcesOfType(stackTemplate(), "AWS::Lambda::Function").find(
    ([, resource]) =>
      (resource.Metadata?.[HANDLER_METADATA] as { entry?: string } | undefined)?.entry ===
      ORDERS_HANDLER_ENTRY,
  );
  if (!consumer) throw new Error(`the template has no function with handler ${ORDERS_HANDLER_ENTRY}`);
  const variables = (consumer[1].Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
  return stack.resolve(variables) as Record<string, string>;
}
