/* test-socks-codec.c: every SOCKS message builder and reply parser,
 * without a socket.
 *
 * Requests are compared byte for byte; replies are fed byte by byte, so
 * that what each parser asks for at each length is checked too, and
 * never reaches beyond the end of the reply.  The codes and texts of the
 * errors are GIO 2.74's (spec §10.1).
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <string.h>

#include <gio/gio.h>

#include "dial-socks-codec.h"

/* Helpers ----------------------------------------------------------------- */

static void
assert_bytes (GBytes       *bytes,
              const guint8 *expected,
              gsize         expected_len)
{
  gsize len = 0;
  const guint8 *data;

  g_assert_nonnull (bytes);
  data = g_bytes_get_data (bytes, &len);
  g_assert_cmpmem (data, len, expected, expected_len);
}

static void
assert_error (const GError *error,
              gint          code,
              const char   *message)
{
  g_assert_error (error, G_IO_ERROR, code);
  g_assert_cmpstr (error->message, ==, message);
}

/* A message made of @a, then @s (no NUL), then @b: for names and ids. */
static GBytes *
concat (const guint8 *a,
        gsize         a_len,
        const char   *s,
        const guint8 *b,
        gsize         b_len)
{
  GByteArray *array = g_byte_array_new ();

  g_byte_array_append (array, a, a_len);
  g_byte_array_append (array, (const guint8 *) s, strlen (s));
  g_byte_array_append (array, b, b_len);

  return g_byte_array_free_to_bytes (array);
}

static void
assert_same_bytes (GBytes *actual,
                   GBytes *expected)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (expected, &len);

  assert_bytes (actual, data, len);
}

typedef gssize (*Parser) (const guint8 *reply, gsize len, GError **error);

/* Feeds @reply to @parse one byte at a time: each prefix shorter than
 * the reply must ask for more, but never beyond the end of the reply,
 * and the whole reply must be accepted.  Then as a driver reads: exactly
 * what is asked for each time, which must end at the end of the reply. */
static void
assert_accepted (Parser        parse,
                 const guint8 *reply,
                 gsize         len)
{
  g_autoptr(GError) error = NULL;
  gsize read = 0;
  gssize need;

  for (gsize i = 0; i <= len; i++)
    {
      need = parse (reply, i, &error);
      g_assert_no_error (error);
      if (i < len)
        {
          g_assert_cmpint (need, >, 0);
          g_assert_cmpuint (i + need, <=, len);
        }
      else
        g_assert_cmpint (need, ==, 0);
    }

  while ((need = parse (reply, read, &error)) > 0)
    read += need;
  g_assert_no_error (error);
  g_assert_cmpint (need, ==, 0);
  g_assert_cmpuint (read, ==, len);
}

/* As assert_accepted, for a reply of fixed size: each prefix asks for
 * exactly the rest. */
static void
assert_accepted_fixed (Parser        parse,
                       const guint8 *reply,
                       gsize         len)
{
  assert_accepted (parse, reply, len);

  for (gsize i = 0; i <= len; i++)
    g_assert_cmpint (parse (reply, i, NULL), ==, (gssize) (len - i));
}

/* The prefix of @reply of @bad_at bytes is the first one refused; every
 * shorter prefix asks for more. */
static void
assert_refused_at (Parser        parse,
                   const guint8 *reply,
                   gsize         bad_at,
                   gint          code,
                   const char   *message)
{
  g_autoptr(GError) error = NULL;

  for (gsize i = 0; i < bad_at; i++)
    {
      g_assert_cmpint (parse (reply, i, &error), >, 0);
      g_assert_no_error (error);
    }

  g_assert_cmpint (parse (reply, bad_at, &error), ==, -1);
  assert_error (error, code, message);
}

/* The method-reply parser, with and without credentials offered. */
static gboolean method_offered_userpass;
static gboolean method_must_authenticate;

static gssize
parse_method (const guint8  *reply,
              gsize          len,
              GError       **error)
{
  return dial_socks5_parse_method_reply (reply, len, method_offered_userpass,
                                         &method_must_authenticate, error);
}

/* SOCKS4 and SOCKS4a requests ---------------------------------------------- */

