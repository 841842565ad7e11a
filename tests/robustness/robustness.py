#!/usr/bin/env python3
"""Robustness tests of the plugin inside tshark: pathological captures, the
same frames dissected again and again, other postdissectors next to ours,
and malformed preferences.

  robustness.py [--plugin-dir DIR] [--workdir DIR] TEST [options]

TEST is one of: max-ciphers, odd-cipher-length, many-handshakes, memory,
rst-flood, alert-flood, server-hello-only, truncated, repeat, coexist,
tree-identical, bad-prefs (robustness.py --help for the options).

When the plugin in DIR is built with -DAGENTTLS_SANITIZE=ON, every tshark run
with the plugin goes through the ASan runtime (tests/fuzz/sanitizer-env) and
any sanitizer or leak report fails the test.  Every run of every test fails
on a crash (death by signal).  Each test prints what it checked; exit status 0
is a pass, anything else a failure.
"""
import argparse
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
WRAPPER = os.path.join(REPO, "tests", "lib", "tshark-with-plugin")
MAKER = os.path.join(HERE, "make_pathological.py")
SANITIZER_ENV = os.path.join(REPO, "tests", "fuzz", "sanitizer-env")
KNOWN_VERDICTS = {
    "reset_after_hello", "closed_after_hello", "no_shared_cipher", "version_rejected",
    "fallback_rejected", "cipher_unoffered", "certificate_rejected", "handshake_alert",
    "client_aborted", "no_server_hello", "version_downgrade", "ok", "incomplete", "pending",
}
BAD_OUTPUT = re.compile(r"Dissector bug, protocol AgentTLS|Malformed Packet: AgentTLS", re.I)
SANITIZER_ERROR = re.compile(r"ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:")


class Failed(Exception):
    pass


class Env:
    def __init__(self, args):
        self.args = args
        self.plugin_dir = os.path.abspath(args.plugin_dir)
        self.work = args.workdir or tempfile.mkdtemp(prefix="agenttls-robust-")
        os.makedirs(self.work, exist_ok=True)
        for d in (self.work,):
            os.chmod(d, 0o755)
        self.sanitizer = None
        so = glob.glob(os.path.join(self.plugin_dir, "*", "epan", "agenttls.so"))
        if not so:
            raise Failed("no agenttls.so under %s (build first)" % self.plugin_dir)
        needed = subprocess.run(["readelf", "-d", so[0]], stdout=subprocess.PIPE).stdout.decode()
        if "asan" in needed:
            self.logdir = os.path.join(self.work, "sanitizer-logs")
            os.makedirs(self.logdir, exist_ok=True)
            os.chmod(self.logdir, 0o1777)
            res = subprocess.run([SANITIZER_ENV, self.plugin_dir, self.logdir],
                                 stdout=subprocess.PIPE, check=True)
            self.sanitizer = res.stdout.decode().strip()
            print("plugin is sanitizer-built: tshark runs with %s" % self.sanitizer.split()[0])
        self.runs = 0

    def capture(self, name, arg=None):
        """Generates a pathological capture (cached in the work folder)."""
        path = os.path.join(self.work, "%s%s.pcap" % (name, "-%d" % arg if arg else ""))
        if not os.path.exists(path):
            cmd = [sys.executable, MAKER, self.work, name] + ([str(arg)] if arg else [])
            subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        return path

    def stage(self, path):
        dest = os.path.join(self.work, os.path.basename(path))
        if os.path.abspath(path) != dest:
            shutil.copy(path, dest)
        os.chmod(dest, 0o644)
        return dest

    def tshark(self, args, plugin=True, env=None, expect_rc=(0,), wrapper=None):
        """Runs tshark; fails the test on a crash, a sanitizer report or an
        AgentTLS dissector bug; returns (rc, stdout, stderr)."""
        self.runs += 1
        run_env = dict(os.environ)
        run_env.pop("AGENTTLS_TSHARK_WRAPPER", None)
        run_env["AGENTTLS_PLUGIN_DIR"] = self.plugin_dir if plugin else "none"
        run_env["AGENTTLS_TSHARK_ENV"] = (self.sanitizer or "") if plugin else ""
        if wrapper:
            run_env["AGENTTLS_TSHARK_WRAPPER"] = wrapper
        run_env.update(env or {})
        if self.sanitizer and plugin:
            for old in glob.glob(os.path.join(self.logdir, "*")):
                os.unlink(old)
        proc = subprocess.run([WRAPPER] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              env=run_env, timeout=self.args.timeout)
        out = proc.stdout.decode("utf-8", "replace")
        err = proc.stderr.decode("utf-8", "replace")
        what = "tshark %s (%s)" % (" ".join(args), "with plugin" if plugin else "no plugin")
        if proc.returncode < 0 or proc.returncode >= 128:
            raise Failed("%s died (status %d)\n%s" % (what, proc.returncode, err[-3000:]))
        if self.sanitizer and plugin:
            reports = ""
            for log in glob.glob(os.path.join(self.logdir, "*")):
                with open(log, errors="replace") as f:
                    reports += f.read()
            if SANITIZER_ERROR.search(reports + err):
                raise Failed("%s: sanitizer report\n%s" % (what, (reports + err)[-6000:]))
        if BAD_OUTPUT.search(out) or BAD_OUTPUT.search(err):
            line = (BAD_OUTPUT.search(out) or BAD_OUTPUT.search(err)).group(0)
            raise Failed("%s: %s" % (what, line))
        if expect_rc is not None and proc.returncode not in expect_rc:
            raise Failed("%s exited %d\n%s" % (what, proc.returncode, err[-3000:]))
        return proc.returncode, out, err

    def fields(self, capture, fields, extra=()):
        """-T fields rows (lists) for frames that have an AgentTLS verdict."""
        args = ["-n", "-r", capture] + list(extra) + ["-T", "fields", "-E", "occurrence=a",
                                                       "-E", "aggregator=,"]
        for f in fields:
            args += ["-e", f]
        _, out, _ = self.tshark(args)
        return [line.split("\t") for line in out.splitlines()]


