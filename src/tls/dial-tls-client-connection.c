/* dial-tls-client-connection.c: the built-in TLS client connection
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>

#include "dial-tls-client-connection-private.h"
#include "dial-tls-errors-private.h"
#include "dial-tls-session-cache-private.h"

/*
 * DialTlsClientConnection:
 *
 * A #GTlsClientConnection over gnutls, for processes where GIO has no TLS
 * backend. gnutls runs on the thread that calls the connection: a blocking
 * call drives it with blocking I/O on the base stream (so the GSocket
 * time-out and the cancellable apply), while the async handshake, the
 * async close and the pollable substreams drive it one non-blocking step at
 * a time from the caller's thread-default main context. No thread is
 * started. accept-certificate is therefore emitted on the caller's thread,
 * from inside the handshake.
 *
 * Reads and writes may run at the same time (gnutls allows one reader and
 * one writer); a handshake or a close excludes everything else. Whoever
 * comes first drives the handshake, and the others wait.
 *
 * This file holds the type, reading and writing, and the vfuncs. Claiming
 * the connection for an operation and waking the sources that wait for it
 * are in dial-tls-ops.c, the handshake and session resumption in
 * dial-tls-handshake.c, closing in dial-tls-close.c, and what gnutls asks
 * during a handshake in dial-tls-client-verify.c.
 */

static void dial_tls_client_connection_initable_iface_init (GInitableIface *iface);
static void dial_tls_client_connection_client_iface_init (GTlsClientConnectionInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (DialTlsClientConnection, dial_tls_client_connection, G_TYPE_TLS_CONNECTION,
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
                                                      dial_tls_client_connection_initable_iface_init)
                               G_IMPLEMENT_INTERFACE (G_TYPE_TLS_CLIENT_CONNECTION,
                                                      dial_tls_client_connection_client_iface_init))

enum {
  PROP_0,
  /* GTlsConnection */
  PROP_BASE_IO_STREAM,
  PROP_REQUIRE_CLOSE_NOTIFY,
  PROP_REHANDSHAKE_MODE,
  PROP_USE_SYSTEM_CERTDB,
  PROP_DATABASE,
  PROP_INTERACTION,
  PROP_CERTIFICATE,
  PROP_PEER_CERTIFICATE,
  PROP_PEER_CERTIFICATE_ERRORS,
  PROP_ADVERTISED_PROTOCOLS,
  PROP_NEGOTIATED_PROTOCOL,
  PROP_PROTOCOL_VERSION,
  PROP_CIPHERSUITE_NAME,
  /* GTlsClientConnection */
  PROP_VALIDATION_FLAGS,
  PROP_SERVER_IDENTITY,
  PROP_USE_SSL3,
  PROP_ACCEPTED_CAS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* ------------------------------------------------------------------ */
/* What the handshake found                                            */

void
dial_tls_client_connection_set_peer_certificate (DialTlsClientConnection *self,
                                                 GTlsCertificate         *peer,
                                                 GTlsCertificateFlags     errors)
{
  gboolean certificate_changed, errors_changed;

  g_mutex_lock (&self->lock);
  certificate_changed = g_set_object (&self->peer_certificate, peer);
  errors_changed = self->peer_certificate_errors != errors;
  self->peer_certificate_errors = errors;
  g_mutex_unlock (&self->lock);

  if (certificate_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PEER_CERTIFICATE]);
  if (errors_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PEER_CERTIFICATE_ERRORS]);
}

/* Records what the handshake negotiated (taking @protocol) and marks the
 * handshake done, in one critical section; notifies afterwards, so that a
 * handler finds the handshake done. */
