#!/usr/bin/python3
# test-dial-command.py: the dial command against local servers.
#
# Copyright 2026 The libdial developers
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Usage: test-dial-command.py [TestClass...]
#
# Runs the dial command ($DIAL) against servers this process starts on
# 127.0.0.1 and ::1 (dial_servers.py): the relay, the trace and its JSON,
# TLS with and without a CA file, SOCKS5 proxies, deadlines on a black
# hole, the waterfall, and bad options and input, which must end in a
# clear message and exit status 2, never a crash. With no argument, every
# class but TestTimelineTmux runs. Exits 77 (skipped) when nothing could
# run. $DIAL_TEST_WRAPPER, if set, runs dial under a wrapper (valgrind...).

import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dial_servers  # noqa: E402

DIAL = os.environ.get("DIAL", "dial")
VERSION = os.environ.get("DIAL_VERSION", "")
WRAPPER = shlex.split(os.environ.get("DIAL_TEST_WRAPPER", ""))

# A generous bound that only says "it did not hang".
HANG = 60

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2
EXIT_RESOLVE, EXIT_CONNECT, EXIT_PROXY, EXIT_TLS, EXIT_TIMEOUT = 3, 4, 5, 6, 7


def dial_env(**extra):
    env = dict(os.environ)
    # A critical or a warning from GLib aborts dial: the tests see a crash.
    env["G_DEBUG"] = "fatal-criticals,fatal-warnings"
    env.setdefault("LC_ALL", "C.UTF-8")
    env.pop("NO_COLOR", None)
    for name in ("http_proxy", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY",
                 "no_proxy", "NO_PROXY"):
        env.pop(name, None)
    env.update(extra)
    return env


def run_dial(*args, input=b"", env=None, timeout=HANG):
    argv = WRAPPER + [DIAL] + [a if isinstance(a, bytes) else str(a) for a in args]
    return subprocess.run(argv, input=input, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          env=env or dial_env(), timeout=timeout)


def run_with_open_stdin(*args):
    """Runs dial with a standard input that never ends: the write end of
    its pipe stays open until dial has exited."""
    read_end, write_end = os.pipe()
    try:
        with subprocess.Popen(WRAPPER + [DIAL, *args], stdin=read_end, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, env=dial_env()) as process:
            os.close(read_end)
            read_end = -1
            stdout, stderr = process.communicate(timeout=HANG)
    finally:
        if read_end >= 0:
            os.close(read_end)
        os.close(write_end)
    return process.returncode, stdout, stderr


def json_lines(result):
    """Every line of the trace, parsed; fails the test on a line that is not
    one JSON object."""
    events = []
    for line in result.stderr.decode().splitlines():
        event = json.loads(line)
        assert isinstance(event, dict), line
        assert isinstance(event["time_ms"], (int, float)) and event["time_ms"] >= 0, line
        assert isinstance(event["event"], str), line
        events.append(event)
    return events


def of(events, name):
    return [e for e in events if e["event"] == name]


class DialTestCase(unittest.TestCase):
    def assertNoCrash(self, result):
        stderr = result.stderr.decode(errors="replace")
        self.assertGreaterEqual(result.returncode, 0, "dial died of a signal:\n" + stderr)
        for word in ("CRITICAL", "WARNING", "Segmentation", "AddressSanitizer"):
            self.assertNotIn(word, stderr)

    def assertExit(self, result, status):
        self.assertNoCrash(result)
        self.assertEqual(result.returncode, status,
                         "stderr:\n" + result.stderr.decode(errors="replace"))

    def start(self, server):
        self.addCleanup(server.close)
        return server


