/* test-connect-engine.c: the Happy Eyeballs decisions on their own, with a
 * fake clock and hooks that only write down what they were asked to do
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "dial-connect-engine.h"

/*
 * Each test feeds the engine what a driver would see (addresses, results,
 * timer wake-ups, a cancel), at moments of a fake clock, and compares what
 * the hooks were asked to do with an expected log, one entry per hook call,
 * joined with "; ":
 *
 *   request                   request_address, answered later
 *   request: 10.0.0.1         request_address, answered at once (from the
 *   request: end              test's queue of ready answers)
 *   start 10.0.0.1            start_attempt (its result comes from the script)
 *   stages 10.0.0.1           start_stages (likewise)
 *   drop 10.0.0.1             drop_attempt
 *   complete ok 10.0.0.1      complete with a winner
 *   complete error refused    complete with an error: a G_IO_ERROR nick, else
 *                             "QUARK:CODE"
 *   timer 250000              set_timer, in µs since the engine started, or
 *   timer off                 -1
 *
 * The clock starts far from zero, so that a mix-up of absolute and relative
 * times shows; fake_advance() wakes the engine at the moment it asked for,
 * as a driver's timer source would.
 *
 * The hooks also check the engine's promises as they go: one address
 * request at a time, no report about a dropped attempt, stages only for a
 * TCP winner and one at a time, complete exactly once and only after every
 * other attempt was dropped, the winner dropped right after it. The test
 * side keeps the driver's promises: an address or the end only in answer
 * to an outstanding request, results only for live attempts.
 */

#define EPOCH_US ((gint64) 1000 * G_USEC_PER_SEC)
#define MS       ((gint64) 1000)

#define V4_A "10.0.0.1"
#define V4_B "10.0.0.2"
#define V4_C "10.0.0.3"
#define V6_A "2001:db8::1"
#define V6_B "2001:db8::2"

typedef enum
{
  STAGES_FINISH,    /* no proxy, no TLS: done at once (the default) */
  STAGES_PENDING,   /* the test reports the result */
  STAGES_FAIL,      /* fail at once */
} StagesMode;

typedef struct
{
  gboolean            start_fails;
  int                 start_code;
  gboolean            connects_at_once;
  StagesMode          stages;
  GSocketClientEvent  fail_stage;
  GQuark              fail_domain;
  int                 fail_code;
} Script;

typedef enum
{
  LIVE_CONNECTING,
  LIVE_CONNECTED,
  LIVE_NEGOTIATING,
} LiveState;

typedef struct
{
  DialEngineAttempt *attempt;
  char              *ip;
  LiveState          state;
} Live;

typedef struct
{
  DialConnectEngineConfig  config;
  DialConnectEngine       *engine;
  GString                 *log;
  gint64                   now;           /* µs since EPOCH_US */
  gint64                   timer;         /* absolute, or -1 */
  gboolean                 requesting;
  guint                    n_complete;
  GQueue                   ready;         /* answers request_address has at once:
                                           * an IP, "end", or "error" */
  GHashTable              *scripts;       /* ip → Script */
  GHashTable              *live;          /* ip → Live: started, not dropped */
  Live                    *negotiating;
  char                    *winner;
  GError                  *error;
} Fixture;

/* ---- the recording hooks ------------------------------------------------ */

static void
log_line (Fixture    *fx,
          const char *format,
          ...) G_GNUC_PRINTF (2, 3);

static void
log_line (Fixture    *fx,
          const char *format,
          ...)
{
  va_list args;

  if (fx->log->len > 0)
    g_string_append (fx->log, "; ");
  va_start (args, format);
  g_string_append_vprintf (fx->log, format, args);
  va_end (args);
}

static char *
ip_of (GSocketAddress *address)
{
  return g_inet_address_to_string (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (address)));
}

static Script *
script_for (Fixture    *fx,
            const char *ip)
{
  Script *script = g_hash_table_lookup (fx->scripts, ip);

  if (script == NULL)
    {
      script = g_new0 (Script, 1);
      g_hash_table_insert (fx->scripts, g_strdup (ip), script);
    }

  return script;
}

static Live *
live_of (Fixture           *fx,
         DialEngineAttempt *attempt)
{
  Live *live = dial_engine_attempt_get_data (attempt);

  g_assert_nonnull (live);
  g_assert_true (live->attempt == attempt);
  g_assert_true (g_hash_table_lookup (fx->live, live->ip) == live);

  return live;
}

static char *
describe_error (const GError *error)
{
  if (error->domain == G_IO_ERROR)
    {
      g_autoptr(GEnumClass) klass = g_type_class_ref (G_TYPE_IO_ERROR_ENUM);
      GEnumValue *value = g_enum_get_value (klass, error->code);

      g_assert_nonnull (value);
      return g_strdup (value->value_nick);
    }

  return g_strdup_printf ("%s:%d", g_quark_to_string (error->domain), error->code);
}

static GSocketAddress *
make_address (const char *ip)
{
  g_autoptr(GInetAddress) inet = g_inet_address_new_from_string (ip);

  g_assert_nonnull (inet);
  return g_inet_socket_address_new (inet, 443);
}

static gboolean
hook_request_address (gpointer          driver,
                      GSocketAddress  **address,
                      GError          **error)
{
  Fixture *fx = driver;
  g_autofree char *answer = NULL;

  g_assert_cmpuint (fx->n_complete, ==, 0);
  /* At most one request at a time. */
  g_assert_false (fx->requesting);
  g_assert_nonnull (address);
  g_assert_null (*address);

  answer = g_queue_pop_head (&fx->ready);
  if (answer == NULL)
    {
      fx->requesting = TRUE;
      log_line (fx, "request");
      return FALSE;
    }

  log_line (fx, "request: %s", answer);
  if (g_str_equal (answer, "error"))
    g_set_error_literal (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND, "Ready enumeration error");
  else if (!g_str_equal (answer, "end"))
    *address = make_address (answer);

  return TRUE;
}

static gboolean
hook_start_attempt (gpointer            driver,
                    DialEngineAttempt  *attempt,
                    gboolean           *connected,
                    GError            **error)
{
  Fixture *fx = driver;
  g_autofree char *ip = ip_of (dial_engine_attempt_get_address (attempt));
  Script *script = script_for (fx, ip);
  Live *live;

  g_assert_cmpuint (fx->n_complete, ==, 0);
  g_assert_null (dial_engine_attempt_get_data (attempt));
  /* Each test gives each address once. */
  g_assert_null (g_hash_table_lookup (fx->live, ip));
  g_assert_false (*connected);
  log_line (fx, "start %s", ip);

  if (script->start_fails)
    {
      g_set_error (error, G_IO_ERROR, script->start_code, "Could not create a socket for %s", ip);
      return FALSE;
    }

  live = g_new0 (Live, 1);
  live->attempt = attempt;
  live->ip = g_strdup (ip);
  live->state = script->connects_at_once ? LIVE_CONNECTED : LIVE_CONNECTING;
  g_hash_table_insert (fx->live, live->ip, live);
  dial_engine_attempt_set_data (attempt, live);
  *connected = script->connects_at_once;

  return TRUE;
}

