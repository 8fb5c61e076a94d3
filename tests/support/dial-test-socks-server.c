/* dial-test-socks-server.c: an in-process SOCKS4, SOCKS4a and SOCKS5
 * server on 127.0.0.1, scriptable per test.
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "dial-test-socks-server.h"

#include <string.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include "dial-test-proxy-listener.h"

#define SOCKS5_METHOD_NONE       0x00
#define SOCKS5_METHOD_USERPASS   0x02
#define SOCKS5_METHOD_REJECTED   0xff
#define SOCKS5_REPLY_REFUSED     5
#define SOCKS4_REPLY_GRANTED     90
#define SOCKS4_REPLY_REJECTED    91
#define SOCKS_STRING_MAX         1024
#define TRICKLE_PAUSE_MS_DEFAULT 2

/* Not SOCKS in any version: 'H' is neither 5 nor 0. */
static const char garbage[] = "HTTP/1.1 400 Bad Request\r\n\r\n";

struct _DialTestSocksServer
{
  DialTestProxyListener  *listener;

  GMutex                  mutex;
  /* The script, read once per connection. */
  DialTestSocksBehaviour  behaviour;
  guint8                  reply_code;
  gboolean                has_reply_code;
  char                   *username;
  char                   *password;
  gint                    method;
  guint                   trickle_pause_ms;
  GCancellable           *cancel_on_greeting;
  /* DialTestSocksRecord, indexed by connection. */
  GPtrArray              *records;
};

/* One connection: its copy of the script and where it writes its record. */
typedef struct
{
  DialTestSocksServer    *server;
  guint                   index;
  GSocket                *client;
  GCancellable           *cancellable;

  DialTestSocksBehaviour  behaviour;
  guint8                  reply_code;
  gboolean                has_reply_code;
  char                   *username;
  char                   *password;
  gint                    method;
  guint                   trickle_pause_ms;
  GCancellable           *cancel_on_greeting;
} Session;

void
dial_test_socks_record_free (DialTestSocksRecord *record)
{
  if (record == NULL)
    return;

  g_free (record->username);
  g_free (record->password);
  g_free (record->host);
  g_free (record->user_id);
  g_free (record);
}

static DialTestSocksRecord *
record_copy (const DialTestSocksRecord *record)
{
  DialTestSocksRecord *copy = g_memdup2 (record, sizeof *record);

  copy->username = g_strdup (record->username);
  copy->password = g_strdup (record->password);
  copy->host = g_strdup (record->host);
  copy->user_id = g_strdup (record->user_id);

  return copy;
}

/* The session's record; call with the mutex held. */
static DialTestSocksRecord *
session_record (Session *s)
{
  return g_ptr_array_index (s->server->records, s->index);
}

static void
session_begin (Session *s)
{
  DialTestSocksServer *self = s->server;

  g_mutex_lock (&self->mutex);
  s->behaviour = self->behaviour;
  s->reply_code = self->reply_code;
  s->has_reply_code = self->has_reply_code;
  s->username = g_strdup (self->username);
  s->password = g_strdup (self->password);
  s->method = self->method;
  s->trickle_pause_ms = self->trickle_pause_ms;
  g_set_object (&s->cancel_on_greeting, self->cancel_on_greeting);

  if (self->records->len <= s->index)
    g_ptr_array_set_size (self->records, s->index + 1);
  g_ptr_array_index (self->records, s->index) = g_new0 (DialTestSocksRecord, 1);
  g_mutex_unlock (&self->mutex);
}

static void
session_end (Session *s)
{
  g_free (s->username);
  g_free (s->password);
  g_clear_object (&s->cancel_on_greeting);
}

static gboolean
session_read (Session *s,
              void    *buffer,
              gsize    size)
{
  if (!dial_test_proxy_read_exact (s->client, buffer, size, s->cancellable))
    return FALSE;

  g_mutex_lock (&s->server->mutex);
  session_record (s)->n_bytes += size;
  g_mutex_unlock (&s->server->mutex);

  return TRUE;
}