class TestUsage(DialTestCase):
    def assertUsage(self, *args, words=None):
        result = run_dial(*args)
        self.assertExit(result, EXIT_USAGE)
        stderr = result.stderr.decode(errors="replace")
        self.assertTrue(stderr.startswith("dial: "), stderr)
        self.assertIn("dial --help", stderr)
        if words is not None:
            self.assertIn(words, stderr)
        self.assertEqual(result.stdout, b"")

    def test_bad_options_and_arguments(self):
        cases = [
            ((), "missing"),
            (("--bogus", "127.0.0.1:1"), "Unknown option"),
            (("--timeout",), "Missing argument"),
            (("127.0.0.1:1", "127.0.0.1:2"), "one too many"),
            (("localhost",), "no port"),
            (("localhost:99999",), "localhost:99999"),
            (("localhost:http-ish",), "localhost:http-ish"),
            (("",), "empty"),
            ((b"\xff\xfe:80",), "UTF-8"),
            (("[::1:80",), "[::1:80"),
            (("http://",), "http://"),
            (("a b:80",), "not a host name"),
            (("h\x01:80",), "not a host name"),
            (("host:80:90",), "not a host name"),
            (("bad..name:80",), "not a host name"),
            (("--proxy", "socks5://a%20b:1", "127.0.0.1:1"), "not a host name"),
            (("--port", "0", "localhost"), "--port"),
            (("--port", "65536", "localhost"), "--port"),
            (("--deadline", "soon", "127.0.0.1:1"), "--deadline"),
            (("--deadline", "-5", "127.0.0.1:1"), "--deadline"),
            (("--timeout", "1e3", "127.0.0.1:1"), "--timeout"),
            (("--attempt-delay", "", "127.0.0.1:1"), "--attempt-delay"),
            (("-4", "-6", "127.0.0.1:1"), "-4 and -6"),
            (("--json", "--timeline", "127.0.0.1:1"), "one at a time"),
            (("--quiet", "--json", "127.0.0.1:1"), "one at a time"),
            (("--proxy", "ftp://proxy:21", "127.0.0.1:1"), "no proxy protocol"),
            (("--proxy", "not a uri", "127.0.0.1:1"), "--proxy"),
            (("--proxy", "socks5://", "127.0.0.1:1"), "--proxy"),
            (("--proxy", "socks5://p:1", "--no-proxy", "127.0.0.1:1"), "one at a time"),
            (("--ca-file", "/nonexistent/ca.pem", "127.0.0.1:1"), "--ca-file"),
            (("--ca-file", os.path.abspath(__file__), "127.0.0.1:1"), "--ca-file"),
            (("--alpn", ",", "127.0.0.1:1"), "--alpn"),
            (("--alpn", "h2,\x01", "127.0.0.1:1"), "--alpn"),
            (("--alpn", "x" * 256, "127.0.0.1:1"), "--alpn"),
            (("--local-address", "nowhere", "127.0.0.1:1"), "--local-address"),
            (("--local-address", "127.0.0.1:99999", "127.0.0.1:1"), "--local-address"),
            (("--service", "xmpp-client", "example.org:5222"), "--service"),
            (("--service", "", "example.org"), "--service"),
            (("--service", "xmpp", "--port", "5222", "example.org"), "--service"),
        ]
        for args, words in cases:
            with self.subTest(args=args):
                self.assertUsage(*args, words=words)

    def test_help(self):
        result = run_dial("--help")
        self.assertExit(result, EXIT_OK)
        text = result.stdout.decode()
        self.assertIn("HOST[:PORT] | URI", text)
        self.assertIn("Exit status", text)
        for option in ("--tls", "--alpn", "--ca-file", "--insecure", "--proxy", "--no-proxy",
                       "--timeout", "--deadline", "--attempt-delay", "--ipv4", "--ipv6",
                       "--local-address", "--service", "--port", "--json", "--timeline",
                       "--quiet", "--no-relay", "--version"):
            self.assertIn(option, text)
        for status in range(0, 8):
            self.assertRegex(text, r"\n  %d " % status)

    def test_version(self):
        result = run_dial("--version")
        self.assertExit(result, EXIT_OK)
        self.assertTrue(result.stdout.decode().startswith("dial (libdial) " + VERSION))

    def test_man_page_lists_every_option(self):
        man = os.environ.get("DIAL_MAN_PAGE")
        if not man:
            self.skipTest("DIAL_MAN_PAGE is not set")
        with open(man) as f:
            page = f.read().replace("\\-", "-")
        help_text = run_dial("--help").stdout.decode()
        options = set(re.findall(r"--[a-z0-9][a-z0-9-]*", help_text))
        self.assertGreater(len(options), 15)
        for option in options:
            self.assertTrue(option in page, "dial.1 does not mention " + option)
        for status in range(0, 8):
            self.assertTrue(".B %d\n" % status in page, "dial.1 does not list exit status %d" % status)