static gboolean
hook_start_stages (gpointer             driver,
                   DialEngineAttempt   *attempt,
                   gboolean            *finished,
                   GSocketClientEvent  *stage,
                   GError             **error)
{
  Fixture *fx = driver;
  Live *live = live_of (fx, attempt);
  Script *script = script_for (fx, live->ip);

  g_assert_cmpuint (fx->n_complete, ==, 0);
  /* Only a TCP winner, and one at a time. */
  g_assert_cmpint (live->state, ==, LIVE_CONNECTED);
  g_assert_null (fx->negotiating);
  g_assert_false (*finished);
  log_line (fx, "stages %s", live->ip);

  switch (script->stages)
    {
    case STAGES_FINISH:
      *finished = TRUE;
      return TRUE;

    case STAGES_PENDING:
      live->state = LIVE_NEGOTIATING;
      fx->negotiating = live;
      return TRUE;

    case STAGES_FAIL:
      *stage = script->fail_stage;
      g_set_error (error, script->fail_domain, script->fail_code, "Stages failed at once on %s", live->ip);
      return FALSE;

    default:
      g_assert_not_reached ();
    }
}

static void
hook_drop_attempt (gpointer           driver,
                   DialEngineAttempt *attempt)
{
  Fixture *fx = driver;
  Live *live = live_of (fx, attempt);

  log_line (fx, "drop %s", live->ip);
  if (fx->negotiating == live)
    fx->negotiating = NULL;
  dial_engine_attempt_set_data (attempt, NULL);
  g_hash_table_remove (fx->live, live->ip);
}

static void
hook_complete (gpointer           driver,
               DialEngineAttempt *winner,
               GError            *error)
{
  Fixture *fx = driver;

  /* Exactly once, with a winner or an error. */
  g_assert_cmpuint (fx->n_complete, ==, 0);
  fx->n_complete++;
  g_assert_true ((winner == NULL) != (error == NULL));
  g_assert_true (dial_connect_engine_is_complete (fx->engine));

  if (winner != NULL)
    {
      Live *live = live_of (fx, winner);

      /* Every other attempt was dropped before. */
      g_assert_cmpuint (g_hash_table_size (fx->live), ==, 1);
      fx->winner = g_strdup (live->ip);
      log_line (fx, "complete ok %s", live->ip);
    }
  else
    {
      g_autofree char *description = describe_error (error);

      g_assert_cmpuint (g_hash_table_size (fx->live), ==, 0);
      fx->error = error;
      log_line (fx, "complete error %s", description);
    }
}

static void
hook_set_timer (gpointer driver,
                gint64   when_us)
{
  Fixture *fx = driver;

  fx->timer = when_us;
  if (when_us < 0)
    {
      log_line (fx, "timer off");
    }
  else
    {
      /* Never a moment in the past. */
      g_assert_cmpint (when_us, >=, EPOCH_US + fx->now);
      log_line (fx, "timer %" G_GINT64_FORMAT, when_us - EPOCH_US);
    }
}

static const DialConnectEngineHooks hooks = {
  .request_address = hook_request_address,
  .start_attempt = hook_start_attempt,
  .start_stages = hook_start_stages,
  .drop_attempt = hook_drop_attempt,
  .complete = hook_complete,
  .set_timer = hook_set_timer,
};

/* ---- the fixture and what a test can do --------------------------------- */

static void
live_free (gpointer data)
{
  Live *live = data;

  g_free (live->ip);
  g_free (live);
}

static void
fixture_setup (Fixture       *fx,
               gconstpointer  data)
{
  fx->config.attempt_delay_ms = 250;
  fx->config.deadline_ms = 0;
  fx->config.preferred_family = G_SOCKET_FAMILY_INVALID;
  fx->config.target_name = "example.test";
  fx->log = g_string_new (NULL);
  fx->timer = -1;
  fx->scripts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  /* Keys are the Live's own ip. */
  fx->live = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, live_free);
}

static void
fixture_teardown (Fixture       *fx,
                  gconstpointer  data)
{
  if (fx->engine != NULL)
    {
      /* A test that stops before the end cancels what is left. */
      if (!dial_connect_engine_is_complete (fx->engine))
        dial_connect_engine_cancel (fx->engine,
                                    g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "teardown"));
      g_assert_cmpuint (fx->n_complete, ==, 1);
      /* Every attempt the engine started was dropped, the winner too. */
      g_assert_cmpuint (g_hash_table_size (fx->live), ==, 0);
      dial_connect_engine_free (fx->engine);
    }

  g_clear_error (&fx->error);
  g_clear_pointer (&fx->winner, g_free);
  g_clear_pointer (&fx->live, g_hash_table_unref);
  g_clear_pointer (&fx->scripts, g_hash_table_unref);
  g_queue_clear_full (&fx->ready, g_free);
  g_string_free (fx->log, TRUE);
}

/* Compares the log since the last check with @expected, then clears it. */
#define check(fx, expected) \
  G_STMT_START { \
    g_assert_cmpstr ((fx)->log->str, ==, (expected)); \
    g_string_truncate ((fx)->log, 0); \
  } G_STMT_END

static gint64
fake_now (Fixture *fx)
{
  return EPOCH_US + fx->now;
}

static void
fake_start (Fixture *fx)
{
  g_assert_null (fx->engine);
  fx->engine = dial_connect_engine_new (&fx->config, &hooks, fx);
  dial_connect_engine_start (fx->engine, fake_now (fx));
}

/* Moves the clock @ms forward, waking the engine at each moment it asked
 * for on the way, as a driver's timer source does. */
static void
fake_advance (Fixture *fx,
              gint64   ms)
{
  gint64 target = fx->now + ms * MS;

  for (guint i = 0; fx->timer >= 0 && fx->timer <= EPOCH_US + target; i++)
    {
      g_assert_cmpuint (i, <, 100);
      g_assert_cmpint (fx->timer - EPOCH_US, >=, fx->now);
      fx->now = fx->timer - EPOCH_US;
      /* A source's ready time is used up when it dispatches. */
      fx->timer = -1;
      dial_connect_engine_timer (fx->engine, fake_now (fx));
    }

  fx->now = target;
}

/* Answers the outstanding request with @ip. */
static void
give_address (Fixture    *fx,
              const char *ip)
{
  g_autoptr(GSocketAddress) address = make_address (ip);

  g_assert_true (fx->requesting);
  fx->requesting = FALSE;
  dial_connect_engine_address (fx->engine, fake_now (fx), address);
}

/* Queues answers that the next requests get at once, NULL-terminated. */
static void
ready_answers (Fixture    *fx,
               const char *first,
               ...) G_GNUC_NULL_TERMINATED;

static void
ready_answers (Fixture    *fx,
               const char *first,
               ...)
{
  va_list args;

  va_start (args, first);
  for (const char *answer = first; answer != NULL; answer = va_arg (args, const char *))
    g_queue_push_tail (&fx->ready, g_strdup (answer));
  va_end (args);
}

/* The enumerator's end, with @code in @domain or without an error (0). */
static void
end_addresses (Fixture *fx,
               GQuark   domain,
               int      code)
{
  GError *error = NULL;

  if (domain != 0)
    error = g_error_new (domain, code, "Enumeration error %d", code);
  g_assert_true (fx->requesting);
  fx->requesting = FALSE;
  dial_connect_engine_addresses_done (fx->engine, fake_now (fx), error);
}

static Live *
live_at (Fixture    *fx,
         const char *ip)
{
  Live *live = g_hash_table_lookup (fx->live, ip);

  g_assert_nonnull (live);
  return live;
}

