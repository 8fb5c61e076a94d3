/* dial-http-connect-codec.c
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "dial-http-connect-codec.h"

#include <string.h>

#include <gio/gio.h>

#include "dial-i18n.h"

#define USER_AGENT "libdial/" PACKAGE_VERSION

/* The status line starts with one of these (RFC 9112 §4); GIO accepts
 * nothing else either. */
#define VERSION_LEN 8
static const char * const versions[] = { "HTTP/1.0", "HTTP/1.1" };

/* Request ------------------------------------------------------------------ */

static gboolean
set_invalid_hostname (GError **error)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, GIO_("Invalid hostname"));
  return FALSE;
}

/* RFC 3986 unreserved: what may appear in an IPv6 zone identifier. */
static gboolean
is_unreserved (char c)
{
  return g_ascii_isalnum (c) || strchr ("-._~", c) != NULL;
}

/* RFC 3986 reg-name, without percent-encoding: unreserved and sub-delims. */
static gboolean
is_reg_name_char (char c)
{
  return is_unreserved (c) || strchr ("!$&'()*+,;=", c) != NULL;
}

/* "[addr%25zone]:port" (RFC 3986 §3.2.2, RFC 6874). */
static char *
format_ipv6_authority (const char  *literal,
                       guint16      port,
                       GError     **error)
{
  const char *percent = strchr (literal, '%');
  g_autofree char *address = NULL;

  if (percent == NULL)
    return g_strdup_printf ("[%s]:%u", literal, port);

  for (const char *p = percent + 1; *p != '\0'; p++)
    {
      if (!is_unreserved (*p))
        {
          set_invalid_hostname (error);
          return NULL;
        }
    }

  address = g_strndup (literal, percent - literal);
  return g_strdup_printf ("[%s%%25%s]:%u", address, percent + 1, port);
}

/* The request target and Host value: "host:port", the host as it may go
 * on the wire. */
static char *
format_authority (const char  *host,
                  guint16      port,
                  GError     **error)
{
  g_autofree char *unbracketed = NULL;
  g_autofree char *ascii = NULL;
  gsize len = strlen (host);

  /* First of all: nothing that could end a line or a word. */
  for (const char *p = host; *p != '\0'; p++)
    {
      if ((guchar) *p <= ' ' || *p == 0x7f)
        {
          set_invalid_hostname (error);
          return NULL;
        }
    }

  /* GIO hands over IPv6 literals without brackets; accept them with. */
  if (len >= 2 && host[0] == '[' && host[len - 1] == ']')
    {
      unbracketed = g_strndup (host + 1, len - 2);
      if (strchr (unbracketed, ':') == NULL || !g_hostname_is_ip_address (unbracketed))
        {
          set_invalid_hostname (error);
          return NULL;
        }
      return format_ipv6_authority (unbracketed, port, error);
    }

  if (g_hostname_is_ip_address (host))
    {
      if (strchr (host, ':') != NULL)
        return format_ipv6_authority (host, port, error);
      return g_strdup_printf ("%s:%u", host, port);
    }

  /* g_hostname_to_ascii() wants UTF-8: GLib 2.74's reads (and writes)
   * out of bounds on anything else. */
  if (!g_utf8_validate (host, -1, NULL))
    {
      set_invalid_hostname (error);
      return NULL;
    }

  ascii = g_hostname_to_ascii (host);
  if (ascii == NULL || *ascii == '\0')
    {
      set_invalid_hostname (error);
      return NULL;
    }

  for (const char *p = ascii; *p != '\0'; p++)
    {
      if (!is_reg_name_char (*p))
        {
          set_invalid_hostname (error);
          return NULL;
        }
    }

  return g_strdup_printf ("%s:%u", ascii, port);
}

static gboolean
has_line_break (const char *value)
{
  return value != NULL && strpbrk (value, "\r\n") != NULL;
}

gboolean
dial_http_connect_has_credentials (const char *username,
                                   const char *password)
{
  return (username != NULL && *username != '\0') ||
         (password != NULL && *password != '\0');
}

GBytes *
dial_http_connect_build_request (const char  *host,
                                 guint16      port,
                                 const char  *username,
                                 const char  *password,
                                 GError     **error)
{
  g_autofree char *authority = NULL;
  GString *request;

  g_return_val_if_fail (host != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* Never quote a credential, not even in an error. */
  if (has_line_break (username) || has_line_break (password))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "HTTP proxy credentials must not contain a line break");
      return NULL;
    }

  authority = format_authority (host, port, error);
  if (authority == NULL)
    return NULL;

  request = g_string_new (NULL);
  g_string_append_printf (request,
                          "CONNECT %s HTTP/1.1\r\n"
                          "Host: %s\r\n"
                          "User-Agent: " USER_AGENT "\r\n",
                          authority, authority);

  if (dial_http_connect_has_credentials (username, password))
    {
      g_autofree char *pair = g_strconcat (username ? username : "", ":",
                                           password ? password : "", NULL);
      g_autofree char *encoded = g_base64_encode ((const guchar *) pair, strlen (pair));

      g_string_append_printf (request, "Proxy-Authorization: Basic %s\r\n", encoded);
    }

  g_string_append (request, "\r\n");

  return g_string_free_to_bytes (request);
}

