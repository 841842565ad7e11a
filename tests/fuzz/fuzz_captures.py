#!/usr/bin/env python3
"""Capture fuzzing: corrupt every test capture with editcap and run tshark with
the plugin on the results under AddressSanitizer/UBSan (or valgrind memcheck).

  tests/fuzz/fuzz_captures.py [--files N] [--batch K] [--jobs J]
      [--tool asan|valgrind] [--plugin-dir DIR] [--seed S] [--workdir DIR]

Fuzzed capture number i (0 <= i < N) is fully determined by --seed and i:
    source  = the i-th test capture (round robin over tests/captures/*.pcap)
    rate    = RATES[(i // len(sources)) % len(RATES)]     (editcap -E)
    offset  = 0 or 54 (editcap -o: corrupt whole frames, or only past the
              Ethernet/IPv4/TCP headers so TCP and TLS still parse)
    snaplen = every 7th file is also truncated (editcap -s 60..300)
    editcap --seed SEED*100000+i
(editcap 4.0's seed option is --seed; its -s is the snap length.)

K fuzzed captures are concatenated (mergecap -a) into one file per tshark run
to save tshark's start-up time; --batch 1 runs every capture on its own.  Each
batch runs in three modes: single pass (-r), two passes (-2) and single pass
with the full tree (-V).  A run is a fault when tshark dies on a signal or
times out, a sanitizer or memcheck report appears, a leak is reported, or the
output shows a dissector bug / malformed item in AgentTLS.  Every fault is
rerun with plain tshark (no plugins, same sanitizer runtime) on the same file:
if plain tshark faults too (and the report does not mention the plugin) the
fault is Wireshark's and is listed separately; otherwise it is the plugin's.
A batch that faults is split and its captures are rerun one by one to name the
fuzzed capture responsible; all faulty files are kept under WORKDIR/faults.

Exit status: 0 when no plugin fault was found, 1 otherwise, 2 on setup errors.
"""

import argparse
import concurrent.futures as cf
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
WRAPPER = os.path.join(REPO, "tests", "lib", "tshark-with-plugin")
RATES = [0.0005, 0.002, 0.01, 0.05, 0.2]
MODES = {"single": [], "two-pass": ["-2"], "verbose": ["-V"]}
PLUGIN_MARK = re.compile(r"agenttls|atv_", re.I)
BAD_OUTPUT = re.compile(r"Dissector bug, protocol AgentTLS|Malformed Packet: AgentTLS|"
                        r"\[AgentTLS: .*exception", re.I)
SANITIZER_ERROR = re.compile(r"ERROR: (AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer)|"
                             r"runtime error:|==\d+== (Invalid|Mismatched|Conditional jump|"
                             r"Use of uninitialised|Source and destination)")


def log(*args):
    print(*args, flush=True)


def sh(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)


