/**
 * AWS's public on-demand prices in us-east-1 (N. Virginia), as its pricing pages listed them on the date below:
 * DynamoDB on-demand throughput (since the price cut of November 2024), Lambda on x86, SNS standard topics.
 * Free tiers left out. Written down by hand: a benchmark that needs the network to price itself is not one.
 */
export const AWS_PRICES = {
  asOf: "2026-12-03",
  region: "us-east-1",
  dynamodbPerMillionWriteUnits: 0.625,
  dynamodbPerMillionReadUnits: 0.125,
  lambdaPerGbSecond: 0.0000166667,
  lambdaPerMillionRequests: 0.2,
  snsPerMillionPublishes: 0.5,
} as const;