static void
test_socks4_ipv4 (void)
{
  static const guint8 with_id[] = { 4, 1, 0x04, 0x38, 127, 0, 0, 1, 'b', 'o', 'b', 0 };
  static const guint8 without_id[] = { 4, 1, 0xff, 0xff, 10, 1, 2, 3, 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) a = NULL;
  g_autoptr(GBytes) b = NULL;
  g_autoptr(GBytes) c = NULL;

  a = dial_socks4_build_connect ("127.0.0.1", 1080, "bob", &error);
  g_assert_no_error (error);
  assert_bytes (a, with_id, sizeof with_id);

  b = dial_socks4_build_connect ("10.1.2.3", 65535, NULL, &error);
  g_assert_no_error (error);
  assert_bytes (b, without_id, sizeof without_id);

  c = dial_socks4_build_connect ("10.1.2.3", 65535, "", &error);
  g_assert_no_error (error);
  assert_bytes (c, without_id, sizeof without_id);
}

/* A name goes SOCKS4a style: address 0.0.0.1, the id, then the name. */
static void
test_socks4_name (void)
{
  static const guint8 expected[] = {
    4, 1, 0, 80, 0, 0, 0, 1, 'u', 0, 'e', 'x', 'a', 'm', 'p', 'l', 'e', '.', 't', 'e', 's', 't', 0
  };
  static const guint8 no_id[] = { 4, 1, 0, 0, 0, 0, 0, 1, 0, 'h', 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) a = NULL;
  g_autoptr(GBytes) b = NULL;

  a = dial_socks4_build_connect ("example.test", 80, "u", &error);
  g_assert_no_error (error);
  assert_bytes (a, expected, sizeof expected);

  b = dial_socks4_build_connect ("h", 0, NULL, &error);
  g_assert_no_error (error);
  assert_bytes (b, no_id, sizeof no_id);
}

static void
test_socks4_ipv6 (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) error2 = NULL;
  g_autofree char *long_id = g_strnfill (300, 'u');

  g_assert_null (dial_socks4_build_connect ("::1", 80, NULL, &error));
  assert_error (error, G_IO_ERROR_PROXY_FAILED, "SOCKSv4 does not support IPv6 address “::1”");

  /* The address is judged first. */
  g_assert_null (dial_socks4_build_connect ("2001:db8::1", 80, long_id, &error2));
  assert_error (error2, G_IO_ERROR_PROXY_FAILED,
                "SOCKSv4 does not support IPv6 address “2001:db8::1”");
}

static void
test_socks4_limits (void)
{
  g_autofree char *id255 = g_strnfill (255, 'u');
  g_autofree char *id256 = g_strnfill (256, 'u');
  g_autofree char *host255 = g_strnfill (255, 'h');
  g_autofree char *host256 = g_strnfill (256, 'h');
  g_autofree char *message = g_strdup_printf ("Hostname “%s” is too long for SOCKSv4 protocol", host256);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) longest = NULL;
  g_autoptr(GBytes) expected = NULL;
  g_autoptr(GBytes) ip = NULL;
  GByteArray *array;
  static const guint8 header[] = { 4, 1, 0, 1, 0, 0, 0, 1 };
  static const guint8 nul = 0;

  longest = dial_socks4_build_connect (host255, 1, id255, &error);
  g_assert_no_error (error);
  array = g_byte_array_new ();
  g_byte_array_append (array, header, sizeof header);
  g_byte_array_append (array, (const guint8 *) id255, 255);
  g_byte_array_append (array, &nul, 1);
  g_byte_array_append (array, (const guint8 *) host255, 255);
  g_byte_array_append (array, &nul, 1);
  expected = g_byte_array_free_to_bytes (array);
  assert_same_bytes (longest, expected);
  /* GIO's buffer bound (CVE-2024-52533): 10 + 2 × 255, and a NUL. */
  g_assert_cmpuint (g_bytes_get_size (longest), <=, 10 + 2 * 255 + 1);

  g_assert_null (dial_socks4_build_connect ("h", 1, id256, &error));
  assert_error (error, G_IO_ERROR_PROXY_FAILED, "Username is too long for SOCKSv4 protocol");
  g_clear_error (&error);

  g_assert_null (dial_socks4_build_connect (host256, 1, NULL, &error));
  assert_error (error, G_IO_ERROR_PROXY_FAILED, message);
  g_clear_error (&error);

  /* The user id is judged before the name, and an IP has no length. */
  g_assert_null (dial_socks4_build_connect (host256, 1, id256, &error));
  assert_error (error, G_IO_ERROR_PROXY_FAILED, "Username is too long for SOCKSv4 protocol");
  g_clear_error (&error);

  ip = dial_socks4_build_connect ("1.2.3.4", 1, id255, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (ip), ==, 8 + 255 + 1);
}

