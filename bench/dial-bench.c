/* dial-bench.c: DialSocketClient against GIO's GSocketClient, in one run.
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Five measurements, each taken for both clients in alternating rounds
 * (GIO then Dial, Dial then GIO, ...) so that both see the same machine:
 *
 *   sync      sequential connect () calls to 127.0.0.1: µs per connect;
 *   async     connect_async () with 64 in flight on one main loop:
 *             connects per second;
 *
 * and three on a name whose IPv6 address is a black hole and whose IPv4
 * address accepts, each in ms until connected:
 *
 *   first     one connect_async (), Dial's family cache off: both race the
 *             addresses and connect after the 250 ms attempt delay;
 *   sync      one connect () with the timeout property set to 1 s on both,
 *             Dial's family cache off: GIO tries the addresses one after the
 *             other and waits for the timeout (about 1000), Dial races them
 *             (about 250);
 *   repeat    connect_async () again and again to a name of its own, Dial's
 *             family cache on (its default), after one first connect that is
 *             not counted: GIO pays the attempt delay every time, Dial only
 *             the first time.
 *
 * Each figure is the median of the rounds.  See bench/README.md.
 */

#include <dial/dial.h>

#include <stdlib.h>
#include <string.h>

#include "bench-resolver.h"
#include "bench-servers.h"

/* The names the Happy Eyeballs measurements dial: only BenchResolver knows
 * them, and answers both with ::1 and 127.0.0.1.  REPEAT_NAME is dialled by
 * the repeat-connect measurement alone, so that libdial's process-wide
 * family cache (keyed by name) holds nothing for it when that one starts,
 * whatever ran before. */
#define DUAL_NAME   "dual.bench.test"
#define REPEAT_NAME "repeat.bench.test"

/* The timeout property, in seconds, of both clients in the sync Happy
 * Eyeballs measurement.  Without one, GIO's synchronous connect would wait
 * on the black hole for as long as the kernel retries its SYN (minutes). */
#define SYNC_EYEBALLS_TIMEOUT_S 1

/* A connect that takes longer than this has hung: report it, don't wait. */
#define HANG_TIMEOUT_S 10

/* ------------------------------------------------------------------------ */
/* Sizes                                                                     */

typedef struct
{
  guint rounds;          /* rounds per measurement and per client */
  guint sync_connects;   /* connects in one sync round */
  guint async_connects;  /* connects in one async round */
  guint in_flight;       /* async connects outstanding at once */
  guint warmup_connects; /* untimed connects per client before the first round */
} BenchSizes;

static const BenchSizes full_sizes = {
  .rounds = 5,
  .sync_connects = 2000,
  .async_connects = 4000,   /* 5 x 4000 = 20000 per client */
  .in_flight = 64,
  .warmup_connects = 500,
};

static const BenchSizes quick_sizes = {
  .rounds = 1,
  .sync_connects = 100,
  .async_connects = 256,
  .in_flight = 64,
  .warmup_connects = 20,
};

/* ------------------------------------------------------------------------ */
/* The two clients, behind one interface                                     */

