import * as z from "zod";

const IPV4_CIDR = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}\/(3[0-2]|[12]?\d)$/;
const IPV6_CIDR = /^[0-9a-fA-F:]+\/(12[0-8]|1[01]\d|[1-9]?\d)$/;

/** The ops dashboard's settings: CDK context `theworldshop:dashboard`. */
export const dashboardSettingsSchema = z.strictObject({
  /**
   * Viewer networks (IPv4 or IPv6 CIDRs, e.g. the ops team's VPN) that may open the hosted page and its API.
   * None by default: the distribution answers 403 to everyone until the operator names them.
   */
  allowedCidrs: z
    .array(
      z.string().refine((cidr) => IPV4_CIDR.test(cidr) || (cidr.includes(":") && IPV6_CIDR.test(cidr)), {
        message: "must be an IPv4 or IPv6 CIDR such as 203.0.113.0/24",
      }),
    )
    .max(100)
    .default([]),
  /** An AWS WAF web ACL (scope CLOUDFRONT, in us-east-1) to put in front of the distribution as well. */
  webAclArn: z
    .string()
    .regex(
      /^arn:aws[a-z-]*:wafv2:us-east-1:\d{12}:global\/webacl\/.+/,
      "must be a global (CLOUDFRONT) web ACL ARN",
    )
    .optional(),
  /**
   * The prefix of the Cognito sign-in domain, `<prefix>.auth.<region>.amazoncognito.com`: unique per region.
   * By default `theworldshop-ops-<account>`.
   */
  signInDomainPrefix: z
    .string()
    .regex(
      /^(?!.*(aws|amazon|cognito))[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/,
      "must be lowercase letters, digits and '-', without aws, amazon or cognito",
    )
    .optional(),
  /** `required` makes every ops user enrol a TOTP authenticator; `optional` (the default) offers it. */
  signInMfa: z.enum(["optional", "required"]).optional(),
  /**
   * A custom domain for the page, with its ACM certificate (in us-east-1); viewers then need TLS 1.2. Required in
   * prod: CloudFront's default certificate accepts TLS 1.0.
   */
  domain: z
    .strictObject({
      name: z.string().regex(/^([a-z0-9-]+\.)+[a-z]{2,}$/, "must be a domain name such as ops.example.com"),
      certificateArn: z
        .string()
        .regex(
          /^arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate\/.+/,
          "must be an ACM certificate ARN in us-east-1",
        ),
    })
    .optional(),
});

export type DashboardSettings = z.infer<typeof dashboardSettingsSchema>;