void
dial_tls_client_connection_set_handshake_done (DialTlsClientConnection *self,
                                               char                    *protocol,
                                               GTlsProtocolVersion      version,
                                               const char              *ciphersuite)
{
  g_autofree char *negotiated = protocol;
  gboolean protocol_changed, version_changed, ciphersuite_changed, cas_changed;

  g_mutex_lock (&self->lock);
  protocol_changed = g_strcmp0 (negotiated, self->negotiated_protocol) != 0;
  if (protocol_changed)
    {
      g_free (self->negotiated_protocol);
      self->negotiated_protocol = g_steal_pointer (&negotiated);
    }
  version_changed = version != self->protocol_version;
  self->protocol_version = version;
  ciphersuite_changed = g_strcmp0 (ciphersuite, self->ciphersuite_name) != 0;
  if (ciphersuite_changed)
    {
      g_free (self->ciphersuite_name);
      self->ciphersuite_name = g_strdup (ciphersuite);
    }
  cas_changed = self->accepted_cas != NULL;
  self->handshake_state = HANDSHAKE_DONE;
  g_mutex_unlock (&self->lock);

  if (protocol_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NEGOTIATED_PROTOCOL]);
  if (version_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROTOCOL_VERSION]);
  if (ciphersuite_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CIPHERSUITE_NAME]);
  if (cas_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACCEPTED_CAS]);
}

/* ------------------------------------------------------------------ */
/* Reading and writing                                                 */

static GError *
read_error_from_gnutls (DialTlsClientConnection *self,
                        int                      status,
                        GError                  *transport_error)
{
  gboolean read_succeeded;

  g_mutex_lock (&self->lock);
  read_succeeded = self->read_succeeded;
  g_mutex_unlock (&self->lock);

  /* TLS 1.3: the handshake completed before the server saw that we sent no
   * certificate; its refusal (an alert, or just a closed connection)
   * arrives with the first read. */
  if (self->certificate_missing && !read_succeeded &&
      !g_error_matches (transport_error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
      !g_error_matches (transport_error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT) &&
      !g_error_matches (transport_error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
    {
      g_clear_error (&transport_error);
      return dial_tls_client_connection_missing_certificate_error (self);
    }

  return dial_tls_error_from_gnutls (status, DIAL_TLS_ERROR_CONTEXT_READ, FALSE,
                                     self->require_close_notify,
                                     dial_tls_client_connection_alert_name (self),
                                     transport_error);
}

gssize
dial_tls_client_connection_read (DialTlsClientConnection  *self,
                                 void                     *buffer,
                                 gsize                     count,
                                 gboolean                  blocking,
                                 GCancellable             *cancellable,
                                 GError                  **error)
{
  g_autoptr(GPtrArray) woken = dial_tls_client_connection_woken_sources_new ();
  DialTlsIoOp op = DIAL_TLS_IO_OP_INIT (blocking, cancellable);
  GError *local_error = NULL;
  gssize ret;

  if (!dial_tls_client_connection_claim_op (self, DIAL_TLS_OP_READ, blocking, cancellable, error))
    return -1;

  self->transport.read_op = &op;

  for (;;)
    {
      ret = gnutls_record_recv (self->session, buffer, count);
      if (ret >= 0)
        break;

      if (dial_tls_client_connection_is_retry (ret, &op))
        {
          if (!blocking)
            {
              dial_tls_client_connection_take_would_block (&op, &local_error);
              break;
            }
          g_clear_error (&op.error);
          continue;
        }

      /* A TLS 1.2 renegotiation request is declined by ignoring it, as is
       * any warning alert. */
      if (op.error == NULL && !gnutls_error_is_fatal (ret))
        continue;

      local_error = read_error_from_gnutls (self, ret, g_steal_pointer (&op.error));
      if (local_error == NULL)
        ret = 0;   /* an unclean shutdown that the application allows */
      break;
    }

  self->transport.read_op = NULL;

  g_mutex_lock (&self->lock);
  self->reading = FALSE;
  self->read_condition = G_IO_IN;
  if (ret > 0)
    self->read_succeeded = TRUE;
  else if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
    self->read_condition = dial_tls_client_connection_wanted_condition (self);
  self->pending_plaintext = gnutls_record_check_pending (self->session);
  /* Plaintext left in gnutls never shows on the socket: wake up every
   * source so that a reader waiting elsewhere sees it. */
  dial_tls_client_connection_wake_sources_locked (self, self->pending_plaintext > 0, woken);
  g_mutex_unlock (&self->lock);

  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return -1;
    }

  return ret;
}

gssize
dial_tls_client_connection_write (DialTlsClientConnection  *self,
                                  const void               *buffer,
                                  gsize                     count,
                                  gboolean                  blocking,
                                  GCancellable             *cancellable,
                                  GError                  **error)
{
  g_autoptr(GPtrArray) woken = dial_tls_client_connection_woken_sources_new ();
  DialTlsIoOp op = DIAL_TLS_IO_OP_INIT (blocking, cancellable);
  GError *local_error = NULL;
  gssize ret;

  if (!dial_tls_client_connection_claim_op (self, DIAL_TLS_OP_WRITE, blocking, cancellable, error))
    return -1;

  self->transport.write_op = &op;

  for (;;)
    {
      /* After E_AGAIN, gnutls still holds the record it made from the
       * previous call's data; sending NULL flushes it and returns that
       * call's byte count. GIO retries with the same buffer. */
      if (self->write_pending)
        {
          ret = gnutls_record_send (self->session, NULL, 0);
          if (ret >= 0)
            {
              self->write_pending = FALSE;
              ret = MIN ((gsize) ret, count);
              break;
            }
        }
      else
        {
          ret = gnutls_record_send (self->session, buffer, count);
          if (ret >= 0)
            break;
        }

      if (dial_tls_client_connection_is_retry (ret, &op) || ret == GNUTLS_E_INTERRUPTED)
        self->write_pending = TRUE;

      if (dial_tls_client_connection_is_retry (ret, &op))
        {
          if (!blocking)
            {
              dial_tls_client_connection_take_would_block (&op, &local_error);
              break;
            }
          g_clear_error (&op.error);
          continue;
        }

      if (op.error == NULL && !gnutls_error_is_fatal (ret))
        continue;

      local_error = dial_tls_error_from_gnutls (ret, DIAL_TLS_ERROR_CONTEXT_WRITE, FALSE,
                                                self->require_close_notify,
                                                dial_tls_client_connection_alert_name (self),
                                                g_steal_pointer (&op.error));
      if (local_error == NULL)
        local_error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE,
                                           GNET_("TLS connection closed unexpectedly"));
      break;
    }

  self->transport.write_op = NULL;

  g_mutex_lock (&self->lock);
  self->writing = FALSE;
  self->write_condition = G_IO_OUT;
  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
    self->write_condition = dial_tls_client_connection_wanted_condition (self);
  dial_tls_client_connection_wake_sources_locked (self, FALSE, woken);
  g_mutex_unlock (&self->lock);

  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return -1;
    }

  return ret;
}

