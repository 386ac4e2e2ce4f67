import {
  type CfnElement,
  DefaultStackSynthesizer,
  DockerImage,
  Duration,
  RemovalPolicy,
  Stack,
  Token,
  Validations,
} from "aws-cdk-lib";
import { Certificate } from "aws-cdk-lib/aws-certificatemanager";
import {
  AllowedMethods,
  CachePolicy,
  Function as CloudFrontFunction,
  Distribution,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  HttpVersion,
  OriginRequestPolicy,
  PriceClass,
  ResponseHeadersPolicy,
  SecurityPolicyProtocol,
  ViewerProtocolPolicy,
} from "aws-cdk-lib/aws-cloudfront";
import { FunctionUrlOrigin, S3BucketOrigin } from "aws-cdk-lib/aws-cloudfront-origins";
import type { IFunctionUrl } from "aws-cdk-lib/aws-lambda";
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from "aws-cdk-lib/aws-s3";
import { BucketDeployment, Source } from "aws-cdk-lib/aws-s3-deployment";
import { Construct } from "constructs";
import { buildDashboardPage, DASHBOARD_DIR } from "../../dashboard/build";
import { viewerAllowlistCode } from "./viewer-allowlist";

const BOOTSTRAP_QUALIFIER_CONTEXT = "@aws-cdk/core:bootstrapQualifier";

export interface DashboardHostingProps {
  /** The dashboard API's Function URL (AWS_IAM auth): CloudFront reaches it at `/api/*` through an OAC. */
  readonly api: IFunctionUrl;
  /** Viewer CIDRs let through; none lets nobody through. */
  readonly allowedCidrs: readonly string[];
  /**
   * A WAF web ACL (scope CLOUDFRONT) for the distribution.
   * @default none
   */
  readonly webAclArn?: string;
  /**
   * A custom domain and its ACM certificate (us-east-1); viewers then need TLS 1.2 or later.
   * @default CloudFront's own domain and certificate
   */
  readonly domain?: { readonly name: string; readonly certificateArn: string };
  /** `prod` keeps the buckets on stack deletion. */
  readonly stage: "dev" | "prod";
}

/**
 * The ops dashboard page in AWS: a private, encrypted, SSL-only bucket behind CloudFront with an origin
 * access control, the API on the same distribution (so the page calls it same-origin), and a viewer-request
 * function that admits only the configured networks.
 */
export class DashboardHosting extends Construct {
  public readonly bucket: Bucket;
  public readonly distribution: Distribution;

  constructor(scope: Construct, id: string, props: DashboardHostingProps) {
    super(scope, id);
    const prod = props.stage === "prod";
    const removalPolicy = prod ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const privateBucket = {
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      removalPolicy,
    };
    const logs = new Bucket(this, "AccessLogs", {
      ...privateBucket,
      // CloudFront's standard logs are delivered with an ACL, which needs object ownership "object writer".
      objectOwnership: ObjectOwnership.OBJECT_WRITER,
      lifecycleRules: [{ expiration: Duration.days(90) }],
    });
    Validations.of(logs).acknowledge({
      id: "AwsSolutions-S1",
      reason:
        "this is the access-log bucket of the page bucket and the distribution; logging it would recurse",
    });
    this.bucket = new Bucket(this, "Page", {
      ...privateBucket,
      serverAccessLogsBucket: logs,
      serverAccessLogsPrefix: "page-bucket/",
    });

    const allowlist = new CloudFrontFunction(this, "ViewerAllowlist", {
      comment: "TheWorldShop ops dashboard: admits the configured viewer networks only",
      runtime: FunctionRuntime.JS_2_0,
      code: FunctionCode.fromInline(viewerAllowlistCode(props.allowedCidrs)),
    });
    const viewerRequest = [{ function: allowlist, eventType: FunctionEventType.VIEWER_REQUEST }];
    this.distribution = new Distribution(this, "Distribution", {
      comment: "TheWorldShop ops dashboard",
      defaultRootObject: "index.html",
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket: logs,
      logFilePrefix: "distribution/",
      webAclId: props.webAclArn,
      ...(props.domain && {
        domainNames: [props.domain.name],
        certificate: Certificate.fromCertificateArn(this, "Certificate", props.domain.certificateArn),
        minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2021,
      }),
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        responseHeadersPolicy: ResponseHeadersPolicy.SECURITY_HEADERS,
        functionAssociations: viewerRequest,
      },
      additionalBehaviors: {
        "/api/*": {
          origin: FunctionUrlOrigin.withOriginAccessControl(props.api),
          viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
          cachePolicy: CachePolicy.CACHING_DISABLED,
          // A Function URL answers only to its own host name: forward everything but the viewer's Host.
          originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
          responseHeadersPolicy: ResponseHeadersPolicy.SECURITY_HEADERS,
          functionAssociations: viewerRequest,
        },
      },
    });
    const distribution = Validations.of(this.distribution);
    distribution.acknowledge({
      id: "AwsSolutions-CFR1",
      reason:
        "viewers are limited to the ops team's networks by the viewer-request allowlist, stricter than geography",
    });
    if (!props.webAclArn)
      distribution.acknowledge({
        id: "AwsSolutions-CFR2",
        reason:
          "the viewer-request allowlist admits only theworldshop:dashboard.allowedCidrs; set theworldshop:dashboard.webAclArn to add a WAF web ACL",
      });
    if (!props.domain)
      distribution.acknowledge({
        id: "AwsSolutions-CFR4",
        reason:
          "CloudFront's default certificate fixes the TLSv1 floor; set theworldshop:dashboard.domain for TLS 1.2",
      });

