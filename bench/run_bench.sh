#!/usr/bin/env bash
# Agent TLS Verdict performance benchmark (and correctness check).
#
#   bash bench/run_bench.sh [--sizes 10000,100000] [--runs 5] [--seed 1]
#                           [--plugin-dir DIR] [--work-dir DIR] [--tshark PATH]
#                           [--check-only] [--check-size 2000]
#                           [--plain-vs-plain] [--no-verify] [--strict]
#                           [--skip-if-no-plugin] [--report-only RESULTS.tsv]
#
# See bench/README.md.  Exit status: 0 ok; 1 verification failed, plugin
# missing or another error; 2 a performance target was missed (--strict only);
# 77 plugin not built and --skip-if-no-plugin given.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/.." && pwd)

SIZES=10000,100000
RUNS=5
SEED=1
PLUGIN_DIR=${AGENTTLS_PLUGIN_DIR:-${PLUGIN_DIR:-build/plugins}}
WORK_DIR=${BENCH_WORK_DIR:-/tmp/agenttls-bench}
TSHARK=${TSHARK:-tshark}
CHECK_ONLY=0
CHECK_SIZE=2000
PLAIN_VS_PLAIN=0
VERIFY=1
STRICT=0
SKIP_NO_PLUGIN=0
REPORT_ONLY=
PLUGIN_NAME=agenttls
VERDICT_FIELD=agenttls.verdict

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit "${1:-1}"; }

while [ $# -gt 0 ]; do
    case "$1" in
        --sizes) SIZES=$2; shift 2 ;;
        --runs) RUNS=$2; shift 2 ;;
        --seed) SEED=$2; shift 2 ;;
        --plugin-dir) PLUGIN_DIR=$2; shift 2 ;;
        --work-dir) WORK_DIR=$2; shift 2 ;;
        --tshark) TSHARK=$2; shift 2 ;;
        --check-only) CHECK_ONLY=1; shift ;;
        --check-size) CHECK_SIZE=$2; shift 2 ;;
        --plain-vs-plain) PLAIN_VS_PLAIN=1; shift ;;
        --no-verify) VERIFY=0; shift ;;
        --strict) STRICT=1; shift ;;
        --report-only) REPORT_ONLY=$2; shift 2 ;;
        --skip-if-no-plugin) SKIP_NO_PLUGIN=1; shift ;;
        -h|--help) usage 0 ;;
        *) echo "run_bench.sh: unknown argument: $1" >&2; usage 1 ;;
    esac
done

