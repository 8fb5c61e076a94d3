/* dial-tls-client-connection.c: the built-in TLS client connection
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>
#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>

#include "dial-tls-certificate-private.h"
#include "dial-tls-client-connection-private.h"
#include "dial-tls-database-private.h"
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
 */

typedef enum {
  STEP_DONE,
  STEP_WOULD_BLOCK,
  STEP_FAILED,
} StepResult;

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
/* Waking up sources                                                   */

/* Called with @lock held. The woken sources are referenced into @woken,
 * which the caller frees after dropping the lock: the last unref of a
 * source runs its dispose function, which takes the lock. */
static void
wake_sources_locked (DialTlsClientConnection *self,
                     gboolean                 all,
                     GPtrArray               *woken)
{
  GPtrArray *sources = all ? self->sources : self->waiting;

  for (guint i = 0; i < sources->len; i++)
    {
      GSource *source = g_source_ref (g_ptr_array_index (sources, i));

      g_source_set_ready_time (source, 0);
      g_ptr_array_add (woken, source);
    }
  g_ptr_array_set_size (self->waiting, 0);
  g_cond_broadcast (&self->cond);
}

static GPtrArray *
woken_sources_new (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) g_source_unref);
}

static void
wake_all (DialTlsClientConnection *self)
{
  g_autoptr(GPtrArray) woken = woken_sources_new ();

  g_mutex_lock (&self->lock);
  wake_sources_locked (self, TRUE, woken);
  g_mutex_unlock (&self->lock);
}

void
dial_tls_client_connection_add_source (DialTlsClientConnection *self,
                                       GSource                 *source)
{
  g_mutex_lock (&self->lock);
  g_ptr_array_add (self->sources, source);
  g_mutex_unlock (&self->lock);
}

void
dial_tls_client_connection_remove_source (DialTlsClientConnection *self,
                                          GSource                 *source)
{
  g_mutex_lock (&self->lock);
  g_ptr_array_remove_fast (self->sources, source);
  g_ptr_array_remove_fast (self->waiting, source);
  g_mutex_unlock (&self->lock);
}

/* ------------------------------------------------------------------ */
/* Claiming the connection for an operation                            */

static gboolean
op_conflicts_locked (DialTlsClientConnection *self,
                     DialTlsOp                op)
{
  switch (op)
    {
    case DIAL_TLS_OP_HANDSHAKE:
      return self->handshaking || self->reading || self->writing || self->closing;
    case DIAL_TLS_OP_READ:
      return self->handshaking || self->reading;
    case DIAL_TLS_OP_WRITE:
      return self->handshaking || self->writing || self->closing;
    case DIAL_TLS_OP_CLOSE:
      /* A close does not wait for a read blocked in another thread: closing
       * is how such a read gets interrupted. */
      return self->handshaking || self->writing || self->closing;
    default:
      g_assert_not_reached ();
    }
}

static void
set_op_flag_locked (DialTlsClientConnection *self,
                    DialTlsOp                op,
                    gboolean                 value)
{
  switch (op)
    {
    case DIAL_TLS_OP_HANDSHAKE:
      self->handshaking = value;
      break;
    case DIAL_TLS_OP_READ:
      self->reading = value;
      break;
    case DIAL_TLS_OP_WRITE:
      self->writing = value;
      break;
    case DIAL_TLS_OP_CLOSE:
      self->closing = value;
      break;
    default:
      g_assert_not_reached ();
    }
}

static void
set_would_block (GError **error)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK,
                       GNET_("Operation would block"));
}

static void
on_claim_cancelled (GCancellable            *cancellable,
                    DialTlsClientConnection *self)
{
  g_mutex_lock (&self->lock);
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
}

static StepResult handshake_step (DialTlsClientConnection  *self,
                                  gboolean                  blocking,
                                  GCancellable             *cancellable,
                                  GError                  **error);

/*
 * claim_op:
 *
 * Marks @op as running, once nothing it conflicts with runs. A read or a
 * write first completes the handshake itself (the implicit handshake), in
 * its own mode: a blocking one to the end, a non-blocking one a step at a
 * time, failing with G_IO_ERROR_WOULD_BLOCK until it is done. A blocking
 * claim waits for a conflicting operation to finish; a non-blocking one
 * fails with G_IO_ERROR_WOULD_BLOCK.
 */
