/* dial-bench-load.c: what DialSocketClient and GIO's GSocketClient cost
 * under load, in one run: memory per connect, time and descriptors for
 * ten thousand connects at once.
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Three measurements, each for both clients in alternating rounds (GIO
 * then Dial, Dial then GIO, ...), the median of the rounds reported:
 *
 *   in-flight    N connect_async () calls to a black hole (a listener on
 *                127.0.0.1 whose accept queue is full, so every SYN is
 *                dropped), measured once all N have emitted CONNECTING:
 *                heap per connect in flight;
 *   established  N connect_async () calls to a local sink, measured once
 *                all N completed, with every connection held: heap per
 *                established connection;
 *   burst        S connect_async () calls at once on one main loop to a
 *                sink with several listening ports that accepts on its
 *                own thread: the time from the first call to the last
 *                callback, and (in a separate round per client, with a
 *                thread that counts /proc/self/fd every millisecond) the
 *                peak number of descriptors above the starting count.
 *
 * Memory is the heap: glibc's mallinfo2 () (uordblks + hblkhd, bytes
 * handed out by malloc in every arena), before and after.  (The resident
 * size says little here: the untimed warm-up leaves malloc with free
 * pages, so the rounds grow it by a page now and then.)  GLib
 * 2.74 has its own slice allocator, which caches freed blocks: the
 * program runs itself again with G_SLICE=always-malloc so that malloc
 * sees every allocation.  Each round makes a new client before its
 * baseline, so the client object itself is not counted.  See
 * bench/README.md.
 */

#ifndef _GNU_SOURCE
# define _GNU_SOURCE  /* accept4 () */
#endif

#include <dial/dial.h>

#include <dirent.h>
#include <errno.h>
#include <malloc.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <glib-unix.h>

/* A round that makes no progress for this long has hung. */
#define HANG_TIMEOUT_US (30 * G_USEC_PER_SEC)

/* Listening ports of the burst's sink, and the backlog of each. */
#define SINK_BACKLOG 4096

typedef struct
{
  guint rounds;
  guint in_flight;     /* connects held in flight for the in-flight row */
  guint established;   /* connections held for the established row */
  guint burst;         /* connects at once for the burst rows */
} Sizes;

static const Sizes full_sizes = { .rounds = 5, .in_flight = 1000, .established = 1000, .burst = 10000 };
static const Sizes quick_sizes = { .rounds = 1, .in_flight = 100, .established = 100, .burst = 1000 };

/* {{{ The peers */

/* Listeners on 127.0.0.1 that accept and close at once, served by one
 * thread polling them all. */
typedef struct
{
  GArray  *fds;        /* int */
  GArray  *ports;      /* guint16 */
  int      wake[2];
  GThread *thread;
} Sink;

