/* dial-prefixed-io-stream.c
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "dial-prefixed-io-stream.h"

#include <string.h>

/* The input side: the prefix, then the base input stream.  Private to
 * this file; it never closes the base, which belongs to the base
 * GIOStream. */

#define DIAL_TYPE_PREFIXED_INPUT_STREAM (dial_prefixed_input_stream_get_type ())

G_DECLARE_FINAL_TYPE (DialPrefixedInputStream, dial_prefixed_input_stream,
                      DIAL, PREFIXED_INPUT_STREAM, GInputStream)

struct _DialPrefixedInputStream
{
  GInputStream  parent_instance;

  GInputStream *base;
  GBytes       *prefix;   /* NULL once served */
  gsize         offset;
};

static void dial_prefixed_input_stream_pollable_init (GPollableInputStreamInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (DialPrefixedInputStream, dial_prefixed_input_stream, G_TYPE_INPUT_STREAM,
                               G_IMPLEMENT_INTERFACE (G_TYPE_POLLABLE_INPUT_STREAM,
                                                      dial_prefixed_input_stream_pollable_init))

/* Copies what is left of the prefix, up to @count bytes.  Returns how
 * many bytes were copied, 0 when none is left. */
static gsize
serve_prefix (DialPrefixedInputStream *self,
              void                    *buffer,
              gsize                    count)
{
  gsize size;
  const guint8 *data;
  gsize n;

  if (self->prefix == NULL)
    return 0;

  data = g_bytes_get_data (self->prefix, &size);
  n = MIN (count, size - self->offset);
  memcpy (buffer, data + self->offset, n);
  self->offset += n;

  if (self->offset == size)
    g_clear_pointer (&self->prefix, g_bytes_unref);

  return n;
}

static gssize
dial_prefixed_input_stream_read (GInputStream  *stream,
                                 void          *buffer,
                                 gsize          count,
                                 GCancellable  *cancellable,
                                 GError       **error)
{
  DialPrefixedInputStream *self = DIAL_PREFIXED_INPUT_STREAM (stream);

  if (self->prefix != NULL && count > 0)
    return serve_prefix (self, buffer, count);

  return g_input_stream_read (self->base, buffer, count, cancellable, error);
}

static gboolean
dial_prefixed_input_stream_close (GInputStream  *stream,
                                  GCancellable  *cancellable,
                                  GError       **error)
{
  return TRUE;
}

static gboolean
dial_prefixed_input_stream_can_poll (GPollableInputStream *stream)
{
  DialPrefixedInputStream *self = DIAL_PREFIXED_INPUT_STREAM (stream);

  return G_IS_POLLABLE_INPUT_STREAM (self->base) &&
         g_pollable_input_stream_can_poll (G_POLLABLE_INPUT_STREAM (self->base));
}

static gboolean
dial_prefixed_input_stream_is_readable (GPollableInputStream *stream)
{
  DialPrefixedInputStream *self = DIAL_PREFIXED_INPUT_STREAM (stream);

  return self->prefix != NULL ||
         g_pollable_input_stream_is_readable (G_POLLABLE_INPUT_STREAM (self->base));
}

static GSource *
dial_prefixed_input_stream_create_source (GPollableInputStream *stream,
                                          GCancellable         *cancellable)
{
  DialPrefixedInputStream *self = DIAL_PREFIXED_INPUT_STREAM (stream);
  g_autoptr(GSource) child = NULL;

  /* With bytes left to serve the stream is readable now. */
  if (self->prefix != NULL)
    child = g_timeout_source_new (0);
  else
    child = g_pollable_input_stream_create_source (G_POLLABLE_INPUT_STREAM (self->base), NULL);

  return g_pollable_source_new_full (stream, child, cancellable);
}

static gssize
dial_prefixed_input_stream_read_nonblocking (GPollableInputStream  *stream,
                                             void                  *buffer,
                                             gsize                  count,
                                             GError               **error)
{
  DialPrefixedInputStream *self = DIAL_PREFIXED_INPUT_STREAM (stream);

  if (self->prefix != NULL && count > 0)
    return serve_prefix (self, buffer, count);

  return g_pollable_input_stream_read_nonblocking (G_POLLABLE_INPUT_STREAM (self->base),
                                                   buffer, count, NULL, error);
}

static void
dial_prefixed_input_stream_finalize (GObject *object)
{
  DialPrefixedInputStream *self = DIAL_PREFIXED_INPUT_STREAM (object);

  g_clear_object (&self->base);
  g_clear_pointer (&self->prefix, g_bytes_unref);

  G_OBJECT_CLASS (dial_prefixed_input_stream_parent_class)->finalize (object);
}

static void
dial_prefixed_input_stream_class_init (DialPrefixedInputStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GInputStreamClass *input_class = G_INPUT_STREAM_CLASS (klass);

  object_class->finalize = dial_prefixed_input_stream_finalize;
  input_class->read_fn = dial_prefixed_input_stream_read;
  input_class->close_fn = dial_prefixed_input_stream_close;
}

static void
dial_prefixed_input_stream_pollable_init (GPollableInputStreamInterface *iface)
{
  iface->can_poll = dial_prefixed_input_stream_can_poll;
  iface->is_readable = dial_prefixed_input_stream_is_readable;
  iface->create_source = dial_prefixed_input_stream_create_source;
  iface->read_nonblocking = dial_prefixed_input_stream_read_nonblocking;
}

static void
dial_prefixed_input_stream_init (DialPrefixedInputStream *self)
{
}

/* The GIOStream ------------------------------------------------------------ */

struct _DialPrefixedIOStream
{
  GIOStream     parent_instance;

  GIOStream    *base;
  GInputStream *input;
};

G_DEFINE_FINAL_TYPE (DialPrefixedIOStream, dial_prefixed_io_stream, G_TYPE_IO_STREAM)

static GInputStream *
dial_prefixed_io_stream_get_input_stream (GIOStream *stream)
{
  return DIAL_PREFIXED_IO_STREAM (stream)->input;
}

static GOutputStream *
dial_prefixed_io_stream_get_output_stream (GIOStream *stream)
{
  return g_io_stream_get_output_stream (DIAL_PREFIXED_IO_STREAM (stream)->base);
}

static gboolean
dial_prefixed_io_stream_close (GIOStream     *stream,
                               GCancellable  *cancellable,
                               GError       **error)
{
  DialPrefixedIOStream *self = DIAL_PREFIXED_IO_STREAM (stream);

  g_input_stream_close (self->input, NULL, NULL);
  return g_io_stream_close (self->base, cancellable, error);
}

static void
base_closed_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (g_io_stream_close_finish (G_IO_STREAM (object), result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
dial_prefixed_io_stream_close_async (GIOStream           *stream,
                                     int                  io_priority,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  DialPrefixedIOStream *self = DIAL_PREFIXED_IO_STREAM (stream);
  GTask *task;

  task = g_task_new (stream, cancellable, callback, user_data);
  g_task_set_source_tag (task, dial_prefixed_io_stream_close_async);
  g_task_set_priority (task, io_priority);

  g_input_stream_close (self->input, NULL, NULL);
  g_io_stream_close_async (self->base, io_priority, cancellable, base_closed_cb, task);
}

static gboolean
dial_prefixed_io_stream_close_finish (GIOStream     *stream,
                                      GAsyncResult  *result,
                                      GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* GIOStream's dispose closes an open stream through close_fn, which needs
 * both fields: they go in finalize. */
static void
dial_prefixed_io_stream_finalize (GObject *object)
{
  DialPrefixedIOStream *self = DIAL_PREFIXED_IO_STREAM (object);

  g_clear_object (&self->input);
  g_clear_object (&self->base);

  G_OBJECT_CLASS (dial_prefixed_io_stream_parent_class)->finalize (object);
}

static void
dial_prefixed_io_stream_class_init (DialPrefixedIOStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GIOStreamClass *stream_class = G_IO_STREAM_CLASS (klass);

  object_class->finalize = dial_prefixed_io_stream_finalize;
  stream_class->get_input_stream = dial_prefixed_io_stream_get_input_stream;
  stream_class->get_output_stream = dial_prefixed_io_stream_get_output_stream;
  stream_class->close_fn = dial_prefixed_io_stream_close;
  stream_class->close_async = dial_prefixed_io_stream_close_async;
  stream_class->close_finish = dial_prefixed_io_stream_close_finish;
}

static void
dial_prefixed_io_stream_init (DialPrefixedIOStream *self)
{
}

GIOStream *
dial_prefixed_io_stream_new (GIOStream *base_io_stream,
                             GBytes    *prefix)
{
  DialPrefixedIOStream *self;
  DialPrefixedInputStream *input;

  g_return_val_if_fail (G_IS_IO_STREAM (base_io_stream), NULL);
  g_return_val_if_fail (prefix != NULL, NULL);

  input = g_object_new (DIAL_TYPE_PREFIXED_INPUT_STREAM, NULL);
  input->base = g_object_ref (g_io_stream_get_input_stream (base_io_stream));
  if (g_bytes_get_size (prefix) > 0)
    input->prefix = g_bytes_ref (prefix);

  self = g_object_new (DIAL_TYPE_PREFIXED_IO_STREAM, NULL);
  self->base = g_object_ref (base_io_stream);
  self->input = G_INPUT_STREAM (input);

  return G_IO_STREAM (self);
}