class TestPlain(DialTestCase):
    def test_relay_echo(self):
        echo = self.start(dial_servers.EchoServer())
        result = run_dial("127.0.0.1:%d" % echo.port, input=b"hello, echo\n")
        self.assertExit(result, EXIT_OK)
        self.assertEqual(result.stdout, b"hello, echo\n")
        trace = result.stderr.decode()
        for word in ("resolving", "connecting", "connected", "attempt won", "complete",
                     "stdin eof", "peer closed", "closed"):
            self.assertIn(word, trace)

    def test_relay_binary_megabyte(self):
        echo = self.start(dial_servers.EchoServer())
        data = bytes(range(256)) * 4096
        result = run_dial("--quiet", "127.0.0.1:%d" % echo.port, input=data)
        self.assertExit(result, EXIT_OK)
        self.assertEqual(result.stdout, data)
        self.assertEqual(result.stderr, b"")

    def test_json_every_line(self):
        echo = self.start(dial_servers.EchoServer())
        result = run_dial("--json", "localhost:%d" % echo.port, input=b"json\n")
        self.assertExit(result, EXIT_OK)
        self.assertEqual(result.stdout, b"json\n")
        events = json_lines(result)
        names = [e["event"] for e in events]
        self.assertEqual(names[0], "start")
        for name in ("resolving", "resolved", "connecting", "connected", "attempt-won",
                     "complete", "stdin-eof", "peer-closed", "closed"):
            self.assertIn(name, names)
        lookup = of(events, "lookup")[0]
        self.assertEqual(lookup["name"], "localhost")
        self.assertIn("127.0.0.1", lookup["addresses"])
        won = of(events, "attempt-won")
        self.assertEqual(len(won), 1)
        self.assertEqual(won[0]["address"], "127.0.0.1:%d" % echo.port)
        complete = of(events, "complete")[0]
        self.assertTrue(complete["ok"])
        self.assertEqual(complete["attempt"], won[0]["attempt"])
        # Every attempt ends once, and the attempts are numbered in order.
        connecting = [e["attempt"] for e in of(events, "connecting")]
        self.assertEqual(connecting, list(range(1, len(connecting) + 1)))
        ended = sorted(e["attempt"] for e in events if e["event"].startswith("attempt-"))
        self.assertEqual(ended, connecting)
        closed = of(events, "closed")[0]
        self.assertEqual((closed["bytes_sent"], closed["bytes_received"]), (5, 5))

    def test_refused(self):
        refusing = self.start(dial_servers.RefusingPort())
        result = run_dial("--json", "127.0.0.1:%d" % refusing.port)
        self.assertExit(result, EXIT_CONNECT)
        events = json_lines(result)
        complete = of(events, "complete")[0]
        self.assertFalse(complete["ok"])
        self.assertEqual(complete["error_name"], "connection-refused")
        self.assertEqual(complete["failure"], "connect")
        self.assertEqual(complete["exit_code"], EXIT_CONNECT)
        failed = of(events, "attempt-failed")
        self.assertEqual(len(failed), 1)
        self.assertIn("refused", failed[0]["reason"])

    def test_refused_human_and_quiet(self):
        refusing = self.start(dial_servers.RefusingPort())
        result = run_dial("127.0.0.1:%d" % refusing.port)
        self.assertExit(result, EXIT_CONNECT)
        self.assertIn("failed (connect, exit 4)", result.stderr.decode())
        result = run_dial("-q", "127.0.0.1:%d" % refusing.port)
        self.assertExit(result, EXIT_CONNECT)
        self.assertEqual(result.stderr.decode().count("\n"), 1)
        self.assertIn("refused", result.stderr.decode())

    def test_peer_closes_first(self):
        greeter = self.start(dial_servers.GreetingServer())
        # Standard input stays open: dial must end because the peer closed.
        returncode, stdout, stderr = run_with_open_stdin("--json", "127.0.0.1:%d" % greeter.port)
        self.assertEqual(returncode, EXIT_OK, stderr.decode())
        self.assertEqual(stdout, dial_servers.GreetingServer.greeting)
        names = [json.loads(line)["event"] for line in stderr.decode().splitlines()]
        self.assertIn("peer-closed", names)
        self.assertNotIn("stdin-eof", names)

    def test_no_relay(self):
        echo = self.start(dial_servers.EchoServer())
        returncode, stdout, stderr = run_with_open_stdin("--no-relay", "127.0.0.1:%d" % echo.port)
        self.assertEqual(returncode, EXIT_OK, stderr.decode())
        self.assertEqual(stdout, b"")
        self.assertIn("complete", stderr.decode())

    def test_sigint_during_relay(self):
        echo = self.start(dial_servers.EchoServer())
        argv = WRAPPER + [DIAL, "--json", "127.0.0.1:%d" % echo.port]
        with subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, env=dial_env()) as process:
            try:
                for line in process.stderr:
                    if json.loads(line)["event"] == "complete":
                        break
                process.send_signal(signal.SIGINT)
                process.wait(timeout=HANG)
            finally:
                process.stdin.close()
                process.kill()
        self.assertEqual(process.returncode, 130)

    def test_ipv4_only_and_local_address(self):
        echo = self.start(dial_servers.EchoServer())
        result = run_dial("--json", "-4", "--local-address", "127.0.0.1",
                          "localhost:%d" % echo.port, input=b"4\n")
        self.assertExit(result, EXIT_OK)
        self.assertEqual(result.stdout, b"4\n")
        events = json_lines(result)
        self.assertEqual({e["family"] for e in of(events, "connecting")}, {"ipv4"})
        self.assertEqual(echo.peers[0][0], "127.0.0.1")

    def test_port_option_and_uri(self):
        echo = self.start(dial_servers.EchoServer())
        for target in (["--port", str(echo.port), "127.0.0.1"],
                       ["http://127.0.0.1:%d/some/path" % echo.port],
                       ["--port", str(echo.port), "tcp://127.0.0.1"]):
            with self.subTest(target=target):
                result = run_dial("-q", *target, input=b"uri\n")
                self.assertExit(result, EXIT_OK)
                self.assertEqual(result.stdout, b"uri\n")