def check(cond, message):
    if not cond:
        raise Failed(message)
    print("ok: " + message)


def verdicts_known(rows, column):
    bad = {r[column] for r in rows if r[column] and r[column] not in KNOWN_VERDICTS}
    check(not bad, "every verdict is a known one (%d rows)" % len(rows))


# ---------------------------------------------------------------- tests

def t_max_ciphers(env, args):
    cap = env.stage(env.capture("max-ciphers"))
    rows = env.fields(cap, ["tcp.stream", "agenttls.verdict", "agenttls.client.cipher_count",
                            "agenttls.cipher_offered"], ["-2", "-Y", "agenttls.verdict"])
    by_stream = {}
    for stream, verdict, count, offered in rows:
        by_stream.setdefault(stream, set()).add((verdict, count, offered))
    verdicts_known(rows, 1)
    s0 = {v for v, _, _ in by_stream.get("0", set())}
    check(s0 <= {"incomplete", "ok"} and s0,
          "32767 suites (65534-byte list in 5 records, 46 segments): no crash; verdict %s "
          "(Wireshark 4.0 does not reassemble a ClientHello over 65535 bytes)" % sorted(s0))
    real = sum(1 for i in range(32736) if not _special(0x0100 + i if i < 32735 else 0xc02f))
    check(by_stream.get("1") == {("ok", str(real), "1")},
          "32736 suites (longest list Wireshark decodes): verdict ok, %d suites counted "
          "(GREASE/SCSV excluded), server's pick (the last suite) found: %s"
          % (real, sorted(by_stream.get("1", []))))


def _special(suite):
    grease = (suite & 0x0F0F) == 0x0A0A and (suite >> 8) == (suite & 0xFF)
    return grease or suite in (0x00FF, 0x5600)