/* SOCKS4 replies ----------------------------------------------------------- */

static void
test_socks4_reply_granted (void)
{
  static const guint8 granted[] = { 0, 90, 0x04, 0x38, 127, 0, 0, 1 };
  static const guint8 zeros[] = { 0, 90, 0, 0, 0, 0, 0, 0 };

  assert_accepted_fixed (dial_socks4_parse_reply, granted, sizeof granted);
  assert_accepted_fixed (dial_socks4_parse_reply, zeros, sizeof zeros);
}

static void
test_socks4_reply_rejected (void)
{
  for (guint code = 0; code <= 255; code++)
    {
      const guint8 reply[8] = { 0, code, 0, 0, 0, 0, 0, 0 };

      if (code == 90)
        continue;
      assert_refused_at (dial_socks4_parse_reply, reply, 2, G_IO_ERROR_PROXY_FAILED,
                         "Connection through SOCKSv4 server was rejected");
    }
}

static void
test_socks4_reply_garbage (void)
{
  static const char http[] = "HTTP/1.1 400 Bad Request\r\n\r\n";
  /* A SOCKS5 answer where a SOCKS4 one was due. */
  static const guint8 socks5[] = { 5, 0 };

  assert_refused_at (dial_socks4_parse_reply, (const guint8 *) http, 1,
                     G_IO_ERROR_PROXY_FAILED, "The server is not a SOCKSv4 proxy server.");
  assert_refused_at (dial_socks4_parse_reply, socks5, 1,
                     G_IO_ERROR_PROXY_FAILED, "The server is not a SOCKSv4 proxy server.");
}

/* SOCKS5 greeting and method reply ------------------------------------------ */

static void
test_socks5_greeting (void)
{
  static const guint8 none[] = { 5, 1, 0 };
  static const guint8 both[] = { 5, 2, 0, 2 };
  g_autoptr(GBytes) a = dial_socks5_build_greeting (FALSE);
  g_autoptr(GBytes) b = dial_socks5_build_greeting (TRUE);

  assert_bytes (a, none, sizeof none);
  assert_bytes (b, both, sizeof both);
}

static void
test_socks5_method_accepted (void)
{
  static const guint8 none[] = { 5, 0 };
  static const guint8 userpass[] = { 5, 2 };

  for (guint offered = 0; offered <= 1; offered++)
    {
      method_offered_userpass = offered;
      method_must_authenticate = TRUE;
      assert_accepted_fixed (parse_method, none, sizeof none);
      g_assert_false (method_must_authenticate);
    }

  method_offered_userpass = TRUE;
  method_must_authenticate = FALSE;
  assert_accepted_fixed (parse_method, userpass, sizeof userpass);
  g_assert_true (method_must_authenticate);
}

static void
test_socks5_method_refused (void)
{
  static const char need_auth[] = "The SOCKSv5 proxy requires authentication.";
  static const char unsupported[] =
    "The SOCKSv5 proxy requires an authentication method that is not supported by GLib.";
  static const guint8 userpass[] = { 5, 2 };
  static const guint8 rejected[] = { 5, 0xff };

  /* USERPASS demanded, or nothing acceptable, without credentials: they
   * are what is missing. */
  method_offered_userpass = FALSE;
  assert_refused_at (parse_method, userpass, 2, G_IO_ERROR_PROXY_NEED_AUTH, need_auth);
  assert_refused_at (parse_method, rejected, 2, G_IO_ERROR_PROXY_NEED_AUTH, need_auth);

  /* Nothing acceptable although they were offered. */
  method_offered_userpass = TRUE;
  assert_refused_at (parse_method, rejected, 2, G_IO_ERROR_PROXY_AUTH_FAILED, unsupported);

  /* GSSAPI and every other method, whatever was offered. */
  for (guint offered = 0; offered <= 1; offered++)
    {
      method_offered_userpass = offered;
      for (guint method = 1; method < 0xff; method++)
        {
          const guint8 reply[2] = { 5, method };

          if (method == 2)
            continue;
          assert_refused_at (parse_method, reply, 2, G_IO_ERROR_PROXY_AUTH_FAILED, unsupported);
        }
    }
}

