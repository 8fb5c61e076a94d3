/* dial-tls-handshake.c: the handshake, blocking and step by step, and
 * session resumption
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * dial_tls_client_connection_handshake_step() runs gnutls's handshake, to
 * its end or as far as the base stream allows; the sync handshake, the
 * async one and the implicit handshake of a first read or write all drive
 * it. What the ClientHello carries is set before the first step, and what
 * was negotiated is recorded after the last.
 */

#include "config.h"

#include <string.h>
#include <gnutls/gnutls.h>

#include "dial-tls-client-connection-private.h"
#include "dial-tls-errors-private.h"
#include "dial-tls-session-cache-private.h"

/* ------------------------------------------------------------------ */
/* Session resumption                                                  */

static GBytes *
get_session_data (gnutls_session_t session)
{
  gnutls_datum_t data = { NULL, 0 };
  GBytes *bytes;

  if (gnutls_session_get_data2 (session, &data) != GNUTLS_E_SUCCESS)
    return NULL;

  bytes = g_bytes_new (data.data, data.size);
  gnutls_free (data.data);
  return bytes;
}

static void
remember_session (DialTlsClientConnection *self,
                  gboolean                 single_use)
{
  g_autoptr(GBytes) data = get_session_data (self->session);

  if (data == NULL)
    return;

  if (self->session_key != NULL)
    dial_tls_session_cache_add (self->session_key, data, single_use);

  g_mutex_lock (&self->lock);
  g_clear_pointer (&self->session_data, g_bytes_unref);
  self->session_data = g_steal_pointer (&data);
  g_mutex_unlock (&self->lock);
}

/* TLS 1.3 tickets arrive after the handshake, during a read. */
int
dial_tls_client_connection_new_session_ticket_cb (gnutls_session_t      session,
                                                  unsigned int          htype,
                                                  unsigned int          when,
                                                  unsigned int          incoming,
                                                  const gnutls_datum_t *msg)
{
  DialTlsClientConnection *self = gnutls_session_get_ptr (session);

  if (gnutls_protocol_get_version (session) == GNUTLS_TLS1_3)
    remember_session (self, TRUE);

  return 0;
}

/* ------------------------------------------------------------------ */
/* The handshake                                                       */

static char *
identity_hostname (GSocketConnectable *identity)
{
  if (G_IS_NETWORK_ADDRESS (identity))
    return g_strdup (g_network_address_get_hostname (G_NETWORK_ADDRESS (identity)));
  if (G_IS_NETWORK_SERVICE (identity))
    return g_strdup (g_network_service_get_domain (G_NETWORK_SERVICE (identity)));
  if (G_IS_INET_SOCKET_ADDRESS (identity))
    return g_inet_address_to_string (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (identity)));

  return NULL;
}

/* Before the first handshake step: what the ClientHello carries. */
static void
prepare_handshake (DialTlsClientConnection *self)
{
  g_autofree char *hostname = identity_hostname (self->server_identity);
  g_autoptr(GBytes) session_data = NULL;

  /* Server Name Indication, never for an IP literal, without a trailing dot. */
  if (hostname != NULL && !g_hostname_is_ip_address (hostname))
    {
      gsize length = strlen (hostname);

      if (length > 0 && hostname[length - 1] == '.')
        hostname[--length] = '\0';
      if (length > 0)
        gnutls_server_name_set (self->session, GNUTLS_NAME_DNS, hostname, length);
    }

  if (self->advertised_protocols != NULL && self->advertised_protocols[0] != NULL)
    {
      guint n = g_strv_length (self->advertised_protocols);
      g_autofree gnutls_datum_t *protocols = g_new (gnutls_datum_t, n);

      for (guint i = 0; i < n; i++)
        {
          protocols[i].data = (unsigned char *) self->advertised_protocols[i];
          protocols[i].size = strlen (self->advertised_protocols[i]);
        }
      gnutls_alpn_set_protocols (self->session, protocols, n, 0);
    }

  {
    g_autoptr(GTlsCertificate) certificate = dial_tls_client_connection_dup_certificate (self);

    self->session_key = dial_tls_session_cache_key (self->server_identity, self->base_io_stream,
                                                    certificate);
  }

  g_mutex_lock (&self->lock);
  if (self->session_data_override)
    session_data = g_bytes_ref (self->session_data);
  g_mutex_unlock (&self->lock);

  if (session_data == NULL && self->session_key != NULL)
    session_data = dial_tls_session_cache_take (self->session_key);

  if (session_data != NULL)
    gnutls_session_set_data (self->session,
                             g_bytes_get_data (session_data, NULL),
                             g_bytes_get_size (session_data));
}