def t_odd_cipher_length(env, args):
    cap = env.stage(env.capture("odd-cipher-length"))
    rows = env.fields(cap, ["tcp.stream", "agenttls.verdict", "agenttls.client.cipher_count"],
                      ["-2", "-Y", "agenttls.verdict"])
    verdicts_known(rows, 1)
    got = {(s, v, c) for s, v, c in rows}
    check(("0", "ok", "3") in got, "odd list length 7: the 3 whole suites are read, verdict ok")
    check(any(s == "1" and v == "cipher_unoffered" for s, v, _ in got),
          "odd list length 1: no suite read, the server's pick is unoffered")
    env.tshark(["-n", "-r", cap, "-V"])
    check(True, "single pass -V on odd lengths: no crash, no AgentTLS dissector bug")


def t_many_handshakes(env, args):
    n = args.count or 10000
    cap = env.stage(env.capture("many-handshakes", n))
    rows = env.fields(cap, ["agenttls.handshake", "agenttls.verdict", "agenttls.finding"],
                      ["-2", "-Y", "tls.handshake.type == 2"])
    numbers = [int(r[0]) for r in rows if r[0]]
    check(len(rows) == n and sorted(numbers) == list(range(1, n + 1)),
          "%d handshakes in one TCP stream numbered 1..%d (got %d rows, max %s)"
          % (n, n, len(rows), max(numbers) if numbers else None))
    check(all(r[1] == "ok" for r in rows), "every handshake's verdict is ok")
    check(all("renegotiation" in r[2] for r in rows[1:]) and "renegotiation" not in rows[0][2],
          "handshakes 2..%d carry the renegotiation finding, the first does not" % n)


def peak_rss_kb(env, cap, plugin, filt):
    _, out, err = env.tshark(["-n", "-r", cap, "-Y", filt, "-T", "fields", "-e", "tcp.stream"],
                             plugin=plugin, wrapper="/usr/bin/time -f AGENTTLS_PEAK_RSS_KB=%M")
    m = re.search(r"AGENTTLS_PEAK_RSS_KB=(\d+)", err)
    if not m:
        raise Failed("no peak RSS from /usr/bin/time (install the 'time' package)")
    return int(m.group(1)), len(out.splitlines())


def t_memory(env, args):
    if env.sanitizer:
        raise Failed("the memory test needs a plugin built without sanitizers")
    n = args.count or 100000
    limit = args.max_bytes
    cap = env.stage(env.capture("many-conversations", n))
    with_kb, with_lines = peak_rss_kb(
        env, cap, True, 'tcp.flags.reset == 1 && agenttls.verdict == "reset_after_hello"')
    without_kb, without_lines = peak_rss_kb(env, cap, False, "tcp.flags.reset == 1")
    check(with_lines == n, "with the plugin, all %d conversations got reset_after_hello (%d)"
          % (n, with_lines))
    check(without_lines == n, "without the plugin, the same %d RST frames are printed" % n)
    per_conv = (with_kb - without_kb) * 1024.0 / n
    print("peak RSS: %d KB with plugin, %d KB without, %d conversations: %.0f bytes/conversation "
          "extra" % (with_kb, without_kb, n, per_conv))
    check(per_conv <= limit, "plugin costs %.0f bytes per conversation (limit %d)" % (per_conv, limit))


def t_rst_flood(env, args):
    cap = env.stage(env.capture("rst-flood"))
    rows = env.fields(cap, ["tcp.stream", "agenttls.verdict"], ["-2", "-Y", "agenttls"])
    verdicts_known(rows, 1)
    streams = {r[0] for r in rows}
    check(streams == {"0"}, "10000 RSTs after a hello and 2000 RST-only streams: only the "
          "stream with a hello gets a verdict (streams %s)" % sorted(streams)[:5])
    check({r[1] for r in rows} == {"reset_after_hello"}, "its verdict is reset_after_hello")
    for passes in ([], ["-2"]):
        _, out, _ = env.tshark(["-n", "-r", cap] + passes + ["-Y", "agenttls.reset_after_hello"])
        check(len(out.splitlines()) == 1, "%s: the reset_after_hello expert item is on exactly one "
              "frame, not one per RST (%d)" % ("two passes" if passes else "one pass",
                                               len(out.splitlines())))


