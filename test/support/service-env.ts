import { inject } from "vitest";
import { endpointEnvironment } from "../../local/services/endpoints";

// Points every AWS SDK client (AWS_ENDPOINT_URL_<SERVICE>) and Kafka client of the test at the tier's services.
Object.assign(process.env, endpointEnvironment(inject("endpoints")));