class Runner:
    def __init__(self, args, workdir):
        self.args = args
        self.workdir = workdir
        self.logdir = os.path.join(workdir, "logs")
        os.makedirs(self.logdir, exist_ok=True)
        os.chmod(workdir, 0o755)
        os.chmod(self.logdir, 0o1777)
        self.counter = 0
        self.lock = threading.Lock()
        self.runs = 0
        if args.tool == "asan":
            env = sh([os.path.join(HERE, "sanitizer-env"), args.plugin_dir, "@LOGDIR@"], check=False)
            if env.returncode != 0:
                sys.stderr.write(env.stderr.decode())
                raise SystemExit(2)
            self.base_env = env.stdout.decode().strip()

    def preflight(self, capture):
        """The plugin must load and produce verdicts under the chosen tool."""
        env = dict(os.environ, AGENTTLS_PLUGIN_DIR=self.args.plugin_dir)
        if self.args.tool == "asan":
            # Leak checks exit before stdout is flushed: off for this check.
            env["AGENTTLS_TSHARK_ENV"] = self.base_env.replace("@LOGDIR@", self.logdir).replace(
                "detect_leaks=1", "detect_leaks=0")
        res = sh([WRAPPER, "-n", "-r", capture, "-Y", "agenttls.verdict", "-T", "fields",
                  "-e", "agenttls.verdict"], env=env)
        out = res.stdout.decode().split()
        # Only that the plugin works is checked here: faults (a leak report
        # makes the exit status nonzero) are counted by the runs proper.
        if not out:
            log("FAIL: preflight: tshark with the plugin gave no verdict on %s (rc %d)\n%s" %
                (capture, res.returncode, res.stderr.decode()[-3000:]))
            raise SystemExit(2)
        log("capture fuzz: preflight ok, plugin loaded under %s: %s -> %s" %
            (self.args.tool, os.path.basename(capture), ",".join(sorted(set(out)))))

    def tshark(self, capture, mode, with_plugin):
        """Runs tshark once; returns (fault description or None, report text)."""
        with self.lock:
            self.counter += 1
            self.runs += 1
            tag = "run%06d" % self.counter
        rundir = os.path.join(self.logdir, tag)
        os.makedirs(rundir)
        os.chmod(rundir, 0o1777)
        env = dict(os.environ)
        env["AGENTTLS_PLUGIN_DIR"] = self.args.plugin_dir if with_plugin else "none"
        env.pop("AGENTTLS_TSHARK_WRAPPER", None)
        if self.args.tool == "asan":
            # Same runtime for plain tshark: it then sees the same allocator.
            env["AGENTTLS_TSHARK_ENV"] = self.base_env.replace("@LOGDIR@", rundir)
        else:
            env["AGENTTLS_TSHARK_ENV"] = ""
            env["AGENTTLS_TSHARK_WRAPPER"] = (
                # Memory errors only: plain tshark 4.0.17 itself has definite
                # leaks under memcheck, so leaks are left to the ASan mode.
                "valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=none "
                "--log-file=%s/vg.%%p" % rundir)
        cmd = [WRAPPER, "-n", "-r", capture] + MODES[mode]
        try:
            proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                                  timeout=self.args.timeout)
            rc, out, err = proc.returncode, proc.stdout.decode("utf-8", "replace"), \
                proc.stderr.decode("utf-8", "replace")
        except subprocess.TimeoutExpired:
            rc, out, err = "timeout", "", ""
        reports = ""
        for path in sorted(glob.glob(os.path.join(rundir, "*"))):
            with open(path, errors="replace") as f:
                reports += f.read()
        shutil.rmtree(rundir, ignore_errors=True)
        return classify(rc, out, err, reports)


def classify(rc, out, err, reports):
    """(fault or None, text, mentions_plugin) for one tshark run."""
    text = reports + "\n" + err
    fault = None
    if rc == "timeout":
        fault = "timeout"
    elif isinstance(rc, int) and rc < 0:
        fault = "signal %d" % -rc
    elif SANITIZER_ERROR.search(text):
        m = SANITIZER_ERROR.search(text)
        fault = "sanitizer: " + m.group(0)
        if "LeakSanitizer" in m.group(0) or "definitely lost" in m.group(0):
            fault = "leak"
    elif isinstance(rc, int) and rc >= 128:
        fault = "exit %d" % rc
    elif BAD_OUTPUT.search(out) or BAD_OUTPUT.search(err):
        fault = "dissector bug in AgentTLS output"
    elif re.search(r"(CRITICAL|ERROR|WARNING)( \*\*|\])", err) and PLUGIN_MARK.search(err):
        fault = "glib warning from the plugin"
    elif isinstance(rc, int) and rc not in (0, 2):
        fault = "exit %d" % rc
    mentions = bool(fault) and bool(PLUGIN_MARK.search(text + (out if "AgentTLS" in fault else "")))
    return fault, text, mentions


