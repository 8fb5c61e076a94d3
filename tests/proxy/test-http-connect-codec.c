/* test-http-connect-codec.c: the HTTP CONNECT request builder and reply
 * scanner and judge, without a socket.
 *
 * Requests are compared byte for byte.  Reply heads are fed as a driver
 * receives them: every prefix, so that the end of the head is found
 * exactly when its last byte arrives and never earlier.  The codes and
 * texts of the errors are GIO 2.74's (spec §10.1).
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include <gio/gio.h>

#include "dial-http-connect-codec.h"

#define USER_AGENT "User-Agent: libdial/" PACKAGE_VERSION "\r\n"

/* Helpers ----------------------------------------------------------------- */

static void
assert_error (const GError *error,
              gint          code,
              const char   *message)
{
  g_assert_error (error, G_IO_ERROR, code);
  g_assert_cmpstr (error->message, ==, message);
}

static void
assert_request (const char *host,
                guint16     port,
                const char *username,
                const char *password,
                const char *expected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) request = NULL;
  const char *data;
  gsize len = 0;

  request = dial_http_connect_build_request (host, port, username, password, &error);
  g_assert_no_error (error);
  g_assert_nonnull (request);
  data = g_bytes_get_data (request, &len);
  g_assert_cmpmem (data, len, expected, strlen (expected));
}

static void
assert_request_fails (const char *host,
                      const char *username,
                      const char *password,
                      gint        code,
                      const char *message)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) request = NULL;

  request = dial_http_connect_build_request (host, 443, username, password, &error);
  g_assert_null (request);
  assert_error (error, code, message);

  /* A credential never appears in the message. */
  if (username != NULL && *username != '\0')
    g_assert_null (strstr (error->message, username));
  if (password != NULL && *password != '\0')
    g_assert_null (strstr (error->message, password));
}

/* Scans every prefix of @reply: each must be incomplete until the end of
 * the head (@expected_head_len) has arrived, then complete with exactly
 * that length, whatever follows. */
static void
assert_head (const char *reply,
             gsize       len,
             gsize       expected_head_len)
{
  for (gsize i = 0; i <= len; i++)
    {
      g_autoptr(GError) error = NULL;
      gsize head_len = 1234;
      DialHttpConnectHead result;

      result = dial_http_connect_scan_reply ((const guint8 *) reply, i, &head_len, &error);
      g_assert_no_error (error);
      if (i < expected_head_len)
        {
          g_assert_cmpint (result, ==, DIAL_HTTP_CONNECT_HEAD_INCOMPLETE);
          g_assert_cmpuint (head_len, ==, 0);
        }
      else
        {
          g_assert_cmpint (result, ==, DIAL_HTTP_CONNECT_HEAD_COMPLETE);
          g_assert_cmpuint (head_len, ==, expected_head_len);
        }
    }
}

static void
assert_scan_invalid (const char *reply,
                     gsize       len,
                     const char *message)
{
  g_autoptr(GError) error = NULL;
  gsize head_len = 1234;

  g_assert_cmpint (dial_http_connect_scan_reply ((const guint8 *) reply, len, &head_len, &error),
                   ==, DIAL_HTTP_CONNECT_HEAD_INVALID);
  assert_error (error, G_IO_ERROR_PROXY_FAILED, message);
}

static void
assert_reply_ok (const char *reply)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (dial_http_connect_check_reply ((const guint8 *) reply, strlen (reply), FALSE, &error));
  g_assert_no_error (error);
}

static void
assert_reply_fails (const char *reply,
                    gboolean    has_credentials,
                    gint        code,
                    const char *message)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (dial_http_connect_check_reply ((const guint8 *) reply, strlen (reply),
                                                 has_credentials, &error));
  assert_error (error, code, message);
}

/* A head of exactly @len bytes: a status line, padding headers, the
 * empty line. */