typedef struct
{
  const char *name;
  GObject    *client;

  GSocketConnection *(*connect)        (GObject             *client,
                                        GSocketConnectable  *connectable,
                                        GCancellable        *cancellable,
                                        GError             **error);
  void               (*connect_async)  (GObject             *client,
                                        GSocketConnectable  *connectable,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
  GSocketConnection *(*connect_finish) (GObject             *client,
                                        GAsyncResult        *result,
                                        GError             **error);
} BenchClient;

static GSocketConnection *
gio_connect (GObject             *client,
             GSocketConnectable  *connectable,
             GCancellable        *cancellable,
             GError             **error)
{
  return g_socket_client_connect (G_SOCKET_CLIENT (client), connectable, cancellable, error);
}

static void
gio_connect_async (GObject             *client,
                   GSocketConnectable  *connectable,
                   GCancellable        *cancellable,
                   GAsyncReadyCallback  callback,
                   gpointer             user_data)
{
  g_socket_client_connect_async (G_SOCKET_CLIENT (client), connectable, cancellable,
                                 callback, user_data);
}

static GSocketConnection *
gio_connect_finish (GObject       *client,
                    GAsyncResult  *result,
                    GError       **error)
{
  return g_socket_client_connect_finish (G_SOCKET_CLIENT (client), result, error);
}

static GSocketConnection *
dial_connect (GObject             *client,
              GSocketConnectable  *connectable,
              GCancellable        *cancellable,
              GError             **error)
{
  return dial_socket_client_connect (DIAL_SOCKET_CLIENT (client), connectable, cancellable, error);
}

static void
dial_connect_async (GObject             *client,
                    GSocketConnectable  *connectable,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  dial_socket_client_connect_async (DIAL_SOCKET_CLIENT (client), connectable, cancellable,
                                    callback, user_data);
}

static GSocketConnection *
dial_connect_finish (GObject       *client,
                     GAsyncResult  *result,
                     GError       **error)
{
  return dial_socket_client_connect_finish (DIAL_SOCKET_CLIENT (client), result, error);
}

enum { GIO, DIAL, N_CLIENTS };

/* What a measurement changes from the clients' defaults. */
typedef struct
{
  guint    timeout;              /* the timeout property of both, in s; 0: none */
  gboolean dial_no_family_cache; /* Dial's family-cache property off */
} ClientSettings;

static void
bench_clients_init (BenchClient           clients[N_CLIENTS],
                    const ClientSettings *settings)
{
  GSocketClient *gio = g_socket_client_new ();
  DialSocketClient *dial = dial_socket_client_new ();

  /* Otherwise both keep their defaults: proxies enabled, and for Dial the
   * default attempt delay (250 ms, as GIO's), no deadline and the family
   * cache on. */
  if (settings->timeout != 0)
    {
      g_socket_client_set_timeout (gio, settings->timeout);
      dial_socket_client_set_timeout (dial, settings->timeout);
    }
  if (settings->dial_no_family_cache)
    dial_socket_client_set_family_cache (dial, FALSE);

  clients[GIO] = (BenchClient) {
    .name = "GIO",
    .client = G_OBJECT (gio),
    .connect = gio_connect,
    .connect_async = gio_connect_async,
    .connect_finish = gio_connect_finish,
  };
  clients[DIAL] = (BenchClient) {
    .name = "Dial",
    .client = G_OBJECT (dial),
    .connect = dial_connect,
    .connect_async = dial_connect_async,
    .connect_finish = dial_connect_finish,
  };
}

static void
bench_clients_clear (BenchClient clients[N_CLIENTS])
{
  for (guint i = 0; i < N_CLIENTS; i++)
    g_clear_object (&clients[i].client);
}

/* ------------------------------------------------------------------------ */
/* Sync: sequential connects                                                 */

/* Returns the µs per connect, or a negative number with @error set. */
static double
run_sync_round (const BenchClient   *client,
                GSocketConnectable  *target,
                guint                n_connects,
                GError             **error)
{
  gint64 start = g_get_monotonic_time ();

  for (guint i = 0; i < n_connects; i++)
    {
      g_autoptr(GSocketConnection) connection = NULL;

      connection = client->connect (client->client, target, NULL, error);
      if (connection == NULL)
        return -1;
      g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
    }

  return (double) (g_get_monotonic_time () - start) / n_connects;
}

/* ------------------------------------------------------------------------ */
/* Async: many connects in flight on one main loop                           */

typedef struct
{
  const BenchClient  *client;
  GSocketConnectable *target;
  guint               to_start;
  guint               in_flight;
  guint               max_in_flight;
  GError             *error;      /* the first failure; stops the round */
} AsyncRound;

static void async_round_fill (AsyncRound *round);

static void
async_round_connected (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  AsyncRound *round = user_data;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;

  round->in_flight--;

  connection = round->client->connect_finish (source, result, &error);
  if (connection == NULL)
    {
      if (round->error == NULL)
        round->error = g_steal_pointer (&error);
      round->to_start = 0;
      return;
    }

  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
  async_round_fill (round);
}

/* Starts connects until @max_in_flight are outstanding or none are left. */
static void
async_round_fill (AsyncRound *round)
{
  while (round->to_start > 0 && round->in_flight < round->max_in_flight)
    {
      round->to_start--;
      round->in_flight++;
      round->client->connect_async (round->client->client, round->target, NULL,
                                    async_round_connected, round);
    }
}

/* Returns connects per second, or a negative number with @error set. */
static double
run_async_round (const BenchClient   *client,
                 GSocketConnectable  *target,
                 guint                n_connects,
                 guint                max_in_flight,
                 GError             **error)
{
  AsyncRound round = {
    .client = client,
    .target = target,
    .to_start = n_connects,
    .max_in_flight = max_in_flight,
  };
  gint64 start = g_get_monotonic_time ();
  gint64 elapsed;

  async_round_fill (&round);
  while (round.in_flight > 0)
    g_main_context_iteration (NULL, TRUE);
  elapsed = g_get_monotonic_time () - start;

  if (round.error != NULL)
    {
      g_propagate_error (error, round.error);
      return -1;
    }

  return n_connects / (elapsed / (double) G_USEC_PER_SEC);
}

/* ------------------------------------------------------------------------ */
/* Happy Eyeballs: one connect to a dual-stack name                         */

typedef struct
{
  const BenchClient *client;
  GSocketConnection *connection;
  GError            *error;
  gboolean           done;
} OneConnect;

static void
one_connect_done (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  OneConnect *one = user_data;

  one->connection = one->client->connect_finish (source, result, &one->error);
  one->done = TRUE;
}

static gboolean
cancel_on_timeout (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

/* connect_async (), guarded by a timeout source on the main loop.  Sets
 * *@elapsed_ms to the time from the call to the callback. */
static GSocketConnection *
connect_async_guarded (const BenchClient   *client,
                       GSocketConnectable  *target,
                       GCancellable        *cancellable,
                       double              *elapsed_ms,
                       GError             **error)
{
  g_autoptr(GSource) guard = g_timeout_source_new_seconds (HANG_TIMEOUT_S);
  OneConnect one = { .client = client };
  gint64 start;

  g_source_set_callback (guard, cancel_on_timeout, cancellable, NULL);
  g_source_attach (guard, NULL);

  start = g_get_monotonic_time ();
  client->connect_async (client->client, target, cancellable, one_connect_done, &one);
  while (!one.done)
    g_main_context_iteration (NULL, TRUE);
  *elapsed_ms = (g_get_monotonic_time () - start) / 1000.0;
  g_source_destroy (guard);

  if (one.error != NULL)
    g_propagate_error (error, one.error);
  return one.connection;
}

/* A thread that cancels a synchronous connect still running after
 * HANG_TIMEOUT_S: the main thread is blocked in it and cannot. */
typedef struct
{
  GMutex        mutex;
  GCond         cond;
  gboolean      done;
  GCancellable *cancellable;
} HangGuard;

static gpointer
hang_guard_run (gpointer user_data)
{
  HangGuard *guard = user_data;
  gint64 end = g_get_monotonic_time () + HANG_TIMEOUT_S * G_TIME_SPAN_SECOND;

  g_mutex_lock (&guard->mutex);
  while (!guard->done)
    {
      if (!g_cond_wait_until (&guard->cond, &guard->mutex, end))
        {
          g_cancellable_cancel (guard->cancellable);
          break;
        }
    }
  g_mutex_unlock (&guard->mutex);

  return NULL;
}

/* connect (), guarded by a HangGuard thread.  Sets *@elapsed_ms to the
 * time the call took; starting and joining the thread are not counted. */
static GSocketConnection *
connect_sync_guarded (const BenchClient   *client,
                      GSocketConnectable  *target,
                      GCancellable        *cancellable,
                      double              *elapsed_ms,
                      GError             **error)
{
  HangGuard guard = { .cancellable = cancellable };
  GSocketConnection *connection;
  GThread *thread;
  gint64 start;

  g_mutex_init (&guard.mutex);
  g_cond_init (&guard.cond);
  thread = g_thread_new ("dial-bench-guard", hang_guard_run, &guard);

  start = g_get_monotonic_time ();
  connection = client->connect (client->client, target, cancellable, error);
  *elapsed_ms = (g_get_monotonic_time () - start) / 1000.0;

  g_mutex_lock (&guard.mutex);
  guard.done = TRUE;
  g_cond_signal (&guard.cond);
  g_mutex_unlock (&guard.mutex);
  g_thread_join (thread);
  g_mutex_clear (&guard.mutex);
  g_cond_clear (&guard.cond);

  return connection;
}

/* Returns the ms until connected to @name, with connect () if @sync and
 * connect_async () if not, or a negative number with @error set. */
static double
run_eyeballs_round (const BenchClient  *client,
                    const char         *name,
                    guint16             port,
                    gboolean            sync,
                    GError            **error)
{
  /* A new connectable each time, so each round resolves the name afresh. */
  g_autoptr(GSocketConnectable) target = g_network_address_new (name, port);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GSocketAddress) remote = NULL;
  GError *local_error = NULL;
  double elapsed_ms;

  if (sync)
    connection = connect_sync_guarded (client, target, cancellable, &elapsed_ms, &local_error);
  else
    connection = connect_async_guarded (client, target, cancellable, &elapsed_ms, &local_error);

  if (connection == NULL)
    {
      if (g_cancellable_is_cancelled (cancellable))
        g_prefix_error (&local_error, "No connection after %d s: ", HANG_TIMEOUT_S);
      g_propagate_error (error, local_error);
      return -1;
    }

  /* The black hole cannot answer, so the winner must be IPv4. */
  remote = g_socket_connection_get_remote_address (connection, NULL);
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
  if (remote == NULL ||
      g_socket_address_get_family (remote) != G_SOCKET_FAMILY_IPV4)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "Connected to something other than 127.0.0.1");
      return -1;
    }

  return elapsed_ms;
}