static gboolean
session_write (Session    *s,
               const void *buffer,
               gsize       size)
{
  return dial_test_proxy_write_all (s->client, buffer, size, s->cancellable);
}

/* Sleeps @ms, or less when the server is freed meanwhile.  Returns FALSE
 * when cut short. */
static gboolean
session_pause (Session *s,
               guint    ms)
{
  GPollFD pollfd;

  if (!g_cancellable_make_pollfd (s->cancellable, &pollfd))
    {
      g_usleep (ms * G_TIME_SPAN_MILLISECOND);
      return TRUE;
    }

  g_poll (&pollfd, 1, ms);
  g_cancellable_release_fd (s->cancellable);

  return !g_cancellable_is_cancelled (s->cancellable);
}

/* A reply of the negotiation, byte by byte when trickling. */
static gboolean
session_write_reply (Session    *s,
                     const void *buffer,
                     gsize       size)
{
  if (s->behaviour != DIAL_TEST_SOCKS_RELAY_TRICKLE)
    return session_write (s, buffer, size);

  g_socket_set_option (s->client, IPPROTO_TCP, TCP_NODELAY, 1, NULL);
  for (gsize i = 0; i < size; i++)
    {
      if (i > 0 && !session_pause (s, s->trickle_pause_ms))
        return FALSE;
      if (!session_write (s, (const guint8 *) buffer + i, 1))
        return FALSE;
    }

  return TRUE;
}

/* The grant, and the banner in the same write when asked for. */
static gboolean
session_write_grant (Session    *s,
                     const void *grant,
                     gsize       size)
{
  g_autoptr(GByteArray) message = NULL;

  if (s->behaviour != DIAL_TEST_SOCKS_RELAY_WITH_BANNER)
    return session_write_reply (s, grant, size);

  message = g_byte_array_new ();
  g_byte_array_append (message, grant, size);
  g_byte_array_append (message, (const guint8 *) DIAL_TEST_SOCKS_BANNER, strlen (DIAL_TEST_SOCKS_BANNER));

  return session_write (s, message->data, message->len);
}

/* A NUL-terminated string, as SOCKS4 sends user ids and host names. */
static char *
session_read_string (Session *s)
{
  GString *string = g_string_new (NULL);

  for (;;)
    {
      char c;

      if (string->len > SOCKS_STRING_MAX || !session_read (s, &c, 1))
        {
          g_string_free (string, TRUE);
          return NULL;
        }
      if (c == '\0')
        break;
      g_string_append_c (string, c);
    }

  return g_string_free (string, FALSE);
}

static void
session_silent (Session *s)
{
  gsize n = dial_test_proxy_drain (s->client, s->cancellable);

  g_mutex_lock (&s->server->mutex);
  session_record (s)->n_bytes += n;
  g_mutex_unlock (&s->server->mutex);
}

static void
session_greeting_done (Session *s)
{
  if (s->cancel_on_greeting != NULL)
    g_cancellable_cancel (s->cancel_on_greeting);
}

static void
session_relay (Session *s,
               GSocket *upstream)
{
  dial_test_proxy_relay (s->client, upstream, s->cancellable);
  g_socket_close (upstream, NULL);
}

static char *
ip_to_string (const guint8  *bytes,
              GSocketFamily  family)
{
  g_autoptr(GInetAddress) address = g_inet_address_new_from_bytes (bytes, family);

  return g_inet_address_to_string (address);
}

/* SOCKS5 ------------------------------------------------------------------ */