static GTlsProtocolVersion
protocol_version_from_gnutls (gnutls_protocol_t version)
{
  switch (version)
    {
    case GNUTLS_SSL3:
      return G_TLS_PROTOCOL_VERSION_SSL_3_0;
    case GNUTLS_TLS1_0:
      return G_TLS_PROTOCOL_VERSION_TLS_1_0;
    case GNUTLS_TLS1_1:
      return G_TLS_PROTOCOL_VERSION_TLS_1_1;
    case GNUTLS_TLS1_2:
      return G_TLS_PROTOCOL_VERSION_TLS_1_2;
    case GNUTLS_TLS1_3:
      return G_TLS_PROTOCOL_VERSION_TLS_1_3;
    case GNUTLS_DTLS1_0:
      return G_TLS_PROTOCOL_VERSION_DTLS_1_0;
    case GNUTLS_DTLS1_2:
      return G_TLS_PROTOCOL_VERSION_DTLS_1_2;
    case GNUTLS_DTLS0_9:
    case GNUTLS_VERSION_UNKNOWN:
    default:
      return G_TLS_PROTOCOL_VERSION_UNKNOWN;
    }
}

/* After a successful handshake: what it negotiated. */
static void
finish_handshake (DialTlsClientConnection *self)
{
  g_autofree char *protocol = NULL;
  gnutls_datum_t selected = { NULL, 0 };
  GTlsProtocolVersion version;
  const char *ciphersuite;

  if (gnutls_alpn_get_selected_protocol (self->session, &selected) == GNUTLS_E_SUCCESS &&
      selected.size > 0)
    protocol = g_strndup ((const char *) selected.data, selected.size);

  version = protocol_version_from_gnutls (gnutls_protocol_get_version (self->session));
  ciphersuite = gnutls_ciphersuite_get (self->session);

  /* A resumed session skips the verify callback. */
  if (gnutls_session_is_resumed (self->session))
    dial_tls_client_connection_recheck_peer (self);

  if (version != G_TLS_PROTOCOL_VERSION_TLS_1_3)
    remember_session (self, FALSE);

  dial_tls_client_connection_set_handshake_done (self, g_steal_pointer (&protocol),
                                                 version, ciphersuite);
  dial_tls_client_connection_wake_all (self);
}

static void
fail_handshake (DialTlsClientConnection *self,
                const GError            *error)
{
  g_mutex_lock (&self->lock);
  self->handshake_state = HANDSHAKE_FAILED;
  if (self->handshake_error == NULL)
    self->handshake_error = g_error_copy (error);
  g_mutex_unlock (&self->lock);

  dial_tls_client_connection_wake_all (self);
}

