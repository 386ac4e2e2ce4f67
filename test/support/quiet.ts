import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";

// Unit tests read the engine's counts from onBatch; EMF blobs and error logs would only bury the test output.
process.env.POWERTOOLS_METRICS_DISABLED ??= "true";

/** Handler dependencies that log nothing and print no metrics. */
export const quiet = () => ({
  logger: new Logger({ logLevel: "SILENT" }),
  metrics: new Metrics({ namespace: "TheWorldShop/Streaming", serviceName: "test" }),
});