/* Returns the method picked, or -1 when the connection is over. */
static gint
socks5_negotiate_method (Session *s)
{
  guint8 n_methods;
  guint8 methods[255];
  guint8 reply[2] = { 5, SOCKS5_METHOD_REJECTED };
  guint8 wanted;

  if (!session_read (s, &n_methods, 1) || !session_read (s, methods, n_methods))
    return -1;

  g_mutex_lock (&s->server->mutex);
  memcpy (session_record (s)->methods, methods, n_methods);
  session_record (s)->n_methods = n_methods;
  g_mutex_unlock (&s->server->mutex);

  session_greeting_done (s);

  switch (s->behaviour)
    {
    case DIAL_TEST_SOCKS_SILENT:
      session_silent (s);
      return -1;
    case DIAL_TEST_SOCKS_GARBAGE:
      session_write (s, garbage, strlen (garbage));
      return -1;
    case DIAL_TEST_SOCKS_CLOSE_AFTER_GREETING:
      return -1;
    case DIAL_TEST_SOCKS_SHORT_METHOD_REPLY:
      session_write (s, reply, 1);
      return -1;
    case DIAL_TEST_SOCKS_RELAY:
    case DIAL_TEST_SOCKS_RELAY_DOMAIN_BOUND:
    case DIAL_TEST_SOCKS_RELAY_WITH_BANNER:
    case DIAL_TEST_SOCKS_RELAY_TRICKLE:
    case DIAL_TEST_SOCKS_REPLY:
    case DIAL_TEST_SOCKS_UNKNOWN_ADDRESS_TYPE:
    case DIAL_TEST_SOCKS_SHORT_CONNECT_REPLY:
    default:
      break;
    }

  wanted = s->username != NULL ? SOCKS5_METHOD_USERPASS : SOCKS5_METHOD_NONE;
  if (s->method >= 0)
    reply[1] = s->method;
  else if (memchr (methods, wanted, n_methods) != NULL)
    reply[1] = wanted;

  if (!session_write_reply (s, reply, sizeof reply) || reply[1] == SOCKS5_METHOD_REJECTED)
    return -1;

  return reply[1];
}

/* RFC 1929: VER=1, ULEN, UNAME, PLEN, PASSWD; answer VER=1, STATUS. */
static gboolean
socks5_authenticate (Session *s)
{
  guint8 version, length;
  char username[256] = { 0 };
  char password[256] = { 0 };
  guint8 reply[2] = { 1, 1 };

  if (!session_read (s, &version, 1) ||
      !session_read (s, &length, 1) || !session_read (s, username, length) ||
      !session_read (s, &length, 1) || !session_read (s, password, length))
    return FALSE;

  g_mutex_lock (&s->server->mutex);
  g_free (session_record (s)->username);
  session_record (s)->username = g_strdup (username);
  g_free (session_record (s)->password);
  session_record (s)->password = g_strdup (password);
  g_mutex_unlock (&s->server->mutex);

  if (version == 1 &&
      (s->username == NULL ||
       (g_strcmp0 (username, s->username) == 0 && g_strcmp0 (password, s->password) == 0)))
    reply[1] = 0;

  if (!session_write_reply (s, reply, sizeof reply))
    return FALSE;

  return reply[1] == 0;
}

/* VER CMD RSV ATYP DST.ADDR DST.PORT */
static gboolean
socks5_read_request (Session *s)
{
  guint8 header[4];
  guint8 address[256];
  guint8 port[2];
  guint8 length;
  g_autofree char *host = NULL;

  if (!session_read (s, header, sizeof header))
    return FALSE;

  switch (header[3])
    {
    case 1:
      if (!session_read (s, address, 4))
        return FALSE;
      host = ip_to_string (address, G_SOCKET_FAMILY_IPV4);
      break;
    case 4:
      if (!session_read (s, address, 16))
        return FALSE;
      host = ip_to_string (address, G_SOCKET_FAMILY_IPV6);
      break;
    case 3:
      if (!session_read (s, &length, 1) || !session_read (s, address, length))
        return FALSE;
      host = g_strndup ((const char *) address, length);
      break;
    default:
      return FALSE;
    }

  if (!session_read (s, port, sizeof port))
    return FALSE;

  g_mutex_lock (&s->server->mutex);
  session_record (s)->command = header[1];
  session_record (s)->address_type = header[3];
  session_record (s)->host = g_steal_pointer (&host);
  session_record (s)->port = (port[0] << 8) | port[1];
  g_mutex_unlock (&s->server->mutex);

  return TRUE;
}

