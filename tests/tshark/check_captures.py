#!/usr/bin/env python3
"""Checks the plugin's verdicts on test captures through real tshark runs.

For every row of tests/captures/expected.tsv that names the capture (or all
captures), it runs tshark with the plugin in one pass and with -2 and checks:
  * one pass: the frame named by agenttls.decided_in carries the expected
    verdict and findings, and no later frame of the handshake says otherwise;
  * two passes: every frame of the handshake carries the final verdict;
  * `-Y agenttls.<verdict>` (the expert item's filter) finds the deciding frame;
  * `-z expert` counts the same agenttls items in both modes;
  * fields listed in tests/captures/expected-fields.tsv have the listed value.
Exit status 0 only if everything holds.  Standard library only.
"""
import argparse
import collections
import csv
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
TSHARK = os.path.join(REPO, "tests", "lib", "tshark-with-plugin")
STAGE = os.path.join(REPO, "tests", "lib", "stage-captures")
CAPTURES = os.path.join(REPO, "tests", "captures")

# Findings only the end of the capture can tell: absent in one pass.
END_ONLY_FINDINGS = {"no_server_hello"}

FIELDS = ["frame.number", "tcp.stream", "agenttls.handshake", "agenttls.verdict",
          "agenttls.finding", "agenttls.decided_in"]


class Failures:
    def __init__(self):
        self.messages = []

    def check(self, condition, message):
        if not condition:
            self.messages.append(message)
        return condition