static GString *
make_head (gsize len)
{
  GString *head = g_string_new ("HTTP/1.1 200 Connection established\r\n");

  g_assert_cmpuint (len, >=, head->len + 2 + strlen ("X: \r\n"));
  while (head->len + 2 < len)
    {
      gsize room = len - head->len - 2;
      gsize pad = MIN (room, 1000);

      /* "X: " + value + CRLF takes pad bytes; keep a header at least
       * "X: a\r\n" long. */
      if (room - pad != 0 && room - pad < 6)
        pad = room - 6;
      g_string_append (head, "X: ");
      for (gsize i = 0; i < pad - 5; i++)
        g_string_append_c (head, 'a');
      g_string_append (head, "\r\n");
    }
  g_string_append (head, "\r\n");
  g_assert_cmpuint (head->len, ==, len);

  return head;
}

/* Requests ---------------------------------------------------------------- */

static void
test_request_name (void)
{
  assert_request ("example.com", 443, NULL, NULL,
                  "CONNECT example.com:443 HTTP/1.1\r\n"
                  "Host: example.com:443\r\n"
                  USER_AGENT
                  "\r\n");
}

static void
test_request_ipv4 (void)
{
  assert_request ("192.0.2.7", 8080, NULL, NULL,
                  "CONNECT 192.0.2.7:8080 HTTP/1.1\r\n"
                  "Host: 192.0.2.7:8080\r\n"
                  USER_AGENT
                  "\r\n");
}

/* RFC 9110 §9.3.6 and RFC 3986: an IPv6 literal goes in brackets. */
static void
test_request_ipv6 (void)
{
  const char *expected =
    "CONNECT [2001:db8::1]:443 HTTP/1.1\r\n"
    "Host: [2001:db8::1]:443\r\n"
    USER_AGENT
    "\r\n";

  assert_request ("2001:db8::1", 443, NULL, NULL, expected);
  assert_request ("[2001:db8::1]", 443, NULL, NULL, expected);
  assert_request ("::ffff:192.0.2.1", 1, NULL, NULL,
                  "CONNECT [::ffff:192.0.2.1]:1 HTTP/1.1\r\n"
                  "Host: [::ffff:192.0.2.1]:1\r\n"
                  USER_AGENT
                  "\r\n");
}

/* RFC 6874: the zone separator is written "%25". */
static void
test_request_ipv6_zone (void)
{
  assert_request ("fe80::1%eth0", 22, NULL, NULL,
                  "CONNECT [fe80::1%25eth0]:22 HTTP/1.1\r\n"
                  "Host: [fe80::1%25eth0]:22\r\n"
                  USER_AGENT
                  "\r\n");
  assert_request_fails ("fe80::1%a/b", NULL, NULL, G_IO_ERROR_FAILED, "Invalid hostname");
}

/* As GIO: a name goes as its IDNA ASCII form. */
static void
test_request_idna (void)
{
  assert_request ("bücher.example", 443, NULL, NULL,
                  "CONNECT xn--bcher-kva.example:443 HTTP/1.1\r\n"
                  "Host: xn--bcher-kva.example:443\r\n"
                  USER_AGENT
                  "\r\n");
}

static void
test_request_credentials (void)
{
  /* base64 ("alice:s3cret") */
  assert_request ("example.com", 443, "alice", "s3cret",
                  "CONNECT example.com:443 HTTP/1.1\r\n"
                  "Host: example.com:443\r\n"
                  USER_AGENT
                  "Proxy-Authorization: Basic YWxpY2U6czNjcmV0\r\n"
                  "\r\n");
  /* A missing half is empty: base64 ("bob:"), base64 (":pw"). */
  assert_request ("example.com", 443, "bob", NULL,
                  "CONNECT example.com:443 HTTP/1.1\r\n"
                  "Host: example.com:443\r\n"
                  USER_AGENT
                  "Proxy-Authorization: Basic Ym9iOg==\r\n"
                  "\r\n");
  assert_request ("example.com", 443, NULL, "pw",
                  "CONNECT example.com:443 HTTP/1.1\r\n"
                  "Host: example.com:443\r\n"
                  USER_AGENT
                  "Proxy-Authorization: Basic OnB3\r\n"
                  "\r\n");
  /* Decoded userinfo may hold a colon or UTF-8: base64 of the bytes. */
  assert_request ("example.com", 443, "a:b", "p@ß",
                  "CONNECT example.com:443 HTTP/1.1\r\n"
                  "Host: example.com:443\r\n"
                  USER_AGENT
                  "Proxy-Authorization: Basic YTpiOnBAw58=\r\n"
                  "\r\n");
}