static void
socks5_reply (Session *s,
              guint8   code)
{
  const guint8 reply[10] = { 5, code, 0, 1, 0, 0, 0, 0, 0, 0 };

  session_write (s, reply, sizeof reply);
}

static void
socks5_grant_and_relay (Session *s)
{
  static const guint8 domain_bound[] = { 5, 0, 0, 3, 9, 'l', 'o', 'c', 'a', 'l', 'h', 'o', 's', 't', 0, 0 };
  g_autoptr(GSocket) upstream = NULL;
  g_autofree char *host = NULL;
  guint16 port;

  g_mutex_lock (&s->server->mutex);
  host = g_strdup (session_record (s)->host);
  port = session_record (s)->port;
  g_mutex_unlock (&s->server->mutex);

  upstream = dial_test_proxy_connect_out (host, port, s->cancellable);
  if (upstream == NULL)
    {
      socks5_reply (s, SOCKS5_REPLY_REFUSED);
      return;
    }

  if (s->behaviour == DIAL_TEST_SOCKS_RELAY_DOMAIN_BOUND)
    {
      if (!session_write (s, domain_bound, sizeof domain_bound))
        return;
    }
  else
    {
      const guint8 granted[10] = { 5, 0, 0, 1, 0, 0, 0, 0, 0, 0 };

      if (!session_write_grant (s, granted, sizeof granted))
        return;
    }

  session_relay (s, upstream);
}

static void
socks5_serve (Session *s)
{
  gint method = socks5_negotiate_method (s);

  if (method < 0)
    return;

  if (method == SOCKS5_METHOD_USERPASS && !socks5_authenticate (s))
    return;
  if (method != SOCKS5_METHOD_USERPASS && method != SOCKS5_METHOD_NONE)
    {
      /* A method the server does not really speak: wait for the client
       * to give up. */
      session_silent (s);
      return;
    }

  if (!socks5_read_request (s))
    return;

  switch (s->behaviour)
    {
    case DIAL_TEST_SOCKS_REPLY:
      socks5_reply (s, s->has_reply_code ? s->reply_code : SOCKS5_REPLY_REFUSED);
      break;
    case DIAL_TEST_SOCKS_UNKNOWN_ADDRESS_TYPE:
      {
        const guint8 reply[10] = { 5, 0, 0, 9, 0, 0, 0, 0, 0, 0 };
        session_write (s, reply, sizeof reply);
      }
      break;
    case DIAL_TEST_SOCKS_SHORT_CONNECT_REPLY:
      {
        const guint8 reply[2] = { 5, 0 };
        session_write (s, reply, sizeof reply);
      }
      break;
    case DIAL_TEST_SOCKS_RELAY:
    case DIAL_TEST_SOCKS_RELAY_DOMAIN_BOUND:
    case DIAL_TEST_SOCKS_RELAY_WITH_BANNER:
    case DIAL_TEST_SOCKS_RELAY_TRICKLE:
      socks5_grant_and_relay (s);
      break;
    case DIAL_TEST_SOCKS_GARBAGE:
    case DIAL_TEST_SOCKS_CLOSE_AFTER_GREETING:
    case DIAL_TEST_SOCKS_SHORT_METHOD_REPLY:
    case DIAL_TEST_SOCKS_SILENT:
    default:
      g_assert_not_reached ();
    }
}

/* SOCKS4 and SOCKS4a ------------------------------------------------------ */

