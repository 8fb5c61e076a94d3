/* dial-relay.c: standard input and output over the connection
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Two loops on the main context, as nc and openssl s_client do it:
 * standard input to the connection, and the connection to standard
 * output. Standard input is a GUnixInputStream, a GPollableInputStream
 * when the descriptor can be polled (a terminal, a pipe, a socket), so
 * its asynchronous reads wait on the main loop; a regular file is read
 * the ordinary way.
 *
 * The end of standard input half-closes the connection: shutdown(SHUT_WR)
 * on the socket, or, when TLS runs over it, closing the output stream,
 * which sends close_notify. The relay ends when the peer closes its side
 * (or on an error, or on dial_cmd_relay_stop()): once nothing is pending
 * any more, the connection is closed and the done callback runs.
 */

#include "dial-relay.h"

#include <gio/gunixinputstream.h>
#include <gio/gunixoutputstream.h>

#define CHUNK (64 * 1024)

struct _DialCmdRelay
{
  GSocketConnection *connection;
  GInputStream      *input;      /* standard input */
  GOutputStream     *output;     /* standard output */
  GCancellable      *cancellable;
  DialCmdTrace      *trace;
  DialCmdRelayDone   done;
  gpointer           user_data;

  GBytes            *up_chunk;
  GBytes            *down_chunk;
  guint64            sent;
  guint64            received;
  guint              n_pending;
  gboolean           finishing;
  gboolean           closing;
  GError            *error;
};

static void read_input (DialCmdRelay *self);
static void read_connection (DialCmdRelay *self);

static void
connection_closed_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  DialCmdRelay *self = user_data;
  g_autoptr(GError) error = NULL;
  DialCmdRecord *record;

  /* A close that fails (the peer is gone) changes nothing here. */
  g_io_stream_close_finish (G_IO_STREAM (object), result, &error);

  record = dial_cmd_trace_record_new (self->trace, "closed");
  dial_cmd_record_int (record, "bytes_sent", (gint64) self->sent);
  dial_cmd_record_int (record, "bytes_received", (gint64) self->received);
  dial_cmd_record_string (record, "error", self->error != NULL ? self->error->message : NULL);
  dial_cmd_record_text (record, "sent %" G_GUINT64_FORMAT " bytes, received %" G_GUINT64_FORMAT
                        " bytes%s%s", self->sent, self->received,
                        self->error != NULL ? "; " : "",
                        self->error != NULL ? self->error->message : "");
  dial_cmd_record_summary (record);
  dial_cmd_trace_emit (self->trace, record);

  self->done (self->error, self->user_data);
}

/* Closes the connection once nothing is pending on it. */
static void
maybe_close (DialCmdRelay *self)
{
  if (!self->finishing || self->n_pending > 0 || self->closing)
    return;

  self->closing = TRUE;
  g_io_stream_close_async (G_IO_STREAM (self->connection), G_PRIORITY_DEFAULT, NULL,
                           connection_closed_cb, self);
}

/* Ends the relay, with @error (taken) if it failed. */
static void
finish (DialCmdRelay *self,
        GError       *error)
{
  if (self->finishing)
    {
      g_clear_error (&error);
      return;
    }

  self->finishing = TRUE;
  self->error = error;
  g_cancellable_cancel (self->cancellable);
  maybe_close (self);
}

/* Whether TLS runs somewhere under @stream. */
static gboolean
has_tls (GIOStream *stream)
{
  for (guint depth = 0; stream != NULL && depth < 8; depth++)
    {
      g_autoptr(GIOStream) base = NULL;

      if (G_IS_TLS_CONNECTION (stream))
        return TRUE;

      if (G_IS_TCP_WRAPPER_CONNECTION (stream))
        base = g_object_ref (g_tcp_wrapper_connection_get_base_io_stream (G_TCP_WRAPPER_CONNECTION (stream)));
      else if (g_object_class_find_property (G_OBJECT_GET_CLASS (stream), "base-io-stream"))
        g_object_get (stream, "base-io-stream", &base, NULL);

      stream = base;  /* @stream's reference keeps it alive */
    }

  return FALSE;
}

static void
output_closed_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  DialCmdRelay *self = user_data;
  GError *error = NULL;

  self->n_pending--;
  if (!g_output_stream_close_finish (G_OUTPUT_STREAM (object), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      finish (self, error);
      return;
    }

  g_clear_error (&error);
  maybe_close (self);
}

/* Standard input ended: tell the peer, and keep reading its side. */
static void
half_close (DialCmdRelay *self)
{
  DialCmdRecord *record = dial_cmd_trace_record_new (self->trace, "stdin-eof");
  gboolean tls = has_tls (G_IO_STREAM (self->connection));
  GError *error = NULL;

  dial_cmd_record_int (record, "bytes_sent", (gint64) self->sent);
  dial_cmd_record_string (record, "half_close", tls ? "close_notify" : "shutdown");
  dial_cmd_record_text (record, "sent %" G_GUINT64_FORMAT " bytes; %s", self->sent,
                        tls ? "closing the sending side (TLS close_notify)"
                            : "shutting down the sending side");
  dial_cmd_trace_emit (self->trace, record);

  if (tls)
    {
      GOutputStream *output = g_io_stream_get_output_stream (G_IO_STREAM (self->connection));

      self->n_pending++;
      g_output_stream_close_async (output, G_PRIORITY_DEFAULT, self->cancellable,
                                   output_closed_cb, self);
      return;
    }

  if (!g_socket_shutdown (g_socket_connection_get_socket (self->connection), FALSE, TRUE, &error))
    finish (self, error);
}