static void
test_socks5_method_garbage (void)
{
  static const char http[] = "HTTP/1.1 400 Bad Request\r\n\r\n";
  static const guint8 socks4[] = { 0, 90 };
  static const guint8 version4[] = { 4, 0 };

  for (guint offered = 0; offered <= 1; offered++)
    {
      method_offered_userpass = offered;
      assert_refused_at (parse_method, (const guint8 *) http, 1,
                         G_IO_ERROR_PROXY_FAILED, "The server is not a SOCKSv5 proxy server.");
      assert_refused_at (parse_method, socks4, 1,
                         G_IO_ERROR_PROXY_FAILED, "The server is not a SOCKSv5 proxy server.");
      assert_refused_at (parse_method, version4, 1,
                         G_IO_ERROR_PROXY_FAILED, "The server is not a SOCKSv5 proxy server.");
    }
}

/* RFC 1929 ------------------------------------------------------------------ */

static void
test_socks5_auth_request (void)
{
  static const guint8 both[] = { 1, 5, 'a', 'l', 'i', 'c', 'e', 6, 's', '3', 'c', 'r', 'e', 't' };
  static const guint8 user_only[] = { 1, 5, 'a', 'l', 'i', 'c', 'e', 0 };
  static const guint8 password_only[] = { 1, 0, 2, 'p', 'w' };
  static const guint8 empty[] = { 1, 0, 0 };
  /* Percent-decoding is the enumerator's: bytes go as they are given. */
  static const guint8 raw[] = { 1, 3, 'a', '@', 'b', 3, ':', ' ', 0xc3 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) a = NULL;
  g_autoptr(GBytes) b = NULL;
  g_autoptr(GBytes) c = NULL;
  g_autoptr(GBytes) d = NULL;
  g_autoptr(GBytes) e = NULL;

  a = dial_socks5_build_auth ("alice", "s3cret", &error);
  g_assert_no_error (error);
  assert_bytes (a, both, sizeof both);

  b = dial_socks5_build_auth ("alice", NULL, &error);
  g_assert_no_error (error);
  assert_bytes (b, user_only, sizeof user_only);

  c = dial_socks5_build_auth (NULL, "pw", &error);
  g_assert_no_error (error);
  assert_bytes (c, password_only, sizeof password_only);

  d = dial_socks5_build_auth (NULL, NULL, &error);
  g_assert_no_error (error);
  assert_bytes (d, empty, sizeof empty);

  e = dial_socks5_build_auth ("a@b", ": \xc3", &error);
  g_assert_no_error (error);
  assert_bytes (e, raw, sizeof raw);
}

static void
test_socks5_auth_limits (void)
{
  static const char too_long[] = "Username or password is too long for SOCKSv5 protocol.";
  g_autofree char *s255 = g_strnfill (255, 's');
  g_autofree char *s256 = g_strnfill (256, 's');
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) longest = NULL;

  longest = dial_socks5_build_auth (s255, s255, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (longest), ==, 1 + 1 + 255 + 1 + 255);
  g_assert_cmpuint (((const guint8 *) g_bytes_get_data (longest, NULL))[1], ==, 255);
  g_assert_cmpuint (((const guint8 *) g_bytes_get_data (longest, NULL))[257], ==, 255);

  g_assert_null (dial_socks5_build_auth (s256, "pw", &error));
  assert_error (error, G_IO_ERROR_PROXY_FAILED, too_long);
  g_clear_error (&error);

  g_assert_null (dial_socks5_build_auth ("alice", s256, &error));
  assert_error (error, G_IO_ERROR_PROXY_FAILED, too_long);
  /* The message never quotes a credential. */
  g_assert_null (strstr (error->message, "sss"));
  g_clear_error (&error);

  g_assert_null (dial_socks5_build_auth (s256, NULL, &error));
  assert_error (error, G_IO_ERROR_PROXY_FAILED, too_long);
}