/* VN=4 (already read) CD DSTPORT DSTIP USERID NUL [HOST NUL] */
static gboolean
socks4_read_request (Session *s,
                     guint8   ip[4])
{
  guint8 header[3];
  g_autofree char *user_id = NULL;
  g_autofree char *host = NULL;
  guint address_type = 1;

  if (!session_read (s, header, sizeof header) || !session_read (s, ip, 4))
    return FALSE;

  user_id = session_read_string (s);
  if (user_id == NULL)
    return FALSE;

  /* SOCKS4a: 0.0.0.x with x != 0 means a host name follows. */
  if (ip[0] == 0 && ip[1] == 0 && ip[2] == 0 && ip[3] != 0)
    {
      host = session_read_string (s);
      if (host == NULL)
        return FALSE;
      address_type = 3;
    }
  else
    host = ip_to_string (ip, G_SOCKET_FAMILY_IPV4);

  g_mutex_lock (&s->server->mutex);
  session_record (s)->command = header[0];
  session_record (s)->port = (header[1] << 8) | header[2];
  session_record (s)->address_type = address_type;
  session_record (s)->host = g_steal_pointer (&host);
  session_record (s)->user_id = g_steal_pointer (&user_id);
  g_mutex_unlock (&s->server->mutex);

  return TRUE;
}

static void
socks4_reply (Session      *s,
              guint8        code,
              const guint8  ip[4],
              guint16       port)
{
  const guint8 reply[8] = { 0, code, port >> 8, port & 0xff, ip[0], ip[1], ip[2], ip[3] };

  session_write (s, reply, sizeof reply);
}

static void
socks4_serve (Session *s)
{
  static const guint8 no_ip[4] = { 0, 0, 0, 0 };
  g_autoptr(GSocket) upstream = NULL;
  g_autofree char *host = NULL;
  guint8 ip[4];
  guint16 port;

  if (!socks4_read_request (s, ip))
    return;

  session_greeting_done (s);

  switch (s->behaviour)
    {
    case DIAL_TEST_SOCKS_SILENT:
      session_silent (s);
      return;
    case DIAL_TEST_SOCKS_GARBAGE:
      session_write (s, garbage, strlen (garbage));
      return;
    case DIAL_TEST_SOCKS_REPLY:
      socks4_reply (s, s->has_reply_code ? s->reply_code : SOCKS4_REPLY_REJECTED, no_ip, 0);
      return;
    case DIAL_TEST_SOCKS_RELAY:
    case DIAL_TEST_SOCKS_RELAY_DOMAIN_BOUND:
    case DIAL_TEST_SOCKS_RELAY_WITH_BANNER:
    case DIAL_TEST_SOCKS_RELAY_TRICKLE:
      break;
    case DIAL_TEST_SOCKS_UNKNOWN_ADDRESS_TYPE:
    case DIAL_TEST_SOCKS_CLOSE_AFTER_GREETING:
    case DIAL_TEST_SOCKS_SHORT_METHOD_REPLY:
    case DIAL_TEST_SOCKS_SHORT_CONNECT_REPLY:
    default:
      /* SOCKS5-only scripts: a SOCKS4 client just sees the door close. */
      return;
    }

  g_mutex_lock (&s->server->mutex);
  host = g_strdup (session_record (s)->host);
  port = session_record (s)->port;
  g_mutex_unlock (&s->server->mutex);

  upstream = dial_test_proxy_connect_out (host, port, s->cancellable);
  if (upstream == NULL)
    {
      socks4_reply (s, SOCKS4_REPLY_REJECTED, no_ip, 0);
      return;
    }

  {
    const guint8 granted[8] = { 0, SOCKS4_REPLY_GRANTED, port >> 8, port & 0xff, ip[0], ip[1], ip[2], ip[3] };

    if (!session_write_grant (s, granted, sizeof granted))
      return;
  }
  session_relay (s, upstream);
}

/* The server -------------------------------------------------------------- */

static void
handle_connection (GSocket      *client,
                   guint         index,
                   GCancellable *cancellable,
                   gpointer      user_data)
{
  Session s = { user_data, index, client, cancellable, };
  guint8 version;

  session_begin (&s);

  if (session_read (&s, &version, 1))
    {
      g_mutex_lock (&s.server->mutex);
      session_record (&s)->version = version;
      g_mutex_unlock (&s.server->mutex);

      if (version == 5)
        socks5_serve (&s);
      else if (version == 4)
        socks4_serve (&s);
    }

  session_end (&s);
}

