import { Duration, RemovalPolicy, Validations } from "aws-cdk-lib";
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
import { Construct } from "constructs";
import { viewerAllowlistCode } from "./viewer-allowlist";

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
 * function that admits only the configured networks. `scripts/deploy-dashboard.sh` uploads the built page.
 */
export class DashboardHosting extends Construct {
  public readonly bucket: Bucket;
  public readonly distribution: Distribution;

  constructor(scope: Construct, id: string, props: DashboardHostingProps) {
    super(scope, id);
    const removalPolicy = props.stage === "prod" ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const privateBucket = {
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      removalPolicy,
    };
    const logs = new Bucket(this, "AccessLogs", {
      ...privateBucket,
      // CloudFront's standard logs are delivered with an ACL grant, which needs ACLs enabled on the bucket.
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(90) }],
    });
    Validations.of(logs).acknowledge({
      id: "AwsSolutions-S1",
      reason: "this is the distribution's access-log bucket; logging it would recurse",
    });
    this.bucket = new Bucket(this, "Page", privateBucket);
    Validations.of(this.bucket).acknowledge({
      id: "AwsSolutions-S1",
      reason:
        "only CloudFront reads the page bucket (origin access control), and the distribution logs every viewer request",
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
  }
}
