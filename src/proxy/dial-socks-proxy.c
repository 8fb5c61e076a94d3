/* dial-socks-proxy.c
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "dial-i18n.h"
#include "dial-socks-codec.h"
#include "dial-socks-proxy.h"

/*
 * DialSocksProxy:
 *
 * SOCKS4, SOCKS4a, SOCKS5 and SOCKS5h as one #GProxy, the protocol fixed
 * at construction.  The messages come from the codec; this file only
 * moves them: a negotiation is a few rounds of "write a message, read
 * exactly its reply", walked by the same step helpers in the blocking
 * driver (the GSocket's timeout bounds each read and write) and in the
 * non-blocking one (stream callbacks on the caller's thread-default main
 * context, no thread).
 *
 * SOCKS4 cannot carry a host name, so it says it does not support them,
 * and GProxyAddressEnumerator resolves the destination beforehand, as it
 * does for GIO's SOCKS4.  SOCKS5 sends an IP literal as an address and a
 * name as a domain name, as GIO does; SOCKS5h always sends the name.
 *
 * Credentials come from the GProxyAddress, which GIO's enumerator has
 * already percent-decoded from the proxy URI; they never appear in an
 * error message.
 */

typedef enum
{
  VARIANT_SOCKS4,
  VARIANT_SOCKS4A,
  VARIANT_SOCKS5,
  VARIANT_SOCKS5H,
} Variant;

static const char * const variant_names[] = {
  [VARIANT_SOCKS4] = "socks4",
  [VARIANT_SOCKS4A] = "socks4a",
  [VARIANT_SOCKS5] = "socks5",
  [VARIANT_SOCKS5H] = "socks5h",
};

struct _DialSocksProxy
{
  GObject  parent_instance;

  Variant  variant;
};

enum {
  PROP_0,
  PROP_PROTOCOL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void dial_socks_proxy_iface_init (GProxyInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (DialSocksProxy, dial_socks_proxy, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_PROXY, dial_socks_proxy_iface_init))

static gboolean
variant_from_name (const char *protocol,
                   Variant    *variant)
{
  for (guint i = 0; i < G_N_ELEMENTS (variant_names); i++)
    {
      if (g_strcmp0 (protocol, variant_names[i]) == 0)
        {
          *variant = i;
          return TRUE;
        }
    }

  return FALSE;
}

static gboolean
variant_is_socks5 (Variant variant)
{
  return variant == VARIANT_SOCKS5 || variant == VARIANT_SOCKS5H;
}

/* The negotiation: steps shared by both drivers --------------------------- */

typedef enum
{
  STEP_SOCKS4_CONNECT,
  STEP_SOCKS5_GREETING,
  STEP_SOCKS5_AUTH,
  STEP_SOCKS5_CONNECT,
  STEP_DONE,
} Step;

typedef struct
{
  Step       step;
  gboolean   socks5;
  gboolean   offered_userpass;
  gboolean   must_authenticate;

  /* Every message, built before the first is written. */
  GBytes    *greeting;
  GBytes    *auth;
  GBytes    *request;

  /* The reply of the current step so far. */
  guint8     reply[DIAL_SOCKS_REPLY_MAX];
  gsize      reply_len;

  /* For the async driver. */
  GIOStream *io_stream;
} Negotiation;

static void
negotiation_free (Negotiation *n)
{
  g_clear_pointer (&n->greeting, g_bytes_unref);
  g_clear_pointer (&n->auth, g_bytes_unref);
  g_clear_pointer (&n->request, g_bytes_unref);
  g_clear_object (&n->io_stream);
  g_free (n);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Negotiation, negotiation_free)

/* Builds every message for @proxy_address, so that every limit (host
 * name, user id, credentials) is checked before a byte is sent. */
static Negotiation *
negotiation_new (DialSocksProxy  *self,
                 GProxyAddress   *proxy_address,
                 GError         **error)
{
  g_autoptr(Negotiation) n = g_new0 (Negotiation, 1);
  const char *host = g_proxy_address_get_destination_hostname (proxy_address);
  guint16 port = g_proxy_address_get_destination_port (proxy_address);
  const char *username = g_proxy_address_get_username (proxy_address);
  const char *password = g_proxy_address_get_password (proxy_address);

  if (host == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "The proxy address has no destination host name");
      return NULL;
    }

  if (!variant_is_socks5 (self->variant))
    {
      /* SOCKS4 has a user id and no password. */
      n->request = dial_socks4_build_connect (host, port, username, error);
      if (n->request == NULL)
        return NULL;

      n->step = STEP_SOCKS4_CONNECT;
      return g_steal_pointer (&n);
    }

  n->socks5 = TRUE;
  n->offered_userpass = username != NULL || password != NULL;
  n->greeting = dial_socks5_build_greeting (n->offered_userpass);

