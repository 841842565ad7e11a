#!/usr/bin/env python3
"""`tshark -2 -z agenttls,tree` on each test capture counts each expected
verdict as often as tests/captures/expected.tsv lists it.  (Captures are not
merged: several reuse the same addresses and ports, and would run together.)"""
import collections
import concurrent.futures
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_captures import CAPTURES, STAGE, load_expected, tshark  # noqa: E402


def stats_counts(capture):
    counts, section = collections.Counter(), None
    for line in tshark(["-2", "-r", capture, "-q", "-z", "agenttls,tree"]).splitlines():
        match = re.match(r"^(\S.*?)\s{2,}(\d+)\s", line)
        if match:
            section = match.group(1)
            continue
        match = re.match(r"^ (\S+)\s+(\d+)\s", line)
        if match and section == "Handshakes by verdict":
            counts[match.group(1)] += int(match.group(2))
    return counts


def main():
    table = load_expected(os.path.join(CAPTURES, "expected.tsv"))
    expected = collections.Counter(row["verdict"] for rows in table.values() for row in rows)
    with tempfile.TemporaryDirectory(prefix="agenttls-stats-") as scratch:
        os.chmod(scratch, 0o755)
        subprocess.run([STAGE, scratch] + [os.path.join(CAPTURES, name) for name in table],
                       check=True)
        paths = [os.path.join(scratch, name) for name in table]
        with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
            got = sum(pool.map(stats_counts, paths), collections.Counter())
    for verdict in sorted(set(expected) | set(got)):
        print("  %-22s expected %3d  got %3d" % (verdict, expected[verdict], got[verdict]))
    ok = got == expected
    print("stats: %d verdict kinds, %s" % (len(expected), "match" if ok else "MISMATCH"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
