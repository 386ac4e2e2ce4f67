/** A CloudFormation resource as the template holds it. */
export interface TemplateResource {
  Type: string;
  Properties?: Record<string, unknown>;
  DependsOn?: string | string[];
  [key: string]: unknown;
}

// Per-replica settings that AWS::DynamoDB::Table holds at its top level.
const REPLICA_SETTINGS = [
  "ContributorInsightsSpecification",
  "DeletionProtectionEnabled",
  "KinesisStreamSpecification",
  "PointInTimeRecoverySpecification",
  "ResourcePolicy",
  "TableClass",
  "Tags",
] as const;
const CAPACITY_SETTINGS = ["WriteProvisionedThroughputSettings", "WriteOnDemandThroughputSettings"] as const;

/**
 * The AWS::DynamoDB::Table that an emulator without global tables creates for an AWS::DynamoDB::GlobalTable:
 * same name, keys, indexes, TTL, stream and encryption, with the settings of the stack region's replica.
 * `Ref` (table name) and `Fn::GetAtt` `Arn` / `StreamArn` mean the same on both types. Provisioned
 * capacity becomes on-demand: emulators do not meter.
 */
export function globalTableAsTable(globalTable: TemplateResource): TemplateResource {
  const {
    Replicas = [],
    GlobalTableWitnesses: _witnesses,
    MultiRegionConsistency: _consistency,
    GlobalSecondaryIndexes,
    SSESpecification,
    BillingMode: _billing,
    ...shared
  } = globalTable.Properties ?? {};
  const replicas = Replicas as Record<string, unknown>[];
  const replica =
    replicas.find((candidate) => JSON.stringify(candidate.Region) === '{"Ref":"AWS::Region"}') ??
    replicas[0] ??
    {};
  for (const setting of CAPACITY_SETTINGS) delete shared[setting];
  const properties: Record<string, unknown> = { ...shared, BillingMode: "PAY_PER_REQUEST" };
  for (const setting of REPLICA_SETTINGS)
    if (replica[setting] !== undefined) properties[setting] = replica[setting];
  const replicaKey = (replica.SSESpecification as { KMSMasterKeyId?: unknown } | undefined)?.KMSMasterKeyId;
  if (SSESpecification !== undefined || replicaKey !== undefined)
    properties.SSESpecification = {
      ...(SSESpecification as object | undefined),
      ...(replicaKey === undefined ? {} : { KMSMasterKeyId: replicaKey }),
    };
  if (Array.isArray(GlobalSecondaryIndexes))
    properties.GlobalSecondaryIndexes = GlobalSecondaryIndexes.map((index: Record<string, unknown>) => {
      const copy = { ...index };
      for (const setting of CAPACITY_SETTINGS) delete copy[setting];
      return copy;
    });
  return { ...globalTable, Type: "AWS::DynamoDB::Table", Properties: properties };
}