  if (n->offered_userpass)
    {
      n->auth = dial_socks5_build_auth (username, password, error);
      if (n->auth == NULL)
        return NULL;
    }

  n->request = dial_socks5_build_connect (host, port, self->variant == VARIANT_SOCKS5H, error);
  if (n->request == NULL)
    return NULL;

  n->step = STEP_SOCKS5_GREETING;
  return g_steal_pointer (&n);
}

/* The message that opens the current step. */
static GBytes *
negotiation_get_message (Negotiation *n)
{
  switch (n->step)
    {
    case STEP_SOCKS5_GREETING:
      return n->greeting;
    case STEP_SOCKS5_AUTH:
      return n->auth;
    case STEP_SOCKS4_CONNECT:
    case STEP_SOCKS5_CONNECT:
      return n->request;
    case STEP_DONE:
    default:
      g_assert_not_reached ();
    }
}

/* How many more bytes the current reply needs, 0 when it is complete and
 * favourable, -1 with @error set when it is not. */
static gssize
negotiation_need (Negotiation  *n,
                  GError      **error)
{
  switch (n->step)
    {
    case STEP_SOCKS4_CONNECT:
      return dial_socks4_parse_reply (n->reply, n->reply_len, error);
    case STEP_SOCKS5_GREETING:
      return dial_socks5_parse_method_reply (n->reply, n->reply_len, n->offered_userpass,
                                             &n->must_authenticate, error);
    case STEP_SOCKS5_AUTH:
      return dial_socks5_parse_auth_reply (n->reply, n->reply_len, error);
    case STEP_SOCKS5_CONNECT:
      return dial_socks5_parse_connect_reply (n->reply, n->reply_len, error);
    case STEP_DONE:
    default:
      g_assert_not_reached ();
    }
}

/* Records @n_read more bytes of the reply; a zero read is the proxy
 * closing the connection, an error in both drivers. */
static gboolean
negotiation_received (Negotiation  *n,
                      gsize         n_read,
                      GError      **error)
{
  if (n_read == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                           n->socks5 ? GIO_("Connection to SOCKSv5 proxy server lost")
                                     : "Connection to SOCKSv4 proxy server lost");
      return FALSE;
    }

  n->reply_len += n_read;
  return TRUE;
}

/* Moves on once the current reply is complete; returns whether the
 * tunnel is up. */
static gboolean
negotiation_advance (Negotiation *n)
{
  n->reply_len = 0;

  switch (n->step)
    {
    case STEP_SOCKS5_GREETING:
      n->step = n->must_authenticate ? STEP_SOCKS5_AUTH : STEP_SOCKS5_CONNECT;
      break;
    case STEP_SOCKS5_AUTH:
      n->step = STEP_SOCKS5_CONNECT;
      break;
    case STEP_SOCKS4_CONNECT:
    case STEP_SOCKS5_CONNECT:
      n->step = STEP_DONE;
      break;
    case STEP_DONE:
    default:
      g_assert_not_reached ();
    }

  return n->step == STEP_DONE;
}

/* The blocking driver ----------------------------------------------------- */

static GIOStream *
dial_socks_proxy_connect (GProxy         *proxy,
                          GIOStream      *io_stream,
                          GProxyAddress  *proxy_address,
                          GCancellable   *cancellable,
                          GError        **error)
{
  DialSocksProxy *self = DIAL_SOCKS_PROXY (proxy);
  GInputStream *in = g_io_stream_get_input_stream (io_stream);
  GOutputStream *out = g_io_stream_get_output_stream (io_stream);
  g_autoptr(Negotiation) n = NULL;

  n = negotiation_new (self, proxy_address, error);
  if (n == NULL)
    return NULL;

  do
    {
      GBytes *message = negotiation_get_message (n);
      gssize need;

      /* Socket streams check the cancellable in every call; other streams
       * may not, so each round checks it too. */
      if (g_cancellable_set_error_if_cancelled (cancellable, error) ||
          !g_output_stream_write_all (out, g_bytes_get_data (message, NULL), g_bytes_get_size (message),
                                      NULL, cancellable, error))
        return NULL;

      while ((need = negotiation_need (n, error)) > 0)
        {
          gssize n_read = g_input_stream_read (in, n->reply + n->reply_len, need, cancellable, error);

          if (n_read < 0 || !negotiation_received (n, n_read, error))
            return NULL;
        }

      if (need < 0)
        return NULL;
    }
  while (!negotiation_advance (n));

  return g_object_ref (io_stream);
}

/* The non-blocking driver ------------------------------------------------- */

static void write_message (GTask *task);
static void read_reply (GTask *task);

