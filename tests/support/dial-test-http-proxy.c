/* dial-test-http-proxy.c: an in-process HTTP CONNECT proxy on 127.0.0.1,
 * scriptable per test.
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "dial-test-http-proxy.h"

#include <stdlib.h>
#include <string.h>

#include "dial-test-proxy-listener.h"

#define REQUEST_MAX (64 * 1024)

struct _DialTestHttpProxy
{
  DialTestProxyListener      *listener;

  GMutex                      mutex;
  DialTestHttpProxyBehaviour  behaviour;  /* read once per connection */
  guint                       status;
  GBytes                     *reply;      /* for DIAL_TEST_HTTP_PROXY_REPLY */
  gsize                       piece;
  GCancellable               *cancel_on_request;
  GPtrArray                  *records;    /* DialTestHttpProxyRecord, by connection */
};

void
dial_test_http_proxy_record_free (DialTestHttpProxyRecord *record)
{
  if (record == NULL)
    return;

  g_free (record->request_line);
  g_strfreev (record->headers);
  g_free (record);
}

static DialTestHttpProxyRecord *
record_copy (const DialTestHttpProxyRecord *record)
{
  DialTestHttpProxyRecord *copy = g_new0 (DialTestHttpProxyRecord, 1);

  copy->request_line = g_strdup (record->request_line);
  copy->headers = g_strdupv (record->headers);
  copy->n_bytes = record->n_bytes;

  return copy;
}

const char *
dial_test_http_proxy_record_get_header (DialTestHttpProxyRecord *record,
                                        const char              *name)
{
  gsize name_len = strlen (name);

  for (guint i = 0; record->headers != NULL && record->headers[i] != NULL; i++)
    {
      const char *line = record->headers[i];

      if (g_ascii_strncasecmp (line, name, name_len) == 0 && line[name_len] == ':')
        {
          line += name_len + 1;
          while (*line == ' ' || *line == '\t')
            line++;
          return line;
        }
    }

  return NULL;
}

/* Reads up to and including the blank line that ends the request.  The
 * client writes the whole request before it reads, so byte by byte is
 * fine and never eats into the tunnel. */
static GString *
read_request (DialTestHttpProxy       *self,
              DialTestHttpProxyRecord *record,
              GSocket                 *client,
              GCancellable            *cancellable)
{
  g_autoptr(GString) request = g_string_new (NULL);

  while (!g_str_has_suffix (request->str, "\r\n\r\n"))
    {
      char c;

      if (request->len >= REQUEST_MAX ||
          !dial_test_proxy_read_exact (client, &c, 1, cancellable))
        return NULL;
      g_string_append_c (request, c);

      g_mutex_lock (&self->mutex);
      record->n_bytes++;
      g_mutex_unlock (&self->mutex);
    }

  return g_steal_pointer (&request);
}

static void
record_request (DialTestHttpProxy       *self,
                DialTestHttpProxyRecord *record,
                const char              *request)
{
  g_auto(GStrv) lines = g_strsplit (request, "\r\n", -1);
  g_autoptr(GStrvBuilder) headers = g_strv_builder_new ();

  for (guint i = 1; lines[i] != NULL && lines[i][0] != '\0'; i++)
    g_strv_builder_add (headers, lines[i]);

  g_mutex_lock (&self->mutex);
  record->request_line = g_strdup (lines[0]);
  record->headers = g_strv_builder_end (headers);
  g_mutex_unlock (&self->mutex);
}

/* "CONNECT host:port HTTP/1.x": the port follows the last colon, so an
 * unbracketed IPv6 literal works too. */
static gboolean
parse_target (const char  *request_line,
              char       **host,
              guint16     *port)
{
  g_auto(GStrv) words = g_strsplit (request_line, " ", 3);
  const char *colon;
  char *end = NULL;
  gulong value;
  gsize host_len;
  const char *start;

  if (g_strv_length (words) != 3 || strcmp (words[0], "CONNECT") != 0)
    return FALSE;

  colon = strrchr (words[1], ':');
  if (colon == NULL)
    return FALSE;

  value = strtoul (colon + 1, &end, 10);
  if (end == colon + 1 || *end != '\0' || value > G_MAXUINT16)
    return FALSE;

  start = words[1];
  host_len = colon - start;
  if (host_len >= 2 && start[0] == '[' && start[host_len - 1] == ']')
    {
      start++;
      host_len -= 2;
    }

  *host = g_strndup (start, host_len);
  *port = value;
  return TRUE;
}

