/* dial-tls-close.c: closing one side of the connection or both, blocking
 * and async
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Closing the write side sends close_notify once the handshake is done
 * (without waiting for the peer's), then closes the base stream's side.
 * Closing both sides ends a handshake still in progress.
 */

#include "config.h"

#include <gnutls/gnutls.h>

#include "dial-tls-client-connection-private.h"
#include "dial-tls-errors-private.h"

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
      if (ret == GNUTLS_E_SUCCESS || !dial_tls_client_connection_is_retry (ret, &op) || !blocking)
        break;
      g_clear_error (&op.error);
    }

  self->transport.write_op = NULL;

  if (ret == GNUTLS_E_SUCCESS)
    {
      self->bye_sent = TRUE;
      return STEP_DONE;
    }

  if (dial_tls_client_connection_is_retry (ret, &op))
    {
      g_mutex_lock (&self->lock);
      self->close_condition = dial_tls_client_connection_wanted_condition (self);
      g_mutex_unlock (&self->lock);

      dial_tls_client_connection_take_would_block (&op, error);
      return STEP_WOULD_BLOCK;
    }

  self->bye_sent = TRUE;   /* not again */
  local_error = dial_tls_error_from_gnutls (ret, DIAL_TLS_ERROR_CONTEXT_CLOSE, FALSE,
                                            self->require_close_notify,
                                            dial_tls_client_connection_alert_name (self),
                                            g_steal_pointer (&op.error));
  if (local_error == NULL)
    return STEP_DONE;

  g_propagate_error (error, local_error);
  return STEP_FAILED;
}

/*
 * dial_tls_client_connection_try_bye:
 *
 * Closes the write side and makes one non-blocking attempt at sending
 * close_notify, for dispose: GIOStream's dispose closes the stream, which
 * must not block inside an unref.
 */
void
dial_tls_client_connection_try_bye (DialTlsClientConnection *self)
{
  if (begin_close (self, FALSE, TRUE))
    bye_step (self, FALSE, NULL, NULL);
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

  if (!dial_tls_client_connection_claim_op (self, DIAL_TLS_OP_CLOSE, TRUE, cancellable, error))
    return FALSE;

  if (begin_close (self, read_side, write_side))
    bye_step (self, TRUE, cancellable, &bye_error);

  close_base (self, read_side, write_side, cancellable, &base_error);

  dial_tls_client_connection_release_op (self, DIAL_TLS_OP_CLOSE, TRUE);

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

  dial_tls_client_connection_release_op (self, DIAL_TLS_OP_CLOSE, TRUE);

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
      if (!dial_tls_client_connection_claim_op (self, DIAL_TLS_OP_CLOSE, FALSE,
                                                cancellable, &error))
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