/* ------------------------------------------------------------------ */
/* GIOStream                                                           */

static GInputStream *
dial_tls_client_connection_get_input_stream (GIOStream *stream)
{
  return DIAL_TLS_CLIENT_CONNECTION (stream)->tls_istream;
}

static GOutputStream *
dial_tls_client_connection_get_output_stream (GIOStream *stream)
{
  return DIAL_TLS_CLIENT_CONNECTION (stream)->tls_ostream;
}

static gboolean
dial_tls_client_connection_close (GIOStream     *stream,
                                  GCancellable  *cancellable,
                                  GError       **error)
{
  return dial_tls_client_connection_close_sides (DIAL_TLS_CLIENT_CONNECTION (stream),
                                                 TRUE, TRUE, cancellable, error);
}

static void
dial_tls_client_connection_close_async (GIOStream           *stream,
                                        int                  io_priority,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  dial_tls_client_connection_close_sides_async (DIAL_TLS_CLIENT_CONNECTION (stream),
                                                TRUE, TRUE, io_priority, cancellable,
                                                callback, user_data);
}

static gboolean
dial_tls_client_connection_close_finish (GIOStream     *stream,
                                         GAsyncResult  *result,
                                         GError       **error)
{
  return dial_tls_client_connection_close_sides_finish (DIAL_TLS_CLIENT_CONNECTION (stream),
                                                        result, error);
}

/* ------------------------------------------------------------------ */
/* GTlsConnection                                                      */

static const char *
dial_tls_client_connection_get_negotiated_protocol (GTlsConnection *connection)
{
  DialTlsClientConnection *self = DIAL_TLS_CLIENT_CONNECTION (connection);

  return self->negotiated_protocol;
}