/* No credentials, no header: both unset, or both empty. */
static void
test_request_no_credentials (void)
{
  const char *expected =
    "CONNECT example.com:443 HTTP/1.1\r\n"
    "Host: example.com:443\r\n"
    USER_AGENT
    "\r\n";

  assert_request ("example.com", 443, NULL, NULL, expected);
  assert_request ("example.com", 443, "", NULL, expected);
  assert_request ("example.com", 443, "", "", expected);

  g_assert_false (dial_http_connect_has_credentials (NULL, NULL));
  g_assert_false (dial_http_connect_has_credentials ("", ""));
  g_assert_true (dial_http_connect_has_credentials ("bob", NULL));
  g_assert_true (dial_http_connect_has_credentials (NULL, "pw"));
}

/* Nothing that could end a line or a word reaches the request. */
/* Found by fuzzing/fuzz-host-port: GLib 2.74's g_hostname_to_ascii()
 * reads and writes out of bounds on invalid UTF-8 (under valgrind, or
 * an ASan build, this test sees it if the check goes). */
static void
test_request_invalid_utf8 (void)
{
  static const char * const hosts[] = {
    "\xf0",
    "ex\xc3",
    "b\xc3\xbc\xf4",
    "::\xfc\xfc\xfc\xfc\xfc\xfc\xfc\xfc\xfc\xfc\xfc\xfc\xfc\xfc\xfc\xfc",
    "e%\x9e\x9e\x9e\x9e\x9e\x9e\x9e\x9e]UTF-8",
  };

  for (guint i = 0; i < G_N_ELEMENTS (hosts); i++)
    {
      /* On the heap, where a read past the end shows. */
      g_autofree char *host = g_strdup (hosts[i]);

      g_test_message ("host %u", i);
      assert_request_fails (host, NULL, NULL, G_IO_ERROR_FAILED, "Invalid hostname");
    }
}

static void
test_request_injection (void)
{
  static const char * const hosts[] = {
    "evil.example\r\nX-Injected: 1",
    "evil.example\nHost: other",
    "evil.example\r",
    "evil.example HTTP/1.1",
    "evil\texample",
    "evil\x7f" "example",
    "evil\x01" "example",
    "evil.example/path",
    "user@evil.example",
    "evil.example:80",
    "evil.example?",
    "evil.example#",
    "[evil.example]",
    "[192.0.2.1]",
    "",
  };

  for (guint i = 0; i < G_N_ELEMENTS (hosts); i++)
    {
      g_test_message ("host %u", i);
      assert_request_fails (hosts[i], NULL, NULL, G_IO_ERROR_FAILED, "Invalid hostname");
    }

  assert_request_fails ("example.com", "alice\r\nX-Injected: 1", "pw",
                        G_IO_ERROR_INVALID_ARGUMENT,
                        "HTTP proxy credentials must not contain a line break");
  assert_request_fails ("example.com", "alice", "pw\nX-Injected: 1",
                        G_IO_ERROR_INVALID_ARGUMENT,
                        "HTTP proxy credentials must not contain a line break");
  assert_request_fails ("example.com", "alice", "pw\r",
                        G_IO_ERROR_INVALID_ARGUMENT,
                        "HTTP proxy credentials must not contain a line break");
  /* Checked before the host: the order does not let a credential slip. */
  assert_request_fails ("bad host", "a\nb", NULL,
                        G_IO_ERROR_INVALID_ARGUMENT,
                        "HTTP proxy credentials must not contain a line break");
}

/* Scanning replies --------------------------------------------------------- */

static void
test_scan_crlf (void)
{
  static const char reply[] =
    "HTTP/1.1 200 Connection established\r\n"
    "Via: 1.1 proxy\r\n"
    "\r\n";

  assert_head (reply, strlen (reply), strlen (reply));
}

static void
test_scan_status_line_only (void)
{
  static const char reply[] = "HTTP/1.0 200 OK\r\n\r\n";

  assert_head (reply, strlen (reply), strlen (reply));
}

