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

# chain RESOURCE_TYPE RESOURCE_ID PERMISSION "TYPE:ID>TYPE:ID" EXPECTED: a composite check (Relata's
# /relata/v1/permissions/check) of a chain of principals, e.g. a job token and its triggering user.
chain() {
  local principals="" p body got
  IFS='>' read -ra links <<<"$4"
  for p in "${links[@]}"; do
    principals+="${principals:+,}$(printf '{"object":{"objectType":"%s","objectId":"%s"}}' "${p%%:*}" "${p#*:}")"
  done
  body=$(printf '{"consistency":{"fullyConsistent":true},"resource":{"objectType":"%s","objectId":"%s"},"permission":"%s","principals":[%s]}' "$1" "$2" "$3" "$principals")
  got=$(curl -s "$url/relata/v1/permissions/check" -H "Authorization: Bearer $key" -d "$body" \
    | sed -n 's/^{"permissionship":"PERMISSIONSHIP_\([A-Z_]*\)".*/\1/p')
  report "$1:$2#$3@$4" "$5" "$got"
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

echo "# A CI job token: the job's allowlist entry and scope, AND the user who triggered it"
chain project lib read_packages "ci_job:j1>user:dave" HAS_PERMISSION
chain project lib read_packages "ci_job:j3>user:bob" NO_PERMISSION
chain project lib read_job "ci_job:j1>user:dave" NO_PERMISSION
chain project other read_job "ci_job:j6>user:dave" HAS_PERMISSION

echo "# A fine-grained personal access token: its boundary and permissions, AND its owner"
chain project api read_job "access_token:t1>user:dave" HAS_PERMISSION
chain project sibling read_job "access_token:t1>user:dave" NO_PERMISSION
check project sibling read_job user dave HAS_PERMISSION
chain project lib push_code "access_token:t2>user:dave" HAS_PERMISSION
chain project api push_code "access_token:t4>user:rita" NO_PERMISSION

echo "# An agent: its service account AND the human it acts for"
chain project api push_code "service_account:duo>user:dave" HAS_PERMISSION
chain project api push_code "service_account:duo>user:rita" NO_PERMISSION

echo "# Custom roles: Guest plus read_code"
check project api read_code user carl HAS_PERMISSION
check project api push_code user carl NO_PERMISSION

if [ "$failures" -gt 0 ]; then
  echo "$failures answer(s) differ"
  exit 1
fi
echo "all answers as expected"