def t_alert_flood(env, args):
    cap = env.stage(env.capture("alert-flood"))
    rows = env.fields(cap, ["tcp.stream", "agenttls.verdict"], ["-2", "-Y", "agenttls"])
    verdicts_known(rows, 1)
    s0 = {r[1] for r in rows if r[0] == "0"}
    check(s0 == {"no_shared_cipher"}, "200 alert records in one segment, then 3000 more: verdict "
          "no_shared_cipher from the first fatal alert (%s)" % sorted(s0))
    _, out, _ = env.tshark(["-n", "-2", "-r", cap, "-Y", "agenttls.no_shared_cipher && tcp.stream == 0"])
    check(len(out.splitlines()) == 1, "its expert item is on one frame only")
    lone = {r[0] for r in rows if r[0] != "0"}
    check(len(lone) <= 1000, "1000 alert-only streams: at most one handshake each (%d)" % len(lone))
    env.tshark(["-n", "-r", cap, "-V"], expect_rc=(0,))
    check(True, "single pass -V over the flood: no crash")


def t_server_hello_only(env, args):
    cap = env.stage(env.capture("server-hello-only"))
    for passes in ([], ["-2"]):
        rows = env.fields(cap, ["agenttls.verdict", "agenttls.client_hello_frame"],
                          passes + ["-Y", "agenttls"])
        check(rows and all(r == ["incomplete", ""] for r in rows),
              "%s: ServerHello without ClientHello -> incomplete, no ClientHello frame (%s)"
              % ("two passes" if passes else "one pass", rows))


def t_truncated(env, args):
    cap = env.stage(env.capture("truncated"))
    for extra in ([], ["-2"], ["-V"], ["-2", "-V"]):
        env.tshark(["-n", "-r", cap] + extra)
    check(True, "truncated records and snaplen-cut hellos, 1 and 2 passes, with and without -V: "
          "no crash, no AgentTLS dissector bug")
    rows = env.fields(cap, ["tcp.stream", "agenttls.verdict"], ["-2", "-Y", "agenttls"])
    verdicts_known(rows, 1)


def merged_test_captures(env):
    path = os.path.join(env.work, "all-test-captures.pcap")
    if not os.path.exists(path):
        caps = sorted(glob.glob(os.path.join(REPO, "tests", "captures", "*.pcap")))
        subprocess.run(["mergecap", "-a", "-F", "pcap", "-w", path] + caps, check=True)
        os.chmod(path, 0o644)
    return path


def t_repeat(env, args):
    merged = merged_test_captures(env)
    runs = [(merged, ["-2", "-V"]), (merged, ["-V"])]
    for cap in (merged, env.stage(env.capture("truncated")), env.stage(env.capture("odd-cipher-length"))):
        runs.append((cap, ["-2", "-T", "fields", "-e", "frame.number", "-e", "agenttls.verdict",
                           "-e", "agenttls.finding", "-e", "agenttls.decided_in"]))
    for cap, mode in runs:
        outs = [env.tshark(["-n", "-r", cap] + mode)[1] for _ in range(2)]
        check(outs[0] == outs[1], "%s %s: two runs give byte-identical output (%d lines)"
              % (os.path.basename(cap), " ".join(mode[:2]), len(outs[0].splitlines())))
    # -2 dissects every frame twice: the second pass must show the verdicts a
    # -Y filter over the same two passes selects.
    cap = merged
    # Filters select exactly the frames the field listing says they should.

    rows = env.fields(cap, ["frame.number", "agenttls.verdict"], ["-2"])
    by_verdict = {}
    for frame, verdict in rows:
        if verdict:
            by_verdict.setdefault(verdict, []).append(frame)
    for verdict, frames in sorted(by_verdict.items()):
        _, out, _ = env.tshark(["-n", "-2", "-r", cap, "-Y", 'agenttls.verdict == "%s"' % verdict,
                                "-T", "fields", "-e", "frame.number"])
        check(out.split() == frames, "-2 -Y 'agenttls.verdict == \"%s\"' picks the same %d frames"
              % (verdict, len(frames)))


def strip_agenttls(text):
    """-V output without our subtree and our entry in frame.protocols."""
    out, skipping = [], False
    for line in text.splitlines():
        if line.startswith("[Agent TLS Verdict") or line.startswith("Agent TLS Verdict"):
            skipping = True
            continue
        if skipping and line.startswith((" ", "\t")):
            continue
        skipping = False
        out.append(line.replace(":agenttls]", "]"))
    return "\n".join(out)