/* ---- standard input to the connection ------------------------------------- */

static void
sent_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  DialCmdRelay *self = user_data;
  GError *error = NULL;
  gsize written = 0;

  self->n_pending--;
  g_clear_pointer (&self->up_chunk, g_bytes_unref);
  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (object), result, &written, &error))
    {
      self->sent += written;
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_error_free (error);
          maybe_close (self);
        }
      else
        {
          g_prefix_error (&error, "Could not send: ");
          finish (self, error);
        }
      return;
    }

  self->sent += written;
  if (self->finishing)
    maybe_close (self);
  else
    read_input (self);
}

static void
input_read_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  DialCmdRelay *self = user_data;
  GError *error = NULL;
  GBytes *chunk;

  self->n_pending--;
  chunk = g_input_stream_read_bytes_finish (G_INPUT_STREAM (object), result, &error);
  if (chunk == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_error_free (error);
          maybe_close (self);
        }
      else
        {
          g_prefix_error (&error, "Could not read standard input: ");
          finish (self, error);
        }
      return;
    }

  if (self->finishing)
    {
      g_bytes_unref (chunk);
      maybe_close (self);
      return;
    }

  if (g_bytes_get_size (chunk) == 0)
    {
      g_bytes_unref (chunk);
      half_close (self);
      return;
    }

  self->up_chunk = chunk;
  self->n_pending++;
  g_output_stream_write_all_async (g_io_stream_get_output_stream (G_IO_STREAM (self->connection)),
                                   g_bytes_get_data (chunk, NULL), g_bytes_get_size (chunk),
                                   G_PRIORITY_DEFAULT, self->cancellable, sent_cb, self);
}

static void
read_input (DialCmdRelay *self)
{
  self->n_pending++;
  g_input_stream_read_bytes_async (self->input, CHUNK, G_PRIORITY_DEFAULT, self->cancellable,
                                   input_read_cb, self);
}

/* ---- the connection to standard output ------------------------------------ */

static void
written_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  DialCmdRelay *self = user_data;
  GError *error = NULL;

  self->n_pending--;
  g_clear_pointer (&self->down_chunk, g_bytes_unref);
  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (object), result, NULL, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_error_free (error);
          maybe_close (self);
        }
      else
        {
          g_prefix_error (&error, "Could not write standard output: ");
          finish (self, error);
        }
      return;
    }

  if (self->finishing)
    maybe_close (self);
  else
    read_connection (self);
}

static void
connection_read_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  DialCmdRelay *self = user_data;
  GError *error = NULL;
  GBytes *chunk;

  self->n_pending--;
  chunk = g_input_stream_read_bytes_finish (G_INPUT_STREAM (object), result, &error);
  if (chunk == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_error_free (error);
          maybe_close (self);
        }
      else
        {
          g_prefix_error (&error, "Could not receive: ");
          finish (self, error);
        }
      return;
    }

  if (g_bytes_get_size (chunk) == 0)
    {
      DialCmdRecord *record = dial_cmd_trace_record_new (self->trace, "peer-closed");

      g_bytes_unref (chunk);
      dial_cmd_record_int (record, "bytes_received", (gint64) self->received);
      dial_cmd_record_text (record, "received %" G_GUINT64_FORMAT " bytes", self->received);
      dial_cmd_trace_emit (self->trace, record);
      finish (self, NULL);
      return;
    }

  if (self->finishing)
    {
      g_bytes_unref (chunk);
      maybe_close (self);
      return;
    }

  self->received += g_bytes_get_size (chunk);
  self->down_chunk = chunk;
  self->n_pending++;
  g_output_stream_write_all_async (self->output, g_bytes_get_data (chunk, NULL),
                                   g_bytes_get_size (chunk), G_PRIORITY_DEFAULT,
                                   self->cancellable, written_cb, self);
}

static void
read_connection (DialCmdRelay *self)
{
  self->n_pending++;
  g_input_stream_read_bytes_async (g_io_stream_get_input_stream (G_IO_STREAM (self->connection)),
                                   CHUNK, G_PRIORITY_DEFAULT, self->cancellable,
                                   connection_read_cb, self);
}

/* ---- the relay ------------------------------------------------------------ */

/* Starts relaying; @done runs once, on the main context, when the relay
 * is over and the connection closed. */
DialCmdRelay *
dial_cmd_relay_start (GSocketConnection *connection,
                      int                input_fd,
                      int                output_fd,
                      DialCmdTrace      *trace,
                      DialCmdRelayDone   done,
                      gpointer           user_data)
{
  DialCmdRelay *self = g_new0 (DialCmdRelay, 1);

  self->connection = g_object_ref (connection);
  self->input = g_unix_input_stream_new (input_fd, FALSE);
  self->output = g_unix_output_stream_new (output_fd, FALSE);
  self->cancellable = g_cancellable_new ();
  self->trace = trace;
  self->done = done;
  self->user_data = user_data;

  read_connection (self);
  read_input (self);
  return self;
}

/* Ends the relay early (a signal): the connection is closed as usual. */
void
dial_cmd_relay_stop (DialCmdRelay *self)
{
  finish (self, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "Interrupted"));
}

void
dial_cmd_relay_free (DialCmdRelay *self)
{
  g_clear_pointer (&self->up_chunk, g_bytes_unref);
  g_clear_pointer (&self->down_chunk, g_bytes_unref);
  g_clear_error (&self->error);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->output);
  g_clear_object (&self->input);
  g_clear_object (&self->connection);
  g_free (self);
}