case "$RUNS" in ''|*[!0-9]*|0) echo "run_bench.sh: --runs must be a positive integer" >&2; exit 1 ;; esac
# Relative plugin paths are relative to the repository root.
case "$PLUGIN_DIR" in /*) ;; *) PLUGIN_DIR="$REPO_ROOT/$PLUGIN_DIR" ;; esac
TSHARK_BIN=$(command -v "$TSHARK") || { echo "run_bench.sh: tshark not found ($TSHARK)" >&2; exit 1; }
TIME_BIN=/usr/bin/time
[ -x "$TIME_BIN" ] || { echo "run_bench.sh: $TIME_BIN missing (apt-get install time)" >&2; exit 1; }

log() { printf '%s\n' "$*" >&2; }
loud() {
    printf '\n########################################################################\n' >&2
    printf '### %s\n' "$@" >&2
    printf '########################################################################\n\n' >&2
}

# ---------------------------------------------------------------------------
# Report from a results file (size, configuration, run, wall s, max RSS KB),
# then exit with the run's status.
report_and_exit() {
    REPORT=$(awk -F'\t' -v pvp="$PLAIN_VS_PLAIN" -v verify_failed="$VERIFY_FAILED" \
                 -v verified="$VERIFY" '
    function median(key,    n, i, j, t, a) {
        n = cnt[key]
        for (i = 1; i <= n; i++) a[i] = val[key, i]
        for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
        return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    {
        k = $1 SUBSEP $2
        cnt[k]++; val[k, cnt[k]] = $4
        rk = $1 SUBSEP $2 SUBSEP "rss"; cnt[rk]++; val[rk, cnt[rk]] = $5
        if ($3 > runs) runs = $3
        if ($1 != 0 && !($1 in seen)) { seen[$1] = 1; sizes[++ns] = $1 }
        if (!(k in mn) || $4 < mn[k]) mn[k] = $4
        if (!(k in mx) || $4 > mx[k]) mx[k] = $4
    }
    END {
        plug = pvp ? "plain (2nd copy)" : "plugin"
        name["plain1"] = "plain, 1 pass"; name["plugin1"] = plug ", 1 pass"
        name["plain2"] = "plain, -2";     name["plugin2"] = plug ", -2"
        printf "| conversations | configuration | median wall (s) | min-max (s) | peak RSS (MiB) | wall vs plain | extra RSS (B/conv) |\n"
        printf "|---:|---|---:|---:|---:|---:|---:|\n"
        for (i = 1; i <= ns; i++) {
            s = sizes[i]
            for (p = 1; p <= 2; p++) {
                pl = "plain" p; pg = "plugin" p
                W[s, pl] = median(s SUBSEP pl); W[s, pg] = median(s SUBSEP pg)
                R[s, pl] = median(s SUBSEP pl SUBSEP "rss"); R[s, pg] = median(s SUBSEP pg SUBSEP "rss")
                ratio[s, p] = W[s, pg] / W[s, pl]
                extra[s, p] = (R[s, pg] - R[s, pl]) * 1024 / s
                printf "| %d | %s | %.2f | %.2f-%.2f | %.1f | 1.000 | |\n", s, name[pl], W[s, pl], mn[s SUBSEP pl], mx[s SUBSEP pl], R[s, pl] / 1024
                printf "| %d | %s | %.2f | %.2f-%.2f | %.1f | **%.3f** | **%.0f** |\n", s, name[pg], W[s, pg], mn[s SUBSEP pg], mx[s SUBSEP pg], R[s, pg] / 1024, ratio[s, p], extra[s, p]
                fl = "floor" p
                if (cnt[s SUBSEP fl]) {
                    W[s, fl] = median(s SUBSEP fl); R[s, fl] = median(s SUBSEP fl SUBSEP "rss")
                    floor_ratio[s, p] = W[s, fl] / W[s, pl]
                    printf "| %d | floor (asks for tcp.stream only), %s | %.2f | %.2f-%.2f | %.1f | %.3f | %.0f |\n", s, p == 1 ? "1 pass" : "-2", W[s, fl], mn[s SUBSEP fl], mx[s SUBSEP fl], R[s, fl] / 1024, floor_ratio[s, p], (R[s, fl] - R[s, pl]) * 1024 / s
                }
            }
        }
        printf "\nMedians of %d runs; RSS = max resident set size from /usr/bin/time (median over runs).\n", runs
        if (cnt[sizes[1] SUBSEP "floor1"])
            printf "The floor rows are a postdissector that asks for one field and does nothing: the cost of Wireshark building a protocol tree on every frame, which any postdissector reading fields pays.\n"
        if (cnt[0 SUBSEP "plain1"])
            printf "Start-up cost (empty capture): plain %.2f s / %.1f MiB, %s %.2f s / %.1f MiB; included in every row above.\n", median(0 SUBSEP "plain1"), median(0 SUBSEP "plain1" SUBSEP "rss") / 1024, plug, median(0 SUBSEP "plugin1"), median(0 SUBSEP "plugin1" SUBSEP "rss") / 1024
        if (verified == 0) printf "Plugin verdicts were NOT verified in this run.\n"
        if (verify_failed) printf "**Plugin verdicts FAILED verification: these timings do not count.**\n"
        printf "\n| target | measured | result |\n|---|---|---|\n"
        fail = 0
        for (i = 1; i <= ns; i++) {
            s = sizes[i]
            r = ratio[s, 1]; ok = r <= 1.15; fail += !ok
            printf "| %d conv: 1-pass wall <= 1.15x plain | %.3fx | %s |\n", s, r, ok ? "PASS" : "FAIL"
            r = ratio[s, 2]; ok = r <= 1.25; fail += !ok
            printf "| %d conv: -2 wall <= 1.25x plain -2 | %.3fx | %s |\n", s, r, ok ? "PASS" : "FAIL"
            for (p = 1; p <= 2; p++) {
                e = extra[s, p]; ok = e <= 200; fail += !ok
                printf "| %d conv: extra memory (%s) <= 200 B/conv | %.0f B/conv | %s |\n", s, p == 1 ? "1 pass" : "-2", e, ok ? "PASS" : "FAIL"
            }
        }
        for (i = 2; i <= ns; i++) {
            a = sizes[i - 1]; b = sizes[i]
            f = b / a
            for (p = 1; p <= 2; p++) {
                sg = W[b, "plugin" p] / W[a, "plugin" p]
                sp = W[b, "plain" p] / W[a, "plain" p]
                lim = f * 1.05
                ok = sg <= lim; fail += !ok
                printf "| scaling %s, %d -> %d conv (%.0fx): time <= %.2fx | plugin %.2fx (plain %.2fx) | %s |\n", p == 1 ? "1 pass" : "-2", a, b, f, lim, sg, sp, ok ? "PASS" : "FAIL"
            }
        }
        if (verify_failed) fail++
        printf "\nTARGETS: %s\n", fail ? "MISSED (" fail ")" : "all met"
        exit fail ? 2 : 0
    }' "$RESULTS") && PERF_RC=0 || PERF_RC=$?

    echo
    echo "## Agent TLS Verdict benchmark ($(date -u +%Y-%m-%dT%H:%M:%SZ))"
    echo
    echo "tshark: $("$TSHARK_BIN" --version 2>/dev/null | head -1 | sed "s/\.$//"); $(nproc) CPUs; seed $SEED; captures in $WORK_DIR"
    [ "$PLAIN_VS_PLAIN" = 1 ] && echo "MODE: plain vs plain (noise measurement; \"plugin\" rows are plain tshark too)"
    echo
    echo "$REPORT"
    echo
    echo "Load average (1 min) before / after timing: $LOAD_BEFORE / $LOAD_AFTER on $(nproc) CPUs (tshark itself accounts for about 1; more means other jobs competed and the numbers are noisy)."

    if [ "$VERIFY_FAILED" = 1 ]; then
        loud "BENCHMARK FAILED: plugin verdicts do not match the expected verdicts"
        exit 1
    fi
    if [ "$PERF_RC" != 0 ] && [ "$STRICT" = 1 ]; then
        exit 2
    fi
    exit 0
}

if [ -n "$REPORT_ONLY" ]; then
    RESULTS=$REPORT_ONLY VERIFY=0 VERIFY_FAILED=0 LOAD_BEFORE=n/a LOAD_AFTER=n/a
    TSHARK_BIN=$(command -v "$TSHARK" || echo tshark)
    report_and_exit
fi

# ---------------------------------------------------------------------------
# Work area: cached captures (world-readable) plus a per-run temp dir.
mkdir -p "$WORK_DIR"
chmod 755 "$WORK_DIR"
RUN_TMP=$(mktemp -d "$WORK_DIR/run.XXXXXX")
chmod 755 "$RUN_TMP"
cleanup() { rm -rf "$RUN_TMP"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# Build the generator (cached by source hash).
GEN_SRC="$SCRIPT_DIR/gen_capture.c"
GEN_HASH=$(sha256sum "$GEN_SRC" | cut -c1-12)
GEN_BIN="$WORK_DIR/gen_capture-$GEN_HASH"
if [ ! -x "$GEN_BIN" ]; then
    rm -f "$WORK_DIR"/gen_capture-*
    log "building generator: gcc -O2 $GEN_SRC"
    gcc -O2 -std=c99 -D_POSIX_C_SOURCE=200809L -Wall -o "$GEN_BIN.tmp" "$GEN_SRC"
    mv "$GEN_BIN.tmp" "$GEN_BIN"
fi

# capture_for N -> sets CAP and EXP (generated on first use, then cached).
capture_for() {
    local n=$1 base="$WORK_DIR/conv${1}_seed${SEED}_$GEN_HASH"
    CAP="$base.pcap"
    EXP="$base.tsv"
    if [ ! -s "$CAP" ] || [ ! -s "$EXP" ]; then
        # Drop captures of this size and seed made by an older generator.
        rm -f "$WORK_DIR/conv${n}_seed${SEED}_"*.pcap "$WORK_DIR/conv${n}_seed${SEED}_"*.tsv
        log "generating $n conversations (seed $SEED) -> $CAP"
        local t0 t1
        t0=$(date +%s%N)
        "$GEN_BIN" --conversations "$n" --seed "$SEED" --out "$CAP.tmp" --expected "$EXP.tmp"
        t1=$(date +%s%N)
        mv "$CAP.tmp" "$CAP"
        mv "$EXP.tmp" "$EXP"
        chmod 644 "$CAP" "$EXP"
        log "  generated in $(awk -v d=$((t1 - t0)) 'BEGIN{printf "%.2f", d/1e9}') s, $(du -h "$CAP" | cut -f1)"
    fi
}

# ---------------------------------------------------------------------------
# tshark environments.  tshark started by root ignores WIRESHARK_PLUGIN_DIR,
# so as root every tshark (plain and plugin alike) runs as nobody via setpriv.
# Both configurations get identical users, HOME and environment; they differ
# only in WIRESHARK_PLUGIN_DIR (an empty tree vs. a copy of the plugin).
HOME_DIR="$RUN_TMP/home"
EMPTY_PLUGINS="$RUN_TMP/plugins-empty"
WITH_PLUGIN="$RUN_TMP/plugins-agenttls"
mkdir -p "$HOME_DIR" "$EMPTY_PLUGINS/4.0/epan" "$WITH_PLUGIN/4.0/epan"
chmod -R 755 "$RUN_TMP"
if [ "$(id -u)" = 0 ]; then
    chown 65534:65534 "$HOME_DIR"
    AS_USER=(setpriv --reuid=65534 --regid=65534 --clear-groups)
else
    AS_USER=()
fi

PLUGIN_SO="$PLUGIN_DIR/4.0/epan/$PLUGIN_NAME.so"
# The reference floor (bench/floor_plugin.c, built with the plugin): a
# postdissector that only asks for tcp.stream.
FLOOR_SO="$REPO_ROOT/build/bench-floor/plugins/4.0/epan/agenttls_floor.so"
WITH_FLOOR="$RUN_TMP/plugins-floor"
HAVE_FLOOR=0
if [ -f "$FLOOR_SO" ]; then
    mkdir -p "$WITH_FLOOR/4.0/epan"
    cp "$FLOOR_SO" "$WITH_FLOOR/4.0/epan/"
    chmod -R a+rX "$WITH_FLOOR"
    HAVE_FLOOR=1
fi
HAVE_PLUGIN=0
if [ -f "$PLUGIN_SO" ]; then
    # A private copy: readable by nobody, and immune to rebuilds mid-run.
    cp "$PLUGIN_SO" "$WITH_PLUGIN/4.0/epan/"
    chmod 644 "$WITH_PLUGIN/4.0/epan/$PLUGIN_NAME.so"
    HAVE_PLUGIN=1
fi

# ts ENV_PLUGIN_DIR tshark-args...
ts() {
    local pdir=$1; shift
    "${AS_USER[@]}" env -i PATH=/usr/bin:/bin HOME="$HOME_DIR" LANG=C.UTF-8 \
        WIRESHARK_PLUGIN_DIR="$pdir" "$TSHARK_BIN" "$@"
}

plugin_missing() {
    loud "PLUGIN NOT FOUND: $PLUGIN_SO" \
         "Build it first (e.g. cmake -S . -B build && cmake --build build)," \
         "or pass --plugin-dir DIR / AGENTTLS_PLUGIN_DIR=DIR (layout DIR/4.0/epan/$PLUGIN_NAME.so)."
    if [ "$SKIP_NO_PLUGIN" = 1 ]; then exit 77; fi
    exit 1
}

check_plugin_loads() {
    # Capture first, grep after: with pipefail, grep -q closing the pipe early
    # would make a healthy tshark look like a failure.
    local g="$RUN_TMP/G.out"
    ts "$WITH_PLUGIN" -G plugins >"$g" 2>&1 || true
    if ! grep -q "$PLUGIN_NAME" "$g"; then
        loud "PLUGIN DID NOT LOAD: tshark -G plugins does not list $PLUGIN_NAME" \
             "(copied from $PLUGIN_SO). tshark says:"
        head -20 "$g" >&2
        exit 1
    fi
    ts "$EMPTY_PLUGINS" -G plugins >"$g" 2>&1 || true
    if grep -q "$PLUGIN_NAME" "$g"; then
        loud "PLAIN CONFIGURATION LOADS $PLUGIN_NAME: is it installed system-wide or in ~/.local?"
        exit 1
    fi
    ts "$WITH_PLUGIN" -G fields >"$g" 2>/dev/null || true
    if ! awk -F'\t' -v f="$VERDICT_FIELD" '$3 == f { found = 1 } END { exit !found }' "$g"; then
        loud "PLUGIN LOADED BUT FIELD $VERDICT_FIELD IS NOT REGISTERED"
        exit 1
    fi
}

# verify N: plugin verdict per tcp.stream (two-pass) vs. the expected TSV.
verify() {
    local n=$1
    capture_for "$n"
    local out="$RUN_TMP/verdicts.$n.tsv" rep="$RUN_TMP/verify.$n.txt" rc=0
    log "verifying plugin verdicts on $n conversations (tshark -2 ... -e $VERDICT_FIELD)"
    if ! ts "$WITH_PLUGIN" -2 -r "$CAP" -T fields -E occurrence=f \
            -e tcp.stream -e "$VERDICT_FIELD" -Y "$VERDICT_FIELD" >"$out" 2>"$RUN_TMP/verify.err"; then
        loud "VERIFICATION FAILED: tshark exited non-zero" ; head -20 "$RUN_TMP/verify.err" >&2
        return 1
    fi
    awk -F'\t' -v rep="$rep" '
        FNR == NR {                       # expected: stream<TAB>verdict, header first
            if (FNR > 1) { want[$1] = $2; nexp++ }
            next
        }
        $1 == "" { next }
        {
            if (($1 in got) && got[$1] != $2) incons[$1] = 1
            if (!($1 in got)) got[$1] = $2
            if ($2 ~ /^[0-9]+$/) numeric++
        }
        END {
            bad = 0
            for (s in want) {
                if (!(s in got)) { why = "no verdict" }
                else if (s in incons) { why = "inconsistent verdicts across frames" }
                else if (got[s] != want[s]) { why = "got " got[s] }
                else { ok[want[s]]++; continue }
                bad++
                byexp[want[s]]++
                if (bad <= 15) printf "  stream %s: expected %s, %s\n", s, want[s], why > rep
            }
            for (s in got) if (!(s in want)) {
                bad++
                if (bad <= 15) printf "  stream %s: unexpected stream with verdict %s\n", s, got[s] > rep
            }
            printf "SUMMARY %d %d", nexp, bad > rep
            printf "\n" > rep
            for (v in ok) printf "  ok-match %s=%d\n", v, ok[v] > rep
            for (v in byexp) printf "  mismatched expected %s=%d\n", v, byexp[v] > rep
            if (numeric) printf "  NOTE: %d verdict values are numeric; the field should carry the verdict name\n", numeric > rep
        }' "$EXP" "$out"
    local summary nexp bad
    summary=$(grep '^SUMMARY' "$rep" 2>/dev/null || echo "SUMMARY ? comparison-failed")
    nexp=$(echo "$summary" | cut -d' ' -f2)
    bad=$(echo "$summary" | cut -d' ' -f3)
    if [ "$bad" != 0 ]; then
        loud "VERIFICATION FAILED: $bad of $nexp conversations mismatch (capture $CAP)"
        grep -v '^SUMMARY' "$rep" | sort >&2
        rc=1
    else
        log "verification OK: all $nexp conversations match ($(grep 'ok-match' "$rep" | sed 's/ *ok-match //' | sort | tr '\n' ' '))"
    fi
    return $rc
}

# ---------------------------------------------------------------------------
if [ "$CHECK_ONLY" = 1 ]; then
    [ "$HAVE_PLUGIN" = 1 ] || plugin_missing
    check_plugin_loads
    verify "$CHECK_SIZE" || exit 1
    exit 0
fi

IFS=, read -r -a SIZE_LIST <<<"$SIZES"
for n in "${SIZE_LIST[@]}"; do
    case "$n" in ''|*[!0-9]*|0) echo "run_bench.sh: bad size '$n'" >&2; exit 1 ;; esac
done

if [ "$PLAIN_VS_PLAIN" = 1 ]; then
    log "plain-vs-plain mode: both configurations run WITHOUT the plugin (noise measurement)"
    PLUGIN_ENV="$EMPTY_PLUGINS"
    VERIFY=0
else
    [ "$HAVE_PLUGIN" = 1 ] || plugin_missing
    check_plugin_loads
    PLUGIN_ENV="$WITH_PLUGIN"
fi

# Generate everything first so generation never overlaps a measurement.
for n in "${SIZE_LIST[@]}"; do capture_for "$n"; done

VERIFY_FAILED=0
if [ "$VERIFY" = 1 ]; then
    for n in "${SIZE_LIST[@]}"; do
        verify "$n" || VERIFY_FAILED=1
    done
    if [ "$VERIFY_FAILED" = 1 ]; then
        loud "PLUGIN VERDICTS ARE WRONG: timings below are reported but do not count"
    fi
fi

CONFIGS=(plain1 plugin1 plain2 plugin2)
[ "$HAVE_FLOOR" = 1 ] && CONFIGS+=(floor1 floor2)
RESULTS="$RUN_TMP/results.tsv"    # size config run wall_s maxrss_kb
: >"$RESULTS"

measure() { # measure SIZE CONFIG RUN
    local n=$1 cfg=$2 run=$3 pdir passes=() t0 t1 rss tf="$RUN_TMP/time.out"
    case "$cfg" in
        plain*) pdir="$EMPTY_PLUGINS" ;;
        plugin*) pdir="$PLUGIN_ENV" ;;
        floor*) pdir="$WITH_FLOOR" ;;
    esac
    case "$cfg" in *2) passes=(-2) ;; esac
    t0=$(date +%s%N)
    if ! "$TIME_BIN" -f '%M' -o "$tf" \
            "${AS_USER[@]}" env -i PATH=/usr/bin:/bin HOME="$HOME_DIR" LANG=C.UTF-8 \
            WIRESHARK_PLUGIN_DIR="$pdir" "$TSHARK_BIN" "${passes[@]}" -r "$CAP" \
            >/dev/null 2>"$RUN_TMP/tshark.err"; then
        loud "tshark failed ($cfg, $n conversations)"; head -20 "$RUN_TMP/tshark.err" >&2
        exit 1
    fi
    t1=$(date +%s%N)
    rss=$(tail -1 "$tf")
    printf '%s\t%s\t%s\t%s\t%s\n' "$n" "$cfg" "$run" \
        "$(awk -v d=$((t1 - t0)) 'BEGIN{printf "%.3f", d/1e9}')" "$rss" >>"$RESULTS"
    log "  $(printf '%8s %-7s run %d: %7.2f s %8d KB' "$n" "$cfg" "$run" \
        "$(awk -v d=$((t1 - t0)) 'BEGIN{printf "%.3f", d/1e9}')" "$rss")"
}

# Fixed start-up cost (dissector registration, plugin loading): an empty capture.
EMPTY_CAP="$RUN_TMP/empty.pcap"
"$GEN_BIN" --conversations 0 --seed 1 --out "$EMPTY_CAP" --expected "$RUN_TMP/empty.tsv" 2>/dev/null
chmod 644 "$EMPTY_CAP"

LOAD_BEFORE=$(cut -d' ' -f1 /proc/loadavg)
log "measuring: sizes ${SIZES}, $RUNS runs each, configurations interleaved per round (load average now $LOAD_BEFORE)"
for ((r = 1; r <= RUNS; r++)); do
    CAP=$EMPTY_CAP
    measure 0 plain1 "$r"
    measure 0 plugin1 "$r"
done
for n in "${SIZE_LIST[@]}"; do
    capture_for "$n"
    # Warm the page cache once so run 1 is not the only one reading from disk.
    cat "$CAP" >/dev/null
    for ((r = 1; r <= RUNS; r++)); do
        # Rotate the order each round so no configuration always goes first.
        for ((k = 0; k < ${#CONFIGS[@]}; k++)); do
            measure "$n" "${CONFIGS[$(((k + r - 1) % ${#CONFIGS[@]}))]}" "$r"
        done
    done
done

# ---------------------------------------------------------------------------
LOAD_AFTER=$(cut -d' ' -f1 /proc/loadavg)
cp "$RESULTS" "$WORK_DIR/last-results.tsv"
report_and_exit
