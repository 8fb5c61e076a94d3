/* dial-tls-io.c: the gnutls transport, the TLS substreams and their
 * pollable source
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * gnutls runs on whichever thread calls the connection. Each operation
 * says whether the base stream may block; the transport reads and writes
 * the pollable base streams accordingly and keeps the GError that gnutls
 * cannot carry. The substreams are pollable, so GIO's own async helpers
 * and GDataInputStream work on them without threads.
 */

#include "config.h"

#include <errno.h>

#include "dial-tls-client-connection-private.h"
#include "dial-tls-errors-private.h"
#include "dial-tls-io-private.h"

/* ------------------------------------------------------------------ */
/* The transport                                                       */

/* Operations without settings (there should be none) neither block nor
 * keep their error. */
static DialTlsIoOp *
current_op (DialTlsIoOp *preferred,
            DialTlsIoOp *fallback,
            DialTlsIoOp *scratch)
{
  if (preferred != NULL)
    return preferred;
  if (fallback != NULL)
    return fallback;
  return scratch;
}

static void
save_error (DialTlsTransport *transport,
            DialTlsIoOp      *op,
            GError           *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
    gnutls_transport_set_errno (transport->session, EAGAIN);
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
           g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    gnutls_transport_set_errno (transport->session, EINTR);
  else
    gnutls_transport_set_errno (transport->session, EIO);

  /* The first real failure wins; "would block" only marks a pause. */
  if (op->error == NULL ||
      g_error_matches (op->error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
    {
      g_clear_error (&op->error);
      op->error = error;
    }
  else
    {
      g_error_free (error);
    }
}

static ssize_t
transport_push (gnutls_transport_ptr_t  ptr,
                const void             *data,
                size_t                  size)
{
  DialTlsTransport *transport = ptr;
  DialTlsIoOp scratch = DIAL_TLS_IO_OP_INIT (FALSE, NULL);
  DialTlsIoOp *op = current_op (transport->write_op, transport->read_op, &scratch);
  GError *error = NULL;
  gssize written;

  written = g_pollable_stream_write (G_OUTPUT_STREAM (transport->base_out), data, size,
                                     op->blocking, op->cancellable, &error);
  if (written < 0)
    {
      save_error (transport, op, error);
      g_clear_error (&scratch.error);
      return -1;
    }

  return written;
}

static ssize_t
transport_pull (gnutls_transport_ptr_t  ptr,
                void                   *data,
                size_t                  size)
{
  DialTlsTransport *transport = ptr;
  DialTlsIoOp scratch = DIAL_TLS_IO_OP_INIT (FALSE, NULL);
  DialTlsIoOp *op = current_op (transport->read_op, NULL, &scratch);
  GError *error = NULL;
  gssize n_read;

  n_read = g_pollable_stream_read (G_INPUT_STREAM (transport->base_in), data, size,
                                   op->blocking, op->cancellable, &error);
  if (n_read < 0)
    {
      save_error (transport, op, error);
      g_clear_error (&scratch.error);
      return -1;
    }

  return n_read;
}

static gboolean
on_wait_over (GObject  *pollable,
              gpointer  user_data)
{
  gboolean *done = user_data;

  *done = TRUE;
  return G_SOURCE_REMOVE;
}

static gboolean
on_wait_timeout (gpointer user_data)
{
  gboolean *done = user_data;

  *done = TRUE;
  return G_SOURCE_REMOVE;
}

/* gnutls asks whether data arrives within @ms milliseconds. Only a blocking
 * operation may wait; a non-blocking one answers at once. */
static int
transport_pull_timeout (gnutls_transport_ptr_t ptr,
                        unsigned int           ms)
{
  DialTlsTransport *transport = ptr;
  DialTlsIoOp *op = transport->read_op;
  g_autoptr(GMainContext) context = NULL;
  g_autoptr(GSource) readable = NULL;
  g_autoptr(GSource) timeout = NULL;
  gboolean readable_seen = FALSE;
  gboolean timed_out = FALSE;

  if (g_pollable_input_stream_is_readable (transport->base_in))
    return 1;
  if (ms == 0 || op == NULL || !op->blocking)
    return 0;
  if (g_cancellable_is_cancelled (op->cancellable))
    return 1;   /* the read that follows reports the cancellation */

  context = g_main_context_new ();
  readable = g_pollable_input_stream_create_source (transport->base_in, op->cancellable);
  g_source_set_callback (readable, (GSourceFunc) on_wait_over, &readable_seen, NULL);
  g_source_attach (readable, context);

  if (ms != GNUTLS_INDEFINITE_TIMEOUT)
    {
      timeout = g_timeout_source_new (ms);
      g_source_set_callback (timeout, on_wait_timeout, &timed_out, NULL);
      g_source_attach (timeout, context);
    }

  while (!readable_seen && !timed_out)
    g_main_context_iteration (context, TRUE);

  g_source_destroy (readable);
  if (timeout != NULL)
    g_source_destroy (timeout);

  return readable_seen ? 1 : 0;
}

/*
 * dial_tls_transport_init:
 * @transport: the transport to set up
 * @base_io_stream: the stream TLS runs over
 * @error: a location for a #GError
 *
 * Checks that both directions of @base_io_stream are pollable, which the
 * non-blocking operations need, and keeps them.
 *
 * Returns: %TRUE on success
 */
gboolean
dial_tls_transport_init (DialTlsTransport  *transport,
                         GIOStream         *base_io_stream,
                         GError           **error)
{
  GInputStream *in = g_io_stream_get_input_stream (base_io_stream);
  GOutputStream *out = g_io_stream_get_output_stream (base_io_stream);

  if (!G_IS_POLLABLE_INPUT_STREAM (in) ||
      !g_pollable_input_stream_can_poll (G_POLLABLE_INPUT_STREAM (in)) ||
      !G_IS_POLLABLE_OUTPUT_STREAM (out) ||
      !g_pollable_output_stream_can_poll (G_POLLABLE_OUTPUT_STREAM (out)))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                           "The base stream of a TLS connection must be pollable");
      return FALSE;
    }

  transport->base_in = g_object_ref (G_POLLABLE_INPUT_STREAM (in));
  transport->base_out = g_object_ref (G_POLLABLE_OUTPUT_STREAM (out));
  transport->read_op = NULL;
  transport->write_op = NULL;
  return TRUE;
}