def t_tree_identical(env, args):
    # The plugin hands its agent ports (preference agenttls.agent_ports,
    # default 4343) to the TLS dissector; plain tshark gets the same with -d.
    cap = merged_test_captures(env)
    ports = ["-d", "tcp.port==%s,tls" % args.agent_ports]
    for mode in (["-V"], ["-2", "-V"]):
        _, with_plugin, _ = env.tshark(["-n", "-r", cap] + mode)
        _, without, _ = env.tshark(["-n", "-r", cap] + ports + mode, plugin=False)
        check("Agent TLS Verdict" in with_plugin, "%s: the plugin added its subtree" % " ".join(mode))
        a, b = strip_agenttls(with_plugin), strip_agenttls(without)
        if a != b:
            import difflib
            diff = "\n".join(list(difflib.unified_diff(b.splitlines(), a.splitlines(), "without plugin",
                                                       "with plugin (agenttls removed)", lineterm=""))[:40])
            raise Failed("%s: other dissectors' output differs with the plugin:\n%s"
                         % (" ".join(mode), diff))
        check(True, "%s: all other dissectors' output is byte-identical with the plugin and "
              "without it (plain tshark given %s) (%d lines)"
              % (" ".join(mode), " ".join(ports), len(b.splitlines())))


LUA_POSTDISSECTOR = r'''
-- A tiny Lua postdissector that reads TLS and TCP fields, like ours does.
local p = Proto("luapost", "Lua test postdissector")
local f_seen = ProtoField.uint32("luapost.seen", "Seen")
p.fields = { f_seen }
local tls_type = Field.new("tls.handshake.type")
local tcp_stream = Field.new("tcp.stream")
local n = 0
function p.dissector(tvb, pinfo, tree)
    local s = tcp_stream()
    local t = { tls_type() }
    if s and #t > 0 then
        n = n + 1
        tree:add(p, tvb(0, 0)):add(f_seen, n)
    end
end
register_postdissector(p, true)
'''


def t_coexist(env, args):
    cap = merged_test_captures(env)
    fields = ["frame.number", "agenttls.verdict", "agenttls.finding", "agenttls.decided_in",
              "agenttls.handshake"]
    base = env.fields(cap, fields, ["-2"])
    n = sum(1 for r in base if r[1])
    check(n > 0, "baseline: %d frames with a verdict" % n)
    for extra in (["--enable-protocol", "transum"],):
        for passes in ([], ["-2"]):
            got = env.fields(cap, fields, passes + extra)
            want = env.fields(cap, fields, passes)
            check(got == want, "%s %s: the same verdicts with transum enabled"
                  % ("two passes" if passes else "one pass", " ".join(extra)))
    lua = os.path.join(env.work, "luapost.lua")
    with open(lua, "w") as f:
        f.write(LUA_POSTDISSECTOR)
    os.chmod(lua, 0o644)
    for passes in ([], ["-2"]):
        got = env.fields(cap, fields + ["luapost.seen"], passes + ["-X", "lua_script:" + lua])
        want = env.fields(cap, fields, passes)
        check(any(r[-1] for r in got), "%s: the Lua postdissector ran (%d frames)"
              % ("two passes" if passes else "one pass", sum(1 for r in got if r[-1])))
        check([r[:-1] for r in got] == want, "%s: the same verdicts with a Lua postdissector loaded"
              % ("two passes" if passes else "one pass"))
    both = env.fields(cap, fields, ["-2", "--enable-protocol", "transum", "-X", "lua_script:" + lua])
    check(both == base, "two passes with transum and the Lua postdissector together: same verdicts")


BAD_PORT_RANGES = ["abc", "70000", "1-", "-5", "1,,2", "99999999999999999999", "0x10d7",
                   "1," * 5000, "\xff\xfe", "4343 443", "443-80"]