    const deployment = new BucketDeployment(this, "Deploy", {
      destinationBucket: this.bucket,
      sources: [
        Source.asset(DASHBOARD_DIR, {
          exclude: ["dist"],
          bundling: {
            // Never used: the page builds locally with esbuild, a devDependency.
            image: DockerImage.fromRegistry("public.ecr.aws/docker/library/node:22-slim"),
            local: {
              tryBundle(outputDir) {
                buildDashboardPage(outputDir);
                return true;
              },
            },
          },
        }),
      ],
      distribution: this.distribution,
      distributionPaths: ["/index.html", "/app.js", "/styles.css"],
      retainOnDelete: prod,
    });
    acknowledgeBucketDeploymentFindings(this, deployment, this.bucket);
  }
}

/**
 * The cdk-nag findings on CDK's own bucket-deployment function (a stack-wide singleton), each with its reason.
 * cdk-nag matches finding ids exactly, so the wildcard resources are spelled as it renders them.
 */
function acknowledgeBucketDeploymentFindings(
  scope: Construct,
  deployment: BucketDeployment,
  pageBucket: Bucket,
): void {
  const stack = Stack.of(scope);
  const rendered = (value: string, pseudo: string) => (Token.isUnresolved(value) ? `<${pseudo}>` : value);
  const qualifier =
    stack.node.tryGetContext(BOOTSTRAP_QUALIFIER_CONTEXT) ?? DefaultStackSynthesizer.DEFAULT_QUALIFIER;
  const assets = `arn:<AWS::Partition>:s3:::cdk-${qualifier}-assets-${rendered(stack.account, "AWS::AccountId")}-${rendered(stack.region, "AWS::Region")}/*`;
  const page = `<${stack.getLogicalId(pageBucket.node.defaultChild as CfnElement)}.Arn>/*`;
  const wildcards = [
    "Action::s3:GetObject*",
    "Action::s3:GetBucket*",
    "Action::s3:List*",
    "Action::s3:DeleteObject*",
    "Action::s3:Abort*",
    "Resource::*",
    `Resource::${assets}`,
    `Resource::${page}`,
  ];
  const singletons = stack.node.children.filter((child) =>
    child.node.id.startsWith("Custom::CDKBucketDeployment"),
  );
  for (const construct of [deployment.handlerRole, ...singletons]) {
    const validations = Validations.of(construct);
    validations.acknowledge({
      id: "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
      reason: "CDK's bucket-deployment function writes its logs with AWSLambdaBasicExecutionRole",
    });
    for (const wildcard of wildcards)
      validations.acknowledge({
        id: `AwsSolutions-IAM5[${wildcard}]`,
        reason:
          "CDK's bucket-deployment grants: read the page's asset from the CDK assets bucket, write and prune the page bucket",
      });
    validations.acknowledge({
      id: "AwsSolutions-L1",
      reason: "CDK's bucket-deployment function pins its own runtime, upgraded with aws-cdk-lib",
    });
  }
}