/*
 * dial_tls_transport_attach:
 * @transport: an initialised transport, which must not move while
 *   @session uses it
 * @session: the session that reads and writes through it
 *
 * Installs the push, pull and pull-timeout functions on @session.
 */
void
dial_tls_transport_attach (DialTlsTransport *transport,
                           gnutls_session_t  session)
{
  transport->session = session;
  gnutls_transport_set_ptr (session, transport);
  gnutls_transport_set_push_function (session, transport_push);
  gnutls_transport_set_pull_function (session, transport_pull);
  gnutls_transport_set_pull_timeout_function (session, transport_pull_timeout);
}

/*
 * dial_tls_transport_clear:
 * @transport: a transport
 *
 * Drops the base streams. The session must not use @transport afterwards.
 */
void
dial_tls_transport_clear (DialTlsTransport *transport)
{
  g_clear_object (&transport->base_in);
  g_clear_object (&transport->base_out);
  transport->read_op = NULL;
  transport->write_op = NULL;
}

/* ------------------------------------------------------------------ */
/* The pollable source                                                 */

/* A source for one kind of operation on the connection. Its one child is
 * the base stream's source in the direction gnutls needs, or nothing while
 * another operation holds the connection (the connection then wakes it up
 * by setting its ready time). It re-reads the connection's state after
 * every dispatch, so a long-lived source follows the handshake. */
