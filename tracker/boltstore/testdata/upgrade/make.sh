#!/usr/bin/env bash
# make.sh — database files written by the gongkai binaries of earlier
# commits, for the upgrade test (cmd/gongkai/upgrade_test.go).
#
# Each fixture <label>.db is what one old binary wrote when it ran the
# operations of ops.txt that its version has; <label>.ops lists exactly
# those, in today's flags, for the test to replay with the current binary
# on a fresh database. One fixture per storage layout that shipped, from the
# last commit before the layout changed again:
#
#   schema1-0be9add  schema 1: meta and calendar_years only. The binary has
#                    only the calendar commands: the fixture holds the 2028
#                    import and nothing else (no catalogue, no audit).
#   schema2-66bd135  schema 2: + catalog, events, open_events (keys, empty
#                    values), audit; every value plain JSON. Events only.
#   schema3-749b611  schema 3: events, audit and catalogue deflated with
#                    dictV1; open_events still keys with empty values.
#   schema3-70a65d4  schema 3 after f7b9584: open_events holds a copy of
#                    each open event without its history. No reminders yet.
#   schema4-2cd5e22  schema 4 (39a25e7): + reminders, outbox, outbox_keys;
#                    a message's content stored inside it; the weekly
#                    report (5b87b6e). No event_dates, events_by_deadline,
#                    events_by_closed, outbox_pending, outbox_unreported
#                    (eabbc50).
#   schema4-6bff38b  schema 4 with those indexes (eabbc50), content still
#                    inside each message (before ce9e04d).
#   schema4-ce9e04d  schema 4 with content in outbox_content, one copy per
#                    message (before 7baf101's content_of).
#   schema4-d3ec5ba  schema 4 with a report's content shared by its
#                    recipients (content_of, 7baf101).
#   schema4-72f1b06  schema 4 as of 72f1b06, the last before migrations.
#   schema5-d4ee95b  schema 5: migrations recorded, reminder marks compact,
#                    large contents in chunks, audit entries binding each
#                    event's hash (and a baseline for those before);
#                    open_events copies still deflated JSON (before schema
#                    6's binary copies).
#   schema6-1fd7592  schema 6: open_events copies in their binary form;
#                    large contents written whole (before schema 7).
#   schema7-c8387e2  schema 7: large contents in chunks; event_dates
#                    without state, date and 一级事项 (before schema 8).
#   schema8-a15d035  schema 8: event_dates with them; events and audit
#                    entries deflated JSON (before schema 9's binary forms).
#   schema9-a1f7d31  schema 9: events, audit entries and event_dates in
#                    their binary forms; no accounts, sections or tokens
#                    (before schema 10).
#
# Every schema-4 fixture but the last stores an event's reminder state as
# {"deadline","officers","supervisors"} (the current deadline only); since
# f402185 it is {"sent":{deadline:{"officers","supervisors"}}}.
#
# Adaptations to old versions (make.sh does them, the .ops files say what
# was run):
#   - operations a version lacks are left out of its fixture and its .ops:
#     schema 1 has only calendar import; the schema-3 versions have no
#     remind and no report; every schema-4 fixture has both.
#   - before 749b611 `calendar import` has no --by: it records the
#     operating-system user, so the .ops line says --by <that user>.
#   - the last two operations leave the outbox unfinished: the remind run
#     with stuck.toml leaves its digests queued (delivery fails and is
#     retried later), the report with broken.toml leaves failed messages not
#     yet reported.
#
# Run from anywhere inside the repository (needs git, go and bash; builds
# each commit from `git archive`, so the checkout is not touched):
#
#   tracker/boltstore/testdata/upgrade/make.sh            # every fixture
#   tracker/boltstore/testdata/upgrade/make.sh schema2-66bd135 ...
#
# The files are reproducible but for what the machine supplies: times from
# its clock (the audit's clock field, a message's claim), which the test
# does not compare, and the user a pre-749b611 calendar import records,
# which the .ops file passes as --by. Needs Linux: stuck.toml and
# broken.toml fail deliveries through /proc/self and /dev/null.
set -euo pipefail
set -f # URLs in ops.txt hold '?'

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(git -C "$here" rev-parse --show-toplevel)

