#!/usr/bin/env bash
# Commit subjects (the first line of the message) are at most 72 characters.
#
#   scripts/check_commits.sh RANGE            every commit in RANGE, e.g. main..HEAD
#   scripts/check_commits.sh --message FILE   one message file (.githooks/commit-msg calls this)
#
# Exits 1 and lists the offenders when a subject is longer. Not run on the whole history: older
# commits predate the rule.
set -euo pipefail
export LC_ALL=C.UTF-8 # count characters, not bytes
MAX=72

# The subject of a message on stdin: its first line that is neither blank nor a git comment.
subject() {
    local line
    while IFS= read -r line || [ -n "$line" ]; do
        [[ -z "${line//[[:space:]]/}" || "$line" == "#"* ]] && continue
        printf '%s' "$line"
        return
    done
}

# 0 when the subject fits; autosquash prefixes (fixup!/squash!/amend!) are dropped on rebase.
fits() {
    local s=$1
    [[ "$s" =~ ^(fixup|squash|amend)!\  ]] && return 0
    [ "${#s}" -le "$MAX" ]
}

case "${1:-}" in
--message)
    [ $# -eq 2 ] || { echo "usage: $0 --message FILE" >&2; exit 2; }
    s=$(subject <"$2")
    if ! fits "$s"; then
        echo "commit subject is ${#s} characters; at most $MAX (details go in the body):" >&2
        echo "  $s" >&2
        exit 1
    fi
    ;;
"" | -*)
    echo "usage: $0 RANGE | --message FILE" >&2
    exit 2
    ;;
*)
    bad=0
    while IFS= read -r rev; do
        s=$(git log -1 --format=%B "$rev" | subject)
        if ! fits "$s"; then
            echo "${rev:0:10} (${#s} characters): $s"
            bad=1
        fi
    done < <(git rev-list "$1")
    if [ "$bad" -ne 0 ]; then
        echo "commit subjects above are longer than $MAX characters" >&2
        exit 1
    fi
    ;;
esac