static gboolean
claim_op (DialTlsClientConnection  *self,
          DialTlsOp                 op,
          gboolean                  blocking,
          GCancellable             *cancellable,
          GError                  **error)
{
  g_autoptr(GPtrArray) woken = woken_sources_new ();
  gulong cancelled_id = 0;
  gboolean claimed = FALSE;

  if (blocking && cancellable != NULL)
    cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (on_claim_cancelled), self, NULL);

  g_mutex_lock (&self->lock);

  for (;;)
    {
      if (self->in_callback)
        {
          /* The application called us from accept-certificate or from the
           * interaction, inside our own handshake. */
          if (blocking)
            g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                                 GNET_("Cannot perform blocking operation during TLS handshake"));
          else
            set_would_block (error);
          break;
        }

      if ((op == DIAL_TLS_OP_READ && self->read_closed) ||
          (op == DIAL_TLS_OP_WRITE && self->write_closed))
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CLOSED,
                               GNET_("Connection is closed"));
          break;
        }

      if (op != DIAL_TLS_OP_CLOSE && self->handshake_error != NULL)
        {
          g_propagate_error (error, g_error_copy (self->handshake_error));
          break;
        }

      if ((op == DIAL_TLS_OP_READ || op == DIAL_TLS_OP_WRITE) &&
          self->handshake_state != HANDSHAKE_DONE)
        {
          if (!op_conflicts_locked (self, DIAL_TLS_OP_HANDSHAKE))
            {
              StepResult result;

              self->handshaking = TRUE;
              g_mutex_unlock (&self->lock);

              result = handshake_step (self, blocking, cancellable, error);

              g_mutex_lock (&self->lock);
              self->handshaking = FALSE;
              wake_sources_locked (self, FALSE, woken);

              if (result != STEP_DONE)
                break;
              continue;
            }
        }
      else if (!op_conflicts_locked (self, op))
        {
          set_op_flag_locked (self, op, TRUE);
          claimed = TRUE;
          break;
        }

      if (!blocking)
        {
          set_would_block (error);
          break;
        }
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        break;

      g_cond_wait (&self->cond, &self->lock);
    }

  g_mutex_unlock (&self->lock);

  if (cancelled_id != 0)
    g_cancellable_disconnect (cancellable, cancelled_id);

  return claimed;
}

static void
release_op (DialTlsClientConnection *self,
            DialTlsOp                op,
            gboolean                 wake_everyone)
{
  g_autoptr(GPtrArray) woken = woken_sources_new ();

  g_mutex_lock (&self->lock);
  set_op_flag_locked (self, op, FALSE);
  wake_sources_locked (self, wake_everyone, woken);
  g_mutex_unlock (&self->lock);
}

/* Whether a negative gnutls result only means "call again": the base stream
 * would block, or gnutls was interrupted without a reason we know of. */