/* ------------------------------------------------------------------------ */
/* Rounds and results                                                        */

typedef enum
{
  MEASURE_SYNC,
  MEASURE_ASYNC,
  MEASURE_EYEBALLS,          /* async, first connect */
  MEASURE_EYEBALLS_SYNC,
  MEASURE_EYEBALLS_REPEAT,
  N_MEASURES
} Measure;

typedef struct
{
  const char     *key;             /* for --json */
  const char     *label;           /* for the table */
  const char     *unit;
  gboolean        lower_is_better;
  int             decimals;        /* of the medians in the table */

  /* Happy Eyeballs measurements only: */
  gboolean        eyeballs;        /* needs the black hole */
  const char     *name;            /* the name dialled */
  gboolean        sync;            /* connect () rather than connect_async () */
  gboolean        first_uncounted; /* each client connects once, untimed, first */
  ClientSettings  settings;        /* of this measurement's pair of clients */
} MeasureInfo;

static const MeasureInfo measure_info[N_MEASURES] = {
  [MEASURE_SYNC] = { "sync_connect_us", "sync connect, 127.0.0.1", "us/connect", TRUE, 1 },
  [MEASURE_ASYNC] = { "async_connects_per_s", "async connect, N in flight", "connects/s", FALSE, 1 },
  /* The key is the one this row has always had: it is the same connect,
   * now measured without Dial's family cache. */
  [MEASURE_EYEBALLS] = {
    "happy_eyeballs_ms", "Happy Eyeballs, async, first connect", "ms", TRUE, 2,
    .eyeballs = TRUE,
    .name = DUAL_NAME,
    .settings = { .dial_no_family_cache = TRUE },
  },
  [MEASURE_EYEBALLS_SYNC] = {
    "happy_eyeballs_sync_ms",
    "Happy Eyeballs, sync (timeout=" G_STRINGIFY (SYNC_EYEBALLS_TIMEOUT_S) ")", "ms", TRUE, 2,
    .eyeballs = TRUE,
    .name = DUAL_NAME,
    .sync = TRUE,
    .settings = { .timeout = SYNC_EYEBALLS_TIMEOUT_S, .dial_no_family_cache = TRUE },
  },
  [MEASURE_EYEBALLS_REPEAT] = {
    "happy_eyeballs_repeat_ms", "Happy Eyeballs, repeat connect (Dial: family cache)", "ms", TRUE, 2,
    .eyeballs = TRUE,
    .name = REPEAT_NAME,
    .first_uncounted = TRUE,
    .settings = { 0, },   /* Dial's family cache on, its default */
  },
};