static void
test_socks5_auth_reply (void)
{
  static const char failed[] = "SOCKSv5 authentication failed due to wrong username or password.";
  static const guint8 ok[] = { 1, 0 };
  static const guint8 wrong_version[] = { 5, 0 };

  assert_accepted_fixed (dial_socks5_parse_auth_reply, ok, sizeof ok);
  assert_refused_at (dial_socks5_parse_auth_reply, wrong_version, 1,
                     G_IO_ERROR_PROXY_AUTH_FAILED, failed);

  for (guint status = 1; status <= 255; status++)
    {
      const guint8 reply[2] = { 1, status };

      assert_refused_at (dial_socks5_parse_auth_reply, reply, 2,
                         G_IO_ERROR_PROXY_AUTH_FAILED, failed);
    }
}

/* SOCKS5 CONNECT request ----------------------------------------------------- */

static void
test_socks5_connect_ipv4 (void)
{
  static const guint8 expected[] = { 5, 1, 0, 1, 127, 0, 0, 1, 0x04, 0x38 };
  static const guint8 port0[] = { 5, 1, 0, 1, 192, 0, 2, 255, 0, 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) a = NULL;
  g_autoptr(GBytes) b = NULL;

  a = dial_socks5_build_connect ("127.0.0.1", 1080, FALSE, &error);
  g_assert_no_error (error);
  assert_bytes (a, expected, sizeof expected);

  b = dial_socks5_build_connect ("192.0.2.255", 0, FALSE, &error);
  g_assert_no_error (error);
  assert_bytes (b, port0, sizeof port0);
}

static void
test_socks5_connect_ipv6 (void)
{
  static const guint8 expected[] = {
    5, 1, 0, 4,
    0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
    0xff, 0xff
  };
  static const guint8 loopback[] = {
    5, 1, 0, 4,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
    0, 80
  };
  static const guint8 mapped[] = {
    5, 1, 0, 4,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 1, 2, 3, 4,
    0, 80
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) a = NULL;
  g_autoptr(GBytes) b = NULL;
  g_autoptr(GBytes) c = NULL;

  a = dial_socks5_build_connect ("2001:db8::1", 65535, FALSE, &error);
  g_assert_no_error (error);
  assert_bytes (a, expected, sizeof expected);

  b = dial_socks5_build_connect ("::1", 80, FALSE, &error);
  g_assert_no_error (error);
  assert_bytes (b, loopback, sizeof loopback);

  /* An IPv4-mapped IPv6 literal stays IPv6. */
  c = dial_socks5_build_connect ("::ffff:1.2.3.4", 80, FALSE, &error);
  g_assert_no_error (error);
  assert_bytes (c, mapped, sizeof mapped);
}

static void
test_socks5_connect_name (void)
{
  static const guint8 head[] = { 5, 1, 0, 3, 12 };
  static const guint8 port[] = { 0x01, 0xbb };
  static const guint8 empty[] = { 5, 1, 0, 3, 0, 0, 1 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) a = NULL;
  g_autoptr(GBytes) a_expected = concat (head, sizeof head, "example.test", port, sizeof port);
  g_autoptr(GBytes) b = NULL;
  g_autoptr(GBytes) c = NULL;

  for (guint always_name = 0; always_name <= 1; always_name++)
    {
      g_clear_pointer (&a, g_bytes_unref);
      a = dial_socks5_build_connect ("example.test", 443, always_name, &error);
      g_assert_no_error (error);
      assert_same_bytes (a, a_expected);
    }

  /* Not quite an IP literal: a name. */
  {
    static const guint8 h[] = { 5, 1, 0, 3, 5 };
    static const guint8 p[] = { 0, 1 };
    g_autoptr(GBytes) expected = concat (h, sizeof h, "1.2.3", p, sizeof p);

    b = dial_socks5_build_connect ("1.2.3", 1, FALSE, &error);
    g_assert_no_error (error);
    assert_same_bytes (b, expected);
  }

  c = dial_socks5_build_connect ("", 1, FALSE, &error);
  g_assert_no_error (error);
  assert_bytes (c, empty, sizeof empty);
}