/* Reply -------------------------------------------------------------------- */

static void
set_bad_reply (GError **error)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PROXY_FAILED,
                       GIO_("Bad HTTP proxy reply"));
}

/* Whether @len bytes can be the start of "HTTP/1.x " (or all of it). */
static gboolean
could_start_status_line (const guint8 *reply,
                         gsize         len)
{
  gsize n = MIN (len, VERSION_LEN + 1);

  if (n == 0)
    return TRUE;

  for (guint i = 0; i < G_N_ELEMENTS (versions); i++)
    {
      if (memcmp (reply, versions[i], MIN (n, VERSION_LEN)) == 0 &&
          (n <= VERSION_LEN || reply[VERSION_LEN] == ' '))
        return TRUE;
    }

  return FALSE;
}

DialHttpConnectHead
dial_http_connect_scan_reply (const guint8  *reply,
                              gsize          len,
                              gsize         *head_len,
                              GError       **error)
{
  gsize limit = MIN (len, DIAL_HTTP_CONNECT_HEAD_MAX);

  g_return_val_if_fail (reply != NULL || len == 0, DIAL_HTTP_CONNECT_HEAD_INVALID);
  g_return_val_if_fail (head_len != NULL, DIAL_HTTP_CONNECT_HEAD_INVALID);

  *head_len = 0;

  if (!could_start_status_line (reply, len))
    {
      set_bad_reply (error);
      return DIAL_HTTP_CONNECT_HEAD_INVALID;
    }

  /* An empty line: LF, then an optional CR, then LF. */
  for (gsize i = 0; i < limit; i++)
    {
      gsize j = i + 1;

      if (reply[i] != '\n')
        continue;
      if (j < limit && reply[j] == '\r')
        j++;
      if (j < limit && reply[j] == '\n')
        {
          *head_len = j + 1;
          return DIAL_HTTP_CONNECT_HEAD_COMPLETE;
        }
    }

  if (len >= DIAL_HTTP_CONNECT_HEAD_MAX)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PROXY_FAILED,
                           GIO_("HTTP proxy response too big"));
      return DIAL_HTTP_CONNECT_HEAD_INVALID;
    }

  return DIAL_HTTP_CONNECT_HEAD_INCOMPLETE;
}

/* "HTTP/1.x", one or more spaces, three digits, then the end of the line
 * or a space before the reason phrase.  Returns the code, or -1. */
static int
parse_status_line (const guint8 *line,
                   gsize         len)
{
  gsize i = VERSION_LEN;
  gboolean known_version = FALSE;
  int code = 0;

  if (len < VERSION_LEN)
    return -1;
  for (guint v = 0; v < G_N_ELEMENTS (versions); v++)
    known_version |= memcmp (line, versions[v], VERSION_LEN) == 0;
  if (!known_version)
    return -1;

  if (i >= len || line[i] != ' ')
    return -1;
  while (i < len && line[i] == ' ')
    i++;

  for (guint digits = 0; digits < 3; digits++, i++)
    {
      if (i >= len || !g_ascii_isdigit (line[i]))
        return -1;
      code = code * 10 + (line[i] - '0');
    }

  if (i < len && line[i] != ' ' && line[i] != '\t')
    return -1;

  return code;
}

gboolean
dial_http_connect_check_reply (const guint8  *reply,
                               gsize          len,
                               gboolean       has_credentials,
                               GError       **error)
{
  const guint8 *newline;
  gsize line_len;
  int code;

  g_return_val_if_fail (reply != NULL || len == 0, FALSE);

  if (len == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PROXY_FAILED,
                           GIO_("HTTP proxy server closed connection unexpectedly."));
      return FALSE;
    }

  newline = memchr (reply, '\n', len);
  line_len = newline != NULL ? (gsize) (newline - reply) : len;
  if (line_len > 0 && reply[line_len - 1] == '\r')
    line_len--;

  code = parse_status_line (reply, line_len);
  if (code < 0)
    {
      set_bad_reply (error);
      return FALSE;
    }

  if (code >= 200 && code < 300)
    return TRUE;

  switch (code)
    {
    case 403:
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PROXY_NOT_ALLOWED,
                           GIO_("HTTP proxy connection not allowed"));
      break;

    case 407:
      if (has_credentials)
        g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PROXY_AUTH_FAILED,
                             GIO_("HTTP proxy authentication failed"));
      else
        g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PROXY_NEED_AUTH,
                             GIO_("HTTP proxy authentication required"));
      break;

    default:
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PROXY_FAILED,
                   GIO_("HTTP proxy connection failed: %i"), code);
      break;
    }

  return FALSE;
}