class TestTls(DialTestCase):
    @classmethod
    def setUpClass(cls):
        if shutil.which("certtool") is None:
            raise unittest.SkipTest("certtool (gnutls-bin) is not installed")
        cls.directory = tempfile.TemporaryDirectory(prefix="dial-test-")
        cls.certificates = dial_servers.Certificates(cls.directory.name)

    @classmethod
    def tearDownClass(cls):
        cls.directory.cleanup()

    def setUp(self):
        self.server = self.start(dial_servers.TlsEchoServer(self.certificates))

    def test_ca_file_and_alpn(self):
        result = run_dial("--json", "--ca-file", self.certificates.ca_cert, "--alpn", "h2,http/1.1",
                          "localhost:%d" % self.server.port, input=b"over TLS\n")
        self.assertExit(result, EXIT_OK)
        self.assertEqual(result.stdout, b"over TLS\n")
        events = json_lines(result)
        handshaking = of(events, "tls-handshaking")[0]
        self.assertEqual(handshaking["alpn_offered"], ["h2", "http/1.1"])
        self.assertEqual(handshaking["server_identity"], "localhost:%d" % self.server.port)
        done = of(events, "tls-handshaked")[0]
        self.assertIn(done["protocol_version"], ("TLS 1.2", "TLS 1.3"))
        self.assertTrue(done["cipher_suite"])
        self.assertEqual(done["alpn"], "h2")
        self.assertIn("CN=localhost", done["subject"])
        self.assertIn("dial test CA", done["issuer"])
        self.assertTrue(done["not_valid_before"] < done["not_valid_after"])
        self.assertTrue(done["verified"])
        self.assertEqual(done["certificate_errors"], [])
        self.assertEqual(of(events, "stdin-eof")[0]["half_close"], "close_notify")

    def test_human_trace(self):
        result = run_dial("--ca-file", self.certificates.ca_cert,
                          "localhost:%d" % self.server.port, input=b"")
        self.assertExit(result, EXIT_OK)
        trace = result.stderr.decode()
        for words in ("tls handshaking", "tls handshaked", "subject: CN=localhost",
                      "issuer:  CN=dial test CA", "verified: yes", "ALPN: none agreed"):
            self.assertIn(words, trace)

    def test_untrusted_certificate(self):
        result = run_dial("--json", "--tls", "localhost:%d" % self.server.port)
        self.assertExit(result, EXIT_TLS)
        events = json_lines(result)
        check = of(events, "tls-certificate")[0]
        self.assertIn("unknown-ca", check["errors"])
        self.assertFalse(check["accepted"])
        self.assertIn("CN=localhost", check["subject"])
        complete = of(events, "complete")[0]
        self.assertEqual(complete["failure"], "tls")
        self.assertEqual(complete["error_domain"], "g-tls-error-quark")
        failed = [e for e in of(events, "attempt-failed") if e["stage"] == "tls-handshaking"]
        self.assertIn("unknown-ca", failed[0]["reason"])

    def test_insecure(self):
        result = run_dial("--json", "--insecure", "127.0.0.1:%d" % self.server.port,
                          input=b"anyway\n")
        self.assertExit(result, EXIT_OK)
        self.assertEqual(result.stdout, b"anyway\n")
        done = of(json_lines(result), "tls-handshaked")[0]
        self.assertFalse(done["verified"])
        self.assertIn("unknown-ca", done["certificate_errors"])

    def test_tls_to_a_plain_server(self):
        echo = self.start(dial_servers.EchoServer())
        result = run_dial("--json", "--ca-file", self.certificates.ca_cert,
                          "127.0.0.1:%d" % echo.port)
        self.assertExit(result, EXIT_TLS)
        self.assertEqual(of(json_lines(result), "complete")[0]["failure"], "tls")


