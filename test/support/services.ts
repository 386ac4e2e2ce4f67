import type { TestProject } from "vitest/node";
import { type StartOptions, startLocalServices } from "../../local/services";
import type { ServiceEndpoints } from "../../local/services/endpoints";

declare module "vitest" {
  export interface ProvidedContext {
    endpoints: ServiceEndpoints;
  }
}

/** A vitest global setup that starts the services a tier needs and hands their endpoints to the tests. */
export function servicesSetup(options: StartOptions) {
  return async function setup(project: TestProject) {
    const services = await startLocalServices(options);
    project.provide("endpoints", services.endpoints);
    return () => services.stop();
  };
}