static void
report_connected (Fixture    *fx,
                  const char *ip)
{
  Live *live = live_at (fx, ip);

  g_assert_cmpint (live->state, ==, LIVE_CONNECTING);
  live->state = LIVE_CONNECTED;
  dial_connect_engine_attempt_connected (fx->engine, fake_now (fx), live->attempt);
}

static void
report_failed (Fixture    *fx,
               const char *ip,
               int         code)
{
  Live *live = live_at (fx, ip);

  g_assert_cmpint (live->state, ==, LIVE_CONNECTING);
  dial_connect_engine_attempt_failed (fx->engine, fake_now (fx), live->attempt,
                                      g_error_new (G_IO_ERROR, code, "Could not connect to %s", ip));
}

static void
report_stage (Fixture            *fx,
              const char         *ip,
              GSocketClientEvent  stage)
{
  Live *live = live_at (fx, ip);

  g_assert_true (fx->negotiating == live);
  dial_connect_engine_stage_entered (fx->engine, live->attempt, stage);
}

static void
report_stages_done (Fixture    *fx,
                    const char *ip)
{
  Live *live = live_at (fx, ip);

  g_assert_true (fx->negotiating == live);
  dial_connect_engine_stages_done (fx->engine, fake_now (fx), live->attempt);
}

static void
report_stages_failed (Fixture            *fx,
                      const char         *ip,
                      GSocketClientEvent  stage,
                      GQuark              domain,
                      int                 code)
{
  Live *live = live_at (fx, ip);

  g_assert_true (fx->negotiating == live);
  fx->negotiating = NULL;
  live->state = LIVE_CONNECTED;
  dial_connect_engine_stages_failed (fx->engine, fake_now (fx), live->attempt, stage,
                                     g_error_new (domain, code, "Stages failed on %s", ip));
}

static void
cancel (Fixture *fx)
{
  dial_connect_engine_cancel (fx->engine,
                              g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                   "Operation was cancelled"));
}

static void
script_start_fails (Fixture    *fx,
                    const char *ip,
                    int         code)
{
  Script *script = script_for (fx, ip);

  script->start_fails = TRUE;
  script->start_code = code;
}

static void
script_connects_at_once (Fixture    *fx,
                         const char *ip)
{
  script_for (fx, ip)->connects_at_once = TRUE;
}

static void
script_stages_pending (Fixture    *fx,
                       const char *ip)
{
  script_for (fx, ip)->stages = STAGES_PENDING;
}

static void
script_stages_fail (Fixture            *fx,
                    const char         *ip,
                    GSocketClientEvent  stage,
                    GQuark              domain,
                    int                 code)
{
  Script *script = script_for (fx, ip);

  script->stages = STAGES_FAIL;
  script->fail_stage = stage;
  script->fail_domain = domain;
  script->fail_code = code;
}

static void
assert_complete_ok (Fixture    *fx,
                    const char *ip)
{
  g_assert_true (dial_connect_engine_is_complete (fx->engine));
  g_assert_cmpuint (fx->n_complete, ==, 1);
  g_assert_cmpstr (fx->winner, ==, ip);
  g_assert_no_error (fx->error);
}

/* ---- one address --------------------------------------------------------- */

static void
test_single_address (Fixture       *fx,
                     gconstpointer  data)
{
  fake_start (fx);
  check (fx, "request");
  g_assert_false (dial_connect_engine_is_complete (fx->engine));

  give_address (fx, V4_A);
  /* No address is asked for ahead of its time. */
  check (fx, "start " V4_A "; timer 250000");

  fake_advance (fx, 10);
  check (fx, "");
  report_connected (fx, V4_A);
  check (fx, "stages " V4_A "; timer off; complete ok " V4_A "; drop " V4_A);
  assert_complete_ok (fx, V4_A);
  g_assert_cmpuint (dial_connect_engine_get_n_addresses (fx->engine), ==, 1);
  g_assert_cmpint (dial_connect_engine_get_first_family (fx->engine), ==, G_SOCKET_FAMILY_IPV4);
}

/* The one address is all there is: the end comes while it connects. */
static void
test_single_address_then_end (Fixture       *fx,
                              gconstpointer  data)
{
  fake_start (fx);
  give_address (fx, V4_A);
  check (fx, "request; start " V4_A "; timer 250000");

  /* At the attempt delay the next address is asked for: there is none,
   * so there is nothing more to wait for but the attempt. */
  fake_advance (fx, 250);
  check (fx, "request");
  end_addresses (fx, 0, 0);
  check (fx, "");

  fake_advance (fx, 10);
  report_connected (fx, V4_A);
  check (fx, "stages " V4_A "; complete ok " V4_A "; drop " V4_A);
  assert_complete_ok (fx, V4_A);
}

/* A request outstanding when the winner completes: its late answer is
 * ignored. */
static void
test_late_answer_ignored (Fixture       *fx,
                          gconstpointer  data)
{
  fake_start (fx);
  give_address (fx, V4_A);
  fake_advance (fx, 250);
  check (fx, "request; start " V4_A "; timer 250000; request");

  report_connected (fx, V4_A);
  check (fx, "stages " V4_A "; complete ok " V4_A "; drop " V4_A);

  give_address (fx, V4_B);
  fake_advance (fx, 1000);
  check (fx, "");
  assert_complete_ok (fx, V4_A);
}

/* ---- the best error ------------------------------------------------------ */