class TestProxy(DialTestCase):
    def test_socks5(self):
        echo = self.start(dial_servers.EchoServer())
        proxy = self.start(dial_servers.Socks5Server())
        uri = "socks5://127.0.0.1:%d" % proxy.port
        result = run_dial("--json", "--proxy", uri, "127.0.0.1:%d" % echo.port,
                          input=b"through socks\n")
        self.assertExit(result, EXIT_OK)
        self.assertEqual(result.stdout, b"through socks\n")
        self.assertEqual(proxy.requests, [{"kind": "ipv4", "host": "127.0.0.1", "port": echo.port}])
        events = json_lines(result)
        negotiating = of(events, "proxy-negotiating")[0]
        self.assertEqual(negotiating["proxy"], uri)
        self.assertEqual(negotiating["proxy_address"], "127.0.0.1:%d" % proxy.port)
        self.assertEqual(of(events, "proxy-negotiated")[0]["destination"],
                         "127.0.0.1:%d" % echo.port)

    def test_socks5h_sends_the_name(self):
        echo = self.start(dial_servers.EchoServer())
        proxy = self.start(dial_servers.Socks5Server())
        result = run_dial("-q", "--proxy", "socks5h://127.0.0.1:%d" % proxy.port,
                          "localhost:%d" % echo.port, input=b"by name\n")
        self.assertExit(result, EXIT_OK)
        self.assertEqual(result.stdout, b"by name\n")
        self.assertEqual(proxy.requests, [{"kind": "name", "host": "localhost", "port": echo.port}])

    def test_environment_and_no_proxy(self):
        echo = self.start(dial_servers.EchoServer())
        proxy = self.start(dial_servers.Socks5Server())
        env = dial_env(all_proxy="socks5://127.0.0.1:%d" % proxy.port,
                       GIO_USE_PROXY_RESOLVER="dummy")
        result = run_dial("--json", "127.0.0.1:%d" % echo.port, input=b"env\n", env=env)
        self.assertExit(result, EXIT_OK)
        self.assertEqual(len(proxy.requests), 1)
        self.assertTrue(of(json_lines(result), "proxy-negotiated"))

        result = run_dial("--json", "--no-proxy", "127.0.0.1:%d" % echo.port, input=b"direct\n",
                          env=env)
        self.assertExit(result, EXIT_OK)
        self.assertEqual(result.stdout, b"direct\n")
        self.assertEqual(len(proxy.requests), 1)
        self.assertFalse(of(json_lines(result), "proxy-negotiating"))

    def test_proxy_refuses(self):
        proxy = self.start(dial_servers.Socks5Server(reply=2))
        result = run_dial("--json", "--proxy", "socks5://127.0.0.1:%d" % proxy.port,
                          "127.0.0.1:9")
        self.assertExit(result, EXIT_PROXY)
        complete = of(json_lines(result), "complete")[0]
        self.assertEqual(complete["failure"], "proxy")

    def test_proxy_not_there(self):
        refusing = self.start(dial_servers.RefusingPort())
        result = run_dial("--proxy", "socks5://127.0.0.1:%d" % refusing.port, "127.0.0.1:9")
        self.assertExit(result, EXIT_CONNECT)
        self.assertIn("proxy", result.stderr.decode())