static const char *
reason_phrase (guint status)
{
  switch (status)
    {
    case 200: return "Connection established";
    case 403: return "Forbidden";
    case 407: return "Proxy Authentication Required";
    case 502: return "Bad Gateway";
    default:  return "Scripted Status";
    }
}

static void
send_status (GSocket      *client,
             guint         status,
             GCancellable *cancellable)
{
  g_autofree char *response = NULL;

  response = g_strdup_printf ("HTTP/1.1 %u %s\r\n"
                              "%s"
                              "Content-Length: 0\r\n"
                              "\r\n",
                              status, reason_phrase (status),
                              status == 407 ? "Proxy-Authenticate: Basic realm=\"dial-test\"\r\n" : "");
  dial_test_proxy_write_all (client, response, strlen (response), cancellable);
}

static void
send_text (GSocket      *client,
           const char   *text,
           GCancellable *cancellable)
{
  dial_test_proxy_write_all (client, text, strlen (text), cancellable);
}

/* Writes @reply in writes of @piece bytes (0: all at once), pausing
 * after each. */
static gboolean
send_in_pieces (GSocket      *client,
                GBytes       *reply,
                gsize         piece,
                GCancellable *cancellable)
{
  gsize len;
  const char *data = g_bytes_get_data (reply, &len);

  if (piece == 0)
    return dial_test_proxy_write_all (client, data, len, cancellable);

  for (gsize done = 0; done < len; done += piece)
    {
      if (!dial_test_proxy_write_all (client, data + done, MIN (piece, len - done), cancellable))
        return FALSE;
      g_usleep (2 * G_TIME_SPAN_MILLISECOND);
    }

  return TRUE;
}

/* Connects to the target, answers with @reply (in pieces of @piece), then
 * relays. */
static void
relay (GSocket      *client,
       const char   *request_line,
       GBytes       *reply,
       gsize         piece,
       GCancellable *cancellable)
{
  g_autoptr(GSocket) upstream = NULL;
  g_autofree char *host = NULL;
  guint16 port = 0;

  if (parse_target (request_line, &host, &port))
    upstream = dial_test_proxy_connect_out (host, port, cancellable);

  if (upstream == NULL)
    {
      send_status (client, 502, cancellable);
      return;
    }

  if (send_in_pieces (client, reply, piece, cancellable))
    dial_test_proxy_relay (client, upstream, cancellable);
  g_socket_close (upstream, NULL);
}

static void
handle_connection (GSocket      *client,
                   guint         index,
                   GCancellable *cancellable,
                   gpointer      user_data)
{
  DialTestHttpProxy *self = user_data;
  DialTestHttpProxyRecord *record = g_new0 (DialTestHttpProxyRecord, 1);
  DialTestHttpProxyBehaviour behaviour;
  g_autoptr(GString) request = NULL;
  g_autoptr(GBytes) established = NULL;
  g_autoptr(GBytes) reply = NULL;
  gsize piece;
  guint status;

  g_mutex_lock (&self->mutex);
  behaviour = self->behaviour;
  status = self->status;
  reply = self->reply ? g_bytes_ref (self->reply) : g_bytes_new (NULL, 0);
  piece = self->piece;
  if (self->records->len <= index)
    g_ptr_array_set_size (self->records, index + 1);
  g_ptr_array_index (self->records, index) = record;
  g_mutex_unlock (&self->mutex);

  request = read_request (self, record, client, cancellable);
  if (request == NULL)
    return;
  record_request (self, record, request->str);

  g_mutex_lock (&self->mutex);
  if (self->cancel_on_request != NULL)
    g_cancellable_cancel (self->cancel_on_request);
  g_mutex_unlock (&self->mutex);

  switch (behaviour)
    {
    case DIAL_TEST_HTTP_PROXY_RELAY:
      established = g_bytes_new_static ("HTTP/1.1 200 Connection established\r\n\r\n",
                                        strlen ("HTTP/1.1 200 Connection established\r\n\r\n"));
      relay (client, request->str, established, 0, cancellable);
      break;
    case DIAL_TEST_HTTP_PROXY_REPLY:
      relay (client, request->str, reply, piece, cancellable);
      break;
    case DIAL_TEST_HTTP_PROXY_STATUS:
      send_status (client, status, cancellable);
      break;
    case DIAL_TEST_HTTP_PROXY_GARBAGE:
      send_text (client, "SSH-2.0-OpenSSH_9.2p1\r\n\r\n", cancellable);
      break;
    case DIAL_TEST_HTTP_PROXY_STATUS_LINE_ONLY:
      send_text (client, "HTTP/1.1 200 OK\r\n", cancellable);
      break;
    case DIAL_TEST_HTTP_PROXY_CLOSE:
      break;
    case DIAL_TEST_HTTP_PROXY_SILENT:
      dial_test_proxy_drain (client, cancellable);
      break;
    default:
      g_assert_not_reached ();
    }
}