typedef struct
{
  BenchSizes           sizes;
  GSocketConnectable  *loopback;    /* 127.0.0.1:port */
  guint16              port;
  gboolean             have_eyeballs;

  /* clients[measure]: a pair set up with measure_info[measure].settings.
   * The sync and async measurements share theirs, the pair warm_up ()
   * warms; each Happy Eyeballs measurement has a pair of its own. */
  BenchClient          clients[N_MEASURES][N_CLIENTS];

  /* samples[measure][client], one double per round */
  GArray              *samples[N_MEASURES][N_CLIENTS];

  /* first_ms[measure][client]: the untimed first connect of a
   * first_uncounted measurement, in ms */
  double               first_ms[N_MEASURES][N_CLIENTS];
} Bench;

static double
run_one (Bench              *bench,
         Measure             measure,
         const BenchClient  *client,
         GError            **error)
{
  switch (measure)
    {
    case MEASURE_SYNC:
      return run_sync_round (client, bench->loopback, bench->sizes.sync_connects, error);
    case MEASURE_ASYNC:
      return run_async_round (client, bench->loopback, bench->sizes.async_connects,
                              bench->sizes.in_flight, error);
    case MEASURE_EYEBALLS:
    case MEASURE_EYEBALLS_SYNC:
    case MEASURE_EYEBALLS_REPEAT:
      return run_eyeballs_round (client, measure_info[measure].name, bench->port,
                                 measure_info[measure].sync, error);
    case N_MEASURES:
    default:
      g_assert_not_reached ();
    }
}