static void
on_read (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Negotiation *n = g_task_get_task_data (task);
  GError *error = NULL;
  gssize n_read;

  n_read = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);
  if (n_read < 0 || !negotiation_received (n, n_read, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  read_reply (g_steal_pointer (&task));
}

/* Takes @task_owned: reads what the current reply still needs, then
 * moves on.  (What the calls need from the task is read before it is
 * stolen: C does not order the evaluation of arguments.) */
static void
read_reply (GTask *task_owned)
{
  g_autoptr(GTask) task = task_owned;
  Negotiation *n = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  int priority = g_task_get_priority (task);
  GError *error = NULL;
  gssize need;

  need = negotiation_need (n, &error);
  if (need < 0)
    {
      g_task_return_error (task, error);
      return;
    }

  if (g_task_return_error_if_cancelled (task))
    return;

  if (need > 0)
    {
      g_input_stream_read_async (g_io_stream_get_input_stream (n->io_stream),
                                 n->reply + n->reply_len, need,
                                 priority, cancellable,
                                 on_read, g_steal_pointer (&task));
      return;
    }

  if (negotiation_advance (n))
    {
      g_task_return_pointer (task, g_object_ref (n->io_stream), g_object_unref);
      return;
    }

  write_message (g_steal_pointer (&task));
}

static void
on_written (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  read_reply (g_steal_pointer (&task));
}

/* Takes @task_owned: writes the message that opens the current step. */
static void
write_message (GTask *task_owned)
{
  g_autoptr(GTask) task = task_owned;
  Negotiation *n = g_task_get_task_data (task);
  GBytes *message = negotiation_get_message (n);
  GCancellable *cancellable = g_task_get_cancellable (task);
  int priority = g_task_get_priority (task);

  if (g_task_return_error_if_cancelled (task))
    return;

  g_output_stream_write_all_async (g_io_stream_get_output_stream (n->io_stream),
                                   g_bytes_get_data (message, NULL),
                                   g_bytes_get_size (message),
                                   priority, cancellable,
                                   on_written, g_steal_pointer (&task));
}

static void
dial_socks_proxy_connect_async (GProxy              *proxy,
                                GIOStream           *io_stream,
                                GProxyAddress       *proxy_address,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  DialSocksProxy *self = DIAL_SOCKS_PROXY (proxy);
  g_autoptr(GTask) task = NULL;
  Negotiation *n;
  GError *error = NULL;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, dial_socks_proxy_connect_async);

  n = negotiation_new (self, proxy_address, &error);
  if (n == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  n->io_stream = g_object_ref (io_stream);
  g_task_set_task_data (task, n, (GDestroyNotify) negotiation_free);

  write_message (g_steal_pointer (&task));
}

static GIOStream *
dial_socks_proxy_connect_finish (GProxy        *proxy,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, proxy), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static gboolean
dial_socks_proxy_supports_hostname (GProxy *proxy)
{
  return DIAL_SOCKS_PROXY (proxy)->variant != VARIANT_SOCKS4;
}

static void
dial_socks_proxy_iface_init (GProxyInterface *iface)
{
  iface->connect = dial_socks_proxy_connect;
  iface->connect_async = dial_socks_proxy_connect_async;
  iface->connect_finish = dial_socks_proxy_connect_finish;
  iface->supports_hostname = dial_socks_proxy_supports_hostname;
}

/* The object -------------------------------------------------------------- */

static void
dial_socks_proxy_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  DialSocksProxy *self = DIAL_SOCKS_PROXY (object);

  switch (prop_id)
    {
    case PROP_PROTOCOL:
      g_value_set_string (value, dial_socks_proxy_get_protocol (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dial_socks_proxy_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  DialSocksProxy *self = DIAL_SOCKS_PROXY (object);

  switch (prop_id)
    {
    case PROP_PROTOCOL:
      if (!variant_from_name (g_value_get_string (value), &self->variant))
        g_critical ("“%s” is not a SOCKS protocol", g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dial_socks_proxy_class_init (DialSocksProxyClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = dial_socks_proxy_get_property;
  object_class->set_property = dial_socks_proxy_set_property;

  /*
   * DialSocksProxy:protocol:
   *
   * The protocol spoken: "socks4", "socks4a", "socks5" or "socks5h".
   */
  properties[PROP_PROTOCOL] =
    g_param_spec_string ("protocol", NULL, NULL,
                         "socks5",
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
dial_socks_proxy_init (DialSocksProxy *self)
{
  self->variant = VARIANT_SOCKS5;
}

GProxy *
dial_socks_proxy_new (const char *protocol)
{
  Variant variant;

  if (!variant_from_name (protocol, &variant))
    return NULL;

  return g_object_new (DIAL_TYPE_SOCKS_PROXY, "protocol", protocol, NULL);
}

const char *
dial_socks_proxy_get_protocol (DialSocksProxy *self)
{
  g_return_val_if_fail (DIAL_IS_SOCKS_PROXY (self), NULL);

  return variant_names[self->variant];
}