/* SOCKS5h: literals go as names too, for the proxy to make sense of. */
static void
test_socks5_connect_always_name (void)
{
  static const guint8 h4[] = { 5, 1, 0, 3, 9 };
  static const guint8 h6[] = { 5, 1, 0, 3, 11 };
  static const guint8 p[] = { 0x04, 0x38 };
  g_autoptr(GBytes) v4_expected = concat (h4, sizeof h4, "127.0.0.1", p, sizeof p);
  g_autoptr(GBytes) v6_expected = concat (h6, sizeof h6, "2001:db8::1", p, sizeof p);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) v4 = NULL;
  g_autoptr(GBytes) v6 = NULL;

  v4 = dial_socks5_build_connect ("127.0.0.1", 1080, TRUE, &error);
  g_assert_no_error (error);
  assert_same_bytes (v4, v4_expected);

  v6 = dial_socks5_build_connect ("2001:db8::1", 1080, TRUE, &error);
  g_assert_no_error (error);
  assert_same_bytes (v6, v6_expected);
}

static void
test_socks5_connect_limits (void)
{
  g_autofree char *host255 = g_strnfill (255, 'h');
  g_autofree char *host256 = g_strnfill (256, 'h');
  g_autofree char *message = g_strdup_printf ("Hostname “%s” is too long for SOCKSv5 protocol", host256);
  static const guint8 head[] = { 5, 1, 0, 3, 255 };
  static const guint8 port[] = { 0, 80 };
  g_autoptr(GBytes) expected = concat (head, sizeof head, host255, port, sizeof port);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) longest = NULL;

  for (guint always_name = 0; always_name <= 1; always_name++)
    {
      g_clear_pointer (&longest, g_bytes_unref);
      longest = dial_socks5_build_connect (host255, 80, always_name, &error);
      g_assert_no_error (error);
      assert_same_bytes (longest, expected);

      g_assert_null (dial_socks5_build_connect (host256, 80, always_name, &error));
      assert_error (error, G_IO_ERROR_PROXY_FAILED, message);
      g_clear_error (&error);
    }
}

/* SOCKS5 CONNECT reply ------------------------------------------------------- */

static void
test_socks5_reply_ipv4 (void)
{
  static const guint8 reply[] = { 5, 0, 0, 1, 127, 0, 0, 1, 0x04, 0x38 };

  /* The header, then the address and the port. */
  g_assert_cmpint (dial_socks5_parse_connect_reply (reply, 0, NULL), ==, 4);
  g_assert_cmpint (dial_socks5_parse_connect_reply (reply, 4, NULL), ==, 6);
  assert_accepted (dial_socks5_parse_connect_reply, reply, sizeof reply);
}

static void
test_socks5_reply_ipv6 (void)
{
  static const guint8 reply[] = {
    5, 0, 0, 4,
    0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
    0, 80
  };

  g_assert_cmpint (dial_socks5_parse_connect_reply (reply, 4, NULL), ==, 18);
  assert_accepted (dial_socks5_parse_connect_reply, reply, sizeof reply);
}

/* A domain-name bound address: the length byte is asked for alone, then
 * the name and the port. */
static void
test_socks5_reply_domain (void)
{
  static const guint8 localhost[] = { 5, 0, 0, 3, 9, 'l', 'o', 'c', 'a', 'l', 'h', 'o', 's', 't', 0, 0 };
  static const guint8 empty[] = { 5, 0, 0, 3, 0, 0, 0 };
  guint8 longest[DIAL_SOCKS_REPLY_MAX];
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (dial_socks5_parse_connect_reply (localhost, 4, &error), ==, 1);
  g_assert_cmpint (dial_socks5_parse_connect_reply (localhost, 5, &error), ==, 11);
  g_assert_no_error (error);

  assert_accepted (dial_socks5_parse_connect_reply, localhost, sizeof localhost);
  assert_accepted (dial_socks5_parse_connect_reply, empty, sizeof empty);

  g_assert_cmpint (dial_socks5_parse_connect_reply (empty, 5, &error), ==, 2);
  g_assert_cmpint (dial_socks5_parse_connect_reply (empty, 7, &error), ==, 0);
  g_assert_no_error (error);

  /* The longest reply fills DIAL_SOCKS_REPLY_MAX exactly. */
  memset (longest, 'n', sizeof longest);
  longest[0] = 5;
  longest[1] = 0;
  longest[2] = 0;
  longest[3] = 3;
  longest[4] = 255;
  g_assert_cmpint (dial_socks5_parse_connect_reply (longest, 5, &error), ==, 257);
  g_assert_cmpint (dial_socks5_parse_connect_reply (longest, sizeof longest, &error), ==, 0);
  g_assert_no_error (error);
}