class TestTimeouts(DialTestCase):
    def test_deadline_on_black_hole(self):
        hole = self.start(dial_servers.BlackHole())
        result = run_dial("--json", "--deadline", "200", "127.0.0.1:%d" % hole.port)
        self.assertExit(result, EXIT_TIMEOUT)
        events = json_lines(result)
        complete = of(events, "complete")[0]
        self.assertEqual(complete["error_name"], "timed-out")
        self.assertEqual(complete["failure"], "timeout")
        self.assertIn("timed out", of(events, "attempt-failed")[0]["reason"])

    def test_socket_timeout_on_black_hole(self):
        hole = self.start(dial_servers.BlackHole())
        result = run_dial("--timeout", "1", "127.0.0.1:%d" % hole.port)
        self.assertExit(result, EXIT_TIMEOUT)


class TestTimeline(DialTestCase):
    def test_waterfall_ascii(self):
        echo = self.start(dial_servers.EchoServer())
        result = run_dial("--timeline", "localhost:%d" % echo.port,
                          env=dial_env(LC_ALL="C", COLUMNS="90"))
        self.assertExit(result, EXIT_OK)
        lines = result.stderr.decode().splitlines()
        self.assertTrue(any(line.rstrip().endswith(" ms") and "0" in line for line in lines))
        row = [line for line in lines if "127.0.0.1:%d" % echo.port in line and "won" in line]
        self.assertEqual(len(row), 1, lines)
        self.assertIn("=", row[0])
        self.assertTrue(any("= connect" in line for line in lines))
        for line in lines:
            self.assertLessEqual(len(line), 90, line)
        # No per-event lines, but the result.
        self.assertFalse(any(" connecting " in line for line in lines))
        self.assertTrue(any("complete" in line for line in lines))

    @unittest.skipUnless(dial_servers.have_ipv6_loopback(), "no IPv6 loopback")
    def test_happy_eyeballs_waterfall(self):
        echo, hole = dial_servers.dual_stack_black_hole_pair()
        self.addCleanup(echo.close)
        self.addCleanup(hole.close)
        result = run_dial("--timeline", "--attempt-delay", "100", "localhost:%d" % echo.port,
                          input=b"eyeballs\n", env=dial_env(COLUMNS="100"))
        self.assertExit(result, EXIT_OK)
        self.assertEqual(result.stdout, b"eyeballs\n")
        text = result.stderr.decode()
        self.assertRegex(text, r"#1 IPv6 +░+ *lost")
        self.assertRegex(text, r"#2 127\.0\.0\.1:%d +█[█─]* *won" % echo.port)

        result = run_dial("--json", "--attempt-delay", "100", "localhost:%d" % echo.port,
                          input=b"")
        self.assertExit(result, EXIT_OK)
        events = json_lines(result)
        lost = of(events, "attempt-lost")
        self.assertEqual([(e["attempt"], e["family"], e["stage"]) for e in lost],
                         [(1, "ipv6", "connecting")])
        self.assertEqual(of(events, "attempt-won")[0]["family"], "ipv4")