DialTestHttpProxy *
dial_test_http_proxy_new (void)
{
  DialTestHttpProxy *self = g_new0 (DialTestHttpProxy, 1);

  g_mutex_init (&self->mutex);
  self->behaviour = DIAL_TEST_HTTP_PROXY_RELAY;
  self->status = 403;
  self->records = g_ptr_array_new_with_free_func ((GDestroyNotify) dial_test_http_proxy_record_free);
  self->listener = dial_test_proxy_listener_new (handle_connection, self);

  return self;
}

void
dial_test_http_proxy_free (DialTestHttpProxy *self)
{
  if (self == NULL)
    return;

  /* Joins the handlers first: nothing touches self afterwards. */
  dial_test_proxy_listener_free (self->listener);

  g_ptr_array_unref (self->records);
  g_clear_pointer (&self->reply, g_bytes_unref);
  g_clear_object (&self->cancel_on_request);
  g_mutex_clear (&self->mutex);
  g_free (self);
}

void
dial_test_http_proxy_set_behaviour (DialTestHttpProxy          *self,
                                    DialTestHttpProxyBehaviour  behaviour)
{
  g_mutex_lock (&self->mutex);
  self->behaviour = behaviour;
  g_mutex_unlock (&self->mutex);
}

void
dial_test_http_proxy_set_status (DialTestHttpProxy *self,
                                 guint              status)
{
  g_mutex_lock (&self->mutex);
  self->status = status;
  g_mutex_unlock (&self->mutex);
}

void
dial_test_http_proxy_set_reply (DialTestHttpProxy *self,
                                const char        *reply,
                                gssize             len,
                                gsize              piece)
{
  g_autoptr(GBytes) bytes = g_bytes_new (reply, len < 0 ? strlen (reply) : (gsize) len);

  g_mutex_lock (&self->mutex);
  g_clear_pointer (&self->reply, g_bytes_unref);
  self->reply = g_steal_pointer (&bytes);
  self->piece = piece;
  g_mutex_unlock (&self->mutex);
}

void
dial_test_http_proxy_cancel_on_request (DialTestHttpProxy *self,
                                        GCancellable      *cancellable)
{
  g_mutex_lock (&self->mutex);
  g_set_object (&self->cancel_on_request, cancellable);
  g_mutex_unlock (&self->mutex);
}

guint16
dial_test_http_proxy_get_port (DialTestHttpProxy *self)
{
  return dial_test_proxy_listener_get_port (self->listener);
}

char *
dial_test_http_proxy_get_uri (DialTestHttpProxy *self,
                              const char        *userinfo)
{
  return g_strdup_printf ("http://%s%s127.0.0.1:%u",
                          userinfo ? userinfo : "", userinfo ? "@" : "",
                          dial_test_http_proxy_get_port (self));
}

guint
dial_test_http_proxy_get_accepted (DialTestHttpProxy *self)
{
  return dial_test_proxy_listener_get_accepted (self->listener);
}

gboolean
dial_test_http_proxy_wait_finished (DialTestHttpProxy *self,
                                    guint              n)
{
  return dial_test_proxy_listener_wait_finished (self->listener, n);
}

DialTestHttpProxyRecord *
dial_test_http_proxy_get_record (DialTestHttpProxy *self,
                                 guint              index)
{
  DialTestHttpProxyRecord *copy = NULL;

  g_mutex_lock (&self->mutex);
  if (index < self->records->len && g_ptr_array_index (self->records, index) != NULL)
    copy = record_copy (g_ptr_array_index (self->records, index));
  g_mutex_unlock (&self->mutex);

  return copy;
}
