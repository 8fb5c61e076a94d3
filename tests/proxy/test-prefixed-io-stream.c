/* test-prefixed-io-stream.c: the stream an HTTP proxy over TLS returns
 * when tunnel bytes came with the reply: those bytes first, then the
 * base stream's, through every way of reading; writes and closing go to
 * the base.
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <string.h>

#include <gio/gio.h>

#include "dial-prefixed-io-stream.h"

#define PREFIX "early bytes|"
#define REST "the base stream's own bytes"

typedef struct
{
  GIOStream    *base;
  GInputStream *base_input;
  GOutputStream *base_output;
  GIOStream    *stream;
} Fixture;

static void
fixture_setup_with (Fixture      *f,
                    GInputStream *base_input,
                    const char   *prefix)
{
  g_autoptr(GBytes) bytes = g_bytes_new_static (prefix, strlen (prefix));

  f->base_input = base_input;
  f->base_output = g_memory_output_stream_new_resizable ();
  f->base = g_simple_io_stream_new (f->base_input, f->base_output);
  f->stream = dial_prefixed_io_stream_new (f->base, bytes);
}

/* A pollable base, as a TLS connection's input is. */
static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  fixture_setup_with (f, g_memory_input_stream_new_from_data (REST, strlen (REST), NULL),
                      data != NULL ? data : PREFIX);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->stream);
  g_clear_object (&f->base);
  g_clear_object (&f->base_input);
  g_clear_object (&f->base_output);
}

static GInputStream *
input (Fixture *f)
{
  return g_io_stream_get_input_stream (f->stream);
}

/* Reads everything in reads of at most @chunk bytes; checks that no read
 * mixes prefix and base bytes (a read never blocks on the base while it
 * still has prefix bytes to give). */
static char *
read_all_sync (Fixture *f,
               gsize    chunk,
               gsize    prefix_len)
{
  g_autoptr(GString) all = g_string_new (NULL);
  char buffer[64];

  g_assert_cmpuint (chunk, <=, sizeof buffer);

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      gssize got = g_input_stream_read (input (f), buffer, chunk, NULL, &error);

      g_assert_no_error (error);
      if (got == 0)
        break;
      if (all->len < prefix_len)
        g_assert_cmpuint (all->len + got, <=, prefix_len);
      g_string_append_len (all, buffer, got);
    }

  return g_string_free (g_steal_pointer (&all), FALSE);
}

static void
test_read_sync (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *all = read_all_sync (f, 64, strlen (PREFIX));

  g_assert_cmpstr (all, ==, PREFIX REST);
}

static void
test_read_sync_small (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *all = read_all_sync (f, 5, strlen (PREFIX));

  g_assert_cmpstr (all, ==, PREFIX REST);
}

/* An empty prefix: the base's bytes, unchanged. */
static void
test_read_empty_prefix (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *all = read_all_sync (f, 64, 0);

  g_assert_cmpstr (all, ==, REST);
}

typedef struct
{
  GString  *all;
  gboolean  done;
  char      buffer[7];
} AsyncRead;

static void
on_read (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  AsyncRead *read = user_data;
  g_autoptr(GError) error = NULL;
  gssize got = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);

  g_assert_no_error (error);
  if (got == 0)
    {
      read->done = TRUE;
      return;
    }

  g_string_append_len (read->all, read->buffer, got);
  g_input_stream_read_async (G_INPUT_STREAM (source), read->buffer, sizeof read->buffer,
                             G_PRIORITY_DEFAULT, NULL, on_read, read);
}

/* A pollable stream takes GInputStream's pollable async path: on this
 * thread, no worker. */
static void
test_read_async (Fixture       *f,
                 gconstpointer  data)
{
  AsyncRead read = { g_string_new (NULL), FALSE, { 0 } };

  g_assert_true (g_pollable_input_stream_can_poll (G_POLLABLE_INPUT_STREAM (input (f))));

  g_input_stream_read_async (input (f), read.buffer, sizeof read.buffer,
                             G_PRIORITY_DEFAULT, NULL, on_read, &read);
  while (!read.done)
    g_main_context_iteration (NULL, TRUE);

  g_assert_cmpstr (read.all->str, ==, PREFIX REST);
  g_string_free (read.all, TRUE);
}