def t_bad_prefs(env, args):
    cap = env.stage(env.capture("server-hello-only"))
    _, out, _ = env.tshark(["-G", "defaultprefs"])
    if "agenttls.agent_ports" not in out:
        raise Failed("the preference agenttls.agent_ports is not registered (tshark -G "
                     "defaultprefs does not list it)")
    check(True, "agenttls.agent_ports is registered")
    rc, _, _ = env.tshark(["-n", "-r", cap, "-o", "agenttls.agent_ports:4343,8443"])
    check(rc == 0, "a valid range is accepted")
    for value in BAD_PORT_RANGES:
        rc, out, err = env.tshark(["-n", "-r", cap, "-o", "agenttls.agent_ports:" + value],
                                  expect_rc=None)
        shown = value if len(value) < 30 else value[:20] + "..."
        if rc == 0:
            check(True, "agent_ports:%r: accepted, no crash" % shown)
        else:
            check(rc in (1, 2) and ("agenttls.agent_ports" in err or "Invalid -o" in err),
                  "agent_ports:%r: clear error (exit %d: %s)"
                  % (shown, rc, err.strip().splitlines()[0][:100] if err.strip() else ""))
    for opt in ["agenttls.agent_ports", "agenttls.agent_ports:", "agenttls.no_such_pref:1"]:
        rc, _, err = env.tshark(["-n", "-r", cap, "-o", opt], expect_rc=None)
        check(rc in (0, 1, 2), "-o %r: exit %d, no crash" % (opt[:40], rc))
    # A broken preferences file in the profile: Wireshark warns and goes on.
    scratch = os.path.join(env.work, "prefs-scratch")
    home = os.path.join(scratch, "home")
    conf = os.path.join(home, ".config", "wireshark")
    os.makedirs(conf, exist_ok=True)
    for d in (scratch, home, os.path.join(home, ".config"), conf):
        os.chmod(d, 0o777 if d == home else 0o755)
    for value in ["not-a-range", "70000-80000"]:
        with open(os.path.join(conf, "preferences"), "w") as f:
            f.write("agenttls.agent_ports: %s\n" % value)
        os.chmod(os.path.join(conf, "preferences"), 0o644)
        rc, _, err = env.tshark(["-n", "-r", cap], env={"AGENTTLS_SCRATCH": scratch}, expect_rc=None)
        check(rc in (0, 1, 2), "preferences file with agent_ports: %r: exit %d, no crash" % (value, rc))


TESTS = {
    "max-ciphers": t_max_ciphers, "odd-cipher-length": t_odd_cipher_length,
    "many-handshakes": t_many_handshakes, "memory": t_memory, "rst-flood": t_rst_flood,
    "alert-flood": t_alert_flood, "server-hello-only": t_server_hello_only,
    "truncated": t_truncated, "repeat": t_repeat, "coexist": t_coexist,
    "tree-identical": t_tree_identical, "bad-prefs": t_bad_prefs,
}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("test", choices=sorted(TESTS))
    ap.add_argument("--plugin-dir", default=os.path.join(REPO, "build", "plugins"))
    ap.add_argument("--workdir", default=None, help="where captures are generated (kept)")
    ap.add_argument("--count", type=int, default=None,
                    help="many-handshakes: handshakes (10000); memory: conversations (100000)")
    ap.add_argument("--max-bytes", type=int, default=200,
                    help="memory: allowed extra peak RSS per conversation (default 200)")
    ap.add_argument("--agent-ports", default="4343",
                    help="tree-identical: the plugin's default agent ports")
    ap.add_argument("--timeout", type=int, default=900, help="seconds per tshark run")
    args = ap.parse_args()
    env = None
    try:
        env = Env(args)
        print("robustness %s: plugin %s, work folder %s" % (args.test, env.plugin_dir, env.work))
        TESTS[args.test](env, args)
    except Failed as e:
        print("FAIL: %s" % e)
        return 1
    except subprocess.TimeoutExpired as e:
        print("FAIL: timed out: %s" % e)
        return 1
    finally:
        if env and not args.workdir:
            shutil.rmtree(env.work, ignore_errors=True)
    print("PASS: %s (%d tshark runs)" % (args.test, env.runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