static gpointer
sink_run (gpointer data)
{
  Sink *sink = data;
  guint n = sink->fds->len + 1;
  g_autofree struct pollfd *fds = g_new0 (struct pollfd, n);

  for (guint i = 0; i + 1 < n; i++)
    fds[i] = (struct pollfd) { g_array_index (sink->fds, int, i), POLLIN, 0 };
  fds[n - 1] = (struct pollfd) { sink->wake[0], POLLIN, 0 };

  for (;;)
    {
      if (poll (fds, n, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          g_error ("poll (): %s", g_strerror (errno));
        }
      if (fds[n - 1].revents != 0)
        return NULL;

      for (guint i = 0; i + 1 < n; i++)
        {
          if (fds[i].revents == 0)
            continue;
          for (;;)
            {
              int peer = accept4 (fds[i].fd, NULL, NULL, SOCK_CLOEXEC);

              if (peer >= 0)
                close (peer);
              else if (errno != EINTR && errno != ECONNABORTED)
                break;
            }
        }
    }
}

/* A non-blocking listener on 127.0.0.1, port 0. */
static int
listen_loopback (int      backlog,
                 guint16 *port)
{
  struct sockaddr_in address = {
    .sin_family = AF_INET,
    .sin_addr.s_addr = htonl (INADDR_LOOPBACK),
  };
  socklen_t len = sizeof address;
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

  if (fd < 0 ||
      bind (fd, (struct sockaddr *) &address, sizeof address) != 0 ||
      listen (fd, backlog) != 0 ||
      getsockname (fd, (struct sockaddr *) &address, &len) != 0)
    g_error ("listening on 127.0.0.1: %s", g_strerror (errno));

  *port = g_ntohs (address.sin_port);
  return fd;
}

static Sink *
sink_start (guint n_ports)
{
  Sink *sink = g_new0 (Sink, 1);

  sink->fds = g_array_new (FALSE, FALSE, sizeof (int));
  sink->ports = g_array_new (FALSE, FALSE, sizeof (guint16));
  for (guint i = 0; i < n_ports; i++)
    {
      guint16 port;
      int fd = listen_loopback (SINK_BACKLOG, &port);

      g_array_append_val (sink->fds, fd);
      g_array_append_val (sink->ports, port);
    }
  if (!g_unix_open_pipe (sink->wake, FD_CLOEXEC, NULL))
    g_error ("pipe: %s", g_strerror (errno));
  sink->thread = g_thread_new ("bench-sink", sink_run, sink);

  return sink;
}

static void
sink_stop (Sink *sink)
{
  while (write (sink->wake[1], "s", 1) < 0 && errno == EINTR)
    ;
  g_thread_join (sink->thread);
  for (guint i = 0; i < sink->fds->len; i++)
    close (g_array_index (sink->fds, int, i));
  close (sink->wake[0]);
  close (sink->wake[1]);
  g_array_unref (sink->fds);
  g_array_unref (sink->ports);
  g_free (sink);
}

/* A listener with a backlog of 0 whose queue holds a connection nobody
 * accepts: Linux then drops every SYN, and a connect to it hangs. */
typedef struct
{
  int     listener;
  GArray *fillers;   /* int */
  guint16 port;
} BlackHole;

static BlackHole *
black_hole_start (void)
{
  BlackHole *hole = g_new0 (BlackHole, 1);
  struct sockaddr_in address = {
    .sin_family = AF_INET,
    .sin_addr.s_addr = htonl (INADDR_LOOPBACK),
  };

  hole->listener = listen_loopback (0, &hole->port);
  hole->fillers = g_array_new (FALSE, FALSE, sizeof (int));
  address.sin_port = g_htons (hole->port);

  /* Fill the queue: connect until a connect does not complete. */
  for (guint i = 0; i < 8; i++)
    {
      int fd = socket (AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      struct pollfd pollfd = { fd, POLLOUT, 0 };

      g_array_append_val (hole->fillers, fd);
      if (connect (fd, (struct sockaddr *) &address, sizeof address) != 0 && errno != EINPROGRESS)
        g_error ("filling the black hole: %s", g_strerror (errno));
      if (poll (&pollfd, 1, 200) == 0)
        break;
    }

  return hole;
}

static void
black_hole_stop (BlackHole *hole)
{
  for (guint i = 0; i < hole->fillers->len; i++)
    close (g_array_index (hole->fillers, int, i));
  g_array_unref (hole->fillers);
  close (hole->listener);
  g_free (hole);
}

/* }}} */

/* {{{ Memory and descriptors */

static gsize
heap_in_use (void)
{
  struct mallinfo2 info = mallinfo2 ();

  return info.uordblks + info.hblkhd;
}

static guint
count_fds (void)
{
  DIR *dir = opendir ("/proc/self/fd");
  struct dirent *entry;
  guint n = 0;

  if (dir == NULL)
    return 0;
  while ((entry = readdir (dir)) != NULL)
    if (entry->d_name[0] != '.')
      n++;
  closedir (dir);

  /* Not the one that reads the directory. */
  return n - 1;
}

/* Counts descriptors every millisecond until stopped; keeps the peak. */
typedef struct
{
  GThread *thread;
  gint     stop;   /* atomic */
  guint    peak;
} FdSampler;

static gpointer
sampler_run (gpointer data)
{
  FdSampler *sampler = data;

  while (!g_atomic_int_get (&sampler->stop))
    {
      sampler->peak = MAX (sampler->peak, count_fds ());
      g_usleep (1000);
    }

  return NULL;
}

/* }}} */

/* {{{ The clients */

enum { GIO, DIAL, N_CLIENTS };
static const char * const client_names[N_CLIENTS] = { "GIO", "Dial" };

static GObject *
client_new (guint which)
{
  if (which == GIO)
    return G_OBJECT (g_socket_client_new ());
  return G_OBJECT (dial_socket_client_new ());
}

static void
client_connect_async (guint                which,
                      GObject             *client,
                      GSocketConnectable  *connectable,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  if (which == GIO)
    g_socket_client_connect_async (G_SOCKET_CLIENT (client), connectable, cancellable,
                                   callback, user_data);
  else
    dial_socket_client_connect_async (DIAL_SOCKET_CLIENT (client), connectable, cancellable,
                                      callback, user_data);
}

static GSocketConnection *
client_connect_finish (GObject       *client,
                       GAsyncResult  *result,
                       GError       **error)
{
  if (G_IS_SOCKET_CLIENT (client))
    return g_socket_client_connect_finish (G_SOCKET_CLIENT (client), result, error);
  return dial_socket_client_connect_finish (DIAL_SOCKET_CLIENT (client), result, error);
}

/* }}} */

/* {{{ One round */

typedef struct
{
  guint      which;
  GObject   *client;
  guint      connecting;   /* CONNECTING events */
  guint      done;
  guint      connected;
  guint      cancelled;
  GError    *error;        /* the first unexpected failure */
  GPtrArray *connections;  /* held until the round ends */
} Round;

static void
round_event (GObject            *client,
             GSocketClientEvent  event,
             GSocketConnectable *connectable,
             GIOStream          *stream,
             gpointer            user_data)
{
  Round *round = user_data;

  if (event == G_SOCKET_CLIENT_CONNECTING)
    round->connecting++;
}

static void
round_connected (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Round *round = user_data;
  g_autoptr(GError) error = NULL;
  GSocketConnection *connection;

  connection = client_connect_finish (source, result, &error);
  round->done++;

  if (connection != NULL)
    {
      round->connected++;
      g_ptr_array_add (round->connections, connection);
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    round->cancelled++;
  else if (round->error == NULL)
    round->error = g_steal_pointer (&error);
}

/* The connections' array has room for @n from the start, so that it is
 * part of the baseline and not of what is measured. */
static void
round_init (Round *round,
            guint  which,
            guint  n)
{
  *round = (Round) { .which = which };
  round->client = client_new (which);
  round->connections = g_ptr_array_new_full (n, g_object_unref);
  g_signal_connect (round->client, "event", G_CALLBACK (round_event), round);
}

static void
drain (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
round_clear (Round *round)
{
  g_clear_pointer (&round->connections, g_ptr_array_unref);
  g_clear_object (&round->client);
  g_clear_error (&round->error);
  drain ();
}

/* Iterates until *@counter reaches @n; FALSE if it stopped moving. */
static gboolean
iterate_until (const guint *counter,
               guint        n)
{
  gint64 until = g_get_monotonic_time () + HANG_TIMEOUT_US;
  guint seen = *counter;

  while (*counter < n)
    {
      if (g_get_monotonic_time () > until)
        return FALSE;
      g_main_context_iteration (NULL, TRUE);
      if (*counter != seen)
        {
          seen = *counter;
          until = g_get_monotonic_time () + HANG_TIMEOUT_US;
        }
    }

  return TRUE;
}

typedef struct
{
  double heap;      /* bytes per connect */
  double left;      /* bytes per connect still in use after the end */
} MemorySample;

/* N connects to the black hole, measured in flight, then cancelled. */
static gboolean
run_in_flight (guint                which,
               GSocketConnectable  *hole,
               guint                n,
               MemorySample        *sample,
               GError             **error)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Round round;
  gsize heap0;

  round_init (&round, which, 0);
  drain ();
  heap0 = heap_in_use ();

  for (guint i = 0; i < n; i++)
    client_connect_async (which, round.client, hole, cancellable, round_connected, &round);
  if (!iterate_until (&round.connecting, n))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "%u of %u connects started",
                   round.connecting, n);
      round_clear (&round);
      return FALSE;
    }
  drain ();
  sample->heap = ((double) heap_in_use () - heap0) / n;

  g_cancellable_cancel (cancellable);
  iterate_until (&round.done, n);
  drain ();
  sample->left = ((double) heap_in_use () - heap0) / n;

  if (round.cancelled != n)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%u of %u connects cancelled: %s",
                   round.cancelled, n, round.error != NULL ? round.error->message : "?");
      round_clear (&round);
      return FALSE;
    }

  round_clear (&round);
  return TRUE;
}

