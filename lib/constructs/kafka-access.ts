import { Grant, type IGrantable } from "aws-cdk-lib/aws-iam";

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