/* An address that failed its TLS handshake beats a later refused one. */
static void
test_best_error_tls_beats_refused (Fixture       *fx,
                                   gconstpointer  data)
{
  script_stages_pending (fx, V4_A);

  fake_start (fx);
  give_address (fx, V4_A);
  check (fx, "request; start " V4_A "; timer 250000");

  fake_advance (fx, 10);
  report_connected (fx, V4_A);
  check (fx, "stages " V4_A "; timer off");
  report_stage (fx, V4_A, G_SOCKET_CLIENT_TLS_HANDSHAKING);

  fake_advance (fx, 10);
  report_stages_failed (fx, V4_A, G_SOCKET_CLIENT_TLS_HANDSHAKING,
                        G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  check (fx, "drop " V4_A "; request");
  give_address (fx, V4_B);
  check (fx, "start " V4_B "; timer 270000");

  fake_advance (fx, 10);
  report_failed (fx, V4_B, G_IO_ERROR_CONNECTION_REFUSED);
  check (fx, "drop " V4_B "; request; timer off");
  end_addresses (fx, 0, 0);
  check (fx, "complete error g-tls-error-quark:2");
  g_assert_error (fx->error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  g_assert_cmpstr (fx->error->message, ==, "Stages failed on " V4_A);
}

/* A resolver error, before or after a refused connect, loses to it. */
static void
test_best_error_resolver_loses (Fixture       *fx,
                                gconstpointer  data)
{
  gboolean end_first = GPOINTER_TO_INT (data);

  fake_start (fx);
  give_address (fx, V4_A);
  check (fx, "request; start " V4_A "; timer 250000");

  if (end_first)
    {
      fake_advance (fx, 250);
      check (fx, "request");
      end_addresses (fx, G_RESOLVER_ERROR, G_RESOLVER_ERROR_TEMPORARY_FAILURE);
      check (fx, "");
      report_failed (fx, V4_A, G_IO_ERROR_CONNECTION_REFUSED);
      check (fx, "drop " V4_A "; complete error connection-refused");
    }
  else
    {
      report_failed (fx, V4_A, G_IO_ERROR_CONNECTION_REFUSED);
      /* The enumerator may still have something. */
      check (fx, "drop " V4_A "; request; timer off");
      end_addresses (fx, G_RESOLVER_ERROR, G_RESOLVER_ERROR_TEMPORARY_FAILURE);
      check (fx, "complete error connection-refused");
    }

  g_assert_error (fx->error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  g_assert_cmpstr (fx->error->message, ==, "Could not connect to " V4_A);
}

/* Among errors of one stage, the most recent wins. */
static void
test_best_error_latest_wins (Fixture       *fx,
                             gconstpointer  data)
{
  fake_start (fx);
  give_address (fx, V4_A);
  fake_advance (fx, 250);
  give_address (fx, V4_B);
  check (fx, "request; start " V4_A "; timer 250000; request; start " V4_B "; timer 500000");

  report_failed (fx, V4_B, G_IO_ERROR_CONNECTION_REFUSED);
  check (fx, "drop " V4_B "; request; timer off");
  end_addresses (fx, 0, 0);
  check (fx, "");
  fake_advance (fx, 1000);
  report_failed (fx, V4_A, G_IO_ERROR_TIMED_OUT);
  check (fx, "drop " V4_A "; complete error timed-out");
}

/* ---- the attempt delay --------------------------------------------------- */

/* While the first attempt is pending, the second starts 250 ms after it,
 * not a moment before, and the third 250 ms after the second. */
static void
test_attempt_delay (Fixture       *fx,
                    gconstpointer  data)
{
  fake_start (fx);
  give_address (fx, V4_A);
  check (fx, "request; start " V4_A "; timer 250000");

  fake_advance (fx, 249);
  check (fx, "");
  /* A driver that wakes up early changes nothing. */
  fx->timer = -1;
  dial_connect_engine_timer (fx->engine, fake_now (fx));
  check (fx, "timer 250000");

  fake_advance (fx, 1);
  check (fx, "request");
  give_address (fx, V4_B);
  check (fx, "start " V4_B "; timer 500000");
  fake_advance (fx, 250);
  check (fx, "request");
  give_address (fx, V4_C);
  check (fx, "start " V4_C "; timer 750000");
  fake_advance (fx, 250);
  check (fx, "request");
  end_addresses (fx, 0, 0);
  check (fx, "");

  /* Success drops every other attempt before it completes. */
  fake_advance (fx, 10);
  report_connected (fx, V4_C);
  check (fx, "stages " V4_C "; drop " V4_A "; drop " V4_B "; complete ok " V4_C "; drop " V4_C);
  assert_complete_ok (fx, V4_C);
  g_assert_cmpuint (dial_connect_engine_get_n_addresses (fx->engine), ==, 3);
}

/* A failure starts the next attempt at once. */
static void
test_attempt_delay_failure (Fixture       *fx,
                            gconstpointer  data)
{
  fake_start (fx);
  give_address (fx, V4_A);
  check (fx, "request; start " V4_A "; timer 250000");

  fake_advance (fx, 100);
  report_failed (fx, V4_A, G_IO_ERROR_CONNECTION_REFUSED);
  check (fx, "drop " V4_A "; request; timer off");
  give_address (fx, V4_B);
  check (fx, "start " V4_B "; timer 350000");

  /* Nothing is pending: the next address starts whenever it comes. */
  report_failed (fx, V4_B, G_IO_ERROR_CONNECTION_REFUSED);
  check (fx, "drop " V4_B "; request; timer off");
  fake_advance (fx, 1000);
  check (fx, "");
  give_address (fx, V4_C);
  check (fx, "start " V4_C "; timer 1350000");

  report_connected (fx, V4_C);
  check (fx, "stages " V4_C "; timer off; complete ok " V4_C "; drop " V4_C);
  assert_complete_ok (fx, V4_C);
}

/* A socket that cannot be created is a failure too: the next address is
 * tried at once, and the attempt is never dropped (nothing was started). */
static void
test_attempt_delay_start_failure (Fixture       *fx,
                                  gconstpointer  data)
{
  script_start_fails (fx, V6_A, G_IO_ERROR_NOT_SUPPORTED);
  script_start_fails (fx, V4_B, G_IO_ERROR_NOT_SUPPORTED);

  fake_start (fx);
  give_address (fx, V6_A);
  check (fx, "request; start " V6_A "; request");
  give_address (fx, V4_A);
  check (fx, "start " V4_A "; timer 250000");

  /* The second attempt fails at its start: a third address starts as
   * soon as it comes, with no further wait. */
  fake_advance (fx, 250);
  check (fx, "request");
  give_address (fx, V4_B);
  check (fx, "start " V4_B "; request");
  fake_advance (fx, 10);
  give_address (fx, V4_C);
  check (fx, "start " V4_C "; timer 510000");

  fake_advance (fx, 250);
  check (fx, "request");
  end_addresses (fx, 0, 0);
  check (fx, "");
  report_failed (fx, V4_C, G_IO_ERROR_CONNECTION_REFUSED);
  check (fx, "drop " V4_C);
  report_failed (fx, V4_A, G_IO_ERROR_HOST_UNREACHABLE);
  check (fx, "drop " V4_A "; complete error host-unreachable");

  /* The first attempt's family, even though its start failed. */
  g_assert_cmpint (dial_connect_engine_get_first_family (fx->engine), ==, G_SOCKET_FAMILY_IPV6);
}

/* Nothing but failed starts: the last of them is the error. */
static void
test_start_failure_only (Fixture       *fx,
                         gconstpointer  data)
{
  script_start_fails (fx, V6_A, G_IO_ERROR_NOT_SUPPORTED);
  script_start_fails (fx, V4_A, G_IO_ERROR_PERMISSION_DENIED);

  fake_start (fx);
  give_address (fx, V6_A);
  give_address (fx, V4_A);
  check (fx, "request; start " V6_A "; request; start " V4_A "; request");
  end_addresses (fx, 0, 0);
  check (fx, "complete error permission-denied");
  g_assert_cmpstr (fx->error->message, ==, "Could not create a socket for " V4_A);
}

/* A start that fails because the caller cancelled (from the CONNECTING
 * event) ends the operation, whatever else is pending. */
static void
test_start_cancelled (Fixture       *fx,
                      gconstpointer  data)
{
  script_start_fails (fx, V4_B, G_IO_ERROR_CANCELLED);

  fake_start (fx);
  give_address (fx, V4_A);
  fake_advance (fx, 250);
  check (fx, "request; start " V4_A "; timer 250000; request");
  give_address (fx, V4_B);
  check (fx, "start " V4_B "; drop " V4_A "; complete error cancelled");
  g_assert_error (fx->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
test_attempt_delay_custom (Fixture       *fx,
                           gconstpointer  data)
{
  fx->config.attempt_delay_ms = 100;
  fake_start (fx);
  give_address (fx, V4_A);
  check (fx, "request; start " V4_A "; timer 100000");

  fake_advance (fx, 99);
  check (fx, "");
  fake_advance (fx, 1);
  check (fx, "request");
  give_address (fx, V4_B);
  check (fx, "start " V4_B "; timer 200000");
}

/* A delay of 0 starts every address as it comes. */
static void
test_attempt_delay_zero (Fixture       *fx,
                         gconstpointer  data)
{
  fx->config.attempt_delay_ms = 0;
  fake_start (fx);
  give_address (fx, V4_A);
  check (fx, "request; start " V4_A "; request");
  give_address (fx, V4_B);
  check (fx, "start " V4_B "; request");
  end_addresses (fx, 0, 0);
  check (fx, "");
  report_connected (fx, V4_B);
  check (fx, "stages " V4_B "; drop " V4_A "; complete ok " V4_B "; drop " V4_B);
}

/* ---- what the driver has at once ----------------------------------------- */

/* Answers the driver has at once are used at once, each when it is due. */
static void
test_ready_answers (Fixture       *fx,
                    gconstpointer  data)
{
  ready_answers (fx, V4_A, V4_B, "end", NULL);

  fake_start (fx);
  check (fx, "request: " V4_A "; start " V4_A "; timer 250000");
  fake_advance (fx, 250);
  check (fx, "request: " V4_B "; start " V4_B "; timer 500000");

  report_failed (fx, V4_B, G_IO_ERROR_CONNECTION_REFUSED);
  check (fx, "drop " V4_B "; request: end; timer off");
  report_connected (fx, V4_A);
  check (fx, "stages " V4_A "; complete ok " V4_A "; drop " V4_A);
  g_assert_cmpuint (dial_connect_engine_get_n_addresses (fx->engine), ==, 2);
}

/* A ready enumeration error with no address: that error, at once. */
static void
test_ready_error (Fixture       *fx,
                  gconstpointer  data)
{
  ready_answers (fx, "error", NULL);

  fake_start (fx);
  check (fx, "request: error; complete error g-resolver-error-quark:0");
  g_assert_cmpstr (fx->error->message, ==, "Ready enumeration error");
}

/* Ready addresses that all fail to start: one after the other, at once. */
static void
test_ready_start_failures (Fixture       *fx,
                           gconstpointer  data)
{
  script_start_fails (fx, V6_A, G_IO_ERROR_NOT_SUPPORTED);
  script_start_fails (fx, V4_A, G_IO_ERROR_NOT_SUPPORTED);
  ready_answers (fx, V6_A, V4_A, V4_B, NULL);

  fake_start (fx);
  check (fx, "request: " V6_A "; start " V6_A "; request: " V4_A "; start " V4_A "; "
             "request: " V4_B "; start " V4_B "; timer 250000");
}

/* A connect that succeeds at once goes straight to the stages. */
static void
test_connected_at_once (Fixture       *fx,
                        gconstpointer  data)
{
  script_connects_at_once (fx, V4_A);

  fake_start (fx);
  give_address (fx, V4_A);
  check (fx, "request; start " V4_A "; stages " V4_A "; complete ok " V4_A "; drop " V4_A);
  assert_complete_ok (fx, V4_A);
}

/* The same while another attempt is pending, with stages that take time:
 * the pending attempt waits and no other starts meanwhile. */
static void
test_connected_at_once_racing (Fixture       *fx,
                               gconstpointer  data)
{
  script_connects_at_once (fx, V4_B);
  script_stages_pending (fx, V4_B);

  fake_start (fx);
  give_address (fx, V6_A);
  fake_advance (fx, 250);
  check (fx, "request; start " V6_A "; timer 250000; request");
  give_address (fx, V4_B);
  check (fx, "start " V4_B "; stages " V4_B);
  fake_advance (fx, 1000);
  check (fx, "");

  report_stages_done (fx, V4_B);
  check (fx, "drop " V6_A "; complete ok " V4_B "; drop " V4_B);
}

/* ---- the proxy and TLS stages -------------------------------------------- */

/* Two TCP winners: the second waits while the first negotiates; when the
 * first's stages fail, the second gets its turn. */
static void
test_stages_serial (Fixture       *fx,
                    gconstpointer  data)
{
  script_stages_pending (fx, V4_A);

  fake_start (fx);
  give_address (fx, V4_A);
  fake_advance (fx, 250);
  give_address (fx, V4_B);
  check (fx, "request; start " V4_A "; timer 250000; request; start " V4_B "; timer 500000");

  fake_advance (fx, 10);
  report_connected (fx, V4_A);
  check (fx, "stages " V4_A "; timer off");
  report_stage (fx, V4_A, G_SOCKET_CLIENT_PROXY_NEGOTIATING);
  report_connected (fx, V4_B);
  check (fx, "");

  fake_advance (fx, 10);
  report_stages_failed (fx, V4_A, G_SOCKET_CLIENT_PROXY_NEGOTIATING,
                        G_IO_ERROR, G_IO_ERROR_PROXY_FAILED);
  check (fx, "drop " V4_A "; stages " V4_B "; complete ok " V4_B "; drop " V4_B);
  assert_complete_ok (fx, V4_B);
}

/* The first's stages succeed: the waiting TCP winner is dropped. */
static void
test_stages_serial_first_wins (Fixture       *fx,
                               gconstpointer  data)
{
  script_stages_pending (fx, V4_A);

  fake_start (fx);
  give_address (fx, V4_A);
  fake_advance (fx, 250);
  give_address (fx, V4_B);
  check (fx, "request; start " V4_A "; timer 250000; request; start " V4_B "; timer 500000");

  report_connected (fx, V4_A);
  check (fx, "stages " V4_A "; timer off");
  report_connected (fx, V4_B);
  check (fx, "");

  fake_advance (fx, 10);
  report_stages_done (fx, V4_A);
  check (fx, "drop " V4_B "; complete ok " V4_A "; drop " V4_A);
  assert_complete_ok (fx, V4_A);
}

/* While a winner negotiates, no new attempt starts, however long it
 * takes, even with an address in hand; when its stages fail, attempts
 * resume at once. */
static void
test_stages_block_attempts (Fixture       *fx,
                            gconstpointer  data)
{
  script_stages_pending (fx, V4_A);

  fake_start (fx);
  give_address (fx, V4_A);
  fake_advance (fx, 250);
  check (fx, "request; start " V4_A "; timer 250000; request");

  fake_advance (fx, 10);
  report_connected (fx, V4_A);
  check (fx, "stages " V4_A);
  report_stage (fx, V4_A, G_SOCKET_CLIENT_TLS_HANDSHAKING);
  give_address (fx, V4_B);
  fake_advance (fx, 1000);
  check (fx, "");

  report_stages_failed (fx, V4_A, G_SOCKET_CLIENT_TLS_HANDSHAKING,
                        G_TLS_ERROR, G_TLS_ERROR_HANDSHAKE);
  check (fx, "drop " V4_A "; start " V4_B "; timer 1510000");
  report_failed (fx, V4_B, G_IO_ERROR_CONNECTION_REFUSED);
  check (fx, "drop " V4_B "; request; timer off");
  end_addresses (fx, 0, 0);
  check (fx, "complete error g-tls-error-quark:4");
}

/* Stages that fail at once (a TLS connection that cannot be created) are
 * ranked at the stage the driver names. */
static void
test_stages_fail_at_once (Fixture       *fx,
                          gconstpointer  data)
{
  script_stages_fail (fx, V4_A, G_SOCKET_CLIENT_TLS_HANDSHAKING,
                      G_TLS_ERROR, G_TLS_ERROR_UNAVAILABLE);

  fake_start (fx);
  give_address (fx, V4_A);
  fake_advance (fx, 250);
  give_address (fx, V4_B);
  check (fx, "request; start " V4_A "; timer 250000; request; start " V4_B "; timer 500000");

  report_connected (fx, V4_A);
  check (fx, "stages " V4_A "; drop " V4_A);
  report_failed (fx, V4_B, G_IO_ERROR_CONNECTION_REFUSED);
  check (fx, "drop " V4_B "; request; timer off");
  end_addresses (fx, 0, 0);
  check (fx, "complete error g-tls-error-quark:0");
}

/* ---- waiting for every attempt ------------------------------------------ */

/* The enumerator is done and one attempt failed: unlike GIO, the engine
 * waits for the other one still pending. */
static void
test_wait_for_pending (Fixture       *fx,
                       gconstpointer  data)
{
  fake_start (fx);
  give_address (fx, V6_A);
  fake_advance (fx, 250);
  give_address (fx, V4_A);
  check (fx, "request; start " V6_A "; timer 250000; request; start " V4_A "; timer 500000");

  fake_advance (fx, 50);
  report_failed (fx, V4_A, G_IO_ERROR_CONNECTION_REFUSED);
  check (fx, "drop " V4_A "; request; timer off");
  end_addresses (fx, 0, 0);
  check (fx, "");
  g_assert_false (dial_connect_engine_is_complete (fx->engine));

  fake_advance (fx, 700);
  report_connected (fx, V6_A);
  check (fx, "stages " V6_A "; complete ok " V6_A "; drop " V6_A);
  assert_complete_ok (fx, V6_A);
}

/* ---- the deadline -------------------------------------------------------- */

static void
assert_timed_out (Fixture    *fx,
                  const char *message)
{
  g_assert_error (fx->error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_cmpstr (fx->error->message, ==, message);
}

static void
test_deadline_resolving (Fixture       *fx,
                         gconstpointer  data)
{
  fx->config.deadline_ms = 1000;
  fake_start (fx);
  check (fx, "request; timer 1000000");

  fake_advance (fx, 999);
  check (fx, "");
  fake_advance (fx, 1);
  check (fx, "complete error timed-out");
  assert_timed_out (fx, "Connecting to example.test timed out after 1000 ms while resolving the name");

  /* The enumerator's late answer is ignored. */
  give_address (fx, V4_A);
  check (fx, "");
}

/* No target name: the message still reads. */
static void
test_deadline_no_name (Fixture       *fx,
                       gconstpointer  data)
{
  fx->config.deadline_ms = 20;
  fx->config.target_name = NULL;
  fake_start (fx);
  fake_advance (fx, 20);
  check (fx, "request; timer 20000; complete error timed-out");
  assert_timed_out (fx, "Connecting to the server timed out after 20 ms while resolving the name");
}

static void
test_deadline_connecting (Fixture       *fx,
                          gconstpointer  data)
{
  fx->config.deadline_ms = 1000;
  fake_start (fx);
  give_address (fx, V6_A);
  check (fx, "request; timer 1000000; start " V6_A "; timer 250000");
  fake_advance (fx, 250);
  check (fx, "request; timer 1000000");
  give_address (fx, V4_A);
  check (fx, "start " V4_A "; timer 500000");
  fake_advance (fx, 250);
  check (fx, "request; timer 1000000");
  end_addresses (fx, 0, 0);
  check (fx, "");

  fake_advance (fx, 500);
  check (fx, "drop " V6_A "; drop " V4_A "; complete error timed-out");
  assert_timed_out (fx, "Connecting to example.test timed out after 1000 ms while connecting");
}

/* The deadline comes while one winner negotiates (with the proxy or TLS),
 * another waits for its turn and a third still connects: each is
 * dropped, and the message names the stage that was running. */
static void
test_deadline_stages (Fixture       *fx,
                      gconstpointer  data)
{
  GSocketClientEvent stage = GPOINTER_TO_INT (data);

  fx->config.deadline_ms = 1000;
  script_stages_pending (fx, V6_A);

  fake_start (fx);
  give_address (fx, V6_A);
  fake_advance (fx, 250);
  give_address (fx, V4_A);
  fake_advance (fx, 250);
  give_address (fx, V4_B);
  check (fx, "request; timer 1000000; start " V6_A "; timer 250000; "
             "request; timer 1000000; start " V4_A "; timer 500000; "
             "request; timer 1000000; start " V4_B "; timer 750000");

  fake_advance (fx, 10);
  report_connected (fx, V6_A);
  report_stage (fx, V6_A, stage);
  report_connected (fx, V4_A);
  check (fx, "stages " V6_A "; timer 1000000");

  fake_advance (fx, 490);
  check (fx, "drop " V4_B "; drop " V4_A "; drop " V6_A "; complete error timed-out");
  if (stage == G_SOCKET_CLIENT_PROXY_NEGOTIATING)
    assert_timed_out (fx, "Connecting to example.test timed out after 1000 ms while negotiating with the proxy");
  else
    assert_timed_out (fx, "Connecting to example.test timed out after 1000 ms while performing the TLS handshake");
}

/* The deadline is checked on every input, not only when the timer runs:
 * a TCP success that comes in after it does not win. */
static void
test_deadline_late_input (Fixture       *fx,
                          gconstpointer  data)
{
  fx->config.deadline_ms = 300;
  fake_start (fx);
  give_address (fx, V4_A);
  check (fx, "request; timer 300000; start " V4_A "; timer 250000");

  /* The driver's timer has not run yet when the result comes in. */
  fx->now = 400 * MS;
  report_connected (fx, V4_A);
  check (fx, "drop " V4_A "; timer off; complete error timed-out");
  assert_timed_out (fx, "Connecting to example.test timed out after 300 ms while connecting");
}

/* ---- cancellation --------------------------------------------------------- */

static void
assert_cancelled (Fixture *fx)
{
  g_assert_error (fx->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpstr (fx->error->message, ==, "Operation was cancelled");
}

static void
test_cancel_before_address (Fixture       *fx,
                            gconstpointer  data)
{
  fake_start (fx);
  check (fx, "request");
  cancel (fx);
  check (fx, "complete error cancelled");
  assert_cancelled (fx);

  give_address (fx, V4_A);
  fake_advance (fx, 1000);
  check (fx, "");
}

static void
test_cancel_attempts_pending (Fixture       *fx,
                              gconstpointer  data)
{
  fake_start (fx);
  give_address (fx, V6_A);
  fake_advance (fx, 250);
  give_address (fx, V4_A);
  check (fx, "request; start " V6_A "; timer 250000; request; start " V4_A "; timer 500000");

  fake_advance (fx, 100);
  cancel (fx);
  check (fx, "drop " V6_A "; drop " V4_A "; timer off; complete error cancelled");
  assert_cancelled (fx);

  fake_advance (fx, 1000);
  check (fx, "");
}

/* Waiting for the enumerator while an attempt is pending. */
static void
test_cancel_waiting_for_address (Fixture       *fx,
                                 gconstpointer  data)
{
  fake_start (fx);
  give_address (fx, V6_A);
  fake_advance (fx, 300);
  check (fx, "request; start " V6_A "; timer 250000; request");

  cancel (fx);
  check (fx, "drop " V6_A "; complete error cancelled");
  assert_cancelled (fx);
}

/* Between attempts: the first failed, the enumerator has not answered. */
static void
test_cancel_between_attempts (Fixture       *fx,
                              gconstpointer  data)
{
  fake_start (fx);
  give_address (fx, V4_A);
  report_failed (fx, V4_A, G_IO_ERROR_CONNECTION_REFUSED);
  check (fx, "request; start " V4_A "; timer 250000; drop " V4_A "; request; timer off");

  cancel (fx);
  check (fx, "complete error cancelled");
  assert_cancelled (fx);
}

static void
test_cancel_during_stages (Fixture       *fx,
                           gconstpointer  data)
{
  script_stages_pending (fx, V6_A);

  fake_start (fx);
  give_address (fx, V6_A);
  fake_advance (fx, 250);
  give_address (fx, V4_A);
  fake_advance (fx, 250);
  give_address (fx, V4_B);
  check (fx, "request; start " V6_A "; timer 250000; "
             "request; start " V4_A "; timer 500000; "
             "request; start " V4_B "; timer 750000");

  report_connected (fx, V6_A);
  report_stage (fx, V6_A, G_SOCKET_CLIENT_TLS_HANDSHAKING);
  report_connected (fx, V4_A);
  check (fx, "stages " V6_A "; timer off");

  cancel (fx);
  check (fx, "drop " V4_B "; drop " V4_A "; drop " V6_A "; complete error cancelled");
  assert_cancelled (fx);
}

static void
test_cancel_after_complete (Fixture       *fx,
                            gconstpointer  data)
{
  fake_start (fx);
  give_address (fx, V4_A);
  report_connected (fx, V4_A);
  check (fx, "request; start " V4_A "; timer 250000; "
             "stages " V4_A "; timer off; complete ok " V4_A "; drop " V4_A);

  cancel (fx);
  check (fx, "");
  assert_complete_ok (fx, V4_A);
}

/* ---- the end of the enumeration ----------------------------------------- */

static void
test_no_address (Fixture       *fx,
                 gconstpointer  data)
{
  fake_start (fx);
  end_addresses (fx, 0, 0);
  check (fx, "request; complete error not-found");
  g_assert_error (fx->error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_cmpuint (dial_connect_engine_get_n_addresses (fx->engine), ==, 0);
  g_assert_cmpint (dial_connect_engine_get_first_family (fx->engine), ==, G_SOCKET_FAMILY_INVALID);
}

/* An enumeration error with no address is the operation's error, as the
 * enumerator gave it. */
static void
test_enumeration_error (Fixture       *fx,
                        gconstpointer  data)
{
  fake_start (fx);
  end_addresses (fx, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND);
  check (fx, "request; complete error g-resolver-error-quark:0");
  g_assert_error (fx->error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND);
  g_assert_cmpstr (fx->error->message, ==, "Enumeration error 0");
}

/* An enumeration error after an address that then wins is forgotten. */
static void
test_enumeration_error_then_success (Fixture       *fx,
                                     gconstpointer  data)
{
  fake_start (fx);
  give_address (fx, V4_A);
  fake_advance (fx, 250);
  end_addresses (fx, G_IO_ERROR, G_IO_ERROR_HOST_NOT_FOUND);
  check (fx, "request; start " V4_A "; timer 250000; request");
  report_connected (fx, V4_A);
  check (fx, "stages " V4_A "; complete ok " V4_A "; drop " V4_A);
  assert_complete_ok (fx, V4_A);
}

/* The end of the enumeration with every attempt already failed: the
 * operation fails at that moment. */
static void
test_end_after_failures (Fixture       *fx,
                         gconstpointer  data)
{
  fake_start (fx);
  give_address (fx, V4_A);
  fake_advance (fx, 5);
  report_failed (fx, V4_A, G_IO_ERROR_NETWORK_UNREACHABLE);
  check (fx, "request; start " V4_A "; timer 250000; drop " V4_A "; request; timer off");
  fake_advance (fx, 100);
  end_addresses (fx, 0, 0);
  check (fx, "complete error network-unreachable");
}

/* ---- the preferred family (from the family cache) ------------------------ */

/* The first attempt waits for an IPv4 address, and takes it as soon as it
 * comes; the IPv6 one before it is raced one attempt delay later. */
static void
test_preferred_arrives (Fixture       *fx,
                        gconstpointer  data)
{
  fx->config.preferred_family = G_SOCKET_FAMILY_IPV4;
  fake_start (fx);
  check (fx, "request; timer 250000");

  give_address (fx, V6_A);
  /* Held back; the engine looks further. */
  check (fx, "request");
  fake_advance (fx, 30);
  give_address (fx, V4_A);
  check (fx, "start " V4_A "; timer 280000");
  g_assert_cmpint (dial_connect_engine_get_first_family (fx->engine), ==, G_SOCKET_FAMILY_IPV4);

  fake_advance (fx, 250);
  check (fx, "start " V6_A "; timer 530000");
  fake_advance (fx, 250);
  check (fx, "request");
  end_addresses (fx, 0, 0);
  check (fx, "");
  report_connected (fx, V4_A);
  check (fx, "stages " V4_A "; drop " V6_A "; complete ok " V4_A "; drop " V4_A);
}

/* The preferred family comes first: no wait at all. */
static void
test_preferred_first (Fixture       *fx,
                      gconstpointer  data)
{
  fx->config.preferred_family = G_SOCKET_FAMILY_IPV6;
  fake_start (fx);
  give_address (fx, V6_A);
  check (fx, "request; timer 250000; start " V6_A);
  fake_advance (fx, 250);
  check (fx, "request");
  give_address (fx, V4_A);
  check (fx, "start " V4_A "; timer 500000");
  g_assert_cmpint (dial_connect_engine_get_first_family (fx->engine), ==, G_SOCKET_FAMILY_IPV6);
}

/* No IPv4 address within one attempt delay: the head of the list goes. */
static void
test_preferred_hold_ends (Fixture       *fx,
                          gconstpointer  data)
{
  fx->config.preferred_family = G_SOCKET_FAMILY_IPV4;
  fake_start (fx);
  give_address (fx, V6_A);
  fake_advance (fx, 10);
  give_address (fx, V6_B);
  check (fx, "request; timer 250000; request; request");

  fake_advance (fx, 240);
  check (fx, "start " V6_A "; timer 500000");
  g_assert_cmpint (dial_connect_engine_get_first_family (fx->engine), ==, G_SOCKET_FAMILY_IPV6);

  /* From then on, the enumerator's order. */
  fake_advance (fx, 10);
  give_address (fx, V4_A);
  check (fx, "");
  fake_advance (fx, 240);
  check (fx, "start " V6_B "; timer 750000");
}

/* The enumerator ends without an IPv4 address: no more waiting. */
static void
test_preferred_enumeration_ends (Fixture       *fx,
                                 gconstpointer  data)
{
  fx->config.preferred_family = G_SOCKET_FAMILY_IPV4;
  fake_start (fx);
  give_address (fx, V6_A);
  check (fx, "request; timer 250000; request");

  fake_advance (fx, 20);
  end_addresses (fx, 0, 0);
  check (fx, "start " V6_A "; timer off");
  report_connected (fx, V6_A);
  check (fx, "stages " V6_A "; complete ok " V6_A "; drop " V6_A);
}

/* Ready answers while holding: the engine reads on until it finds the
 * preferred family. */
static void
test_preferred_ready (Fixture       *fx,
                      gconstpointer  data)
{
  fx->config.preferred_family = G_SOCKET_FAMILY_IPV4;
  ready_answers (fx, V6_A, V6_B, V4_A, NULL);
  fake_start (fx);
  check (fx, "request: " V6_A "; request: " V6_B "; request: " V4_A "; start " V4_A "; timer 250000");
  fake_advance (fx, 250);
  check (fx, "start " V6_A "; timer 500000");
}

/* The hold and the deadline: the earlier of them is the timer. */
static void
test_preferred_deadline (Fixture       *fx,
                         gconstpointer  data)
{
  fx->config.preferred_family = G_SOCKET_FAMILY_IPV4;
  fx->config.deadline_ms = 100;
  fake_start (fx);
  give_address (fx, V6_A);
  check (fx, "request; timer 100000; request");
  fake_advance (fx, 100);
  check (fx, "complete error timed-out");
  assert_timed_out (fx, "Connecting to example.test timed out after 100 ms while resolving the name");
}

/* ---- requests and timers -------------------------------------------------- */

/* One request at a time (the hook asserts it): a timer that fires while
 * the enumerator has not answered asks for nothing more, and the address,
 * when it comes late, starts at once. */
static void
test_one_request_at_a_time (Fixture       *fx,
                            gconstpointer  data)
{
  fake_start (fx);
  give_address (fx, V4_A);
  fake_advance (fx, 250);
  check (fx, "request; start " V4_A "; timer 250000; request");

  fake_advance (fx, 750);
  check (fx, "");
  g_assert_true (fx->requesting);
  /* Even when the only attempt fails meanwhile. */
  report_failed (fx, V4_A, G_IO_ERROR_CONNECTION_REFUSED);
  check (fx, "drop " V4_A);

  give_address (fx, V4_B);
  check (fx, "start " V4_B "; timer 1250000");
}

/* The timer is always the earliest moment something is due: the next
 * attempt, the end of the hold, or the deadline. */
static void
test_timer_earliest (Fixture       *fx,
                     gconstpointer  data)
{
  fx->config.deadline_ms = 300;
  fake_start (fx);
  check (fx, "request; timer 300000");
  give_address (fx, V4_A);
  check (fx, "start " V4_A "; timer 250000");

  /* At 250 ms the next address is asked for; then the deadline is next. */
  fake_advance (fx, 250);
  check (fx, "request; timer 300000");
  fake_advance (fx, 50);
  check (fx, "drop " V4_A "; complete error timed-out");
}

/* A deadline before the attempt delay: the delay never becomes the timer. */
static void
test_timer_deadline_first (Fixture       *fx,
                           gconstpointer  data)
{
  fx->config.deadline_ms = 200;
  fake_start (fx);
  give_address (fx, V4_A);
  check (fx, "request; timer 200000; start " V4_A);
  fake_advance (fx, 200);
  check (fx, "drop " V4_A "; complete error timed-out");
}

static void
test_first_family (Fixture       *fx,
                   gconstpointer  data)
{
  fake_start (fx);
  g_assert_cmpint (dial_connect_engine_get_first_family (fx->engine), ==, G_SOCKET_FAMILY_INVALID);
  give_address (fx, V6_A);
  g_assert_cmpint (dial_connect_engine_get_first_family (fx->engine), ==, G_SOCKET_FAMILY_IPV6);
  fake_advance (fx, 250);
  give_address (fx, V4_A);
  report_connected (fx, V4_A);
  /* The winner's family does not change it. */
  g_assert_cmpint (dial_connect_engine_get_first_family (fx->engine), ==, G_SOCKET_FAMILY_IPV6);
  assert_complete_ok (fx, V4_A);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/connect-engine/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
#define ADD_DATA(path, data, func) \
  g_test_add ("/connect-engine/" path, Fixture, GINT_TO_POINTER (data), fixture_setup, func, fixture_teardown)

  ADD ("single-address", test_single_address);
  ADD ("single-address-then-end", test_single_address_then_end);
  ADD ("late-answer-ignored", test_late_answer_ignored);
  ADD ("best-error/tls-beats-refused", test_best_error_tls_beats_refused);
  ADD_DATA ("best-error/resolver-loses/end-first", TRUE, test_best_error_resolver_loses);
  ADD_DATA ("best-error/resolver-loses/end-last", FALSE, test_best_error_resolver_loses);
  ADD ("best-error/latest-wins", test_best_error_latest_wins);
  ADD ("attempt-delay/pending", test_attempt_delay);
  ADD ("attempt-delay/failure", test_attempt_delay_failure);
  ADD ("attempt-delay/start-failure", test_attempt_delay_start_failure);
  ADD ("attempt-delay/start-failure-only", test_start_failure_only);
  ADD ("attempt-delay/start-cancelled", test_start_cancelled);
  ADD ("attempt-delay/custom", test_attempt_delay_custom);
  ADD ("attempt-delay/zero", test_attempt_delay_zero);
  ADD ("at-once/ready-answers", test_ready_answers);
  ADD ("at-once/ready-error", test_ready_error);
  ADD ("at-once/ready-start-failures", test_ready_start_failures);
  ADD ("at-once/connected", test_connected_at_once);
  ADD ("at-once/connected-racing", test_connected_at_once_racing);
  ADD ("stages/serial", test_stages_serial);
  ADD ("stages/serial-first-wins", test_stages_serial_first_wins);
  ADD ("stages/block-attempts", test_stages_block_attempts);
  ADD ("stages/fail-at-once", test_stages_fail_at_once);
  ADD ("wait-for-pending", test_wait_for_pending);
  ADD ("deadline/resolving", test_deadline_resolving);
  ADD ("deadline/no-name", test_deadline_no_name);
  ADD ("deadline/connecting", test_deadline_connecting);
  ADD_DATA ("deadline/proxy", G_SOCKET_CLIENT_PROXY_NEGOTIATING, test_deadline_stages);
  ADD_DATA ("deadline/tls", G_SOCKET_CLIENT_TLS_HANDSHAKING, test_deadline_stages);
  ADD ("deadline/late-input", test_deadline_late_input);
  ADD ("cancel/before-address", test_cancel_before_address);
  ADD ("cancel/attempts-pending", test_cancel_attempts_pending);
  ADD ("cancel/waiting-for-address", test_cancel_waiting_for_address);
  ADD ("cancel/between-attempts", test_cancel_between_attempts);
  ADD ("cancel/during-stages", test_cancel_during_stages);
  ADD ("cancel/after-complete", test_cancel_after_complete);
  ADD ("enumeration/no-address", test_no_address);
  ADD ("enumeration/error", test_enumeration_error);
  ADD ("enumeration/error-then-success", test_enumeration_error_then_success);
  ADD ("enumeration/end-after-failures", test_end_after_failures);
  ADD ("preferred/arrives", test_preferred_arrives);
  ADD ("preferred/first", test_preferred_first);
  ADD ("preferred/hold-ends", test_preferred_hold_ends);
  ADD ("preferred/enumeration-ends", test_preferred_enumeration_ends);
  ADD ("preferred/ready", test_preferred_ready);
  ADD ("preferred/deadline", test_preferred_deadline);
  ADD ("one-request-at-a-time", test_one_request_at_a_time);
  ADD ("timer/earliest", test_timer_earliest);
  ADD ("timer/deadline-first", test_timer_deadline_first);
  ADD ("first-family", test_first_family);

#undef ADD
#undef ADD_DATA

  return g_test_run ();
}
