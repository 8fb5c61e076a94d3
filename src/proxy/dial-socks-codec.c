/* dial-socks-codec.c
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include <gio/gio.h>

#include "dial-i18n.h"
#include "dial-socks-codec.h"

#define SOCKS4_VERSION             4
#define SOCKS4_REPLY_VERSION       0
#define SOCKS4_REPLY_SIZE          8
#define SOCKS4_GRANTED             90

#define SOCKS5_VERSION             5
#define SOCKS5_AUTH_VERSION        1
#define SOCKS5_METHOD_REPLY_SIZE   2
#define SOCKS5_AUTH_REPLY_SIZE     2
#define SOCKS5_REPLY_HEADER_SIZE   4

#define SOCKS_COMMAND_CONNECT      1

#define SOCKS5_ADDRESS_IPV4        1
#define SOCKS5_ADDRESS_NAME        3
#define SOCKS5_ADDRESS_IPV6        4

/* How many more bytes a reply of @size needs once @len have arrived. */
static gssize
still_needed (gsize size,
              gsize len)
{
  return len < size ? (gssize) (size - len) : 0;
}

static void
append_port (GByteArray *message,
             guint16     port)
{
  const guint8 bytes[2] = { port >> 8, port & 0xff };

  g_byte_array_append (message, bytes, sizeof bytes);
}

/* Appends @string and its terminating NUL. */
static void
append_c_string (GByteArray *message,
                 const char *string)
{
  g_byte_array_append (message, (const guint8 *) string, strlen (string) + 1);
}

/* Appends @string after a length byte; the caller checked the length. */
static void
append_counted_string (GByteArray *message,
                       const char *string)
{
  const guint8 length = strlen (string);

  g_byte_array_append (message, &length, 1);
  g_byte_array_append (message, (const guint8 *) string, length);
}

/* The address @host is a literal of, or %NULL for a name. */
static GInetAddress *
parse_literal (const char *host)
{
  return g_inet_address_new_from_string (host);
}

static void
set_not_socks5 (GError **error)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PROXY_FAILED,
                       GIO_("The server is not a SOCKSv5 proxy server."));
}

/* SOCKS4 and SOCKS4a ------------------------------------------------------ */

GBytes *
dial_socks4_build_connect (const char  *host,
                           guint16      port,
                           const char  *user_id,
                           GError     **error)
{
  static const guint8 name_follows[4] = { 0, 0, 0, 1 };
  g_autoptr(GInetAddress) literal = NULL;
  g_autoptr(GByteArray) message = NULL;
  const guint8 header[2] = { SOCKS4_VERSION, SOCKS_COMMAND_CONNECT };

  g_return_val_if_fail (host != NULL, NULL);

  if (user_id == NULL)
    user_id = "";

  literal = parse_literal (host);
  if (literal != NULL && g_inet_address_get_family (literal) != G_SOCKET_FAMILY_IPV4)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PROXY_FAILED,
                   GIO_("SOCKSv4 does not support IPv6 address “%s”"), host);
      return NULL;
    }

  if (strlen (user_id) > DIAL_SOCKS_STRING_MAX)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PROXY_FAILED,
                           GIO_("Username is too long for SOCKSv4 protocol"));
      return NULL;
    }

  if (literal == NULL && strlen (host) > DIAL_SOCKS_STRING_MAX)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PROXY_FAILED,
                   GIO_("Hostname “%s” is too long for SOCKSv4 protocol"), host);
      return NULL;
    }

  message = g_byte_array_new ();
  g_byte_array_append (message, header, sizeof header);
  append_port (message, port);
  if (literal != NULL)
    g_byte_array_append (message, g_inet_address_to_bytes (literal), 4);
  else
    g_byte_array_append (message, name_follows, sizeof name_follows);
  append_c_string (message, user_id);
  if (literal == NULL)
    append_c_string (message, host);

  return g_byte_array_free_to_bytes (g_steal_pointer (&message));
}