typedef struct {
  GSource                  source;
  DialTlsClientConnection *connection;
  DialTlsOp                op;
  gboolean                 owns_op;
  GObject                  *pollable;
  GSource                  *child;
  GIOCondition              child_condition;
} DialTlsSource;

static void
tls_source_set_child (DialTlsSource *self,
                      GSource       *child,
                      GIOCondition   condition)
{
  if (self->child != NULL)
    {
      g_source_remove_child_source (&self->source, self->child);
      g_clear_pointer (&self->child, g_source_unref);
    }

  if (child != NULL)
    {
      /* The base stream's source dispatches itself too (a GSocket source
       * records its time-out there), so it needs a callback. */
      g_source_set_dummy_callback (child);
      g_source_add_child_source (&self->source, child);
      self->child = child;
    }
  self->child_condition = condition;
}

static void
tls_source_sync (DialTlsSource *self)
{
  GIOCondition condition = 0;
  DialTlsWait wait;

  wait = dial_tls_client_connection_get_wait (self->connection, self->op, self->owns_op,
                                              &self->source, &condition);
  switch (wait)
    {
    case DIAL_TLS_WAIT_NONE:
      tls_source_set_child (self, NULL, 0);
      g_source_set_ready_time (&self->source, 0);
      break;

    case DIAL_TLS_WAIT_BASE:
      g_source_set_ready_time (&self->source, -1);
      if (self->child == NULL || self->child_condition != condition)
        {
          GSource *child;

          if (condition == G_IO_IN)
            child = g_pollable_input_stream_create_source (
                dial_tls_client_connection_get_base_input (self->connection), NULL);
          else
            child = g_pollable_output_stream_create_source (
                dial_tls_client_connection_get_base_output (self->connection), NULL);
          tls_source_set_child (self, child, condition);
        }
      break;

    case DIAL_TLS_WAIT_WAKE_UP:
      g_source_set_ready_time (&self->source, -1);
      tls_source_set_child (self, NULL, 0);
      break;

    default:
      g_assert_not_reached ();
    }
}

static gboolean
tls_source_prepare (GSource *source,
                    int     *timeout)
{
  DialTlsSource *self = (DialTlsSource *) source;

  *timeout = -1;

  /* Plaintext that gnutls already decrypted never shows on the socket. */
  return self->op == DIAL_TLS_OP_READ &&
         dial_tls_client_connection_has_pending (self->connection);
}

static gboolean
tls_source_dispatch (GSource     *source,
                     GSourceFunc  callback,
                     gpointer     user_data)
{
  DialTlsSource *self = (DialTlsSource *) source;
  GPollableSourceFunc func = (GPollableSourceFunc) callback;
  gboolean again;

  g_source_set_ready_time (source, -1);

  if (func == NULL)
    {
      g_warning ("TLS source dispatched without a callback; "
                 "did you forget to call g_source_set_callback()?");
      return G_SOURCE_REMOVE;
    }

  again = func (self->pollable, user_data);
  if (again && !g_source_is_destroyed (source))
    tls_source_sync (self);

  return again;
}

static void
tls_source_dispose (GSource *source)
{
  DialTlsSource *self = (DialTlsSource *) source;

  dial_tls_client_connection_remove_source (self->connection, source);
}

static void
tls_source_finalize (GSource *source)
{
  DialTlsSource *self = (DialTlsSource *) source;

  g_clear_pointer (&self->child, g_source_unref);
  g_clear_object (&self->pollable);
  g_clear_object (&self->connection);
}

static gboolean
tls_source_closure_callback (GObject  *pollable,
                             gpointer  user_data)
{
  GClosure *closure = user_data;
  GValue param = G_VALUE_INIT;
  GValue result = G_VALUE_INIT;
  gboolean again;

  g_value_init (&result, G_TYPE_BOOLEAN);
  g_value_init (&param, G_TYPE_OBJECT);
  g_value_set_object (&param, pollable);

  g_closure_invoke (closure, &result, 1, &param, NULL);

  again = g_value_get_boolean (&result);
  g_value_unset (&param);
  g_value_unset (&result);

  return again;
}