fixtures=(
	"schema1-0be9add 0be9add"
	"schema2-66bd135 66bd135"
	"schema3-749b611 749b611"
	"schema3-70a65d4 70a65d4"
	"schema4-2cd5e22 2cd5e22"
	"schema4-6bff38b 6bff38b"
	"schema4-ce9e04d ce9e04d"
	"schema4-d3ec5ba d3ec5ba"
	"schema4-72f1b06 72f1b06"
	"schema5-d4ee95b d4ee95b"
	"schema6-1fd7592 1fd7592"
	"schema7-c8387e2 c8387e2"
	"schema8-a15d035 a15d035"
	"schema9-a1f7d31 a1f7d31"
)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# has BIN WHAT: does this version have what an operation needs? (An old
# binary shows its help for a command it does not know, so ask the list.)
has() {
	local bin=$1 what=$2
	case $what in
	calendar) return 0 ;;
	events) lists "$bin" log ;;
	remind) lists "$bin" remind ;;
	report) lists "$bin" report && lists "$bin" report weekly ;;
	*)
		echo "make.sh: unknown need $what in ops.txt" >&2
		exit 1
		;;
	esac
}

# lists BIN [COMMAND...] NAME: is NAME among the commands the help lists?
lists() {
	local bin=$1
	shift
	local name=${*: -1}
	"$bin" "${@:1:$#-1}" --help 2>/dev/null | grep -qE "^  $name( |\$)"
}

make_one() {
	local label=$1 commit=$2
	local dir=$work/$label
	mkdir -p "$dir/src" "$dir/run"
	git -C "$repo" archive "$commit" | tar -x -C "$dir/src"
	(cd "$dir/src" && go build -buildvcs=false -o "$dir/gongkai" ./cmd/gongkai)
	cp "$here/2028.json" "$here/mail.toml" "$here/stuck.toml" "$here/broken.toml" "$dir/run/"
	local bin=$dir/gongkai db=$dir/fixture.db
	local calendar_by=yes
	"$bin" calendar import --help 2>&1 | grep -q -- '--by' || calendar_by=no

	local ops=$here/$label.ops
	{
		echo "# Written by make.sh: the operations of ops.txt that gongkai $commit ran"
		echo "# to make $label.db, in today's flags. GONGKAI_NOW, then the arguments."
	} >"$ops"
	local needs now rest
	while read -r needs now rest; do
		[[ -z $needs || $needs == \#* ]] && continue
		has "$bin" "$needs" || continue
		local -a args run
		read -r -a args <<<"$rest"
		run=("${args[@]}")
		if [[ ${args[0]} == calendar && ${args[1]} == import && $calendar_by == no ]]; then
			# No --by: the old binary records the operating-system user.
			run=()
			local i
			for ((i = 0; i < ${#args[@]}; i++)); do
				if [[ ${args[i]} == --by ]]; then
					args[i + 1]=$(id -un)
					i=$((i + 1))
					continue
				fi
				run+=("${args[i]}")
			done
		fi
		echo "== $label: $now ${run[*]}"
		local status=0
		(cd "$dir/run" && env -u GONGKAI_DB -u GONGKAI_CONFIG GONGKAI_NOW="$now" "$bin" "${run[@]}" --db "$db") || status=$?
		if ((status != 0)); then
			# Since 953ac70 (faults of the mail setup), a delivery that
			# stuck.toml or broken.toml blocks exits non-zero; it is
			# meant to.
			[[ " ${run[*]} " == *" stuck.toml "* || " ${run[*]} " == *" broken.toml "* ]] || exit "$status"
			echo "== $label: exit status $status, as stuck.toml and broken.toml mean"
		fi
		echo "$now ${args[*]}" >>"$ops"
	done <"$here/ops.txt"
	cp "$db" "$here/$label.db"
	chmod 0644 "$here/$label.db"
}

want=("$@")
for f in "${fixtures[@]}"; do
	read -r label commit <<<"$f"
	if ((${#want[@]} > 0)); then
		match=no
		for w in "${want[@]}"; do [[ $w == "$label" ]] && match=yes; done
		[[ $match == yes ]] || continue
	fi
	make_one "$label" "$commit"
done