/* VN=0 CD DSTPORT DSTIP: only the first two bytes mean anything. */
gssize
dial_socks4_parse_reply (const guint8  *reply,
                         gsize          len,
                         GError       **error)
{
  if (len >= 1 && reply[0] != SOCKS4_REPLY_VERSION)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PROXY_FAILED,
                           GIO_("The server is not a SOCKSv4 proxy server."));
      return -1;
    }

  /* 91, 92 and 93 all refuse; so does anything else. */
  if (len >= 2 && reply[1] != SOCKS4_GRANTED)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PROXY_FAILED,
                           GIO_("Connection through SOCKSv4 server was rejected"));
      return -1;
    }

  return still_needed (SOCKS4_REPLY_SIZE, len);
}

/* SOCKS5: method negotiation ---------------------------------------------- */

GBytes *
dial_socks5_build_greeting (gboolean offer_userpass)
{
  const guint8 none[] = { SOCKS5_VERSION, 1, DIAL_SOCKS5_METHOD_NONE };
  const guint8 both[] = { SOCKS5_VERSION, 2, DIAL_SOCKS5_METHOD_NONE, DIAL_SOCKS5_METHOD_USERPASS };

  if (offer_userpass)
    return g_bytes_new (both, sizeof both);

  return g_bytes_new (none, sizeof none);
}

gssize
dial_socks5_parse_method_reply (const guint8  *reply,
                                gsize          len,
                                gboolean       offered_userpass,
                                gboolean      *must_authenticate,
                                GError       **error)
{
  g_return_val_if_fail (must_authenticate != NULL, -1);

  if (len >= 1 && reply[0] != SOCKS5_VERSION)
    {
      set_not_socks5 (error);
      return -1;
    }

  if (len < SOCKS5_METHOD_REPLY_SIZE)
    return still_needed (SOCKS5_METHOD_REPLY_SIZE, len);

  switch (reply[1])
    {
    case DIAL_SOCKS5_METHOD_NONE:
      *must_authenticate = FALSE;
      return 0;

    case DIAL_SOCKS5_METHOD_USERPASS:
      if (!offered_userpass)
        break;
      *must_authenticate = TRUE;
      return 0;

    case DIAL_SOCKS5_METHOD_REJECTED:
      /* Without credentials, offering them is what would help. */
      if (!offered_userpass)
        break;
      G_GNUC_FALLTHROUGH;
    case DIAL_SOCKS5_METHOD_GSSAPI:
    default:
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PROXY_AUTH_FAILED,
                           GIO_("The SOCKSv5 proxy requires an authentication method that is not supported by GLib."));
      return -1;
    }

  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PROXY_NEED_AUTH,
                       GIO_("The SOCKSv5 proxy requires authentication."));
  return -1;
}

/* SOCKS5: RFC 1929 username and password ---------------------------------- */

GBytes *
dial_socks5_build_auth (const char  *username,
                        const char  *password,
                        GError     **error)
{
  g_autoptr(GByteArray) message = NULL;
  const guint8 version = SOCKS5_AUTH_VERSION;

  if (username == NULL)
    username = "";
  if (password == NULL)
    password = "";

  /* The error names neither the credentials nor their lengths. */
  if (strlen (username) > DIAL_SOCKS_STRING_MAX || strlen (password) > DIAL_SOCKS_STRING_MAX)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PROXY_FAILED,
                           GIO_("Username or password is too long for SOCKSv5 protocol."));
      return NULL;
    }

  message = g_byte_array_new ();
  g_byte_array_append (message, &version, 1);
  append_counted_string (message, username);
  append_counted_string (message, password);

  return g_byte_array_free_to_bytes (g_steal_pointer (&message));
}

gssize
dial_socks5_parse_auth_reply (const guint8  *reply,
                              gsize          len,
                              GError       **error)
{
  if ((len >= 1 && reply[0] != SOCKS5_AUTH_VERSION) ||
      (len >= 2 && reply[1] != 0))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PROXY_AUTH_FAILED,
                           GIO_("SOCKSv5 authentication failed due to wrong username or password."));
      return -1;
    }

  return still_needed (SOCKS5_AUTH_REPLY_SIZE, len);
}

/* SOCKS5: CONNECT --------------------------------------------------------- */