/* Runs @measure's rounds, alternating which client goes first. */
static gboolean
run_measure (Bench    *bench,
             Measure   measure,
             GError  **error)
{
  BenchClient *clients = bench->clients[measure];

  if (measure_info[measure].first_uncounted)
    {
      for (guint which = 0; which < N_CLIENTS; which++)
        {
          double value = run_one (bench, measure, &clients[which], error);

          if (value < 0)
            {
              g_prefix_error (error, "%s, %s, first connect: ", measure_info[measure].label,
                              clients[which].name);
              return FALSE;
            }
          bench->first_ms[measure][which] = value;
        }
    }

  for (guint round = 0; round < bench->sizes.rounds; round++)
    {
      for (guint turn = 0; turn < N_CLIENTS; turn++)
        {
          guint which = (round + turn) % N_CLIENTS;
          double value = run_one (bench, measure, &clients[which], error);

          if (value < 0)
            {
              g_prefix_error (error, "%s, %s: ", measure_info[measure].label,
                              clients[which].name);
              return FALSE;
            }
          g_array_append_val (bench->samples[measure][which], value);
        }
    }

  return TRUE;
}

/* Lets both clients open sockets, load code and fill caches untimed. */
static gboolean
warm_up (Bench   *bench,
         GError **error)
{
  for (guint which = 0; which < N_CLIENTS; which++)
    {
      const BenchClient *client = &bench->clients[MEASURE_SYNC][which];

      if (run_sync_round (client, bench->loopback, bench->sizes.warmup_connects, error) < 0 ||
          run_async_round (client, bench->loopback, bench->sizes.warmup_connects,
                           bench->sizes.in_flight, error) < 0)
        {
          g_prefix_error (error, "Warm-up, %s: ", client->name);
          return FALSE;
        }
    }

  return TRUE;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

static double
median (GArray *samples)
{
  g_autoptr(GArray) sorted = NULL;
  guint n = samples->len;

  if (n == 0)
    return 0;

  sorted = g_array_copy (samples);
  g_array_sort (sorted, compare_doubles);
  if (n % 2 == 1)
    return g_array_index (sorted, double, n / 2);
  return (g_array_index (sorted, double, n / 2 - 1) + g_array_index (sorted, double, n / 2)) / 2;
}

static gboolean
measure_ran (Bench   *bench,
             Measure  measure)
{
  return bench->samples[measure][GIO]->len > 0;
}

static double
ratio (Bench   *bench,
       Measure  measure)
{
  double gio = median (bench->samples[measure][GIO]);

  return gio > 0 ? median (bench->samples[measure][DIAL]) / gio : 0;
}

/* A ratio with @decimals decimals, or, below 0.1, with two significant
 * digits: the repeat-connect ratio is far below 0.001. */
static char *
format_ratio (double ratio_value,
              int    decimals)
{
  if (ratio_value == 0 || ratio_value >= 0.1)
    return g_strdup_printf ("%.*f", decimals, ratio_value);
  return g_strdup_printf ("%.2g", ratio_value);
}

static char *
measure_label (Bench   *bench,
               Measure  measure)
{
  if (measure == MEASURE_ASYNC)
    return g_strdup_printf ("async connect, %u in flight", bench->sizes.in_flight);
  return g_strdup (measure_info[measure].label);
}

static void
print_table (Bench *bench)
{
  int width = 36;

  for (Measure m = 0; m < N_MEASURES; m++)
    {
      g_autofree char *label = measure_label (bench, m);

      width = MAX (width, (int) strlen (label));
    }

  g_print ("\n%-*s %12s %12s %9s\n", width, "measurement (median of rounds)", "GIO", "Dial", "Dial/GIO");

  for (Measure m = 0; m < N_MEASURES; m++)
    {
      const MeasureInfo *info = &measure_info[m];
      g_autofree char *label = measure_label (bench, m);
      g_autofree char *ratio_text = NULL;

      if (!measure_ran (bench, m))
        {
          g_print ("%-*s %12s %12s %9s  (skipped: no IPv6 loopback)\n",
                   width, label, "-", "-", "-");
          continue;
        }

      ratio_text = format_ratio (ratio (bench, m), 3);
      g_print ("%-*s %12.*f %12.*f %9s  %s, %s is better\n",
               width, label,
               info->decimals, median (bench->samples[m][GIO]),
               info->decimals, median (bench->samples[m][DIAL]),
               ratio_text,
               info->unit,
               info->lower_is_better ? "lower" : "higher");
    }

  g_print ("\n");
  g_print ("ratio sync time (Dial/GIO, lower is better): %.3f\n",
           ratio (bench, MEASURE_SYNC));
  g_print ("ratio async throughput (Dial/GIO, higher is better): %.3f\n",
           ratio (bench, MEASURE_ASYNC));
  if (measure_ran (bench, MEASURE_EYEBALLS))
    g_print ("Happy Eyeballs time to connect (ms, about 250 expected): GIO %.1f, Dial %.1f\n",
             median (bench->samples[MEASURE_EYEBALLS][GIO]),
             median (bench->samples[MEASURE_EYEBALLS][DIAL]));
  if (measure_ran (bench, MEASURE_EYEBALLS_SYNC))
    {
      g_autofree char *ratio_text = format_ratio (ratio (bench, MEASURE_EYEBALLS_SYNC), 3);

      g_print ("Happy Eyeballs sync time to connect, timeout=%d "
               "(ms, GIO about %d: waits for the timeout; Dial about 250: races): "
               "GIO %.1f, Dial %.1f, Dial/GIO %s\n",
               SYNC_EYEBALLS_TIMEOUT_S, SYNC_EYEBALLS_TIMEOUT_S * 1000,
               median (bench->samples[MEASURE_EYEBALLS_SYNC][GIO]),
               median (bench->samples[MEASURE_EYEBALLS_SYNC][DIAL]),
               ratio_text);
    }
  if (measure_ran (bench, MEASURE_EYEBALLS_REPEAT))
    {
      g_autofree char *ratio_text = format_ratio (ratio (bench, MEASURE_EYEBALLS_REPEAT), 3);

      g_print ("Happy Eyeballs repeat connect time "
               "(ms, GIO about 250; Dial one round trip: family cache): "
               "GIO %.1f, Dial %.2f, Dial/GIO %s\n",
               median (bench->samples[MEASURE_EYEBALLS_REPEAT][GIO]),
               median (bench->samples[MEASURE_EYEBALLS_REPEAT][DIAL]),
               ratio_text);
    }
}

static void
print_json_samples (GArray *samples)
{
  g_print ("[");
  for (guint i = 0; i < samples->len; i++)
    g_print ("%s%.3f", i > 0 ? ", " : "", g_array_index (samples, double, i));
  g_print ("]");
}

static void
print_json (Bench *bench)
{
  g_print ("{\n");
  g_print ("  \"glib_version\": \"%u.%u.%u\",\n",
           glib_major_version, glib_minor_version, glib_micro_version);
  g_print ("  \"dial_version\": \"%s\",\n", DIAL_VERSION_S);
  g_print ("  \"rounds\": %u,\n", bench->sizes.rounds);
  g_print ("  \"sync_connects_per_round\": %u,\n", bench->sizes.sync_connects);
  g_print ("  \"async_connects_per_round\": %u,\n", bench->sizes.async_connects);
  g_print ("  \"async_in_flight\": %u,\n", bench->sizes.in_flight);

  for (Measure m = 0; m < N_MEASURES; m++)
    {
      const MeasureInfo *info = &measure_info[m];
      g_autofree char *ratio_text = NULL;

      g_print ("  \"%s\": ", info->key);
      if (!measure_ran (bench, m))
        {
          g_print ("null,\n");
          continue;
        }
      ratio_text = format_ratio (ratio (bench, m), 4);
      g_print ("{\"gio\": %.3f, \"dial\": %.3f, \"ratio\": %s, "
               "\"lower_is_better\": %s, \"gio_rounds\": ",
               median (bench->samples[m][GIO]),
               median (bench->samples[m][DIAL]),
               ratio_text,
               info->lower_is_better ? "true" : "false");
      print_json_samples (bench->samples[m][GIO]);
      g_print (", \"dial_rounds\": ");
      print_json_samples (bench->samples[m][DIAL]);
      if (info->eyeballs)
        g_print (", \"name\": \"%s\", \"sync\": %s, \"timeout_s\": %u, \"dial_family_cache\": %s",
                 info->name,
                 info->sync ? "true" : "false",
                 info->settings.timeout,
                 info->settings.dial_no_family_cache ? "false" : "true");
      if (info->first_uncounted)
        g_print (", \"gio_first\": %.3f, \"dial_first\": %.3f",
                 bench->first_ms[m][GIO], bench->first_ms[m][DIAL]);
      g_print ("},\n");
    }

  g_print ("  \"ratio_sync_time\": %.4f,\n", ratio (bench, MEASURE_SYNC));
  g_print ("  \"ratio_async_throughput\": %.4f\n", ratio (bench, MEASURE_ASYNC));
  g_print ("}\n");
}

/* Progress goes to stderr, so that --json output stays clean on stdout. */
static void
progress (const char *format,
          ...) G_GNUC_PRINTF (1, 2);

static void
progress (const char *format,
          ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_printerr ("%s\n", message);
}

int
main (int   argc,
      char *argv[])
{
  gboolean quick = FALSE;
  gboolean json = FALSE;
  int rounds = 0;
  const GOptionEntry entries[] = {
    { "rounds", 'r', 0, G_OPTION_ARG_INT, &rounds, "Rounds per measurement and per client (default 5)", "N" },
    { "quick", 'q', 0, G_OPTION_ARG_NONE, &quick, "Few iterations: checks that it runs, measures nothing", NULL },
    { "json", 'j', 0, G_OPTION_ARG_NONE, &json, "Print the results as JSON", NULL },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(BenchServers) servers = NULL;
  g_autoptr(BenchResolver) resolver = NULL;
  const char * const dual_addresses[] = { "::1", "127.0.0.1", NULL };
  Bench bench = { 0, };
  int status = EXIT_SUCCESS;

  /* Measure the clients, not this machine's proxy configuration: the
   * dummy proxy resolver answers direct:// at once, for both clients. */
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);

  context = g_option_context_new ("- compare DialSocketClient with GSocketClient");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return EXIT_FAILURE;
    }

  servers = bench_servers_start (&error);
  if (servers == NULL)
    {
      g_printerr ("Could not start the servers: %s\n", error->message);
      return EXIT_FAILURE;
    }

  resolver = bench_resolver_new (DUAL_NAME, dual_addresses);
  bench_resolver_add_name (resolver, REPEAT_NAME, dual_addresses);
  g_resolver_set_default (G_RESOLVER (resolver));

  bench.sizes = quick ? quick_sizes : full_sizes;
  if (rounds > 0)
    bench.sizes.rounds = rounds;
  bench.port = bench_servers_get_port (servers);
  bench.have_eyeballs = bench_servers_has_black_hole (servers);
  bench.loopback = G_SOCKET_CONNECTABLE (g_inet_socket_address_new_from_string ("127.0.0.1", bench.port));
  for (Measure m = 0; m < N_MEASURES; m++)
    {
      if (m == MEASURE_ASYNC)
        {
          /* The async measurement shares the sync one's clients. */
          for (guint c = 0; c < N_CLIENTS; c++)
            {
              bench.clients[m][c] = bench.clients[MEASURE_SYNC][c];
              g_object_ref (bench.clients[m][c].client);
            }
        }
      else
        bench_clients_init (bench.clients[m], &measure_info[m].settings);
    }
  for (Measure m = 0; m < N_MEASURES; m++)
    for (guint c = 0; c < N_CLIENTS; c++)
      bench.samples[m][c] = g_array_new (FALSE, FALSE, sizeof (double));

  progress ("dial-bench: GLib %u.%u.%u, libdial %s, port %u, %u round(s) per client%s",
            glib_major_version, glib_minor_version, glib_micro_version, DIAL_VERSION_S,
            bench.port, bench.sizes.rounds, quick ? " (--quick: numbers mean nothing)" : "");

  progress ("warming up...");
  if (!warm_up (&bench, &error))
    goto failed;

  progress ("sync: %u rounds of %u connects per client...", bench.sizes.rounds, bench.sizes.sync_connects);
  if (!run_measure (&bench, MEASURE_SYNC, &error))
    goto failed;

  progress ("async: %u rounds of %u connects, %u in flight, per client...",
            bench.sizes.rounds, bench.sizes.async_connects, bench.sizes.in_flight);
  if (!run_measure (&bench, MEASURE_ASYNC, &error))
    goto failed;

  if (bench.have_eyeballs)
    {
      progress ("Happy Eyeballs, async, first connect: %u connects to %s per client, "
                "Dial's family cache off...", bench.sizes.rounds, DUAL_NAME);
      if (!run_measure (&bench, MEASURE_EYEBALLS, &error))
        goto failed;

      progress ("Happy Eyeballs, sync: %u connects to %s per client, timeout %d s, "
                "Dial's family cache off...", bench.sizes.rounds, DUAL_NAME, SYNC_EYEBALLS_TIMEOUT_S);
      if (!run_measure (&bench, MEASURE_EYEBALLS_SYNC, &error))
        goto failed;

      progress ("Happy Eyeballs, repeat connect: 1 + %u connects to %s per client, "
                "Dial's family cache on...", bench.sizes.rounds, REPEAT_NAME);
      if (!run_measure (&bench, MEASURE_EYEBALLS_REPEAT, &error))
        goto failed;
      progress ("  first connects, not counted: GIO %.1f ms, Dial %.1f ms",
                bench.first_ms[MEASURE_EYEBALLS_REPEAT][GIO],
                bench.first_ms[MEASURE_EYEBALLS_REPEAT][DIAL]);
    }
  else
    progress ("Happy Eyeballs: skipped, this machine has no IPv6 loopback");

  if (json)
    print_json (&bench);
  else
    print_table (&bench);
  goto out;

failed:
  g_printerr ("dial-bench: %s\n", error->message);
  status = EXIT_FAILURE;

out:
  for (Measure m = 0; m < N_MEASURES; m++)
    for (guint c = 0; c < N_CLIENTS; c++)
      g_clear_pointer (&bench.samples[m][c], g_array_unref);
  for (Measure m = 0; m < N_MEASURES; m++)
    bench_clients_clear (bench.clients[m]);
  g_clear_object (&bench.loopback);

  return status;
}