static gboolean
dial_tls_client_connection_get_binding_data (GTlsConnection          *connection,
                                             GTlsChannelBindingType   type,
                                             GByteArray              *data,
                                             GError                 **error)
{
  DialTlsClientConnection *self = DIAL_TLS_CLIENT_CONNECTION (connection);
  gnutls_channel_binding_t gnutls_type;
  gnutls_datum_t datum = { NULL, 0 };
  int ret;

  switch (type)
    {
    case G_TLS_CHANNEL_BINDING_TLS_UNIQUE:
      gnutls_type = GNUTLS_CB_TLS_UNIQUE;
      break;
    case G_TLS_CHANNEL_BINDING_TLS_SERVER_END_POINT:
      gnutls_type = GNUTLS_CB_TLS_SERVER_END_POINT;
      break;
    case G_TLS_CHANNEL_BINDING_TLS_EXPORTER:
      gnutls_type = GNUTLS_CB_TLS_EXPORTER;
      break;
    default:
      g_set_error_literal (error, G_TLS_CHANNEL_BINDING_ERROR,
                           G_TLS_CHANNEL_BINDING_ERROR_NOT_IMPLEMENTED,
                           GNET_("Channel binding type is not implemented in the TLS library"));
      return FALSE;
    }

  if (!dial_tls_client_connection_handshake_is_done (self))
    {
      g_set_error_literal (error, G_TLS_CHANNEL_BINDING_ERROR,
                           G_TLS_CHANNEL_BINDING_ERROR_INVALID_STATE,
                           GNET_("Channel binding data is not yet available"));
      return FALSE;
    }

  /* gnutls knows which bindings exist for the negotiated version (there
   * is no tls-unique in TLS 1.3); its refusals map as glib-networking
   * maps them. */
  ret = gnutls_session_channel_binding (self->session, gnutls_type, &datum);
  switch (ret)
    {
    case GNUTLS_E_SUCCESS:
      break;
    case GNUTLS_E_UNIMPLEMENTED_FEATURE:
      g_set_error_literal (error, G_TLS_CHANNEL_BINDING_ERROR,
                           G_TLS_CHANNEL_BINDING_ERROR_NOT_IMPLEMENTED,
                           GNET_("Channel binding type is not implemented in the TLS library"));
      return FALSE;
    case GNUTLS_E_CHANNEL_BINDING_NOT_AVAILABLE:
      g_set_error_literal (error, G_TLS_CHANNEL_BINDING_ERROR,
                           G_TLS_CHANNEL_BINDING_ERROR_NOT_AVAILABLE,
                           GNET_("Channel binding data is not yet available"));
      return FALSE;
    default:
      g_set_error_literal (error, G_TLS_CHANNEL_BINDING_ERROR,
                           G_TLS_CHANNEL_BINDING_ERROR_GENERAL_ERROR,
                           gnutls_strerror (ret));
      return FALSE;
    }

  if (datum.size == 0)
    {
      gnutls_free (datum.data);
      g_set_error_literal (error, G_TLS_CHANNEL_BINDING_ERROR,
                           G_TLS_CHANNEL_BINDING_ERROR_GENERAL_ERROR,
                           GNET_("Empty channel binding data indicates a bug in the TLS library implementation"));
      return FALSE;
    }

  if (data != NULL)
    {
      g_byte_array_set_size (data, 0);
      g_byte_array_append (data, datum.data, datum.size);
    }
  gnutls_free (datum.data);

  return TRUE;
}

/* ------------------------------------------------------------------ */
/* GTlsClientConnection                                                */

static void
dial_tls_client_connection_copy_session_state (GTlsClientConnection *connection,
                                               GTlsClientConnection *source)
{
  DialTlsClientConnection *self = DIAL_TLS_CLIENT_CONNECTION (connection);
  DialTlsClientConnection *other;
  GBytes *data = NULL;

  if (!DIAL_IS_TLS_CLIENT_CONNECTION (source))
    return;
  other = DIAL_TLS_CLIENT_CONNECTION (source);

  /* A fresh ticket for the source's server is better than reusing the one
   * the source connection used, which would let the two be linked. */
  if (other->session_key != NULL)
    data = dial_tls_session_cache_take (other->session_key);

  g_mutex_lock (&other->lock);
  if (data == NULL && other->session_data != NULL)
    data = g_bytes_ref (other->session_data);
  g_mutex_unlock (&other->lock);

  g_mutex_lock (&self->lock);
  g_clear_pointer (&self->session_data, g_bytes_unref);
  self->session_data = data;
  self->session_data_override = data != NULL;
  g_mutex_unlock (&self->lock);
}

