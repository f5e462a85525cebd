#!/usr/bin/env bash
# Uploads the officials' console (console/, no build step) to a deployed
# stack: writes its config.js from the stack's outputs (API URL, the Cognito
# hosted UI, the app client id), fills the origins of index.html's
# Content-Security-Policy (this stack's API, the sign-in origin, the media
# bucket), syncs the files to the console bucket and invalidates
# CloudFront's cache. Needs the AWS CLI and credentials.
#
# Usage: infra/deploy-console.sh STACK_NAME
# With an existing OIDC provider instead of the stack's user pool, set
# ADUAN_AUTH_URL (its base: /oauth2/authorize, /oauth2/token, /logout under
# it; on the origin the stack's OfficialsSignInOrigin names) and
# ADUAN_CLIENT_ID.
set -euo pipefail
stack="${1:?usage: $0 STACK_NAME}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

output() {
  aws cloudformation describe-stacks --stack-name "$stack" \
    --query "Stacks[0].Outputs[?OutputKey=='$1'].OutputValue" --output text
}
api="$(output OfficialsApiUrl)"
bucket="$(output ConsoleBucketName)"
distribution="$(output ConsoleDistributionId)"
media="$(output MediaOrigin)"
auth="${ADUAN_AUTH_URL:-$(output OfficialsLoginUrl)}"
client="${ADUAN_CLIENT_ID:-$(output OfficialsUserPoolClientId)}"
for value in "$api" "$bucket" "$distribution" "$media" "$auth" "$client"; do
  if [ -z "$value" ] || [ "$value" = None ]; then
    echo "deploy-console.sh: an output of $stack is missing (set ADUAN_AUTH_URL/ADUAN_CLIENT_ID with your own issuer)" >&2
    exit 1
  fi
done

# The sign-in pages' origin: CloudFront's copy of the policy (template.yaml)
# allows only the stack's hosted UI, or OfficialsSignInOrigin.
login="$(printf '%s' "$auth" | sed -E 's#^(https://[^/]+).*$#\1#')"
if [ -n "${ADUAN_AUTH_URL:-}" ]; then
  allowed="$(aws cloudformation describe-stacks --stack-name "$stack" \
    --query "Stacks[0].Parameters[?ParameterKey=='OfficialsSignInOrigin'].ParameterValue" --output text)"
  if [ "$login" != "$allowed" ]; then
    echo "deploy-console.sh: ADUAN_AUTH_URL is on $login, but the stack's OfficialsSignInOrigin is '$allowed': the console could not fetch its tokens" >&2
    exit 1
  fi
fi

staging="$(mktemp -d)"
trap 'rm -rf "$staging"' EXIT
cp -r "$root/console/style.css" "$root/console/js" "$staging/"
# The page's copy of the policy names this stack's API exactly (CloudFront's
# allows the Region's APIs); the browser enforces both.
page="$(cat "$root/console/index.html")"
case "$page" in
  *'<meta http-equiv="Content-Security-Policy"'*) ;;
  *) echo "deploy-console.sh: console/index.html has no Content-Security-Policy" >&2; exit 1 ;;
esac
page="${page//'${Api}'/"$api"}"
page="${page//'${Login}'/"$login"}"
page="${page//'${Media}'/"$media"}"
case "$page" in
  *'${'*) echo "deploy-console.sh: console/index.html has a variable this script does not fill" >&2; exit 1 ;;
esac
printf '%s\n' "$page" > "$staging/index.html"
printf 'window.ADUAN_CONFIG = {"apiUrl":"%s","authUrl":"%s","clientId":"%s"};\n' "$api" "$auth" "$client" > "$staging/config.js"

# index.html and config.js are revalidated on every visit, so a new
# version reaches officials at once; the rest may be cached for an hour.
aws s3 sync "$staging" "s3://$bucket" --delete --exclude index.html --exclude config.js --cache-control max-age=3600
aws s3 cp "$staging/index.html" "s3://$bucket/index.html" --cache-control no-cache
aws s3 cp "$staging/config.js" "s3://$bucket/config.js" --cache-control no-cache
aws cloudfront create-invalidation --distribution-id "$distribution" --paths '/*' >/dev/null
echo "console: $(output ConsoleUrl)"
