/* dial-tls-ops.c: claiming the connection for an operation, and the
 * sources that wait for one
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every operation (a handshake step, a read, a write, a close) first
 * claims the connection under its lock, and releases it afterwards, waking
 * the sources that waited for it. A non-blocking operation that cannot go
 * on reports G_IO_ERROR_WOULD_BLOCK and records which way the base stream
 * must become ready; the sources read that back to know what to wait for.
 */

#include "config.h"

#include <gnutls/gnutls.h>

#include "dial-tls-client-connection-private.h"
#include "dial-tls-errors-private.h"

/* ------------------------------------------------------------------ */
/* Waking up sources                                                   */

/* Called with @lock held. The woken sources are referenced into @woken,
 * which the caller frees after dropping the lock: the last unref of a
 * source runs its dispose function, which takes the lock. */
void
dial_tls_client_connection_wake_sources_locked (DialTlsClientConnection *self,
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

GPtrArray *
dial_tls_client_connection_woken_sources_new (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) g_source_unref);
}

void
dial_tls_client_connection_wake_all (DialTlsClientConnection *self)
{
  g_autoptr(GPtrArray) woken = dial_tls_client_connection_woken_sources_new ();

  g_mutex_lock (&self->lock);
  dial_tls_client_connection_wake_sources_locked (self, TRUE, woken);
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

/*
 * dial_tls_client_connection_claim_op:
 *
 * Marks @op as running, once nothing it conflicts with runs. A read or a
 * write first completes the handshake itself (the implicit handshake), in
 * its own mode: a blocking one to the end, a non-blocking one a step at a
 * time, failing with G_IO_ERROR_WOULD_BLOCK until it is done. A blocking
 * claim waits for a conflicting operation to finish; a non-blocking one
 * fails with G_IO_ERROR_WOULD_BLOCK.
 */
gboolean
dial_tls_client_connection_claim_op (DialTlsClientConnection  *self,
                                     DialTlsOp                 op,
                                     gboolean                  blocking,
                                     GCancellable             *cancellable,
                                     GError                  **error)
{
  g_autoptr(GPtrArray) woken = dial_tls_client_connection_woken_sources_new ();
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

              result = dial_tls_client_connection_handshake_step (self, blocking,
                                                                  cancellable, error);

              g_mutex_lock (&self->lock);
              self->handshaking = FALSE;
              dial_tls_client_connection_wake_sources_locked (self, FALSE, woken);

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

void
dial_tls_client_connection_release_op (DialTlsClientConnection *self,
                                       DialTlsOp                op,
                                       gboolean                 wake_everyone)
{
  g_autoptr(GPtrArray) woken = dial_tls_client_connection_woken_sources_new ();

  g_mutex_lock (&self->lock);
  set_op_flag_locked (self, op, FALSE);
  dial_tls_client_connection_wake_sources_locked (self, wake_everyone, woken);
  g_mutex_unlock (&self->lock);
}

/* Whether a negative gnutls result only means "call again": the base stream
 * would block, or gnutls was interrupted without a reason we know of. */
gboolean
dial_tls_client_connection_is_retry (int          ret,
                                     DialTlsIoOp *op)
{
  if (ret != GNUTLS_E_AGAIN && ret != GNUTLS_E_INTERRUPTED)
    return FALSE;

  return op->error == NULL ||
         g_error_matches (op->error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
}

GIOCondition
dial_tls_client_connection_wanted_condition (DialTlsClientConnection *self)
{
  return gnutls_record_get_direction (self->session) == 0 ? G_IO_IN : G_IO_OUT;
}

void
dial_tls_client_connection_take_would_block (DialTlsIoOp  *op,
                                             GError      **error)
{
  if (op->error != NULL)
    g_propagate_error (error, g_steal_pointer (&op->error));
  else
    set_would_block (error);
}

const char *
dial_tls_client_connection_alert_name (DialTlsClientConnection *self)
{
  return gnutls_alert_get_name (gnutls_alert_get (self->session));
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
