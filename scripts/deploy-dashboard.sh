#!/usr/bin/env bash
# After `npx cdk deploy`: builds the ops dashboard page, uploads it to the stack's page bucket and invalidates
# the distribution's copy. Needs the AWS CLI and credentials allowed to write that bucket.
set -euo pipefail
cd "$(dirname "$0")/.."
stack="${STACK_NAME:-TheWorldShopStreaming}"

output() {
  aws cloudformation describe-stacks --stack-name "$stack" \
    --query "Stacks[0].Outputs[?starts_with(OutputKey, '$1')].OutputValue | [0]" --output text
}
bucket="$(output DashboardPageBucketName)"
distribution="$(output DashboardDistributionId)"
if [ -z "$bucket" ] || [ "$bucket" = "None" ]; then
  echo "stack $stack has no DashboardPageBucketName output: deploy it first (npx cdk deploy)" >&2
  exit 1
fi

# shellcheck source=node22.sh
source scripts/node22.sh
# The page signs in with the stack's user pool (built without these, as locally, it asks for no sign-in).
DASHBOARD_SIGN_IN_DOMAIN="$(output DashboardSignInDomain)" DASHBOARD_SIGN_IN_CLIENT_ID="$(output DashboardSignInClientId)" \
  npx tsx dashboard/build.ts
# The file names never change, so every copy must be revalidated.
aws s3 sync dashboard/dist "s3://$bucket" --delete --cache-control "no-cache"
aws cloudfront create-invalidation --distribution-id "$distribution" --paths "/*" >/dev/null
echo "uploaded the ops dashboard to s3://$bucket; open $(output DashboardPageUrl)"