class TestTimelineTmux(DialTestCase):
    """--timeline on a real terminal: tmux runs dial in a 100-column pane."""

    def test_in_tmux(self):
        tmux = shutil.which("tmux")
        if tmux is None:
            self.skipTest("tmux is not installed")
        echo = self.start(dial_servers.EchoServer())
        directory = tempfile.TemporaryDirectory(prefix="dial-tmux-")
        self.addCleanup(directory.cleanup)
        socket_path = os.path.join(directory.name, "tmux.sock")
        base = [tmux, "-S", socket_path, "-f", "/dev/null"]
        env = dial_env(TERM="xterm-256color")
        env.pop("TMUX", None)

        script = ("%s %s --timeline --attempt-delay 50 localhost:%d </dev/null; "
                  "echo \"exit=$?\"; %s wait-for -S dial-done; %s wait-for dial-release"
                  % (" ".join(map(shlex.quote, WRAPPER)), shlex.quote(DIAL), echo.port,
                     " ".join(map(shlex.quote, base)), " ".join(map(shlex.quote, base))))
        subprocess.run(base + ["new-session", "-d", "-x", "100", "-y", "40", "sh", "-c", script],
                       check=True, env=env, timeout=HANG)
        self.addCleanup(subprocess.run, base + ["kill-server"], env=env, timeout=HANG,
                        stderr=subprocess.DEVNULL)
        try:
            subprocess.run(base + ["wait-for", "dial-done"], check=True, env=env, timeout=HANG)
            screen = subprocess.run(base + ["capture-pane", "-p", "-J"], check=True, env=env,
                                    stdout=subprocess.PIPE, timeout=HANG).stdout.decode()
            coloured = subprocess.run(base + ["capture-pane", "-p", "-e"], check=True, env=env,
                                      stdout=subprocess.PIPE, timeout=HANG).stdout.decode()
        finally:
            subprocess.run(base + ["wait-for", "-S", "dial-release"], env=env, timeout=HANG)

        self.assertIn("exit=0", screen)
        lines = screen.splitlines()
        won = [line for line in lines if "127.0.0.1:%d" % echo.port in line and "won" in line]
        self.assertEqual(len(won), 1, screen)
        self.assertIn("█", won[0])
        self.assertTrue(any("━ lookup" in line for line in lines), screen)
        for line in lines:
            self.assertLessEqual(len(line), 100, line)
        # On a terminal, the rows are in colour.
        self.assertIn("\033[", coloured)


DEFAULT_CLASSES = [TestUsage, TestPlain, TestTls, TestProxy, TestTimeouts, TestTimeline]
ALL_CLASSES = DEFAULT_CLASSES + [TestTimelineTmux]


def main():
    names = sys.argv[1:]
    by_name = {cls.__name__: cls for cls in ALL_CLASSES}
    try:
        classes = [by_name[name] for name in names] if names else DEFAULT_CLASSES
    except KeyError as error:
        print("test-dial-command.py: no test class %s" % error, file=sys.stderr)
        return 2

    loader = unittest.TestLoader()
    suite = unittest.TestSuite(loader.loadTestsFromTestCase(cls) for cls in classes)
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    if not result.wasSuccessful():
        return 1
    if result.testsRun == len(result.skipped):
        return 77
    return 0


if __name__ == "__main__":
    sys.exit(main())
