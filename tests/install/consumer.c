/* consumer.c: a program built against an installed libdial.
 *
 * Copyright 2026 The libdial developers
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Built by test-install.sh with nothing but `pkg-config dial-1.0`. It
 * listens on 127.0.0.1 port 0, connects to itself with
 * dial_socket_client_connect_to_host(), checks the events and sends a
 * few bytes through. Exits non-zero on any failure.
 */

#include <dial/dial.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if !DIAL_CHECK_VERSION (0, 0, 0)
# error "DIAL_CHECK_VERSION (0, 0, 0) must hold"
#endif
#if DIAL_CHECK_VERSION (DIAL_MAJOR_VERSION + 1, 0, 0)
# error "DIAL_CHECK_VERSION must reject a later major version"
#endif

static const GSocketClientEvent expected_events[] = {
  G_SOCKET_CLIENT_RESOLVING,
  G_SOCKET_CLIENT_RESOLVED,
  G_SOCKET_CLIENT_CONNECTING,
  G_SOCKET_CLIENT_CONNECTED,
  G_SOCKET_CLIENT_COMPLETE,
};

typedef struct
{
  GSocketClientEvent  events[16];
  guint               n_events;
  GIOStream          *complete_connection;
} Recorder;

G_GNUC_NORETURN G_GNUC_PRINTF (1, 2)
static void
fail (const char *format,
      ...)
{
  va_list args;

  va_start (args, format);
  fprintf (stderr, "consumer: ");
  vfprintf (stderr, format, args);
  fprintf (stderr, "\n");
  va_end (args);
  exit (EXIT_FAILURE);
}

static void
on_event (DialSocketClient   *client,
          GSocketClientEvent  event,
          GSocketConnectable *connectable,
          GIOStream          *connection,
          gpointer            user_data)
{
  Recorder *recorder = user_data;

  if (recorder->n_events == G_N_ELEMENTS (recorder->events))
    fail ("too many events");
  recorder->events[recorder->n_events++] = event;
  if (event == G_SOCKET_CLIENT_COMPLETE)
    recorder->complete_connection = connection;
}

int
main (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) wanted = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(DialSocketClient) client = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GSocketConnection) accepted = NULL;
  Recorder recorder = { 0 };
  char buffer[6] = { 0 };
  gsize n = 0;
  guint16 port;

  if (!g_socket_listener_add_address (listener, wanted, G_SOCKET_TYPE_STREAM,
                                      G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error))
    fail ("listen: %s", error->message);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));

  client = dial_socket_client_new ();
  if (!DIAL_IS_SOCKET_CLIENT (client) || !G_IS_OBJECT (client))
    fail ("dial_socket_client_new() did not return a DialSocketClient");
  g_signal_connect (client, "event", G_CALLBACK (on_event), &recorder);

  connection = dial_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, &error);
  if (connection == NULL)
    fail ("connect_to_host: %s", error->message);

  if (recorder.n_events != G_N_ELEMENTS (expected_events))
    fail ("expected %u events, got %u", (guint) G_N_ELEMENTS (expected_events), recorder.n_events);
  for (guint i = 0; i < recorder.n_events; i++)
    if (recorder.events[i] != expected_events[i])
      fail ("event %u: expected %d, got %d", i, expected_events[i], recorder.events[i]);
  if (recorder.complete_connection != G_IO_STREAM (connection))
    fail ("COMPLETE did not carry the returned connection");

  /* The connection is in the listen backlog already. */
  accepted = g_socket_listener_accept (listener, NULL, NULL, &error);
  if (accepted == NULL)
    fail ("accept: %s", error->message);
  if (!g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)),
                                  "hello", 5, NULL, NULL, &error))
    fail ("write: %s", error->message);
  if (!g_input_stream_read_all (g_io_stream_get_input_stream (G_IO_STREAM (accepted)),
                                buffer, 5, &n, NULL, &error))
    fail ("read: %s", error->message);
  if (n != 5 || memcmp (buffer, "hello", 5) != 0)
    fail ("the server read \"%.*s\"", (int) n, buffer);

  printf ("consumer: libdial %s (%d.%d.%d) connected to 127.0.0.1:%u\n",
          DIAL_VERSION_S, DIAL_MAJOR_VERSION, DIAL_MINOR_VERSION,
          DIAL_MICRO_VERSION, port);
  return EXIT_SUCCESS;
}