static GError *
handshake_error_from_gnutls (DialTlsClientConnection *self,
                             int                      status,
                             GError                  *transport_error)
{
  GError *error;

  error = dial_tls_error_from_gnutls (status, DIAL_TLS_ERROR_CONTEXT_HANDSHAKE,
                                      TRUE, self->require_close_notify,
                                      dial_tls_client_connection_alert_name (self),
                                      transport_error);

  /* The server refused to go on without the certificate it asked for. */
  if (self->certificate_missing &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    {
      g_error_free (error);
      error = dial_tls_client_connection_missing_certificate_error (self);
    }

  return error;
}

/*
 * dial_tls_client_connection_handshake_step:
 *
 * Runs the handshake: to its end when @blocking, otherwise as far as the
 * base stream allows, returning STEP_WOULD_BLOCK with the direction to wait
 * for recorded. The caller holds the handshake claim. A failure is sticky.
 */
StepResult
dial_tls_client_connection_handshake_step (DialTlsClientConnection  *self,
                                           gboolean                  blocking,
                                           GCancellable             *cancellable,
                                           GError                  **error)
{
  DialTlsIoOp op = DIAL_TLS_IO_OP_INIT (blocking, cancellable);
  gboolean first = FALSE;
  GError *local_error = NULL;
  int ret;

  g_mutex_lock (&self->lock);
  if (self->handshake_state == HANDSHAKE_DONE)
    {
      g_mutex_unlock (&self->lock);
      return STEP_DONE;
    }
  if (self->handshake_error != NULL)
    {
      g_propagate_error (error, g_error_copy (self->handshake_error));
      g_mutex_unlock (&self->lock);
      return STEP_FAILED;
    }
  if (self->handshake_state == HANDSHAKE_NOT_STARTED)
    {
      self->handshake_state = HANDSHAKE_IN_PROGRESS;
      first = TRUE;
    }
  g_mutex_unlock (&self->lock);

  if (g_cancellable_set_error_if_cancelled (cancellable, &local_error))
    {
      fail_handshake (self, local_error);
      g_propagate_error (error, local_error);
      return STEP_FAILED;
    }

  if (first)
    prepare_handshake (self);

  self->transport.read_op = &op;
  self->transport.write_op = &op;

  for (;;)
    {
      ret = gnutls_handshake (self->session);
      if (ret == GNUTLS_E_SUCCESS)
        break;

      if (dial_tls_client_connection_is_retry (ret, &op))
        {
          if (!blocking)
            break;
          g_clear_error (&op.error);
          continue;
        }

      /* A warning alert (such as an unrecognized server name) is no
       * reason to stop. */
      if (op.error == NULL && !gnutls_error_is_fatal (ret))
        continue;

      break;
    }

  self->transport.read_op = NULL;
  self->transport.write_op = NULL;

  if (ret == GNUTLS_E_SUCCESS)
    {
      finish_handshake (self);
      return STEP_DONE;
    }

  if (dial_tls_client_connection_is_retry (ret, &op))
    {
      g_mutex_lock (&self->lock);
      self->handshake_condition = dial_tls_client_connection_wanted_condition (self);
      g_mutex_unlock (&self->lock);

      dial_tls_client_connection_take_would_block (&op, error);
      return STEP_WOULD_BLOCK;
    }

  local_error = handshake_error_from_gnutls (self, ret, g_steal_pointer (&op.error));
  fail_handshake (self, local_error);
  g_propagate_error (error, local_error);
  return STEP_FAILED;
}

gboolean
dial_tls_client_connection_handshake_is_done (DialTlsClientConnection *self)
{
  gboolean done;

  g_mutex_lock (&self->lock);
  done = self->handshake_state == HANDSHAKE_DONE;
  g_mutex_unlock (&self->lock);

  return done;
}

/* ------------------------------------------------------------------ */
/* The GTlsConnection handshake vfuncs                                 */

gboolean
dial_tls_client_connection_handshake (GTlsConnection  *connection,
                                      GCancellable    *cancellable,
                                      GError         **error)
{
  DialTlsClientConnection *self = DIAL_TLS_CLIENT_CONNECTION (connection);
  gboolean success;

  if (!dial_tls_client_connection_claim_op (self, DIAL_TLS_OP_HANDSHAKE, TRUE,
                                            cancellable, error))
    return FALSE;

  /* A second handshake is a no-op: libdial never renegotiates. */
  success = dial_tls_client_connection_handshake_is_done (self) ||
            dial_tls_client_connection_handshake_step (self, TRUE, cancellable, error) == STEP_DONE;

  dial_tls_client_connection_release_op (self, DIAL_TLS_OP_HANDSHAKE, FALSE);

  return success;
}

static void handshake_attempt (GTask *task);

static gboolean
on_handshake_source (GObject  *pollable,
                     gpointer  user_data)
{
  handshake_attempt (G_TASK (user_data));
  return G_SOURCE_REMOVE;
}

static void
handshake_wait (GTask *task)
{
  DialTlsClientConnection *self = g_task_get_source_object (task);
  g_autoptr(GSource) source = NULL;

  source = dial_tls_source_new (G_TLS_CONNECTION (self), DIAL_TLS_OP_HANDSHAKE, FALSE,
                                G_OBJECT (self), g_task_get_cancellable (task));
  g_task_attach_source (task, source, (GSourceFunc) on_handshake_source);
}

/* One non-blocking step of an async handshake, on the task's context. */
static void
handshake_attempt (GTask *task)
{
  DialTlsClientConnection *self = g_task_get_source_object (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  GError *error = NULL;
  StepResult result;

  if (!dial_tls_client_connection_claim_op (self, DIAL_TLS_OP_HANDSHAKE, FALSE,
                                            cancellable, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        {
          /* Another operation holds the connection: wait for it. */
          g_error_free (error);
          handshake_wait (task);
        }
      else
        {
          g_task_return_error (task, error);
        }
      return;
    }

  if (dial_tls_client_connection_handshake_is_done (self))
    result = STEP_DONE;
  else
    result = dial_tls_client_connection_handshake_step (self, FALSE, cancellable, &error);

  dial_tls_client_connection_release_op (self, DIAL_TLS_OP_HANDSHAKE, FALSE);

  switch (result)
    {
    case STEP_DONE:
      g_task_return_boolean (task, TRUE);
      break;
    case STEP_WOULD_BLOCK:
      g_error_free (error);
      handshake_wait (task);
      break;
    case STEP_FAILED:
      g_task_return_error (task, error);
      break;
    default:
      g_assert_not_reached ();
    }
}

void
dial_tls_client_connection_handshake_async (GTlsConnection      *connection,
                                            int                  io_priority,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (connection, cancellable, callback, user_data);

  g_task_set_source_tag (task, dial_tls_client_connection_handshake_async);
  g_task_set_priority (task, io_priority);

  handshake_attempt (task);
}

gboolean
dial_tls_client_connection_handshake_finish (GTlsConnection  *connection,
                                             GAsyncResult    *result,
                                             GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, connection), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