def tshark(args):
    result = subprocess.run([TSHARK] + args, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError("tshark %s failed (%d): %s" % (" ".join(args), result.returncode,
                                                          result.stderr.strip()))
    return result.stdout


def run_with_fields(capture, two_pass, display_filter="agenttls", with_expert=False):
    """Field rows of the frames matching the filter, and (optionally) the
    agenttls expert counts from the same run: tab-separated lines are field
    rows, the -z expert table has no tabs."""
    args = ["-r", capture, "-Y", display_filter, "-T", "fields", "-E", "separator=\t",
            "-E", "occurrence=a", "-E", "aggregator=,"]
    if two_pass:
        args.insert(0, "-2")
    if with_expert:
        args += ["-z", "expert"]
    for field in FIELDS:
        args += ["-e", field]
    rows, experts = [], collections.Counter()
    for line in tshark(args).splitlines():
        if "\t" in line:
            cells = (line.split("\t") + [""] * len(FIELDS))[:len(FIELDS)]
            rows.append(dict(zip(FIELDS, cells)))
            continue
        parts = line.split(None, 3)
        if len(parts) == 4 and parts[2] == "AgentTLS" and parts[0].isdigit():
            experts[parts[3]] += int(parts[0])
    return rows, experts


def findings_of(row):
    return set(filter(None, row["agenttls.finding"].split(",")))


def handshake_rows(rows, stream, handshake):
    return [r for r in rows if r["tcp.stream"].split(",")[-1] == stream
            and r["agenttls.handshake"] == handshake]


def check_one_pass(fail, rows, expected, label):
    verdict, findings = expected["verdict"], expected["findings"] - END_ONLY_FINDINGS
    decided = [r for r in rows if r["agenttls.verdict"]]
    if verdict in END_ONLY_FINDINGS:
        # Only knowable once the whole capture has been read: one pass shows
        # the hello without a verdict.
        fail.check(rows and not decided, "%s one pass: expected the hello without a verdict" % label)
        return
    if not fail.check(decided, "%s one pass: no frame carries a verdict" % label):
        return
    last = decided[-1]
    fail.check(last["agenttls.verdict"] == verdict,
               "%s one pass: last verdict %r, expected %r" % (label, last["agenttls.verdict"], verdict))
    decider = [r for r in decided if r["frame.number"] == last["agenttls.decided_in"]]
    fail.check(decider and decider[0]["agenttls.verdict"] == verdict,
               "%s one pass: frame %s (decided_in) does not carry %r"
               % (label, last["agenttls.decided_in"], verdict))
    fail.check(findings_of(last) == findings,
               "%s one pass: findings %s, expected %s" % (label, sorted(findings_of(last)),
                                                          sorted(findings)))


def check_two_pass(fail, rows, expected, label):
    fail.check(rows, "%s -2: no frame carries the subtree" % label)
    for row in rows:
        fail.check(row["agenttls.verdict"] == expected["verdict"],
                   "%s -2: frame %s says %r, expected %r" % (label, row["frame.number"],
                                                             row["agenttls.verdict"],
                                                             expected["verdict"]))
        fail.check(findings_of(row) == expected["findings"],
                   "%s -2: frame %s findings %s, expected %s"
                   % (label, row["frame.number"], sorted(findings_of(row)),
                      sorted(expected["findings"])))


def check_expert_filter(fail, capture, rows, expected, label):
    if expected["verdict"] in ("ok", "incomplete", "pending") or not rows:
        return
    hits, _ = run_with_fields(capture, True, "agenttls.%s" % expected["verdict"])
    decided_in = rows[0]["agenttls.decided_in"]
    fail.check(any(r["frame.number"] == decided_in for r in hits),
               "%s: -Y agenttls.%s does not find frame %s"
               % (label, expected["verdict"], decided_in))


def check_expert_counts(fail, one, two, expected_rows, label):
    end_only = sum(1 for e in expected_rows for f in e["findings"] if f in END_ONLY_FINDINGS)
    fail.check(sum(two.values()) - sum(one.values()) == end_only,
               "%s: -z expert counts differ: one pass %s, two passes %s"
               % (label, dict(one), dict(two)))
    wanted = sum(len(e["findings"]) for e in expected_rows)
    fail.check(sum(two.values()) == wanted,
               "%s: -z expert shows %d agenttls items, expected %d (one per finding)"
               % (label, sum(two.values()), wanted))


def check_field_values(fail, capture, name, field_rows):
    """Rows of expected-fields.tsv: a field's value on every judged frame of a stream (-2)."""
    for row in field_rows:
        out = tshark(["-2", "-r", capture, "-Y", "agenttls && tcp.stream == %s" % row["stream"],
                      "-T", "fields", "-E", "occurrence=f", "-e", row["field"]])
        values = set(out.splitlines())
        fail.check(values == {row["value"]}, "%s stream %s: %s is %s, expected %r"
                   % (name, row["stream"], row["field"], sorted(values), row["value"]))


def load_field_expectations(path):
    table = collections.defaultdict(list)
    if os.path.exists(path):
        with open(path, newline="") as handle:
            for row in csv.DictReader(handle, delimiter="\t"):
                table[row["file"]].append(row)
    return table


def load_expected(path):
    table = collections.OrderedDict()
    with open(path, newline="") as handle:
        for row in csv.DictReader((l for l in handle if not l.startswith("#")), delimiter="\t"):
            listed = (row.get("findings") or "").strip()
            row["findings"] = set() if listed in ("", "-") else set(listed.split(","))
            table.setdefault(row["file"], []).append(row)
    return table


def check_capture(fail, staged, name, expected_rows):
    capture = os.path.join(staged, name)
    one, experts_one = run_with_fields(capture, False, with_expert=True)
    two, experts_two = run_with_fields(capture, True, with_expert=True)
    for expected in expected_rows:
        label = "%s stream %s handshake %s" % (name, expected["stream"], expected["handshake"])
        hs_one = handshake_rows(one, expected["stream"], expected["handshake"])
        hs_two = handshake_rows(two, expected["stream"], expected["handshake"])
        check_one_pass(fail, hs_one, expected, label)
        check_two_pass(fail, hs_two, expected, label)
        check_expert_filter(fail, capture, hs_two, expected, label)
        verdict = hs_two[0]["agenttls.verdict"] if hs_two else "(none)"
        print("  %-60s %s" % (label, verdict))
    check_expert_counts(fail, experts_one, experts_two, expected_rows, name)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--expected", default=os.path.join(CAPTURES, "expected.tsv"))
    parser.add_argument("captures", nargs="*", help="capture file names (default: all listed)")
    args = parser.parse_args()

    table = load_expected(args.expected)
    field_table = load_field_expectations(os.path.join(CAPTURES, "expected-fields.tsv"))
    names = args.captures or list(table)
    staged = tempfile.mkdtemp(prefix="agenttls-captures-")
    try:
        subprocess.run([STAGE, staged] + [os.path.join(CAPTURES, n) for n in names], check=True)
        fail = Failures()
        for name in names:
            if not fail.check(name in table, "%s: not listed in %s" % (name, args.expected)):
                continue
            check_capture(fail, staged, name, table[name])
            check_field_values(fail, os.path.join(staged, name), name, field_table.get(name, []))
    finally:
        shutil.rmtree(staged, ignore_errors=True)
    for message in fail.messages:
        print("FAIL: " + message)
    print("captures: %d checked, %d failures" % (len(names), len(fail.messages)))
    return 1 if fail.messages else 0


if __name__ == "__main__":
    sys.exit(main())
