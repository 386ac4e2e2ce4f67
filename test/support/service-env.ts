import { inject } from "vitest";
import { endpointEnvironment } from "../../local/services/endpoints";

// Points every AWS SDK client (AWS_ENDPOINT_URL_<SERVICE>) and Kafka client of the test at the tier's services.
Object.assign(process.env, endpointEnvironment(inject("endpoints")));
// EMF metrics would print a JSON blob per invocation; the tests read the engine's counts from onBatch instead.
process.env.POWERTOOLS_METRICS_DISABLED ??= "true";