/* ------------------------------------------------------------------ */
/* GInitable                                                           */

static gnutls_priority_t
get_priority (void)
{
  static gnutls_priority_t priority;
  static gsize initialized;

  if (g_once_init_enter (&initialized))
    {
      const char *override = g_getenv ("DIAL_TLS_GNUTLS_PRIORITY");
      const char *error_pos = NULL;
      int ret;

      if (override == NULL)
        override = g_getenv ("G_TLS_GNUTLS_PRIORITY");

      if (override != NULL)
        {
          ret = gnutls_priority_init2 (&priority, override, &error_pos, 0);
          if (ret != GNUTLS_E_SUCCESS)
            {
              g_warning ("Invalid gnutls priority string at “%s”: %s",
                         error_pos ? error_pos : override, gnutls_strerror (ret));
              priority = NULL;
            }
        }

      /* The system policy, without the protocol versions that RFC 8996
       * deprecates. */
      if (priority == NULL)
        {
          ret = gnutls_priority_init2 (&priority, "%COMPAT:-VERS-TLS1.1:-VERS-TLS1.0",
                                       &error_pos, GNUTLS_PRIORITY_INIT_DEF_APPEND);
          if (ret != GNUTLS_E_SUCCESS)
            priority = NULL;
        }

      g_once_init_leave (&initialized, 1);
    }

  return priority;
}

static gboolean
gnutls_failed (int       ret,
               GError  **error)
{
  if (ret == GNUTLS_E_SUCCESS)
    return FALSE;

  g_set_error (error, G_TLS_ERROR, G_TLS_ERROR_MISC,
               GNET_("Could not create TLS connection: %s"), gnutls_strerror (ret));
  return TRUE;
}

static gboolean
dial_tls_client_connection_initable_init (GInitable     *initable,
                                          GCancellable  *cancellable,
                                          GError       **error)
{
  DialTlsClientConnection *self = DIAL_TLS_CLIENT_CONNECTION (initable);
  gnutls_priority_t priority;

  if (self->base_io_stream == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "A TLS connection needs a base stream");
      return FALSE;
    }

  if (!dial_tls_transport_init (&self->transport, self->base_io_stream, error))
    return FALSE;

  if (gnutls_failed (gnutls_init (&self->session, GNUTLS_CLIENT), error))
    return FALSE;

  gnutls_session_set_ptr (self->session, self);

  priority = get_priority ();
  if (gnutls_failed (priority != NULL ? gnutls_priority_set (self->session, priority)
                                      : gnutls_set_default_priority (self->session),
                     error))
    return FALSE;

  /* Per-connection credentials: they carry the client-certificate
   * callback. The server's chain is checked by the verify function. */
  if (gnutls_failed (gnutls_certificate_allocate_credentials (&self->credentials), error))
    return FALSE;
  gnutls_certificate_set_retrieve_function2 (self->credentials, dial_tls_client_connection_retrieve_certificate_cb);
  if (gnutls_failed (gnutls_credentials_set (self->session, GNUTLS_CRD_CERTIFICATE,
                                             self->credentials),
                     error))
    return FALSE;

  /* The base stream's time-out and the cancellable bound the handshake,
   * as with GIO; gnutls's own clock would fail a non-blocking step that
   * finds nothing to read. */
  gnutls_handshake_set_timeout (self->session, 0);

  gnutls_session_set_verify_function (self->session, dial_tls_client_connection_verify_cb);
  gnutls_handshake_set_hook_function (self->session, GNUTLS_HANDSHAKE_NEW_SESSION_TICKET,
                                      GNUTLS_HOOK_POST,
                                      dial_tls_client_connection_new_session_ticket_cb);
  dial_tls_transport_attach (&self->transport, self->session);

  self->tls_istream = dial_tls_input_stream_new (G_TLS_CONNECTION (self));
  self->tls_ostream = dial_tls_output_stream_new (G_TLS_CONNECTION (self));

  return TRUE;
}