static GSourceFuncs tls_source_funcs = {
  .prepare = tls_source_prepare,
  .dispatch = tls_source_dispatch,
  .finalize = tls_source_finalize,
  .closure_callback = (GSourceFunc) tls_source_closure_callback,
  .closure_marshal = (GSourceDummyMarshal) g_cclosure_marshal_generic,
};

/*
 * dial_tls_source_new:
 * @connection: a #DialTlsClientConnection
 * @op: the operation the source waits to be able to make progress on
 * @owns_op: whether the caller already holds @op's claim (an async close
 *   in progress), so that the claim does not count as someone else's
 * @pollable: the object passed to the #GPollableSourceFunc callback: a
 *   substream, or the connection itself
 * @cancellable: (nullable): also fires the source when cancelled
 *
 * Creates a source that fires when @op may make progress. Like any
 * pollable source it may fire early; the operation then reports
 * %G_IO_ERROR_WOULD_BLOCK and the source waits again.
 *
 * Returns: (transfer full): a new source
 */
GSource *
dial_tls_source_new (GTlsConnection *connection,
                     DialTlsOp       op,
                     gboolean        owns_op,
                     GObject        *pollable,
                     GCancellable   *cancellable)
{
  DialTlsSource *self;
  GSource *source;

  source = g_source_new (&tls_source_funcs, sizeof (DialTlsSource));
  g_source_set_static_name (source, "DialTlsSource");
  g_source_set_dispose_function (source, tls_source_dispose);

  self = (DialTlsSource *) source;
  self->connection = g_object_ref (DIAL_TLS_CLIENT_CONNECTION (connection));
  self->op = op;
  self->owns_op = owns_op;
  self->pollable = g_object_ref (pollable);

  if (cancellable != NULL)
    {
      GSource *cancelled = g_cancellable_source_new (cancellable);

      g_source_set_dummy_callback (cancelled);
      g_source_add_child_source (source, cancelled);
      g_source_unref (cancelled);
    }

  dial_tls_client_connection_add_source (self->connection, source);
  tls_source_sync (self);

  return source;
}

/* ------------------------------------------------------------------ */
/* The substreams                                                      */

#define DIAL_TYPE_TLS_INPUT_STREAM (dial_tls_input_stream_get_type ())
G_DECLARE_FINAL_TYPE (DialTlsInputStream, dial_tls_input_stream, DIAL, TLS_INPUT_STREAM, GInputStream)

#define DIAL_TYPE_TLS_OUTPUT_STREAM (dial_tls_output_stream_get_type ())
G_DECLARE_FINAL_TYPE (DialTlsOutputStream, dial_tls_output_stream, DIAL, TLS_OUTPUT_STREAM, GOutputStream)

struct _DialTlsInputStream
{
  GInputStream parent_instance;
  GWeakRef     connection;
};

struct _DialTlsOutputStream
{
  GOutputStream parent_instance;
  GWeakRef      connection;
};

static void dial_tls_input_stream_pollable_init  (GPollableInputStreamInterface  *iface);
static void dial_tls_output_stream_pollable_init (GPollableOutputStreamInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (DialTlsInputStream, dial_tls_input_stream, G_TYPE_INPUT_STREAM,
                               G_IMPLEMENT_INTERFACE (G_TYPE_POLLABLE_INPUT_STREAM,
                                                      dial_tls_input_stream_pollable_init))

G_DEFINE_FINAL_TYPE_WITH_CODE (DialTlsOutputStream, dial_tls_output_stream, G_TYPE_OUTPUT_STREAM,
                               G_IMPLEMENT_INTERFACE (G_TYPE_POLLABLE_OUTPUT_STREAM,
                                                      dial_tls_output_stream_pollable_init))

static gssize
connection_gone (GError **error)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CLOSED,
                       GNET_("Connection is closed"));
  return -1;
}