static void
test_socks5_reply_codes (void)
{
  static const struct {
    guint8      reply;
    gint        code;
    const char *message;
  } rows[] = {
    { 1, G_IO_ERROR_PROXY_FAILED, "Internal SOCKSv5 proxy server error." },
    { 2, G_IO_ERROR_PROXY_NOT_ALLOWED, "SOCKSv5 connection not allowed by ruleset." },
    { 3, G_IO_ERROR_NETWORK_UNREACHABLE, "Network unreachable through SOCKSv5 proxy." },
    { 4, G_IO_ERROR_HOST_UNREACHABLE, "Host unreachable through SOCKSv5 server." },
    { 5, G_IO_ERROR_CONNECTION_REFUSED, "Connection refused through SOCKSv5 proxy." },
    { 6, G_IO_ERROR_HOST_UNREACHABLE, "Host unreachable through SOCKSv5 server." },
    { 7, G_IO_ERROR_PROXY_FAILED, "SOCKSv5 proxy does not support “connect” command." },
    { 8, G_IO_ERROR_PROXY_FAILED, "SOCKSv5 proxy does not support provided address type." },
    { 9, G_IO_ERROR_PROXY_FAILED, "Unknown SOCKSv5 proxy error." },
    { 0x80, G_IO_ERROR_PROXY_FAILED, "Unknown SOCKSv5 proxy error." },
    { 0xff, G_IO_ERROR_PROXY_FAILED, "Unknown SOCKSv5 proxy error." },
  };

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      /* The rest of the reply does not matter, not even the reserved
       * byte or the address type: the refusal is known at byte 2. */
      const guint8 reply[] = { 5, rows[i].reply, 0, 1, 0, 0, 0, 0, 0, 0 };
      const guint8 odd[] = { 5, rows[i].reply, 0xff, 0x42 };

      assert_refused_at (dial_socks5_parse_connect_reply, reply, 2, rows[i].code, rows[i].message);
      assert_refused_at (dial_socks5_parse_connect_reply, odd, 2, rows[i].code, rows[i].message);
    }
}

static void
test_socks5_reply_garbage (void)
{
  static const char not_socks5[] = "The server is not a SOCKSv5 proxy server.";
  static const char http[] = "HTTP/1.1 200 OK\r\n\r\n";
  static const guint8 socks4[] = { 0, 90, 0, 0, 0, 0, 0, 0 };
  static const guint8 reserved[] = { 5, 0, 1, 1, 0, 0, 0, 0, 0, 0 };

  assert_refused_at (dial_socks5_parse_connect_reply, (const guint8 *) http, 1,
                     G_IO_ERROR_PROXY_FAILED, not_socks5);
  assert_refused_at (dial_socks5_parse_connect_reply, socks4, 1,
                     G_IO_ERROR_PROXY_FAILED, not_socks5);
  assert_refused_at (dial_socks5_parse_connect_reply, reserved, 3,
                     G_IO_ERROR_PROXY_FAILED, not_socks5);
}

static void
test_socks5_reply_unknown_address_type (void)
{
  static const guint8 types[] = { 0, 2, 5, 9, 0xff };

  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    {
      const guint8 reply[] = { 5, 0, 0, types[i], 0, 0, 0, 0, 0, 0 };

      assert_refused_at (dial_socks5_parse_connect_reply, reply, 4, G_IO_ERROR_PROXY_FAILED,
                         "The SOCKSv5 proxy server uses unknown address type.");
    }
}

/* Random replies ------------------------------------------------------------ */

/* Every parser, on random bytes delivered in random chunks, as a driver
 * would read them: it ends with 0 or with -1 and an error, never asks
 * for more than DIAL_SOCKS_REPLY_MAX in all, and never returns -1
 * without an error or anything else with one. */