GBytes *
dial_socks5_build_connect (const char  *host,
                           guint16      port,
                           gboolean     always_name,
                           GError     **error)
{
  g_autoptr(GInetAddress) literal = NULL;
  g_autoptr(GByteArray) message = NULL;
  const guint8 header[3] = { SOCKS5_VERSION, SOCKS_COMMAND_CONNECT, 0 };
  guint8 address_type;

  g_return_val_if_fail (host != NULL, NULL);

  if (!always_name)
    literal = parse_literal (host);

  if (literal == NULL && strlen (host) > DIAL_SOCKS_STRING_MAX)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PROXY_FAILED,
                   GIO_("Hostname “%s” is too long for SOCKSv5 protocol"), host);
      return NULL;
    }

  message = g_byte_array_new ();
  g_byte_array_append (message, header, sizeof header);

  if (literal == NULL)
    {
      address_type = SOCKS5_ADDRESS_NAME;
      g_byte_array_append (message, &address_type, 1);
      append_counted_string (message, host);
    }
  else
    {
      gsize size = g_inet_address_get_native_size (literal);

      address_type = size == 4 ? SOCKS5_ADDRESS_IPV4 : SOCKS5_ADDRESS_IPV6;
      g_byte_array_append (message, &address_type, 1);
      g_byte_array_append (message, g_inet_address_to_bytes (literal), size);
    }

  append_port (message, port);

  return g_byte_array_free_to_bytes (g_steal_pointer (&message));
}

/* The error for a non-zero REP, in GIO's words and codes. */
static void
set_reply_error (guint8   reply,
                 GError **error)
{
  switch (reply)
    {
    case 1:
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PROXY_FAILED,
                           GIO_("Internal SOCKSv5 proxy server error."));
      break;
    case 2:
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PROXY_NOT_ALLOWED,
                           GIO_("SOCKSv5 connection not allowed by ruleset."));
      break;
    case 3:
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE,
                           GIO_("Network unreachable through SOCKSv5 proxy."));
      break;
    case 4:
    case 6: /* TTL expired */
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_HOST_UNREACHABLE,
                           GIO_("Host unreachable through SOCKSv5 server."));
      break;
    case 5:
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED,
                           GIO_("Connection refused through SOCKSv5 proxy."));
      break;
    case 7:
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PROXY_FAILED,
                           GIO_("SOCKSv5 proxy does not support “connect” command."));
      break;
    case 8:
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PROXY_FAILED,
                           GIO_("SOCKSv5 proxy does not support provided address type."));
      break;
    default:
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PROXY_FAILED,
                           GIO_("Unknown SOCKSv5 proxy error."));
      break;
    }
}

/* VER REP RSV ATYP BND.ADDR BND.PORT.  The bound address is read through
 * (its length depends on ATYP) and ignored. */
gssize
dial_socks5_parse_connect_reply (const guint8  *reply,
                                 gsize          len,
                                 GError       **error)
{
  gsize size;

  if (len >= 1 && reply[0] != SOCKS5_VERSION)
    {
      set_not_socks5 (error);
      return -1;
    }

  if (len >= 2 && reply[1] != 0)
    {
      set_reply_error (reply[1], error);
      return -1;
    }

  if (len >= 3 && reply[2] != 0)
    {
      set_not_socks5 (error);
      return -1;
    }

  if (len < SOCKS5_REPLY_HEADER_SIZE)
    return still_needed (SOCKS5_REPLY_HEADER_SIZE, len);

  switch (reply[3])
    {
    case SOCKS5_ADDRESS_IPV4:
      size = SOCKS5_REPLY_HEADER_SIZE + 4 + 2;
      break;
    case SOCKS5_ADDRESS_IPV6:
      size = SOCKS5_REPLY_HEADER_SIZE + 16 + 2;
      break;
    case SOCKS5_ADDRESS_NAME:
      /* The length byte first, then the name and the port. */
      if (len < SOCKS5_REPLY_HEADER_SIZE + 1)
        return still_needed (SOCKS5_REPLY_HEADER_SIZE + 1, len);
      size = SOCKS5_REPLY_HEADER_SIZE + 1 + reply[4] + 2;
      break;
    default:
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PROXY_FAILED,
                           GIO_("The SOCKSv5 proxy server uses unknown address type."));
      return -1;
    }

  return still_needed (size, len);
}
