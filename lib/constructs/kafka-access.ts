import { Arn, ArnFormat } from "aws-cdk-lib";
import { Grant, type IGrantable } from "aws-cdk-lib/aws-iam";
import type { CfnEventSourceMapping, EventSourceMapping } from "aws-cdk-lib/aws-lambda";
import { AuthenticationMethod } from "aws-cdk-lib/aws-lambda-event-sources";
import type { ISecret } from "aws-cdk-lib/aws-secretsmanager";
import type { KafkaSource } from "../config";

type SelfManagedAuth = Extract<KafkaSource, { mode: "self-managed" }>["auth"];

/** The event source's authentication method for self-managed brokers; `none` leaves the secret out altogether. */
export function selfManagedAuthenticationMethod(auth: SelfManagedAuth): AuthenticationMethod | undefined {
  return {
    "sasl-scram-512": AuthenticationMethod.SASL_SCRAM_512_AUTH,
    "sasl-scram-256": AuthenticationMethod.SASL_SCRAM_256_AUTH,
    basic: AuthenticationMethod.BASIC_AUTH,
    mtls: AuthenticationMethod.CLIENT_CERTIFICATE_TLS_AUTH,
    none: undefined,
  }[auth];
}

/**
 * Lets the pollers read the secrets the event source mapping names (the root CA, which CDK's event sources do not
 * grant, when `grantRead` is set) and decrypt those under a customer-managed key, only through Secrets Manager.
 * An imported secret's `grantRead` grants no kms:Decrypt: it would go to the imported key's policy, which the stack
 * does not own.
 */
export function grantKafkaSecrets(
  grantee: IGrantable,
  secrets: readonly { readonly secret?: ISecret; readonly grantRead: boolean }[],
): void {
  for (const { secret, grantRead } of secrets) {
    if (!secret) continue;
    if (grantRead) secret.grantRead(grantee);
    const key = secret.encryptionKey;
    if (!key) continue;
    const region = Arn.split(secret.secretArn, ArnFormat.COLON_RESOURCE_NAME).region;
    Grant.addToPrincipal({
      grantee,
      actions: ["kms:Decrypt"],
      resourceArns: [key.keyArn],
      conditions: { StringEquals: { "kms:ViaService": `secretsmanager.${region}.amazonaws.com` } },
    });
  }
}

/**
 * Switches an MSK event source mapping from SASL/SCRAM to the client certificate in `secret`:
 * CDK's ManagedKafkaEventSource takes every secret for SCRAM credentials. Its grant (read the secret) still holds.
 */
export function useMskClientCertificate(mapping: EventSourceMapping, secret: ISecret): void {
  (mapping.node.defaultChild as CfnEventSourceMapping).addPropertyOverride("SourceAccessConfigurations", [
    { Type: "CLIENT_CERTIFICATE_TLS_AUTH", URI: secret.secretArn },
  ]);
}

/** The ARNs IAM access control uses for one topic and one consumer group of an MSK cluster. */
export function mskResourceArns(clusterArn: string, topic: string, consumerGroupId: string) {
  // cluster/<name>/<uuid> → topic/<name>/<uuid>/<topic> and group/<name>/<uuid>/<group>
  return {
    cluster: clusterArn,
    topic: `${clusterArn.replace(":cluster/", ":topic/")}/${topic}`,
    group: `${clusterArn.replace(":cluster/", ":group/")}/${consumerGroupId}`,
  };
}

/**
 * Lets the event source mapping's pollers (which act as the function's role) consume `topic` as
 * `consumerGroupId` from an MSK cluster with IAM auth: nothing else on the cluster.
 */
export function grantMskConsume(
  grantee: IGrantable,
  clusterArn: string,
  topic: string,
  consumerGroupId: string,
): Grant {
  const arns = mskResourceArns(clusterArn, topic, consumerGroupId);
  return Grant.addToPrincipal({
    grantee,
    actions: ["kafka-cluster:Connect", "kafka-cluster:DescribeClusterDynamicConfiguration"],
    resourceArns: [arns.cluster],
  })
    .combine(
      Grant.addToPrincipal({
        grantee,
        actions: ["kafka-cluster:DescribeTopic", "kafka-cluster:ReadData"],
        resourceArns: [arns.topic],
      }),
    )
    .combine(
      Grant.addToPrincipal({
        grantee,
        actions: ["kafka-cluster:DescribeGroup", "kafka-cluster:AlterGroup"],
        resourceArns: [arns.group],
      }),
    );
}

/**
 * Lets the pollers of self-managed brokers inside a VPC create their network interfaces there. EC2 offers no
 * resource-level permissions for these Describe and network-interface actions.
 */
export function grantPollerNetworking(grantee: IGrantable): Grant {
  return Grant.addToPrincipal({
    grantee,
    actions: [
      "ec2:CreateNetworkInterface",
      "ec2:DescribeNetworkInterfaces",
      "ec2:DeleteNetworkInterface",
      "ec2:DescribeVpcs",
      "ec2:DescribeSubnets",
      "ec2:DescribeSecurityGroups",
    ],
    resourceArns: ["*"],
  });
}