/* Bare LF line ends, and a mix of both. */
static void
test_scan_bare_lf (void)
{
  static const char lf[] = "HTTP/1.1 200 OK\nVia: proxy\n\n";
  static const char mixed1[] = "HTTP/1.1 200 OK\r\nVia: proxy\n\n";
  static const char mixed2[] = "HTTP/1.1 200 OK\nVia: proxy\r\n\r\n";
  static const char mixed3[] = "HTTP/1.1 200 OK\r\n\n";

  assert_head (lf, strlen (lf), strlen (lf));
  assert_head (mixed1, strlen (mixed1), strlen (mixed1));
  assert_head (mixed2, strlen (mixed2), strlen (mixed2));
  assert_head (mixed3, strlen (mixed3), strlen (mixed3));
}

/* Bytes after the head are the tunnel's: never part of the head, even
 * when they look like line ends. */
static void
test_scan_tunnel_bytes (void)
{
  static const char reply[] = "HTTP/1.1 200 OK\r\n\r\n\r\n\r\nSSH-2.0-x\r\n";
  static const char lf_reply[] = "HTTP/1.1 200 OK\n\n\n\nhello";

  assert_head (reply, strlen (reply), strlen ("HTTP/1.1 200 OK\r\n\r\n"));
  assert_head (lf_reply, strlen (lf_reply), strlen ("HTTP/1.1 200 OK\n\n"));
}

/* Not HTTP: judged on the first bytes, without waiting for the rest. */
static void
test_scan_not_http (void)
{
  assert_scan_invalid ("S", 1, "Bad HTTP proxy reply");
  assert_scan_invalid ("SSH-2.0-OpenSSH_9.2p1\r\n", 23, "Bad HTTP proxy reply");
  assert_scan_invalid ("HTTP/2 200\r\n\r\n", 14, "Bad HTTP proxy reply");
  assert_scan_invalid ("HTTP/1.2", 8, "Bad HTTP proxy reply");
  assert_scan_invalid ("HTTP/1.1\r\n", 10, "Bad HTTP proxy reply");
  assert_scan_invalid ("\r\nHTTP/1.1 200 OK\r\n\r\n", 21, "Bad HTTP proxy reply");

  /* What can still become "HTTP/1.x " is not judged yet. */
  assert_head ("HTTP/1.", 7, 8);
  assert_head ("HTTP/1.1", 8, 9);
  assert_head ("", 0, 1);
}

static void
test_scan_too_big (void)
{
  g_autoptr(GString) fits = make_head (DIAL_HTTP_CONNECT_HEAD_MAX);
  g_autoptr(GString) one_more = make_head (DIAL_HTTP_CONNECT_HEAD_MAX + 1);
  g_autoptr(GString) endless = g_string_new ("HTTP/1.1 200 OK\r\n");
  gsize head_len = 0;
  g_autoptr(GError) error = NULL;

  /* A head of exactly the bound is fine, even with more after it. */
  g_string_append (fits, "tunnel");
  g_assert_cmpint (dial_http_connect_scan_reply ((const guint8 *) fits->str, fits->len, &head_len, &error),
                   ==, DIAL_HTTP_CONNECT_HEAD_COMPLETE);
  g_assert_no_error (error);
  g_assert_cmpuint (head_len, ==, DIAL_HTTP_CONNECT_HEAD_MAX);

  /* One byte more is too big, once the bound is reached: never before. */
  g_assert_cmpint (dial_http_connect_scan_reply ((const guint8 *) one_more->str,
                                                 DIAL_HTTP_CONNECT_HEAD_MAX - 1, &head_len, &error),
                   ==, DIAL_HTTP_CONNECT_HEAD_INCOMPLETE);
  g_assert_no_error (error);
  assert_scan_invalid (one_more->str, DIAL_HTTP_CONNECT_HEAD_MAX, "HTTP proxy response too big");
  assert_scan_invalid (one_more->str, one_more->len, "HTTP proxy response too big");

  /* A head that never ends. */
  while (endless->len < 3 * DIAL_HTTP_CONNECT_HEAD_MAX)
    g_string_append (endless, "X-Padding: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n");
  assert_scan_invalid (endless->str, endless->len, "HTTP proxy response too big");
  assert_scan_invalid (endless->str, DIAL_HTTP_CONNECT_HEAD_MAX, "HTTP proxy response too big");
}

