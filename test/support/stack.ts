import { randomUUID } from "node:crypto";
import { inject } from "vitest";
import { createStackResources, type LocalStackResources } from "../../local/resources";
import { type CfnTemplate, synthesizeTemplate } from "../../local/template";

let template: CfnTemplate | undefined;

/** The synthesized stack template, once per test file. */
export function stackTemplate(): CfnTemplate {
  template ??= synthesizeTemplate();
  return template;
}

/** A private copy of the stack's tables, topics, queues and subscriptions for one test file. */
export async function createTestStack(name: string): Promise<LocalStackResources> {
  return createStackResources(stackTemplate(), inject("endpoints"), `${name}-${randomUUID().slice(0, 8)}`);
}
