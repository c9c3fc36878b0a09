#!/usr/bin/env bash
# Drives a running Relata server through the GitLab story with curl, printing each
# question, the answer expected, and the answer got. Start the server first:
#
#   ./relata serve --preshared-key somerandomkey --bootstrap examples/gitlab/gitlab.yaml
#
# then run `examples/gitlab/walkthrough.sh`. Exits 1 if an answer differs.
set -euo pipefail
url="${RELATA_URL:-http://localhost:8443}"
key="${RELATA_KEY:-somerandomkey}"
failures=0

# check RESOURCE_TYPE RESOURCE_ID PERMISSION SUBJECT_TYPE SUBJECT_ID EXPECTED
check() {
  local body got
  body=$(printf '{"consistency":{"fullyConsistent":true},"resource":{"objectType":"%s","objectId":"%s"},"permission":"%s","subject":{"object":{"objectType":"%s","objectId":"%s"}}}' "$1" "$2" "$3" "$4" "$5")
  got=$(curl -s "$url/v1/permissions/check" -H "Authorization: Bearer $key" -d "$body" \
    | sed -n 's/.*"permissionship":"PERMISSIONSHIP_\([A-Z_]*\)".*/\1/p')
  report "$1:$2#$3@$4:$5" "$6" "$got"
}

report() {
  if [ "$2" = "$3" ]; then
    printf 'ok    %-55s %s\n' "$1" "$3"
  else
    printf 'FAIL  %-55s expected %s, got %s\n' "$1" "$2" "$3"
    failures=$((failures + 1))
  fi
}

echo "# Roles inherit down four levels; the highest role wins"
check project api manage_members user mia HAS_PERMISSION
check project api push_code user gus HAS_PERMISSION
check project api manage_members user dave NO_PERMISSION

echo "# Sharing is capped, and group-to-group shares pass on direct members only"
check project api push_code user sam HAS_PERMISSION
check project api manage_members user sam NO_PERMISSION
check project api push_code user ian NO_PERMISSION
check project web push_code user ian HAS_PERMISSION

echo "# Visibility"
check project handbook clone user erin NO_PERMISSION
check project www clone user erin HAS_PERMISSION

echo "# Confidential issues"
check issue 1 view user rita HAS_PERMISSION
check issue 1 view user pat NO_PERMISSION

echo "# A CI job token needs the allowlist AND the triggering user: one bulk check, two items"
bulk=$(curl -s "$url/v1/permissions/checkbulk" -H "Authorization: Bearer $key" -d '{"consistency":{"fullyConsistent":true},"items":[
  {"resource":{"objectType":"project","objectId":"lib"},"permission":"job_can_read_packages","subject":{"object":{"objectType":"ci_job","objectId":"j3"}}},
  {"resource":{"objectType":"project","objectId":"lib"},"permission":"read_packages","subject":{"object":{"objectType":"user","objectId":"bob"}}}]}')
both=$(printf '%s' "$bulk" | grep -o 'PERMISSIONSHIP_[A-Z_]*' | tr '\n' ' ')
report "job j3 (triggered by bob) reads lib's packages" "HAS_PERMISSION NO_PERMISSION" \
  "$(printf '%s' "$both" | sed 's/PERMISSIONSHIP_//g; s/ $//')"

echo "# A token limited to read_job on api cannot read jobs of a sibling, though its owner can"
check project sibling token_can_read_job access_token t1 NO_PERMISSION
check project sibling read_job user dave HAS_PERMISSION

if [ "$failures" -gt 0 ]; then
  echo "$failures answer(s) differ"
  exit 1
fi
echo "all answers as expected"