/* Judging replies ---------------------------------------------------------- */

static void
test_check_success (void)
{
  assert_reply_ok ("HTTP/1.1 200 Connection established\r\n\r\n");
  assert_reply_ok ("HTTP/1.0 200 OK\r\n\r\n");
  assert_reply_ok ("HTTP/1.1 204 No Content\r\nContent-Length: 12\r\n\r\n");
  assert_reply_ok ("HTTP/1.1 299 Whatever\r\n\r\n");
  assert_reply_ok ("HTTP/1.1 200\r\n\r\n");
  assert_reply_ok ("HTTP/1.1   200   spaced\r\n\r\n");
  assert_reply_ok ("HTTP/1.1 200\tOK\r\n\r\n");
  assert_reply_ok ("HTTP/1.1 200 OK\n\n");
}

/* GIO [obs 2.74]: a 2xx status line and then EOF, with no empty line, is
 * a success; whatever arrived before EOF is judged. */
static void
test_check_cut_short (void)
{
  assert_reply_ok ("HTTP/1.1 200 OK\r\n");
  assert_reply_ok ("HTTP/1.1 200 OK\r\nVia: proxy\r\n");
  assert_reply_ok ("HTTP/1.1 200 OK");
  assert_reply_ok ("HTTP/1.1 200");
  assert_reply_fails ("HTTP/1.1 403 Forbidden\r\n", FALSE,
                      G_IO_ERROR_PROXY_NOT_ALLOWED, "HTTP proxy connection not allowed");
  assert_reply_fails ("HTTP/1.1 20", FALSE, G_IO_ERROR_PROXY_FAILED, "Bad HTTP proxy reply");
  assert_reply_fails ("HTTP/1.1", FALSE, G_IO_ERROR_PROXY_FAILED, "Bad HTTP proxy reply");
  assert_reply_fails ("H", FALSE, G_IO_ERROR_PROXY_FAILED, "Bad HTTP proxy reply");
}

static void
test_check_closed (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (dial_http_connect_check_reply (NULL, 0, FALSE, &error));
  assert_error (error, G_IO_ERROR_PROXY_FAILED, "HTTP proxy server closed connection unexpectedly.");
}