def make_fuzzed(args, sources, index, outdir):
    src = sources[index % len(sources)]
    rate = RATES[(index // len(sources)) % len(RATES)]
    offset = 54 if (index // (len(sources) * len(RATES))) % 2 else 0
    seed = args.seed * 100000 + index
    dest = os.path.join(outdir, "fuzz-%05d-%s" % (index, os.path.basename(src)))
    cmd = ["editcap", "-E", str(rate), "--seed", str(seed)]
    if offset:
        cmd += ["-o", str(offset)]
    if index % 7 == 3:
        cmd += ["-s", str(60 + (seed * 37) % 240)]
    cmd += [src, dest]
    res = sh(cmd)
    if res.returncode != 0:
        raise RuntimeError("editcap failed: %s\n%s" % (" ".join(cmd), res.stderr.decode()))
    os.chmod(dest, 0o644)
    return dest, " ".join(cmd[:-2] + [os.path.relpath(src, REPO), os.path.basename(dest)])


def merge(files, dest):
    if len(files) == 1:
        shutil.copy(files[0], dest)
    else:
        res = sh(["mergecap", "-a", "-F", "pcap", "-w", dest] + files)
        if res.returncode != 0:
            raise RuntimeError("mergecap failed: %s" % res.stderr.decode())
    os.chmod(dest, 0o644)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--files", type=int, default=100, help="fuzzed captures to make (default 100)")
    ap.add_argument("--batch", type=int, default=10, help="fuzzed captures per tshark run (default 10)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--tool", choices=["asan", "valgrind"], default="asan")
    ap.add_argument("--plugin-dir", default=None,
                    help="plugin folder (default build-asan/plugins for asan, build/plugins for valgrind)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--first", type=int, default=0, help="index of the first fuzzed capture")
    ap.add_argument("--timeout", type=int, default=300, help="seconds per tshark run")
    ap.add_argument("--workdir", default=None)
    ap.add_argument("--captures", default=os.path.join(REPO, "tests", "captures", "*.pcap"))
    ap.add_argument("--max-faults", type=int, default=3,
                    help="stop fuzzing after about this many faults (default 3)")
    ap.add_argument("--self-test", action="store_true", help="check the fault classifier and exit")
    args = ap.parse_args()

    if args.self_test:
        return self_test()
    if args.plugin_dir is None:
        args.plugin_dir = os.path.join(REPO, "build-asan" if args.tool == "asan" else "build", "plugins")
    args.plugin_dir = os.path.abspath(args.plugin_dir)
    sources = sorted(glob.glob(args.captures))
    if not sources:
        log("FAIL: no captures match %s" % args.captures)
        return 2
    for tool in ("editcap", "mergecap", "tshark") + (("valgrind",) if args.tool == "valgrind" else ()):
        if not shutil.which(tool):
            log("FAIL: %s not found" % tool)
            return 2
    workdir = args.workdir or tempfile.mkdtemp(prefix="agenttls-capfuzz-")
    os.makedirs(workdir, exist_ok=True)
    os.chmod(workdir, 0o755)
    fuzzdir = os.path.join(workdir, "fuzzed")
    faultdir = os.path.join(workdir, "faults")
    os.makedirs(fuzzdir, exist_ok=True)
    os.makedirs(faultdir, exist_ok=True)
    os.chmod(fuzzdir, 0o755)
    runner = Runner(args, workdir)
    staged = os.path.join(workdir, "preflight.pcap")
    shutil.copy(sources[0], staged)
    os.chmod(staged, 0o644)
    runner.preflight(staged)

    log("capture fuzz: %d fuzzed captures from %d test captures, rates %s, seed %d, batch %d, "
        "tool %s, plugin %s" % (args.files, len(sources), RATES, args.seed, args.batch, args.tool,
                                args.plugin_dir))
    start = time.time()
    plugin_faults, wireshark_faults = [], []
    results_lock = threading.Lock()
    done = [0]

    def attribute(files, mode, fault, text, mentions):
        """Decides whose fault it is; returns ('plugin'|'wireshark', detail)."""
        if mentions:
            return "plugin"
        merged = files[0] if len(files) == 1 else None
        target = merged or os.path.join(fuzzdir, "attr-%d.pcap" % threading.get_ident())
        if merged is None:
            merge(files, target)
        plain_fault, _, _ = runner.tshark(target, mode, with_plugin=False)
        return "wireshark" if plain_fault else "plugin"

    def run_batch(batch_no, indices):
        if len(plugin_faults) >= args.max_faults:
            return  # fail fast: enough to go on
        made = [make_fuzzed(args, sources, i, fuzzdir) for i in indices]
        files = [m[0] for m in made]
        merged = os.path.join(fuzzdir, "batch-%05d.pcap" % batch_no)
        merge(files, merged)
        findings = []
        for mode in MODES:
            if len(plugin_faults) + len(findings) >= args.max_faults:
                break  # fail fast
            fault, text, mentions = runner.tshark(merged, mode, with_plugin=True)
            if not fault:
                continue
            # Find the fuzzed capture(s) responsible.
            culprits = []
            if len(files) > 1:
                for path, how in made:
                    f2, t2, m2 = runner.tshark(path, mode, with_plugin=True)
                    if f2:
                        culprits.append(([path], how, f2, t2, m2))
                    if len(plugin_faults) + len(findings) + len(culprits) >= args.max_faults:
                        break
            if not culprits:
                culprits = [(files, "batch of: " + "; ".join(h for _, h in made), fault, text, mentions)]
            for cfiles, how, f2, t2, m2 in culprits:
                owner = attribute(cfiles, mode, f2, t2, m2)
                keep = os.path.join(faultdir, "%s-%s-%s" % (owner, mode, os.path.basename(cfiles[0])))
                merge(cfiles, keep)
                with open(keep + ".report.txt", "w") as f:
                    f.write("fault: %s\nmode: %s\nmade by: %s\n\n%s" % (f2, mode, how, t2[-20000:]))
                findings.append((owner, mode, f2, how, keep))
        for path in files + [merged]:
            os.unlink(path)
        with results_lock:
            for owner, mode, f2, how, keep in findings:
                (plugin_faults if owner == "plugin" else wireshark_faults).append((mode, f2, how, keep))
                log("  %s fault (%s, %s): %s -> %s" % (owner, mode, f2, how, keep))
            done[0] += len(indices)
            if done[0] % max(args.batch * 10, 50) < len(indices) or done[0] == args.files:
                log("  %d/%d fuzzed captures, %d tshark runs, %d plugin faults, %d Wireshark-only "
                    "faults, %.0fs" % (done[0], args.files, runner.runs, len(plugin_faults),
                                       len(wireshark_faults), time.time() - start))

    indices = list(range(args.first, args.first + args.files))
    batches = [indices[i:i + args.batch] for i in range(0, len(indices), args.batch)]
    with cf.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = [pool.submit(run_batch, n, b) for n, b in enumerate(batches)]
        for fut in futures:
            fut.result()

    log("capture fuzz: %d fuzzed captures (%d batches x %d modes), %d tshark runs in %.0fs" %
        (done[0], len(batches), len(MODES), runner.runs, time.time() - start))
    log("capture fuzz: checked each run for: death by signal, timeout, ASan/UBSan report, leak "
        "report, 'Dissector bug'/'Malformed' in AgentTLS, glib warnings naming the plugin")
    log("capture fuzz: plugin faults: %d" % len(plugin_faults))
    for mode, fault, how, keep in plugin_faults:
        log("  PLUGIN %s %s: %s (kept %s)" % (mode, fault, how, keep))
    log("capture fuzz: Wireshark-only faults (plain tshark faults on the same file): %d" %
        len(wireshark_faults))
    for mode, fault, how, keep in wireshark_faults:
        log("  WIRESHARK %s %s: %s (kept %s)" % (mode, fault, how, keep))
    if plugin_faults:
        log("FAIL: the plugin faulted on fuzzed captures; files and reports under %s" % faultdir)
        return 1
    log("PASS: no plugin faults")
    if not args.workdir:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


def self_test():
    """The classifier must catch each kind of fault (so the fuzz test can fail)."""
    cases = [
        ((0, "", "", ""), None, False),
        ((-11, "", "", ""), "signal 11", False),
        (("timeout", "", "", ""), "timeout", False),
        ((1, "", "", "==1==ERROR: AddressSanitizer: heap-buffer-overflow\n #1 in x (/s/agenttls.so+0x1)"),
         "sanitizer: ERROR: AddressSanitizer", True),
        ((23, "", "", "==1==ERROR: LeakSanitizer: detected memory leaks\n #1 in atv_store_new (/p/agenttls.so)"),
         "leak", True),
        ((0, "", "", "atv_store.c:12:3: runtime error: load of misaligned address"),
         "sanitizer: runtime error:", True),
        ((0, "[Dissector bug, protocol AgentTLS: proto.c:1: failed assertion]", "", ""),
         "dissector bug in AgentTLS output", True),
        ((99, "", "", "==7== Invalid read of size 4\n==7==    at 0x1: atv_on_alert (agenttls.so)"),
         "sanitizer: ==7== Invalid", True),
        ((0, "", "** (tshark:1) 12:00 [agenttls CRITICAL] -- x", ""), "glib warning from the plugin", True),
        ((0, "", "** (tshark:1) 12:00 [Epan WARNING] -- tls: x", ""), None, False),
        ((0, "", "(tshark:1): agenttls-CRITICAL **: 12:00: x", ""), "glib warning from the plugin", True),
    ]
    failed = 0
    for (rc, out, err, rep), want, want_mention in cases:
        fault, _, mentions = classify(rc, out, err, rep)
        ok = (fault or None) == want and (want is None or mentions == want_mention)
        if not ok:
            failed += 1
        log("%s: rc=%r -> %r (plugin mentioned: %s)" % ("ok" if ok else "FAIL", rc, fault, mentions))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