static gboolean
is_retry (int          ret,
          DialTlsIoOp *op)
{
  if (ret != GNUTLS_E_AGAIN && ret != GNUTLS_E_INTERRUPTED)
    return FALSE;

  return op->error == NULL ||
         g_error_matches (op->error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
}

static GIOCondition
wanted_condition (DialTlsClientConnection *self)
{
  return gnutls_record_get_direction (self->session) == 0 ? G_IO_IN : G_IO_OUT;
}

static void
take_would_block (DialTlsIoOp  *op,
                  GError      **error)
{
  if (op->error != NULL)
    g_propagate_error (error, g_steal_pointer (&op->error));
  else
    set_would_block (error);
}

static const char *
alert_name (DialTlsClientConnection *self)
{
  return gnutls_alert_get_name (gnutls_alert_get (self->session));
}

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
static int
new_session_ticket_cb (gnutls_session_t      session,
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

/* After a successful handshake: what it negotiated, and notifications. */
static void
finish_handshake (DialTlsClientConnection *self)
{
  g_autofree char *protocol = NULL;
  gnutls_datum_t selected = { NULL, 0 };
  GTlsProtocolVersion version;
  const char *ciphersuite;
  gboolean protocol_changed, version_changed, ciphersuite_changed, cas_changed;

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

  g_mutex_lock (&self->lock);
  protocol_changed = g_strcmp0 (protocol, self->negotiated_protocol) != 0;
  if (protocol_changed)
    {
      g_free (self->negotiated_protocol);
      self->negotiated_protocol = g_steal_pointer (&protocol);
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

  wake_all (self);
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

  wake_all (self);
}

static GError *
handshake_error_from_gnutls (DialTlsClientConnection *self,
                             int                      status,
                             GError                  *transport_error)
{
  GError *error;

  error = dial_tls_error_from_gnutls (status, DIAL_TLS_ERROR_CONTEXT_HANDSHAKE,
                                      TRUE, self->require_close_notify,
                                      alert_name (self), transport_error);

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
 * handshake_step:
 *
 * Runs the handshake: to its end when @blocking, otherwise as far as the
 * base stream allows, returning STEP_WOULD_BLOCK with the direction to wait
 * for recorded. The caller holds the handshake claim. A failure is sticky.
 */
static StepResult
handshake_step (DialTlsClientConnection  *self,
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

      if (is_retry (ret, &op))
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

  if (is_retry (ret, &op))
    {
      g_mutex_lock (&self->lock);
      self->handshake_condition = wanted_condition (self);
      g_mutex_unlock (&self->lock);

      take_would_block (&op, error);
      return STEP_WOULD_BLOCK;
    }

  local_error = handshake_error_from_gnutls (self, ret, g_steal_pointer (&op.error));
  fail_handshake (self, local_error);
  g_propagate_error (error, local_error);
  return STEP_FAILED;
}

static gboolean
handshake_is_done (DialTlsClientConnection *self)
{
  gboolean done;

  g_mutex_lock (&self->lock);
  done = self->handshake_state == HANDSHAKE_DONE;
  g_mutex_unlock (&self->lock);

  return done;
}

static gboolean
dial_tls_client_connection_handshake (GTlsConnection  *connection,
                                      GCancellable    *cancellable,
                                      GError         **error)
{
  DialTlsClientConnection *self = DIAL_TLS_CLIENT_CONNECTION (connection);
  gboolean success;

  if (!claim_op (self, DIAL_TLS_OP_HANDSHAKE, TRUE, cancellable, error))
    return FALSE;

  /* A second handshake is a no-op: libdial never renegotiates. */
  success = handshake_is_done (self) ||
            handshake_step (self, TRUE, cancellable, error) == STEP_DONE;

  release_op (self, DIAL_TLS_OP_HANDSHAKE, FALSE);

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

  if (!claim_op (self, DIAL_TLS_OP_HANDSHAKE, FALSE, cancellable, &error))
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

  result = handshake_is_done (self) ? STEP_DONE : handshake_step (self, FALSE, cancellable, &error);

  release_op (self, DIAL_TLS_OP_HANDSHAKE, FALSE);

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

static void
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

static gboolean
dial_tls_client_connection_handshake_finish (GTlsConnection  *connection,
                                             GAsyncResult    *result,
                                             GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, connection), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
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
                                     self->require_close_notify, alert_name (self),
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
  g_autoptr(GPtrArray) woken = woken_sources_new ();
  DialTlsIoOp op = DIAL_TLS_IO_OP_INIT (blocking, cancellable);
  GError *local_error = NULL;
  gssize ret;

  if (!claim_op (self, DIAL_TLS_OP_READ, blocking, cancellable, error))
    return -1;

  self->transport.read_op = &op;

  for (;;)
    {
      ret = gnutls_record_recv (self->session, buffer, count);
      if (ret >= 0)
        break;

      if (is_retry (ret, &op))
        {
          if (!blocking)
            {
              take_would_block (&op, &local_error);
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
    self->read_condition = wanted_condition (self);
  self->pending_plaintext = gnutls_record_check_pending (self->session);
  /* Plaintext left in gnutls never shows on the socket: wake up every
   * source so that a reader waiting elsewhere sees it. */
  wake_sources_locked (self, self->pending_plaintext > 0, woken);
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
  g_autoptr(GPtrArray) woken = woken_sources_new ();
  DialTlsIoOp op = DIAL_TLS_IO_OP_INIT (blocking, cancellable);
  GError *local_error = NULL;
  gssize ret;

  if (!claim_op (self, DIAL_TLS_OP_WRITE, blocking, cancellable, error))
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

      if (is_retry (ret, &op) || ret == GNUTLS_E_INTERRUPTED)
        self->write_pending = TRUE;

      if (is_retry (ret, &op))
        {
          if (!blocking)
            {
              take_would_block (&op, &local_error);
              break;
            }
          g_clear_error (&op.error);
          continue;
        }

      if (op.error == NULL && !gnutls_error_is_fatal (ret))
        continue;

      local_error = dial_tls_error_from_gnutls (ret, DIAL_TLS_ERROR_CONTEXT_WRITE, FALSE,
                                                self->require_close_notify, alert_name (self),
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
    self->write_condition = wanted_condition (self);
  wake_sources_locked (self, FALSE, woken);
  g_mutex_unlock (&self->lock);

  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return -1;
    }

  return ret;
}

/* ------------------------------------------------------------------ */
/* What the substreams and sources ask                                 */

DialTlsWait
dial_tls_client_connection_get_wait (DialTlsClientConnection *self,
                                     DialTlsOp                op,
                                     gboolean                 owns_op,
                                     GSource                 *waiter,
                                     GIOCondition            *condition)
{
  DialTlsWait wait = DIAL_TLS_WAIT_NONE;
  gboolean finished;

  g_mutex_lock (&self->lock);

  finished = self->handshake_state == HANDSHAKE_DONE ||
             self->handshake_state == HANDSHAKE_FAILED;

  switch (op)
    {
    case DIAL_TLS_OP_READ:
    case DIAL_TLS_OP_WRITE:
      if ((op == DIAL_TLS_OP_READ && (self->read_closed || self->pending_plaintext > 0)) ||
          (op == DIAL_TLS_OP_WRITE && self->write_closed) ||
          self->handshake_state == HANDSHAKE_FAILED)
        wait = DIAL_TLS_WAIT_NONE;
      else if (self->handshake_state != HANDSHAKE_DONE)
        {
          /* The operation drives the handshake, in the direction the
           * handshake needs. */
          if (op_conflicts_locked (self, DIAL_TLS_OP_HANDSHAKE))
            wait = DIAL_TLS_WAIT_WAKE_UP;
          else if (self->handshake_state == HANDSHAKE_NOT_STARTED)
            wait = DIAL_TLS_WAIT_NONE;
          else
            {
              wait = DIAL_TLS_WAIT_BASE;
              *condition = self->handshake_condition;
            }
        }
      else if (op_conflicts_locked (self, op))
        wait = DIAL_TLS_WAIT_WAKE_UP;
      else
        {
          wait = DIAL_TLS_WAIT_BASE;
          *condition = op == DIAL_TLS_OP_READ ? self->read_condition : self->write_condition;
        }
      break;

    case DIAL_TLS_OP_HANDSHAKE:
      if (finished)
        wait = DIAL_TLS_WAIT_NONE;
      else if (op_conflicts_locked (self, op))
        wait = DIAL_TLS_WAIT_WAKE_UP;
      else if (self->handshake_state == HANDSHAKE_NOT_STARTED)
        wait = DIAL_TLS_WAIT_NONE;
      else
        {
          wait = DIAL_TLS_WAIT_BASE;
          *condition = self->handshake_condition;
        }
      break;

    case DIAL_TLS_OP_CLOSE:
      if (owns_op)
        {
          wait = DIAL_TLS_WAIT_BASE;
          *condition = self->close_condition;
        }
      else if (op_conflicts_locked (self, op))
        wait = DIAL_TLS_WAIT_WAKE_UP;
      else
        wait = DIAL_TLS_WAIT_NONE;
      break;

    default:
      g_assert_not_reached ();
    }

  if (wait == DIAL_TLS_WAIT_WAKE_UP && waiter != NULL &&
      !g_ptr_array_find (self->waiting, waiter, NULL))
    g_ptr_array_add (self->waiting, waiter);

  g_mutex_unlock (&self->lock);

  return wait;
}

gboolean
dial_tls_client_connection_is_ready (DialTlsClientConnection *self,
                                     DialTlsOp                op)
{
  GIOCondition condition = 0;

  switch (dial_tls_client_connection_get_wait (self, op, FALSE, NULL, &condition))
    {
    case DIAL_TLS_WAIT_NONE:
      return TRUE;
    case DIAL_TLS_WAIT_WAKE_UP:
      return FALSE;
    case DIAL_TLS_WAIT_BASE:
      if (condition == G_IO_IN)
        return g_pollable_input_stream_is_readable (self->transport.base_in);
      return g_pollable_output_stream_is_writable (self->transport.base_out);
    default:
      g_assert_not_reached ();
    }
}

gboolean
dial_tls_client_connection_has_pending (DialTlsClientConnection *self)
{
  gboolean pending;

  g_mutex_lock (&self->lock);
  pending = self->pending_plaintext > 0;
  g_mutex_unlock (&self->lock);

  return pending;
}

GPollableInputStream *
dial_tls_client_connection_get_base_input (DialTlsClientConnection *self)
{
  return self->transport.base_in;
}

GPollableOutputStream *
dial_tls_client_connection_get_base_output (DialTlsClientConnection *self)
{
  return self->transport.base_out;
}

/* ------------------------------------------------------------------ */
/* Closing                                                             */

/* Marks the sides closed; returns whether close_notify must be sent. */
static gboolean
begin_close (DialTlsClientConnection *self,
             gboolean                 read_side,
             gboolean                 write_side)
{
  gboolean send_bye = FALSE;

  g_mutex_lock (&self->lock);

  if (read_side)
    self->read_closed = TRUE;

  if (write_side)
    {
      send_bye = self->handshake_state == HANDSHAKE_DONE && !self->bye_sent && !self->write_closed;
      self->write_closed = TRUE;
    }

  /* Closing both sides ends a handshake still in progress. */
  if (read_side && write_side &&
      self->handshake_state != HANDSHAKE_DONE && self->handshake_error == NULL)
    {
      self->handshake_state = HANDSHAKE_FAILED;
      self->handshake_error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CLOSED,
                                                   GNET_("Connection is closed"));
    }

  g_mutex_unlock (&self->lock);

  return send_bye;
}

/* Sends close_notify (SHUT_WR: the peer's is not waited for). */
static StepResult
bye_step (DialTlsClientConnection  *self,
          gboolean                  blocking,
          GCancellable             *cancellable,
          GError                  **error)
{
  DialTlsIoOp op = DIAL_TLS_IO_OP_INIT (blocking, cancellable);
  GError *local_error;
  int ret;

  self->transport.write_op = &op;

  for (;;)
    {
      ret = gnutls_bye (self->session, GNUTLS_SHUT_WR);
      if (ret == GNUTLS_E_SUCCESS || !is_retry (ret, &op) || !blocking)
        break;
      g_clear_error (&op.error);
    }

  self->transport.write_op = NULL;

  if (ret == GNUTLS_E_SUCCESS)
    {
      self->bye_sent = TRUE;
      return STEP_DONE;
    }

  if (is_retry (ret, &op))
    {
      g_mutex_lock (&self->lock);
      self->close_condition = wanted_condition (self);
      g_mutex_unlock (&self->lock);

      take_would_block (&op, error);
      return STEP_WOULD_BLOCK;
    }

  self->bye_sent = TRUE;   /* not again */
  local_error = dial_tls_error_from_gnutls (ret, DIAL_TLS_ERROR_CONTEXT_CLOSE, FALSE,
                                            self->require_close_notify, alert_name (self),
                                            g_steal_pointer (&op.error));
  if (local_error == NULL)
    return STEP_DONE;

  g_propagate_error (error, local_error);
  return STEP_FAILED;
}

static gboolean
close_base (DialTlsClientConnection  *self,
            gboolean                  read_side,
            gboolean                  write_side,
            GCancellable             *cancellable,
            GError                  **error)
{
  if (self->base_io_stream == NULL)
    return TRUE;   /* init failed, or disposed: the base stream is not ours */
  if (read_side && write_side)
    return g_io_stream_close (self->base_io_stream, cancellable, error);
  if (write_side)
    return g_output_stream_close (G_OUTPUT_STREAM (self->transport.base_out), cancellable, error);
  return g_input_stream_close (G_INPUT_STREAM (self->transport.base_in), cancellable, error);
}

gboolean
dial_tls_client_connection_close_sides (DialTlsClientConnection  *self,
                                        gboolean                  read_side,
                                        gboolean                  write_side,
                                        GCancellable             *cancellable,
                                        GError                  **error)
{
  g_autoptr(GError) bye_error = NULL;
  g_autoptr(GError) base_error = NULL;

  if (!claim_op (self, DIAL_TLS_OP_CLOSE, TRUE, cancellable, error))
    return FALSE;

  if (begin_close (self, read_side, write_side))
    bye_step (self, TRUE, cancellable, &bye_error);

  close_base (self, read_side, write_side, cancellable, &base_error);

  release_op (self, DIAL_TLS_OP_CLOSE, TRUE);

  /* The close_notify failure says more than the base stream's. */
  if (bye_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&bye_error));
      return FALSE;
    }
  if (base_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&base_error));
      return FALSE;
    }

  return TRUE;
}

typedef struct {
  gboolean  read_side;
  gboolean  write_side;
  gboolean  claimed;
  gboolean  send_bye;
  GError   *bye_error;
} CloseData;

static void
close_data_free (CloseData *data)
{
  g_clear_error (&data->bye_error);
  g_free (data);
}

static void close_attempt (GTask *task);

static gboolean
on_close_source (GObject  *pollable,
                 gpointer  user_data)
{
  close_attempt (G_TASK (user_data));
  return G_SOURCE_REMOVE;
}

static void
close_wait (GTask    *task,
            gboolean  owns_op)
{
  DialTlsClientConnection *self = g_task_get_source_object (task);
  g_autoptr(GSource) source = NULL;

  source = dial_tls_source_new (G_TLS_CONNECTION (self), DIAL_TLS_OP_CLOSE, owns_op,
                                G_OBJECT (self), g_task_get_cancellable (task));
  g_task_attach_source (task, source, (GSourceFunc) on_close_source);
}

static void
on_base_closed (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  DialTlsClientConnection *self = g_task_get_source_object (task);
  CloseData *data = g_task_get_task_data (task);
  GError *error = NULL;
  gboolean closed;

  if (G_IS_IO_STREAM (object))
    closed = g_io_stream_close_finish (G_IO_STREAM (object), result, &error);
  else if (G_IS_OUTPUT_STREAM (object))
    closed = g_output_stream_close_finish (G_OUTPUT_STREAM (object), result, &error);
  else
    closed = g_input_stream_close_finish (G_INPUT_STREAM (object), result, &error);

  release_op (self, DIAL_TLS_OP_CLOSE, TRUE);

  if (data->bye_error != NULL)
    {
      g_clear_error (&error);
      g_task_return_error (task, g_steal_pointer (&data->bye_error));
    }
  else if (!closed)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
close_attempt (GTask *task)
{
  DialTlsClientConnection *self = g_task_get_source_object (task);
  CloseData *data = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  int io_priority = g_task_get_priority (task);
  GError *error = NULL;

  if (!data->claimed)
    {
      if (!claim_op (self, DIAL_TLS_OP_CLOSE, FALSE, cancellable, &error))
        {
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            {
              g_error_free (error);
              close_wait (task, FALSE);
            }
          else
            {
              g_task_return_error (task, error);
            }
          return;
        }

      data->claimed = TRUE;
      data->send_bye = begin_close (self, data->read_side, data->write_side);
    }

  if (data->send_bye)
    {
      switch (bye_step (self, FALSE, cancellable, &error))
        {
        case STEP_WOULD_BLOCK:
          g_error_free (error);
          close_wait (task, TRUE);
          return;
        case STEP_FAILED:
          data->bye_error = error;
          break;
        case STEP_DONE:
        default:
          break;
        }
      data->send_bye = FALSE;
    }

  if (data->read_side && data->write_side)
    g_io_stream_close_async (self->base_io_stream, io_priority, cancellable,
                             on_base_closed, g_object_ref (task));
  else if (data->write_side)
    g_output_stream_close_async (G_OUTPUT_STREAM (self->transport.base_out), io_priority,
                                 cancellable, on_base_closed, g_object_ref (task));
  else
    g_input_stream_close_async (G_INPUT_STREAM (self->transport.base_in), io_priority,
                                cancellable, on_base_closed, g_object_ref (task));
}

void
dial_tls_client_connection_close_sides_async (DialTlsClientConnection *self,
                                              gboolean                 read_side,
                                              gboolean                 write_side,
                                              int                      io_priority,
                                              GCancellable            *cancellable,
                                              GAsyncReadyCallback      callback,
                                              gpointer                 user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  CloseData *data = g_new0 (CloseData, 1);

  data->read_side = read_side;
  data->write_side = write_side;
  g_task_set_source_tag (task, dial_tls_client_connection_close_sides_async);
  g_task_set_priority (task, io_priority);
  g_task_set_task_data (task, data, (GDestroyNotify) close_data_free);

  close_attempt (task);
}

gboolean
dial_tls_client_connection_close_sides_finish (DialTlsClientConnection  *self,
                                               GAsyncResult             *result,
                                               GError                  **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
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

  if (!handshake_is_done (self))
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
                                      GNUTLS_HOOK_POST, new_session_ticket_cb);
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
      if (begin_close (self, FALSE, TRUE))
        bye_step (self, FALSE, NULL, NULL);
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