static void
test_check_statuses (void)
{
  static const struct
  {
    const char *reply;
    gboolean    has_credentials;
    gint        code;
    const char *message;
  } cases[] = {
    { "HTTP/1.1 403 Forbidden\r\n\r\n", FALSE,
      G_IO_ERROR_PROXY_NOT_ALLOWED, "HTTP proxy connection not allowed" },
    { "HTTP/1.0 403 Forbidden\r\n\r\n", TRUE,
      G_IO_ERROR_PROXY_NOT_ALLOWED, "HTTP proxy connection not allowed" },
    { "HTTP/1.1 407 Proxy Authentication Required\r\n\r\n", FALSE,
      G_IO_ERROR_PROXY_NEED_AUTH, "HTTP proxy authentication required" },
    { "HTTP/1.1 407 Proxy Authentication Required\r\n\r\n", TRUE,
      G_IO_ERROR_PROXY_AUTH_FAILED, "HTTP proxy authentication failed" },
    { "HTTP/1.1 502 Bad Gateway\r\n\r\n", FALSE,
      G_IO_ERROR_PROXY_FAILED, "HTTP proxy connection failed: 502" },
    { "HTTP/1.1 502 Bad Gateway\r\n\r\n", TRUE,
      G_IO_ERROR_PROXY_FAILED, "HTTP proxy connection failed: 502" },
    { "HTTP/1.1 100 Continue\r\n\r\n", FALSE,
      G_IO_ERROR_PROXY_FAILED, "HTTP proxy connection failed: 100" },
    { "HTTP/1.1 199 Early\r\n\r\n", FALSE,
      G_IO_ERROR_PROXY_FAILED, "HTTP proxy connection failed: 199" },
    { "HTTP/1.1 300 Multiple Choices\r\n\r\n", FALSE,
      G_IO_ERROR_PROXY_FAILED, "HTTP proxy connection failed: 300" },
    { "HTTP/1.1 404 Not Found\r\n\r\n", FALSE,
      G_IO_ERROR_PROXY_FAILED, "HTTP proxy connection failed: 404" },
    { "HTTP/1.1 000 Zero\r\n\r\n", FALSE,
      G_IO_ERROR_PROXY_FAILED, "HTTP proxy connection failed: 0" },
    { "HTTP/1.1 999 Nine\r\n\r\n", FALSE,
      G_IO_ERROR_PROXY_FAILED, "HTTP proxy connection failed: 999" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("case %u", i);
      assert_reply_fails (cases[i].reply, cases[i].has_credentials, cases[i].code, cases[i].message);
    }
}

/* Only "HTTP/1.0" or "HTTP/1.1", then a three-digit code. */
static void
test_check_bad_status_line (void)
{
  static const char * const replies[] = {
    "HTTP/2 200\r\n\r\n",
    "HTTP/1.2 200 OK\r\n\r\n",
    "http/1.1 200 OK\r\n\r\n",
    "HTTP/1.1200 OK\r\n\r\n",
    "HTTP/1.1 20 OK\r\n\r\n",
    "HTTP/1.1 2000 OK\r\n\r\n",
    "HTTP/1.1 abc OK\r\n\r\n",
    "HTTP/1.1 +20 OK\r\n\r\n",
    "HTTP/1.1 \r\n\r\n",
    "SSH-2.0-OpenSSH_9.2p1\r\n\r\n",
    " HTTP/1.1 200 OK\r\n\r\n",
  };

  for (guint i = 0; i < G_N_ELEMENTS (replies); i++)
    {
      g_test_message ("case %u", i);
      assert_reply_fails (replies[i], FALSE, G_IO_ERROR_PROXY_FAILED, "Bad HTTP proxy reply");
    }
}

/* Only the status line counts: headers after it, whatever they say, and
 * a status line's own length. */
static void
test_check_ignores_headers (void)
{
  assert_reply_ok ("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n");
  assert_reply_ok ("HTTP/1.1 200 OK\r\nHTTP/1.1 403 Forbidden\r\n\r\n");
  assert_reply_fails ("HTTP/1.1 403 Forbidden\r\nHTTP/1.1 200 OK\r\n\r\n", FALSE,
                      G_IO_ERROR_PROXY_NOT_ALLOWED, "HTTP proxy connection not allowed");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/http-connect-codec/request/name", test_request_name);
  g_test_add_func ("/http-connect-codec/request/ipv4", test_request_ipv4);
  g_test_add_func ("/http-connect-codec/request/ipv6", test_request_ipv6);
  g_test_add_func ("/http-connect-codec/request/ipv6-zone", test_request_ipv6_zone);
  g_test_add_func ("/http-connect-codec/request/idna", test_request_idna);
  g_test_add_func ("/http-connect-codec/request/credentials", test_request_credentials);
  g_test_add_func ("/http-connect-codec/request/no-credentials", test_request_no_credentials);
  g_test_add_func ("/http-connect-codec/request/injection", test_request_injection);
  g_test_add_func ("/http-connect-codec/request/invalid-utf8", test_request_invalid_utf8);
  g_test_add_func ("/http-connect-codec/scan/crlf", test_scan_crlf);
  g_test_add_func ("/http-connect-codec/scan/status-line-only", test_scan_status_line_only);
  g_test_add_func ("/http-connect-codec/scan/bare-lf", test_scan_bare_lf);
  g_test_add_func ("/http-connect-codec/scan/tunnel-bytes", test_scan_tunnel_bytes);
  g_test_add_func ("/http-connect-codec/scan/not-http", test_scan_not_http);
  g_test_add_func ("/http-connect-codec/scan/too-big", test_scan_too_big);
  g_test_add_func ("/http-connect-codec/check/success", test_check_success);
  g_test_add_func ("/http-connect-codec/check/cut-short", test_check_cut_short);
  g_test_add_func ("/http-connect-codec/check/closed", test_check_closed);
  g_test_add_func ("/http-connect-codec/check/statuses", test_check_statuses);
  g_test_add_func ("/http-connect-codec/check/bad-status-line", test_check_bad_status_line);
  g_test_add_func ("/http-connect-codec/check/ignores-headers", test_check_ignores_headers);

  return g_test_run ();
}