/* N connects to the sink, measured with every connection held. */
static gboolean
run_established (guint                which,
                 GSocketConnectable  *sink,
                 guint                n,
                 MemorySample        *sample,
                 GError             **error)
{
  Round round;
  gsize heap0;

  round_init (&round, which, n);
  drain ();
  heap0 = heap_in_use ();

  for (guint i = 0; i < n; i++)
    client_connect_async (which, round.client, sink, NULL, round_connected, &round);
  iterate_until (&round.done, n);
  drain ();
  sample->heap = ((double) heap_in_use () - heap0) / n;

  g_ptr_array_set_size (round.connections, 0);
  drain ();
  sample->left = ((double) heap_in_use () - heap0) / n;

  if (round.connected != n)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%u of %u connected: %s",
                   round.connected, n, round.error != NULL ? round.error->message : "?");
      round_clear (&round);
      return FALSE;
    }

  round_clear (&round);
  return TRUE;
}

/* N connects at once, spread over the sink's ports; returns the ms from
 * the first call to the last callback.  With @sampler, also the peak of
 * open descriptors above the count at the start. */
static double
run_burst (guint       which,
           GPtrArray  *targets,
           guint       n,
           FdSampler  *sampler,
           guint      *peak_fds,
           GError    **error)
{
  Round round;
  guint fds0;
  gint64 start;
  double elapsed_ms;

  round_init (&round, which, n);
  drain ();
  fds0 = count_fds ();
  if (sampler != NULL)
    {
      *sampler = (FdSampler) { .peak = fds0 };
      sampler->thread = g_thread_new ("bench-fd-sampler", sampler_run, sampler);
    }

  start = g_get_monotonic_time ();
  for (guint i = 0; i < n; i++)
    client_connect_async (which, round.client, g_ptr_array_index (targets, i % targets->len),
                          NULL, round_connected, &round);
  iterate_until (&round.done, n);
  elapsed_ms = (g_get_monotonic_time () - start) / 1000.0;

  if (sampler != NULL)
    {
      g_atomic_int_set (&sampler->stop, TRUE);
      g_thread_join (sampler->thread);
      *peak_fds = MAX (sampler->peak, count_fds ()) - fds0;
    }

  if (round.connected != n)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%u of %u connected: %s",
                   round.connected, n, round.error != NULL ? round.error->message : "?");
      round_clear (&round);
      return -1;
    }

  round_clear (&round);
  return elapsed_ms;
}

