#!/usr/bin/env bash
# Watches an owner process; when it is gone (finished, crashed or interrupted), stops the process groups
# listed in <pgid-file> (one per line, appended as servers start) and removes <dir-to-remove> if given.
# Started in its own session so it outlives the owner.
owner=$1; pgidfile=$2; rmdir_=${3:-}
while kill -0 "$owner" 2>/dev/null; do sleep 1; done
groups=$(cat "$pgidfile" 2>/dev/null)
for g in $groups; do kill -TERM -- "-$g" 2>/dev/null; done
for _ in $(seq 20); do
  alive=0; for g in $groups; do kill -0 -- "-$g" 2>/dev/null && alive=1; done
  [ $alive -eq 0 ] && break; sleep 0.5
done
for g in $groups; do kill -KILL -- "-$g" 2>/dev/null; done
[ -n "$rmdir_" ] && rm -rf "$rmdir_"
exit 0