static gboolean
on_source_ready (GObject  *stream,
                 gpointer  user_data)
{
  gboolean *fired = user_data;

  *fired = TRUE;
  return G_SOURCE_REMOVE;
}

static void
test_pollable (Fixture       *f,
               gconstpointer  data)
{
  GPollableInputStream *pollable = G_POLLABLE_INPUT_STREAM (input (f));
  g_autoptr(GSource) source = NULL;
  g_autoptr(GError) error = NULL;
  gboolean fired = FALSE;
  char buffer[64];
  gssize got;

  g_assert_true (g_pollable_input_stream_can_poll (pollable));
  g_assert_true (g_pollable_input_stream_is_readable (pollable));

  /* With prefix bytes left, a source fires at once. */
  source = g_pollable_input_stream_create_source (pollable, NULL);
  g_source_set_callback (source, (GSourceFunc) on_source_ready, &fired, NULL);
  g_source_attach (source, NULL);
  while (!fired)
    g_main_context_iteration (NULL, TRUE);
  g_source_destroy (source);

  got = g_pollable_input_stream_read_nonblocking (pollable, buffer, 4, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (buffer, got, "earl", 4);
  got = g_pollable_input_stream_read_nonblocking (pollable, buffer, sizeof buffer, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (buffer, got, "y bytes|", 8);
  got = g_pollable_input_stream_read_nonblocking (pollable, buffer, sizeof buffer, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (buffer, got, REST, strlen (REST));
}

/* A base that cannot poll: neither can the stream, and reads still work. */
static void
test_not_pollable (void)
{
  Fixture fixture = { 0 };
  Fixture *f = &fixture;
  g_autoptr(GInputStream) memory = g_memory_input_stream_new_from_data (REST, strlen (REST), NULL);
  g_autofree char *all = NULL;

  fixture_setup_with (f, g_buffered_input_stream_new (memory), PREFIX);
  g_assert_false (G_IS_POLLABLE_INPUT_STREAM (f->base_input));
  g_assert_false (g_pollable_input_stream_can_poll (G_POLLABLE_INPUT_STREAM (input (f))));

  all = read_all_sync (f, 64, strlen (PREFIX));
  g_assert_cmpstr (all, ==, PREFIX REST);

  fixture_teardown (f, NULL);
}

static void
test_write (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  GOutputStream *output = g_io_stream_get_output_stream (f->stream);

  g_assert_true (output == f->base_output);
  g_output_stream_write_all (output, "up", 2, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (f->base_output)),
                   g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (f->base_output)),
                   "up", 2);
}

static void
test_close (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (g_io_stream_close (f->stream, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_io_stream_is_closed (f->base));
  g_assert_true (g_input_stream_is_closed (f->base_input));
  g_assert_true (g_output_stream_is_closed (f->base_output));
  g_assert_true (g_input_stream_is_closed (input (f)));
}

static void
on_closed (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  gboolean *done = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_io_stream_close_finish (G_IO_STREAM (source), result, &error));
  g_assert_no_error (error);
  *done = TRUE;
}

static void
test_close_async (Fixture       *f,
                  gconstpointer  data)
{
  gboolean done = FALSE;

  g_io_stream_close_async (f->stream, G_PRIORITY_DEFAULT, NULL, on_closed, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);

  g_assert_true (g_io_stream_is_closed (f->stream));
  g_assert_true (g_io_stream_is_closed (f->base));
}

/* Dropped open, it closes the base as it goes, like any GIOStream. */
static void
test_dispose_closes (Fixture       *f,
                     gconstpointer  data)
{
  g_clear_object (&f->stream);
  g_assert_true (g_io_stream_is_closed (f->base));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func, data) \
  g_test_add ("/prefixed-io-stream/" path, Fixture, data, fixture_setup, func, fixture_teardown)

  ADD ("read-sync", test_read_sync, NULL);
  ADD ("read-sync-small", test_read_sync_small, NULL);
  ADD ("read-empty-prefix", test_read_empty_prefix, "");
  ADD ("read-async", test_read_async, NULL);
  ADD ("pollable", test_pollable, NULL);
  g_test_add_func ("/prefixed-io-stream/not-pollable", test_not_pollable);
  ADD ("write", test_write, NULL);
  ADD ("close", test_close, NULL);
  ADD ("close-async", test_close_async, NULL);
  ADD ("dispose-closes", test_dispose_closes, NULL);

#undef ADD

  return g_test_run ();
}