/* }}} */

/* {{{ Results */

enum
{
  ROW_IN_FLIGHT_HEAP,
  ROW_IN_FLIGHT_LEFT,
  ROW_ESTABLISHED_HEAP,
  ROW_ESTABLISHED_LEFT,
  ROW_BURST_MS,
  ROW_BURST_FDS,
  N_ROWS
};

static GArray *samples[N_ROWS][N_CLIENTS];

static void
add_sample (guint  row,
            guint  which,
            double value)
{
  g_array_append_val (samples[row][which], value);
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static double
median (GArray *values)
{
  g_autoptr(GArray) sorted = NULL;
  guint n = values->len;

  if (n == 0)
    return 0;
  sorted = g_array_copy (values);
  g_array_sort (sorted, compare_doubles);
  if (n % 2 == 1)
    return g_array_index (sorted, double, n / 2);
  return (g_array_index (sorted, double, n / 2 - 1) + g_array_index (sorted, double, n / 2)) / 2;
}

static void
print_table (const Sizes *sizes)
{
  g_autofree char *in_flight = g_strdup_printf ("%u connects in flight (black hole)", sizes->in_flight);
  g_autofree char *established = g_strdup_printf ("%u established connections", sizes->established);
  g_autofree char *burst = g_strdup_printf ("%u async connects at once", sizes->burst);
  const struct
  {
    const char *group;
    const char *label;
    int         decimals;
  } rows[N_ROWS] = {
    [ROW_IN_FLIGHT_HEAP] = { in_flight, "heap, bytes per connect", 0 },
    [ROW_IN_FLIGHT_LEFT] = { NULL, "heap left after cancelling, bytes per connect", 1 },
    [ROW_ESTABLISHED_HEAP] = { established, "heap, bytes per connection", 0 },
    [ROW_ESTABLISHED_LEFT] = { NULL, "heap left after closing, bytes per connection", 1 },
    [ROW_BURST_MS] = { burst, "time to the last callback, ms", 1 },
    [ROW_BURST_FDS] = { NULL, "peak descriptors above the start", 0 },
  };

  g_print ("\n%-50s %10s %10s %9s\n", "measurement (median of rounds)", "GIO", "Dial", "Dial/GIO");
  for (guint row = 0; row < N_ROWS; row++)
    {
      double gio = median (samples[row][GIO]);
      double dial = median (samples[row][DIAL]);
      g_autofree char *ratio = gio > 0.5 ? g_strdup_printf ("%.2f", dial / gio) : g_strdup ("-");

      if (rows[row].group != NULL)
        g_print ("%s\n", rows[row].group);
      g_print ("  %-48s %10.*f %10.*f %9s\n", rows[row].label,
               rows[row].decimals, gio, rows[row].decimals, dial, ratio);
    }
  g_print ("\n");
}

/* }}} */

static guint64
raise_fd_limit (void)
{
  struct rlimit limit;

  if (getrlimit (RLIMIT_NOFILE, &limit) != 0)
    return 0;
  if (limit.rlim_cur < limit.rlim_max)
    {
      limit.rlim_cur = limit.rlim_max;
      setrlimit (RLIMIT_NOFILE, &limit);
      getrlimit (RLIMIT_NOFILE, &limit);
    }

  return limit.rlim_cur;
}

static guint
sink_ports_for (guint n)
{
  g_autofree char *text = NULL;
  guint64 somaxconn = SINK_BACKLOG;

  if (g_file_get_contents ("/proc/sys/net/core/somaxconn", &text, NULL, NULL))
    somaxconn = CLAMP (g_ascii_strtoull (text, NULL, 10), 1, SINK_BACKLOG);

  /* One more than the queues need: no SYN is dropped even if the sink
   * falls behind. */
  return (n + somaxconn - 1) / somaxconn + 1;
}

/* GLib 2.74's slice allocator hides allocations from malloc; the
 * environment variable must be set before GLib starts, so run again. */
static void
ensure_always_malloc (char **argv)
{
  if (g_strcmp0 (g_getenv ("G_SLICE"), "always-malloc") == 0)
    return;

  g_setenv ("G_SLICE", "always-malloc", TRUE);
  execv ("/proc/self/exe", argv);
  g_printerr ("dial-bench-load: could not run again with G_SLICE=always-malloc: %s\n",
              g_strerror (errno));
  exit (EXIT_FAILURE);
}

int
main (int   argc,
      char *argv[])
{
  gboolean quick = FALSE;
  int rounds = 0;
  GOptionEntry entries[] = {
    { "quick", 0, 0, G_OPTION_ARG_NONE, &quick, "A few connects: checks that it works", NULL },
    { "rounds", 0, 0, G_OPTION_ARG_INT, &rounds, "Rounds per measurement and client", "N" },
    { NULL }
  };
  g_autoptr(GOptionContext) options = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) burst_targets = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GSocketConnectable) hole_target = NULL;
  g_autoptr(GSocketConnectable) sink_target = NULL;
  g_autoptr(GInetAddress) loopback = NULL;
  Sizes sizes;
  BlackHole *hole;
  Sink *sink;
  guint64 fd_limit;
  guint needed;

  ensure_always_malloc (argv);
  /* Both clients look up direct:// at once, not this machine's proxies. */
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);

  options = g_option_context_new ("- memory and descriptors of DialSocketClient and GSocketClient under load");
  g_option_context_add_main_entries (options, entries, NULL);
  if (!g_option_context_parse (options, &argc, &argv, &error))
    {
      g_printerr ("dial-bench-load: %s\n", error->message);
      return EXIT_FAILURE;
    }

  sizes = quick ? quick_sizes : full_sizes;
  if (rounds > 0)
    sizes.rounds = rounds;

  fd_limit = raise_fd_limit ();
  needed = count_fds () + 1024;
  if (fd_limit < sizes.burst + needed)
    {
      guint burst = fd_limit > needed + 1000 ? (guint) (fd_limit - needed) / 1000 * 1000 : 0;

      g_printerr ("dial-bench-load: RLIMIT_NOFILE is %" G_GUINT64_FORMAT ": %u connects at once, not %u\n",
                  fd_limit, burst, sizes.burst);
      sizes.burst = burst;
    }

  for (guint row = 0; row < N_ROWS; row++)
    for (guint which = 0; which < N_CLIENTS; which++)
      samples[row][which] = g_array_new (FALSE, FALSE, sizeof (double));

  hole = black_hole_start ();
  sink = sink_start (sink_ports_for (MAX (sizes.burst, sizes.established)));
  loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  hole_target = G_SOCKET_CONNECTABLE (g_inet_socket_address_new (loopback, hole->port));
  sink_target = G_SOCKET_CONNECTABLE (g_inet_socket_address_new (loopback,
                                                                 g_array_index (sink->ports, guint16, 0)));
  for (guint i = 0; i < sink->ports->len; i++)
    g_ptr_array_add (burst_targets,
                     g_inet_socket_address_new (loopback, g_array_index (sink->ports, guint16, i)));

  g_printerr ("dial-bench-load: GLib %u.%u.%u, libdial %s, %u round(s) per client%s\n",
              glib_major_version, glib_minor_version, glib_micro_version, DIAL_VERSION_S,
              sizes.rounds, quick ? " (--quick: numbers mean nothing)" : "");

  /* Untimed: load code, register types, fill caches, for both. */
  for (guint which = 0; which < N_CLIENTS; which++)
    {
      MemorySample sample;
      guint peak;

      if (!run_in_flight (which, hole_target, 50, &sample, &error) ||
          !run_established (which, sink_target, 50, &sample, &error) ||
          run_burst (which, burst_targets, 200, NULL, &peak, &error) < 0)
        goto failed;
    }

  for (guint round = 0; round < sizes.rounds; round++)
    for (guint turn = 0; turn < N_CLIENTS; turn++)
      {
        guint which = (round + turn) % N_CLIENTS;
        MemorySample sample;
        double ms;

        g_printerr ("round %u, %s...\n", round + 1, client_names[which]);
        if (!run_in_flight (which, hole_target, sizes.in_flight, &sample, &error))
          goto failed;
        add_sample (ROW_IN_FLIGHT_HEAP, which, sample.heap);
        add_sample (ROW_IN_FLIGHT_LEFT, which, sample.left);

        if (!run_established (which, sink_target, sizes.established, &sample, &error))
          goto failed;
        add_sample (ROW_ESTABLISHED_HEAP, which, sample.heap);
        add_sample (ROW_ESTABLISHED_LEFT, which, sample.left);

        if (sizes.burst > 0)
          {
            ms = run_burst (which, burst_targets, sizes.burst, NULL, NULL, &error);
            if (ms < 0)
              goto failed;
            add_sample (ROW_BURST_MS, which, ms);
          }
      }

  /* The descriptor peaks, one sampled round per client. */
  for (guint which = 0; which < N_CLIENTS && sizes.burst > 0; which++)
    {
      FdSampler sampler;
      guint peak = 0;

      g_printerr ("descriptors, %s...\n", client_names[which]);
      if (run_burst (which, burst_targets, sizes.burst, &sampler, &peak, &error) < 0)
        goto failed;
      add_sample (ROW_BURST_FDS, which, peak);
    }

  print_table (&sizes);
  sink_stop (sink);
  black_hole_stop (hole);
  return EXIT_SUCCESS;

failed:
  g_printerr ("dial-bench-load: %s\n", error->message);
  return EXIT_FAILURE;
}