DialTestSocksServer *
dial_test_socks_server_new (void)
{
  DialTestSocksServer *self = g_new0 (DialTestSocksServer, 1);

  g_mutex_init (&self->mutex);
  self->behaviour = DIAL_TEST_SOCKS_RELAY;
  self->method = -1;
  self->trickle_pause_ms = TRICKLE_PAUSE_MS_DEFAULT;
  self->records = g_ptr_array_new_with_free_func ((GDestroyNotify) dial_test_socks_record_free);
  self->listener = dial_test_proxy_listener_new (handle_connection, self);

  return self;
}

void
dial_test_socks_server_free (DialTestSocksServer *self)
{
  if (self == NULL)
    return;

  /* Joins the handlers first: nothing touches self afterwards. */
  dial_test_proxy_listener_free (self->listener);

  g_ptr_array_unref (self->records);
  g_free (self->username);
  g_free (self->password);
  g_clear_object (&self->cancel_on_greeting);
  g_mutex_clear (&self->mutex);
  g_free (self);
}

void
dial_test_socks_server_set_behaviour (DialTestSocksServer    *self,
                                      DialTestSocksBehaviour  behaviour)
{
  g_mutex_lock (&self->mutex);
  self->behaviour = behaviour;
  g_mutex_unlock (&self->mutex);
}

void
dial_test_socks_server_set_reply_code (DialTestSocksServer *self,
                                       guint8               code)
{
  g_mutex_lock (&self->mutex);
  self->reply_code = code;
  self->has_reply_code = TRUE;
  g_mutex_unlock (&self->mutex);
}

void
dial_test_socks_server_set_credentials (DialTestSocksServer *self,
                                        const char          *username,
                                        const char          *password)
{
  g_mutex_lock (&self->mutex);
  g_free (self->username);
  self->username = g_strdup (username);
  g_free (self->password);
  self->password = username != NULL ? g_strdup (password ? password : "") : NULL;
  g_mutex_unlock (&self->mutex);
}

void
dial_test_socks_server_set_method (DialTestSocksServer *self,
                                   gint                 method)
{
  g_return_if_fail (method >= -1 && method <= 0xff);

  g_mutex_lock (&self->mutex);
  self->method = method;
  g_mutex_unlock (&self->mutex);
}

void
dial_test_socks_server_set_trickle_pause_ms (DialTestSocksServer *self,
                                             guint                pause_ms)
{
  g_mutex_lock (&self->mutex);
  self->trickle_pause_ms = pause_ms;
  g_mutex_unlock (&self->mutex);
}

void
dial_test_socks_server_cancel_on_greeting (DialTestSocksServer *self,
                                           GCancellable        *cancellable)
{
  g_mutex_lock (&self->mutex);
  g_set_object (&self->cancel_on_greeting, cancellable);
  g_mutex_unlock (&self->mutex);
}

guint16
dial_test_socks_server_get_port (DialTestSocksServer *self)
{
  return dial_test_proxy_listener_get_port (self->listener);
}

char *
dial_test_socks_server_get_uri (DialTestSocksServer *self,
                                const char          *scheme,
                                const char          *userinfo)
{
  return g_strdup_printf ("%s://%s%s127.0.0.1:%u", scheme,
                          userinfo ? userinfo : "", userinfo ? "@" : "",
                          dial_test_socks_server_get_port (self));
}

guint
dial_test_socks_server_get_accepted (DialTestSocksServer *self)
{
  return dial_test_proxy_listener_get_accepted (self->listener);
}

gboolean
dial_test_socks_server_wait_finished (DialTestSocksServer *self,
                                      guint                n)
{
  return dial_test_proxy_listener_wait_finished (self->listener, n);
}

DialTestSocksRecord *
dial_test_socks_server_get_record (DialTestSocksServer *self,
                                   guint                index)
{
  DialTestSocksRecord *copy = NULL;

  g_mutex_lock (&self->mutex);
  if (index < self->records->len && g_ptr_array_index (self->records, index) != NULL)
    copy = record_copy (g_ptr_array_index (self->records, index));
  g_mutex_unlock (&self->mutex);

  return copy;
}
