import { randomBytes, randomUUID } from "node:crypto";
import { inject } from "vitest";
import { loadDeployedResources } from "../../local/deployed-resources";
import { createStackResources, type LocalStackResources } from "../../local/resources";
import { type CfnTemplate, synthesizeTemplate } from "../../local/template";

/** Set by `npm run test:deploy` / `test:localstack`: run against that deployed stack, not private copies. */
const DEPLOYED_STACK = process.env.TWS_DEPLOYED_STACK;

let template: CfnTemplate | undefined;
let deployed: Promise<LocalStackResources> | undefined;

/**
 * Eight random letters that set a run's ids apart, for tests whose data may meet other files' in a deployed
 * stack's shared tables. Letters only: digits next to an id's own could make a Luhn-valid run, which the
 * engine rejects as a card number.
 */
export function runTag(): string {
  return Array.from(randomBytes(8), (byte) => String.fromCharCode(97 + (byte % 26))).join("");
}

/** The synthesized stack template, once per test file. */
export function stackTemplate(): CfnTemplate {
  template ??= synthesizeTemplate();
  return template;
}

/**
 * A private copy of the stack's tables, topics, queues and subscriptions for one test file; or, with
 * TWS_DEPLOYED_STACK set, the deployed stack's own (shared by every test file) at AWS_ENDPOINT_URL.
 */
export async function createTestStack(name: string): Promise<LocalStackResources> {
  if (DEPLOYED_STACK) {
    deployed ??= loadDeployedResources({
      stackName: DEPLOYED_STACK,
      endpoint: process.env.AWS_ENDPOINT_URL,
      template: stackTemplate(),
    });
    return deployed;
  }
  return createStackResources(stackTemplate(), inject("endpoints"), `${name}-${randomUUID().slice(0, 8)}`);
}
