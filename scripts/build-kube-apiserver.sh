#!/usr/bin/env bash
# Builds kube-apiserver from the published k8s.io/kubernetes module, for the operator test only.
# The module's go.mod points its k8s.io/* staging modules at ./staging, which the module zip does not
# carry; the same code is published as k8s.io/<name> v0.<minor>.<patch>, so each staging replace is
# dropped and the published version required instead. Usage: build-kube-apiserver.sh v1.34.2 <output>
set -euo pipefail
version="$1"
output="$2"
staging_version="v0.${version#v1.}"

source_dir="$(go mod download -json "k8s.io/kubernetes@$version" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')"
[ -d "$source_dir" ] || { echo "go mod download k8s.io/kubernetes@$version gave no source directory" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -r "$source_dir/." "$work"
chmod -R u+w "$work"
cd "$work"

edits=()
for module in $(sed -n 's|^[[:space:]]*\(k8s\.io/[^ ]*\) => \./staging/src/.*$|\1|p' go.mod); do
  edits+=("-dropreplace=$module" "-require=$module@$staging_version")
done
[ "${#edits[@]}" -gt 0 ] || { echo "no ./staging replaces found in k8s.io/kubernetes@$version's go.mod" >&2; exit 1; }
go mod edit "${edits[@]}"

mkdir -p "$(dirname "$output")"
# Built beside the target and renamed, so an interrupted build never leaves a half-written binary.
GOWORK=off GOFLAGS=-mod=mod go build -o "$output.partial" ./cmd/kube-apiserver
mv "$output.partial" "$output"
