/* fuzz-http-connect-reply.c: what an HTTP proxy answers to CONNECT
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Input: one options byte, then the bytes the proxy sends (the reply head
 * and whatever follows it).  Options bit 0: the request carried
 * credentials; bits 1-7: the bytes arrive (options >> 1) + 1 at a time.
 *
 * The head is looked for as the driver looks for it, in a buffer that
 * grows by one read at a time, and judged once found (or at EOF).
 * Checked: the outcome does not depend on how the bytes were cut; a head
 * ends with its first empty line and never beyond the limit; a reply is
 * accepted exactly when its status line says 2xx, and each refusal has
 * the error its status calls for.
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "dial-http-connect-codec.h"

/* The status code of the first line, or -1: "HTTP/1.0" or "HTTP/1.1",
 * spaces, three digits, then the end of the line, a space or a tab. */
static int
expected_status (const guint8 *reply,
                 gsize         len)
{
  const guint8 *newline = memchr (reply, '\n', len);
  gsize end = newline != NULL ? (gsize) (newline - reply) : len;
  gsize i;
  int code;

  if (end > 0 && reply[end - 1] == '\r')
    end--;

  if (end < 9 ||
      (memcmp (reply, "HTTP/1.0 ", 9) != 0 && memcmp (reply, "HTTP/1.1 ", 9) != 0))
    return -1;

  for (i = 9; i < end && reply[i] == ' '; i++)
    ;
  if (end - i < 3 ||
      !g_ascii_isdigit (reply[i]) || !g_ascii_isdigit (reply[i + 1]) || !g_ascii_isdigit (reply[i + 2]))
    return -1;
  code = (reply[i] - '0') * 100 + (reply[i + 1] - '0') * 10 + (reply[i + 2] - '0');
  i += 3;

  if (i < end && reply[i] != ' ' && reply[i] != '\t')
    return -1;

  return code;
}

static void
check_verdict (const guint8 *reply,
               gsize         len,
               gboolean      has_credentials)
{
  g_autoptr(GError) error = NULL;
  guint8 *copy = fuzz_exact_copy (reply, len);
  gboolean ok = dial_http_connect_check_reply (copy, len, has_credentials, &error);
  int status = expected_status (reply, len);

  free (copy);

  if (ok)
    {
      g_assert_null (error);
      g_assert_cmpint (status, >=, 200);
      g_assert_cmpint (status, <, 300);
      return;
    }

  g_assert_nonnull (error);
  g_assert_true (error->domain == G_IO_ERROR);
  g_assert_false (status >= 200 && status < 300);

  switch (error->code)
    {
    case G_IO_ERROR_PROXY_NOT_ALLOWED:
      g_assert_cmpint (status, ==, 403);
      break;
    case G_IO_ERROR_PROXY_AUTH_FAILED:
      g_assert_cmpint (status, ==, 407);
      g_assert_true (has_credentials);
      break;
    case G_IO_ERROR_PROXY_NEED_AUTH:
      g_assert_cmpint (status, ==, 407);
      g_assert_false (has_credentials);
      break;
    case G_IO_ERROR_PROXY_FAILED:
      g_assert_cmpint (status, !=, 403);
      g_assert_cmpint (status, !=, 407);
      break;
    default:
      g_error ("unexpected error code %d: %s", error->code, error->message);
    }
}

/* The head as a one-shot scan of @len bytes sees it. */
static DialHttpConnectHead
scan (const guint8 *data,
      gsize         len,
      gsize        *head_len)
{
  g_autoptr(GError) error = NULL;
  guint8 *copy = fuzz_exact_copy (data, len);
  DialHttpConnectHead result = dial_http_connect_scan_reply (copy, len, head_len, &error);

  free (copy);

  switch (result)
    {
    case DIAL_HTTP_CONNECT_HEAD_INCOMPLETE:
      g_assert_null (error);
      g_assert_cmpuint (*head_len, ==, 0);
      g_assert_cmpuint (len, <, DIAL_HTTP_CONNECT_HEAD_MAX);
      break;

    case DIAL_HTTP_CONNECT_HEAD_COMPLETE:
      g_assert_null (error);
      g_assert_cmpuint (*head_len, >=, 2);
      g_assert_cmpuint (*head_len, <=, len);
      g_assert_cmpuint (*head_len, <=, DIAL_HTTP_CONNECT_HEAD_MAX);
      /* It ends with an empty line: LF LF or LF CR LF. */
      g_assert_cmpint (data[*head_len - 1], ==, '\n');
      g_assert_true (data[*head_len - 2] == '\n' ||
                     (*head_len >= 3 && data[*head_len - 2] == '\r' && data[*head_len - 3] == '\n'));
      break;

    case DIAL_HTTP_CONNECT_HEAD_INVALID:
      g_assert_true (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PROXY_FAILED));
      break;

    default:
      g_assert_not_reached ();
    }

  return result;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  DialHttpConnectHead result;
  DialHttpConnectHead whole;
  gboolean has_credentials;
  gsize chunk;
  gsize len = 0;
  gsize head_len = 0;
  gsize whole_head_len = 0;

  fuzz_set_up (FUZZ_SET_UP_DEFAULT);

  if (size < 1)
    return 0;

  has_credentials = (data[0] & 1) != 0;
  chunk = (data[0] >> 1) + 1;
  data++;
  size--;

  /* The driver: read, scan everything so far, until a verdict or EOF. */
  for (;;)
    {
      result = scan (data, len, &head_len);
      if (result != DIAL_HTTP_CONNECT_HEAD_INCOMPLETE || len == size)
        break;
      len += MIN (chunk, size - len);
    }

  /* The first empty line is the end: no shorter prefix had one. */
  if (result == DIAL_HTTP_CONNECT_HEAD_COMPLETE)
    {
      gsize unused;

      g_assert_cmpint (scan (data, head_len - 1, &unused), ==, DIAL_HTTP_CONNECT_HEAD_INCOMPLETE);
      check_verdict (data, head_len, has_credentials);
    }
  else if (result == DIAL_HTTP_CONNECT_HEAD_INCOMPLETE)
    check_verdict (data, len, has_credentials);   /* EOF */

  /* All of it at once, as a driver with one big read sees it. */
  whole = scan (data, size, &whole_head_len);
  if (result == DIAL_HTTP_CONNECT_HEAD_INVALID)
    g_assert_cmpint (whole, ==, DIAL_HTTP_CONNECT_HEAD_INVALID);
  else if (result == DIAL_HTTP_CONNECT_HEAD_COMPLETE)
    {
      g_assert_cmpint (whole, ==, DIAL_HTTP_CONNECT_HEAD_COMPLETE);
      g_assert_cmpuint (whole_head_len, ==, head_len);
    }
  else if (result == DIAL_HTTP_CONNECT_HEAD_INCOMPLETE)
    g_assert_cmpint (whole, ==, DIAL_HTTP_CONNECT_HEAD_INCOMPLETE);

  return 0;
}