static void
test_random_replies (void)
{
  static const Parser parsers[] = {
    dial_socks4_parse_reply,
    parse_method,
    dial_socks5_parse_auth_reply,
    dial_socks5_parse_connect_reply,
  };
  GRand *rand = g_rand_new_with_seed (g_test_rand_int ());
  guint outcomes[2] = { 0, 0 };

  for (guint round = 0; round < 20000; round++)
    {
      Parser parse = parsers[round % G_N_ELEMENTS (parsers)];
      guint8 buffer[DIAL_SOCKS_REPLY_MAX];
      gsize len = 0;
      gssize need;

      /* Bias the first bytes towards valid ones, to get deep. */
      for (guint i = 0; i < sizeof buffer; i++)
        buffer[i] = g_rand_int_range (rand, 0, 256);
      if (g_rand_boolean (rand))
        {
          buffer[0] = (parse == dial_socks4_parse_reply) ? 0 : (parse == dial_socks5_parse_auth_reply) ? 1 : 5;
          buffer[1] = (parse == dial_socks4_parse_reply) ? 90 : g_rand_int_range (rand, 0, 3);
          buffer[2] = 0;
          buffer[3] = g_rand_int_range (rand, 0, 5);
        }
      method_offered_userpass = g_rand_boolean (rand);

      for (;;)
        {
          g_autoptr(GError) error = NULL;
          gsize chunk;

          need = parse (buffer, len, &error);
          if (need <= 0)
            {
              g_assert_true ((need < 0) == (error != NULL));
              g_assert_cmpint (need, >=, -1);
              outcomes[need == 0]++;
              break;
            }
          g_assert_no_error (error);
          g_assert_cmpuint (len + need, <=, DIAL_SOCKS_REPLY_MAX);

          chunk = g_rand_int_range (rand, 1, need + 1);
          len += chunk;
        }
    }

  /* Both outcomes were reached. */
  g_assert_cmpuint (outcomes[0], >, 0);
  g_assert_cmpuint (outcomes[1], >, 0);

  g_rand_free (rand);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/proxy/socks-codec/socks4/ipv4", test_socks4_ipv4);
  g_test_add_func ("/proxy/socks-codec/socks4/name", test_socks4_name);
  g_test_add_func ("/proxy/socks-codec/socks4/ipv6", test_socks4_ipv6);
  g_test_add_func ("/proxy/socks-codec/socks4/limits", test_socks4_limits);
  g_test_add_func ("/proxy/socks-codec/socks4/reply-granted", test_socks4_reply_granted);
  g_test_add_func ("/proxy/socks-codec/socks4/reply-rejected", test_socks4_reply_rejected);
  g_test_add_func ("/proxy/socks-codec/socks4/reply-garbage", test_socks4_reply_garbage);
  g_test_add_func ("/proxy/socks-codec/socks5/greeting", test_socks5_greeting);
  g_test_add_func ("/proxy/socks-codec/socks5/method-accepted", test_socks5_method_accepted);
  g_test_add_func ("/proxy/socks-codec/socks5/method-refused", test_socks5_method_refused);
  g_test_add_func ("/proxy/socks-codec/socks5/method-garbage", test_socks5_method_garbage);
  g_test_add_func ("/proxy/socks-codec/socks5/auth-request", test_socks5_auth_request);
  g_test_add_func ("/proxy/socks-codec/socks5/auth-limits", test_socks5_auth_limits);
  g_test_add_func ("/proxy/socks-codec/socks5/auth-reply", test_socks5_auth_reply);
  g_test_add_func ("/proxy/socks-codec/socks5/connect-ipv4", test_socks5_connect_ipv4);
  g_test_add_func ("/proxy/socks-codec/socks5/connect-ipv6", test_socks5_connect_ipv6);
  g_test_add_func ("/proxy/socks-codec/socks5/connect-name", test_socks5_connect_name);
  g_test_add_func ("/proxy/socks-codec/socks5/connect-always-name", test_socks5_connect_always_name);
  g_test_add_func ("/proxy/socks-codec/socks5/connect-limits", test_socks5_connect_limits);
  g_test_add_func ("/proxy/socks-codec/socks5/reply-ipv4", test_socks5_reply_ipv4);
  g_test_add_func ("/proxy/socks-codec/socks5/reply-ipv6", test_socks5_reply_ipv6);
  g_test_add_func ("/proxy/socks-codec/socks5/reply-domain", test_socks5_reply_domain);
  g_test_add_func ("/proxy/socks-codec/socks5/reply-codes", test_socks5_reply_codes);
  g_test_add_func ("/proxy/socks-codec/socks5/reply-garbage", test_socks5_reply_garbage);
  g_test_add_func ("/proxy/socks-codec/socks5/reply-unknown-address-type",
                   test_socks5_reply_unknown_address_type);
  g_test_add_func ("/proxy/socks-codec/random-replies", test_random_replies);

  return g_test_run ();
}
