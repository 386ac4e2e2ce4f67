import { App, Stack } from "aws-cdk-lib";
import { AttributeType, TableV2 } from "aws-cdk-lib/aws-dynamodb";
import { createStackResources } from "../local/resources";
import type { ServiceEndpoints } from "../local/services/endpoints";
import type { CfnTemplate } from "../local/template";

/** The Powertools idempotency table as its docs set it up (key `id`, TTL `expiration`), created from a template. */
export async function createBaselineTable(endpoints: ServiceEndpoints, prefix: string): Promise<string> {
  const app = new App();
  const stack = new Stack(app, "IdempotencyBaseline");
  const table = new TableV2(stack, "Idempotency", {
    partitionKey: { name: "id", type: AttributeType.STRING },
    timeToLiveAttribute: "expiration",
  });
  const template = app.synth().getStackArtifact(stack.artifactId).template as CfnTemplate;
  const resources = await createStackResources(template, endpoints, prefix);
  return String(resources.resolve({ Ref: stack.getLogicalId(table.node.defaultChild as never) }));
}