/* A source for a substream whose connection is gone: it fires at once, and
 * the operation the callback makes reports G_IO_ERROR_CLOSED. */
static GSource *
closed_source_new (GObject      *stream,
                   GCancellable *cancellable)
{
  g_autoptr(GSource) now = g_timeout_source_new (0);

  return g_pollable_source_new_full (stream, now, cancellable);
}

/* What the two substreams share: each holds a weak reference to the
 * connection, closes its own side of it and polls for its own operation.
 * Once the connection is gone, a substream closes without error, is always
 * ready, and its source fires at once (the operation then reports
 * G_IO_ERROR_CLOSED). */

static gboolean
substream_close (GWeakRef      *connection_ref,
                 gboolean       read_side,
                 gboolean       write_side,
                 GCancellable  *cancellable,
                 GError       **error)
{
  g_autoptr(DialTlsClientConnection) connection = g_weak_ref_get (connection_ref);

  if (connection == NULL)
    return TRUE;

  return dial_tls_client_connection_close_sides (connection, read_side, write_side,
                                                 cancellable, error);
}

static void
substream_closed_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (dial_tls_client_connection_close_sides_finish (DIAL_TLS_CLIENT_CONNECTION (object), result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/* Runs a substream's close_async; takes @task, which has its source tag. */
static void
substream_close_async (GTask    *task,
                       GWeakRef *connection_ref,
                       gboolean  read_side,
                       gboolean  write_side,
                       int       io_priority)
{
  g_autoptr(GTask) owned_task = task;
  g_autoptr(DialTlsClientConnection) connection = g_weak_ref_get (connection_ref);
  GCancellable *cancellable = g_task_get_cancellable (task);

  g_task_set_priority (task, io_priority);

  if (connection == NULL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  dial_tls_client_connection_close_sides_async (connection, read_side, write_side, io_priority,
                                                cancellable, substream_closed_cb,
                                                g_steal_pointer (&owned_task));
}

static gboolean
substream_is_ready (GWeakRef  *connection_ref,
                    DialTlsOp  op)
{
  g_autoptr(DialTlsClientConnection) connection = g_weak_ref_get (connection_ref);

  if (connection == NULL)
    return TRUE;

  return dial_tls_client_connection_is_ready (connection, op);
}

static GSource *
substream_create_source (GObject      *stream,
                         GWeakRef     *connection_ref,
                         DialTlsOp     op,
                         GCancellable *cancellable)
{
  g_autoptr(DialTlsClientConnection) connection = g_weak_ref_get (connection_ref);

  if (connection == NULL)
    return closed_source_new (stream, cancellable);

  return dial_tls_source_new (G_TLS_CONNECTION (connection), op, FALSE, stream, cancellable);
}

/* Input */

static gssize
dial_tls_input_stream_read (GInputStream  *stream,
                            void          *buffer,
                            gsize          count,
                            GCancellable  *cancellable,
                            GError       **error)
{
  DialTlsInputStream *self = DIAL_TLS_INPUT_STREAM (stream);
  g_autoptr(DialTlsClientConnection) connection = g_weak_ref_get (&self->connection);

  if (connection == NULL)
    return connection_gone (error);

  return dial_tls_client_connection_read (connection, buffer, count, TRUE, cancellable, error);
}

static gboolean
dial_tls_input_stream_close (GInputStream  *stream,
                             GCancellable  *cancellable,
                             GError       **error)
{
  DialTlsInputStream *self = DIAL_TLS_INPUT_STREAM (stream);

  return substream_close (&self->connection, TRUE, FALSE, cancellable, error);
}

static void
dial_tls_input_stream_close_async (GInputStream        *stream,
                                   int                  io_priority,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  DialTlsInputStream *self = DIAL_TLS_INPUT_STREAM (stream);
  g_autoptr(GTask) task = g_task_new (stream, cancellable, callback, user_data);

  g_task_set_source_tag (task, dial_tls_input_stream_close_async);
  substream_close_async (g_steal_pointer (&task), &self->connection, TRUE, FALSE, io_priority);
}

static gboolean
dial_tls_input_stream_close_finish (GInputStream  *stream,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static gboolean
dial_tls_input_stream_can_poll (GPollableInputStream *stream)
{
  return TRUE;
}

static gboolean
dial_tls_input_stream_is_readable (GPollableInputStream *stream)
{
  DialTlsInputStream *self = DIAL_TLS_INPUT_STREAM (stream);

  return substream_is_ready (&self->connection, DIAL_TLS_OP_READ);
}

static GSource *
dial_tls_input_stream_create_source (GPollableInputStream *stream,
                                     GCancellable         *cancellable)
{
  DialTlsInputStream *self = DIAL_TLS_INPUT_STREAM (stream);

  return substream_create_source (G_OBJECT (stream), &self->connection, DIAL_TLS_OP_READ,
                                  cancellable);
}

static gssize
dial_tls_input_stream_read_nonblocking (GPollableInputStream  *stream,
                                        void                  *buffer,
                                        gsize                  count,
                                        GError               **error)
{
  DialTlsInputStream *self = DIAL_TLS_INPUT_STREAM (stream);
  g_autoptr(DialTlsClientConnection) connection = g_weak_ref_get (&self->connection);

  if (connection == NULL)
    return connection_gone (error);

  return dial_tls_client_connection_read (connection, buffer, count, FALSE, NULL, error);
}

static void
dial_tls_input_stream_finalize (GObject *object)
{
  DialTlsInputStream *self = DIAL_TLS_INPUT_STREAM (object);

  g_weak_ref_clear (&self->connection);

  G_OBJECT_CLASS (dial_tls_input_stream_parent_class)->finalize (object);
}

static void
dial_tls_input_stream_class_init (DialTlsInputStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GInputStreamClass *input_class = G_INPUT_STREAM_CLASS (klass);

  object_class->finalize = dial_tls_input_stream_finalize;

  input_class->read_fn = dial_tls_input_stream_read;
  input_class->close_fn = dial_tls_input_stream_close;
  input_class->close_async = dial_tls_input_stream_close_async;
  input_class->close_finish = dial_tls_input_stream_close_finish;
}

static void
dial_tls_input_stream_pollable_init (GPollableInputStreamInterface *iface)
{
  iface->can_poll = dial_tls_input_stream_can_poll;
  iface->is_readable = dial_tls_input_stream_is_readable;
  iface->create_source = dial_tls_input_stream_create_source;
  iface->read_nonblocking = dial_tls_input_stream_read_nonblocking;
}

static void
dial_tls_input_stream_init (DialTlsInputStream *self)
{
  g_weak_ref_init (&self->connection, NULL);
}

/*
 * dial_tls_input_stream_new:
 * @connection: the connection to read from
 *
 * Returns: (transfer full): the connection's input stream
 */
GInputStream *
dial_tls_input_stream_new (GTlsConnection *connection)
{
  DialTlsInputStream *self = g_object_new (DIAL_TYPE_TLS_INPUT_STREAM, NULL);

  g_weak_ref_set (&self->connection, connection);
  return G_INPUT_STREAM (self);
}

/* Output */

static gssize
dial_tls_output_stream_write (GOutputStream  *stream,
                              const void     *buffer,
                              gsize           count,
                              GCancellable   *cancellable,
                              GError        **error)
{
  DialTlsOutputStream *self = DIAL_TLS_OUTPUT_STREAM (stream);
  g_autoptr(DialTlsClientConnection) connection = g_weak_ref_get (&self->connection);

  if (connection == NULL)
    return connection_gone (error);

  return dial_tls_client_connection_write (connection, buffer, count, TRUE, cancellable, error);
}

static gboolean
dial_tls_output_stream_close (GOutputStream  *stream,
                              GCancellable   *cancellable,
                              GError        **error)
{
  DialTlsOutputStream *self = DIAL_TLS_OUTPUT_STREAM (stream);

  return substream_close (&self->connection, FALSE, TRUE, cancellable, error);
}

static void
dial_tls_output_stream_close_async (GOutputStream       *stream,
                                    int                  io_priority,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  DialTlsOutputStream *self = DIAL_TLS_OUTPUT_STREAM (stream);
  g_autoptr(GTask) task = g_task_new (stream, cancellable, callback, user_data);

  g_task_set_source_tag (task, dial_tls_output_stream_close_async);
  substream_close_async (g_steal_pointer (&task), &self->connection, FALSE, TRUE, io_priority);
}

static gboolean
dial_tls_output_stream_close_finish (GOutputStream  *stream,
                                     GAsyncResult   *result,
                                     GError        **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static gboolean
dial_tls_output_stream_can_poll (GPollableOutputStream *stream)
{
  return TRUE;
}

static gboolean
dial_tls_output_stream_is_writable (GPollableOutputStream *stream)
{
  DialTlsOutputStream *self = DIAL_TLS_OUTPUT_STREAM (stream);

  return substream_is_ready (&self->connection, DIAL_TLS_OP_WRITE);
}

static GSource *
dial_tls_output_stream_create_source (GPollableOutputStream *stream,
                                      GCancellable          *cancellable)
{
  DialTlsOutputStream *self = DIAL_TLS_OUTPUT_STREAM (stream);

  return substream_create_source (G_OBJECT (stream), &self->connection, DIAL_TLS_OP_WRITE,
                                  cancellable);
}

static gssize
dial_tls_output_stream_write_nonblocking (GPollableOutputStream  *stream,
                                          const void             *buffer,
                                          gsize                   count,
                                          GError                **error)
{
  DialTlsOutputStream *self = DIAL_TLS_OUTPUT_STREAM (stream);
  g_autoptr(DialTlsClientConnection) connection = g_weak_ref_get (&self->connection);

  if (connection == NULL)
    return connection_gone (error);

  return dial_tls_client_connection_write (connection, buffer, count, FALSE, NULL, error);
}

static void
dial_tls_output_stream_finalize (GObject *object)
{
  DialTlsOutputStream *self = DIAL_TLS_OUTPUT_STREAM (object);

  g_weak_ref_clear (&self->connection);

  G_OBJECT_CLASS (dial_tls_output_stream_parent_class)->finalize (object);
}

static void
dial_tls_output_stream_class_init (DialTlsOutputStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GOutputStreamClass *output_class = G_OUTPUT_STREAM_CLASS (klass);

  object_class->finalize = dial_tls_output_stream_finalize;

  output_class->write_fn = dial_tls_output_stream_write;
  output_class->close_fn = dial_tls_output_stream_close;
  output_class->close_async = dial_tls_output_stream_close_async;
  output_class->close_finish = dial_tls_output_stream_close_finish;
}

static void
dial_tls_output_stream_pollable_init (GPollableOutputStreamInterface *iface)
{
  iface->can_poll = dial_tls_output_stream_can_poll;
  iface->is_writable = dial_tls_output_stream_is_writable;
  iface->create_source = dial_tls_output_stream_create_source;
  iface->write_nonblocking = dial_tls_output_stream_write_nonblocking;
}

static void
dial_tls_output_stream_init (DialTlsOutputStream *self)
{
  g_weak_ref_init (&self->connection, NULL);
}

/*
 * dial_tls_output_stream_new:
 * @connection: the connection to write to
 *
 * Returns: (transfer full): the connection's output stream
 */
GOutputStream *
dial_tls_output_stream_new (GTlsConnection *connection)
{
  DialTlsOutputStream *self = g_object_new (DIAL_TYPE_TLS_OUTPUT_STREAM, NULL);

  g_weak_ref_set (&self->connection, connection);
  return G_OUTPUT_STREAM (self);
}