static void
dial_tls_client_connection_initable_iface_init (GInitableIface *iface)
{
  iface->init = dial_tls_client_connection_initable_init;
}

/* ------------------------------------------------------------------ */
/* GObject                                                             */

static void
dial_tls_client_connection_get_property (GObject    *object,
                                         guint       prop_id,
                                         GValue     *value,
                                         GParamSpec *pspec)
{
  DialTlsClientConnection *self = DIAL_TLS_CLIENT_CONNECTION (object);

  switch (prop_id)
    {
    case PROP_BASE_IO_STREAM:
      g_value_set_object (value, self->base_io_stream);
      break;

    case PROP_REQUIRE_CLOSE_NOTIFY:
      g_value_set_boolean (value, self->require_close_notify);
      break;

    case PROP_REHANDSHAKE_MODE:
      /* Deprecated and ignored: libdial never renegotiates. */
      G_GNUC_BEGIN_IGNORE_DEPRECATIONS
      g_value_set_enum (value, G_TLS_REHANDSHAKE_SAFELY);
      G_GNUC_END_IGNORE_DEPRECATIONS
      break;

    case PROP_USE_SYSTEM_CERTDB:
      g_value_set_boolean (value, !self->database_set);
      break;

    case PROP_DATABASE:
      g_value_take_object (value, dial_tls_client_connection_dup_database (self));
      break;

    case PROP_INTERACTION:
      g_value_set_object (value, self->interaction);
      break;

    case PROP_CERTIFICATE:
      g_value_take_object (value, dial_tls_client_connection_dup_certificate (self));
      break;

    case PROP_PEER_CERTIFICATE:
      g_mutex_lock (&self->lock);
      g_value_set_object (value, self->peer_certificate);
      g_mutex_unlock (&self->lock);
      break;

    case PROP_PEER_CERTIFICATE_ERRORS:
      g_mutex_lock (&self->lock);
      g_value_set_flags (value, self->peer_certificate_errors);
      g_mutex_unlock (&self->lock);
      break;

    case PROP_ADVERTISED_PROTOCOLS:
      g_value_set_boxed (value, self->advertised_protocols);
      break;

    case PROP_NEGOTIATED_PROTOCOL:
      g_mutex_lock (&self->lock);
      g_value_set_string (value, self->negotiated_protocol);
      g_mutex_unlock (&self->lock);
      break;

    case PROP_PROTOCOL_VERSION:
      g_mutex_lock (&self->lock);
      g_value_set_enum (value, self->protocol_version);
      g_mutex_unlock (&self->lock);
      break;

    case PROP_CIPHERSUITE_NAME:
      g_mutex_lock (&self->lock);
      g_value_set_string (value, self->ciphersuite_name);
      g_mutex_unlock (&self->lock);
      break;

    case PROP_VALIDATION_FLAGS:
      g_value_set_flags (value, self->validation_flags);
      break;

    case PROP_SERVER_IDENTITY:
      g_value_set_object (value, self->server_identity);
      break;

    case PROP_USE_SSL3:
      /* Deprecated and ignored. */
      g_value_set_boolean (value, FALSE);
      break;

    case PROP_ACCEPTED_CAS:
      {
        GList *copy = NULL;

        g_mutex_lock (&self->lock);
        for (GList *l = self->accepted_cas; l != NULL; l = l->next)
          copy = g_list_prepend (copy, g_byte_array_ref (l->data));
        g_mutex_unlock (&self->lock);

        g_value_set_pointer (value, g_list_reverse (copy));
      }
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dial_tls_client_connection_set_property (GObject      *object,
                                         guint         prop_id,
                                         const GValue *value,
                                         GParamSpec   *pspec)
{
  DialTlsClientConnection *self = DIAL_TLS_CLIENT_CONNECTION (object);

  switch (prop_id)
    {
    case PROP_BASE_IO_STREAM:
      g_set_object (&self->base_io_stream, g_value_get_object (value));
      break;

    case PROP_REQUIRE_CLOSE_NOTIFY:
      self->require_close_notify = g_value_get_boolean (value);
      break;

    case PROP_REHANDSHAKE_MODE:
    case PROP_USE_SSL3:
      break;

    case PROP_USE_SYSTEM_CERTDB:
      g_mutex_lock (&self->lock);
      if (g_value_get_boolean (value))
        {
          self->database_set = FALSE;
          g_clear_object (&self->database);
        }
      else
        {
          self->database_set = TRUE;
          g_clear_object (&self->database);
        }
      g_mutex_unlock (&self->lock);
      break;

    case PROP_DATABASE:
      g_mutex_lock (&self->lock);
      self->database_set = TRUE;
      g_set_object (&self->database, g_value_get_object (value));
      g_mutex_unlock (&self->lock);
      break;

    case PROP_INTERACTION:
      g_set_object (&self->interaction, g_value_get_object (value));
      break;

    case PROP_CERTIFICATE:
      g_mutex_lock (&self->lock);
      g_set_object (&self->certificate, g_value_get_object (value));
      g_mutex_unlock (&self->lock);
      break;

    case PROP_ADVERTISED_PROTOCOLS:
      g_strfreev (self->advertised_protocols);
      self->advertised_protocols = g_value_dup_boxed (value);
      break;

    case PROP_VALIDATION_FLAGS:
      self->validation_flags = g_value_get_flags (value);
      break;

    case PROP_SERVER_IDENTITY:
      g_set_object (&self->server_identity, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dial_tls_client_connection_dispose (GObject *object)
{
  DialTlsClientConnection *self = DIAL_TLS_CLIENT_CONNECTION (object);

  /* GIOStream's dispose closes the stream, which would block on sending
   * close_notify inside an unref; make that one non-blocking attempt
   * here, and let the close that follows only close the base stream. */
  if (self->session != NULL && !g_io_stream_is_closed (G_IO_STREAM (self)))
    {
      dial_tls_client_connection_try_bye (self);
      g_io_stream_close (G_IO_STREAM (self), NULL, NULL);
    }

  g_clear_object (&self->tls_istream);
  g_clear_object (&self->tls_ostream);
  g_clear_object (&self->base_io_stream);
  g_clear_object (&self->database);
  g_clear_object (&self->interaction);
  g_clear_object (&self->certificate);
  g_clear_object (&self->peer_certificate);
  g_clear_object (&self->server_identity);

  G_OBJECT_CLASS (dial_tls_client_connection_parent_class)->dispose (object);
}

static void
dial_tls_client_connection_finalize (GObject *object)
{
  DialTlsClientConnection *self = DIAL_TLS_CLIENT_CONNECTION (object);

  /* The session borrows the credentials and the client certificate. */
  g_clear_pointer (&self->session, gnutls_deinit);
  dial_tls_client_connection_clear_client_credentials (self);
  g_clear_pointer (&self->credentials, gnutls_certificate_free_credentials);
  dial_tls_transport_clear (&self->transport);

  g_strfreev (self->advertised_protocols);
  g_free (self->negotiated_protocol);
  g_free (self->ciphersuite_name);
  g_list_free_full (self->accepted_cas, (GDestroyNotify) g_byte_array_unref);
  g_clear_error (&self->interaction_error);
  g_clear_error (&self->handshake_error);
  g_free (self->session_key);
  g_clear_pointer (&self->session_data, g_bytes_unref);
  g_ptr_array_unref (self->sources);
  g_ptr_array_unref (self->waiting);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);

  G_OBJECT_CLASS (dial_tls_client_connection_parent_class)->finalize (object);
}

static void
override_property (GObjectClass *object_class,
                   guint         prop_id,
                   const char   *name)
{
  g_object_class_override_property (object_class, prop_id, name);
  properties[prop_id] = g_object_class_find_property (object_class, name);
}

static void
dial_tls_client_connection_class_init (DialTlsClientConnectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GIOStreamClass *io_stream_class = G_IO_STREAM_CLASS (klass);
  GTlsConnectionClass *connection_class = G_TLS_CONNECTION_CLASS (klass);

  object_class->get_property = dial_tls_client_connection_get_property;
  object_class->set_property = dial_tls_client_connection_set_property;
  object_class->dispose = dial_tls_client_connection_dispose;
  object_class->finalize = dial_tls_client_connection_finalize;

  io_stream_class->get_input_stream = dial_tls_client_connection_get_input_stream;
  io_stream_class->get_output_stream = dial_tls_client_connection_get_output_stream;
  io_stream_class->close_fn = dial_tls_client_connection_close;
  io_stream_class->close_async = dial_tls_client_connection_close_async;
  io_stream_class->close_finish = dial_tls_client_connection_close_finish;

  connection_class->handshake = dial_tls_client_connection_handshake;
  connection_class->handshake_async = dial_tls_client_connection_handshake_async;
  connection_class->handshake_finish = dial_tls_client_connection_handshake_finish;
  connection_class->get_binding_data = dial_tls_client_connection_get_binding_data;
  connection_class->get_negotiated_protocol = dial_tls_client_connection_get_negotiated_protocol;

  /* GTlsConnection's own get_property and set_property only warn, and
   * every getter and setter of GIO goes through them: all of them are
   * overridden. */
  override_property (object_class, PROP_BASE_IO_STREAM, "base-io-stream");
  override_property (object_class, PROP_REQUIRE_CLOSE_NOTIFY, "require-close-notify");
  override_property (object_class, PROP_REHANDSHAKE_MODE, "rehandshake-mode");
  override_property (object_class, PROP_USE_SYSTEM_CERTDB, "use-system-certdb");
  override_property (object_class, PROP_DATABASE, "database");
  override_property (object_class, PROP_INTERACTION, "interaction");
  override_property (object_class, PROP_CERTIFICATE, "certificate");
  override_property (object_class, PROP_PEER_CERTIFICATE, "peer-certificate");
  override_property (object_class, PROP_PEER_CERTIFICATE_ERRORS, "peer-certificate-errors");
  override_property (object_class, PROP_ADVERTISED_PROTOCOLS, "advertised-protocols");
  override_property (object_class, PROP_NEGOTIATED_PROTOCOL, "negotiated-protocol");
  override_property (object_class, PROP_PROTOCOL_VERSION, "protocol-version");
  override_property (object_class, PROP_CIPHERSUITE_NAME, "ciphersuite-name");
  override_property (object_class, PROP_VALIDATION_FLAGS, "validation-flags");
  override_property (object_class, PROP_SERVER_IDENTITY, "server-identity");
  override_property (object_class, PROP_USE_SSL3, "use-ssl3");
  override_property (object_class, PROP_ACCEPTED_CAS, "accepted-cas");
}

static void
dial_tls_client_connection_client_iface_init (GTlsClientConnectionInterface *iface)
{
  iface->copy_session_state = dial_tls_client_connection_copy_session_state;
}

static void
dial_tls_client_connection_init (DialTlsClientConnection *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);

  self->require_close_notify = TRUE;
  self->validation_flags = G_TLS_CERTIFICATE_VALIDATE_ALL;
  self->protocol_version = G_TLS_PROTOCOL_VERSION_UNKNOWN;
  self->handshake_condition = G_IO_OUT;
  self->read_condition = G_IO_IN;
  self->write_condition = G_IO_OUT;
  self->close_condition = G_IO_OUT;
  self->sources = g_ptr_array_new ();
  self->waiting = g_ptr_array_new ();
}

/*
 * dial_tls_client_connection_new:
 * @base: the stream to run TLS over; both of its substreams must be
 *   pollable
 * @server_identity: (nullable): the server's expected identity, for SNI and
 *   for the certificate check
 * @error: a location for a #GError
 *
 * Creates a built-in TLS client connection, like g_tls_client_connection_new()
 * does with GIO's backend. The handshake has not started.
 *
 * Returns: (transfer full) (nullable): a #GTlsClientConnection
 */
GIOStream *
dial_tls_client_connection_new (GIOStream           *base,
                                GSocketConnectable  *server_identity,
                                GError             **error)
{
  g_return_val_if_fail (G_IS_IO_STREAM (base), NULL);
  g_return_val_if_fail (server_identity == NULL || G_IS_SOCKET_CONNECTABLE (server_identity), NULL);

  return g_initable_new (DIAL_TYPE_TLS_CLIENT_CONNECTION, NULL, error,
                         "base-io-stream", base,
                         "server-identity", server_identity,
                         NULL);
}
