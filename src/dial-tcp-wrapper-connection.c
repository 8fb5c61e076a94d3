/* dial-tcp-wrapper-connection.c
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "dial-tcp-wrapper-connection.h"

/*
 * DialTcpWrapperConnection:
 *
 * What a connect returns when the last stage produced a stream that is not
 * a socket connection: a TLS connection, or what an HTTPS proxy returned.
 * It is a GTcpWrapperConnection, as GIO returns, with one difference:
 * closing it closes the base stream before the socket. GIO's wrapper
 * closes only the socket, so a TLS connection never sends close_notify and
 * the peer cannot tell a clean end from a truncation. Here the TLS layer
 * gets to say goodbye first.
 */
struct _DialTcpWrapperConnection
{
  GTcpWrapperConnection parent_instance;
};

G_DEFINE_FINAL_TYPE (DialTcpWrapperConnection, dial_tcp_wrapper_connection,
                     G_TYPE_TCP_WRAPPER_CONNECTION)

static GIOStream *
get_base (GIOStream *stream)
{
  return g_tcp_wrapper_connection_get_base_io_stream (G_TCP_WRAPPER_CONNECTION (stream));
}

static gboolean
dial_tcp_wrapper_connection_close (GIOStream     *stream,
                                   GCancellable  *cancellable,
                                   GError       **error)
{
  g_autoptr(GError) base_error = NULL;
  gboolean socket_closed;

  g_io_stream_close (get_base (stream), cancellable, &base_error);

  /* The socket is closed whatever the base stream said, so that no fd is
   * left behind; closing an already closed GSocket is harmless. */
  socket_closed = G_IO_STREAM_CLASS (dial_tcp_wrapper_connection_parent_class)->close_fn (stream, cancellable, error);

  if (base_error != NULL && socket_closed)
    {
      g_propagate_error (error, g_steal_pointer (&base_error));
      return FALSE;
    }

  return socket_closed;
}

static void
base_closed_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GIOStream *self = g_task_get_source_object (task);
  GSocket *socket = g_socket_connection_get_socket (G_SOCKET_CONNECTION (self));
  g_autoptr(GError) base_error = NULL;
  GError *error = NULL;

  g_io_stream_close_finish (G_IO_STREAM (object), result, &base_error);

  if (!g_socket_close (socket, &error))
    g_task_return_error (task, error);
  else if (base_error != NULL)
    g_task_return_error (task, g_steal_pointer (&base_error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
dial_tcp_wrapper_connection_close_async (GIOStream           *stream,
                                         int                  io_priority,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  GTask *task;

  task = g_task_new (stream, cancellable, callback, user_data);
  g_task_set_source_tag (task, dial_tcp_wrapper_connection_close_async);
  g_task_set_priority (task, io_priority);

  g_io_stream_close_async (get_base (stream), io_priority, cancellable,
                           base_closed_cb, task);
}

static gboolean
dial_tcp_wrapper_connection_close_finish (GIOStream     *stream,
                                          GAsyncResult  *result,
                                          GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
dial_tcp_wrapper_connection_class_init (DialTcpWrapperConnectionClass *klass)
{
  GIOStreamClass *stream_class = G_IO_STREAM_CLASS (klass);

  stream_class->close_fn = dial_tcp_wrapper_connection_close;
  stream_class->close_async = dial_tcp_wrapper_connection_close_async;
  stream_class->close_finish = dial_tcp_wrapper_connection_close_finish;
}

static void
dial_tcp_wrapper_connection_init (DialTcpWrapperConnection *self)
{
}

/*
 * dial_tcp_wrapper_connection_new:
 * @base_io_stream: (transfer none): the stream reads and writes go to
 * @socket: the socket underneath it
 *
 * Returns: (transfer full): the wrapper
 */
GSocketConnection *
dial_tcp_wrapper_connection_new (GIOStream *base_io_stream,
                                 GSocket   *socket)
{
  g_return_val_if_fail (G_IS_IO_STREAM (base_io_stream), NULL);
  g_return_val_if_fail (G_IS_SOCKET (socket), NULL);

  return g_object_new (DIAL_TYPE_TCP_WRAPPER_CONNECTION,
                       "base-io-stream", base_io_stream,
                       "socket", socket,
                       NULL);
}
