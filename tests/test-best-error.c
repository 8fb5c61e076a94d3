/* test-best-error.c: the stage-ranked choice of a failed connect's error
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "dial-connect-error.h"

static GError *
make (int code)
{
  return g_error_new (G_IO_ERROR, code, "error %d", code);
}

static void
test_empty (void)
{
  DialBestError best = DIAL_BEST_ERROR_INIT;

  g_assert_false (dial_best_error_isset (&best));
  g_assert_null (dial_best_error_steal (&best));
}

static void
test_later_stage_wins (void)
{
  DialBestError best = DIAL_BEST_ERROR_INIT;
  g_autoptr(GError) error = NULL;

  /* A TLS failure on one address beats a refused connect on the next. */
  dial_best_error_take (&best, G_SOCKET_CLIENT_TLS_HANDSHAKING, make (G_IO_ERROR_FAILED));
  dial_best_error_take (&best, G_SOCKET_CLIENT_CONNECTING, make (G_IO_ERROR_CONNECTION_REFUSED));
  dial_best_error_take (&best, G_SOCKET_CLIENT_RESOLVING, make (G_IO_ERROR_NOT_FOUND));

  error = dial_best_error_steal (&best);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_false (dial_best_error_isset (&best));
}

static void
test_same_stage_latest_wins (void)
{
  DialBestError best = DIAL_BEST_ERROR_INIT;
  g_autoptr(GError) error = NULL;

  dial_best_error_take (&best, G_SOCKET_CLIENT_CONNECTING, make (G_IO_ERROR_TIMED_OUT));
  dial_best_error_take (&best, G_SOCKET_CLIENT_CONNECTING, make (G_IO_ERROR_CONNECTION_REFUSED));

  error = dial_best_error_steal (&best);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
}

static void
test_resolving_ties (void)
{
  DialBestError best = DIAL_BEST_ERROR_INIT;
  g_autoptr(GError) error = NULL;

  /* RESOLVING is 0: a second resolver error still replaces the first. */
  dial_best_error_take (&best, G_SOCKET_CLIENT_RESOLVING, make (G_IO_ERROR_NOT_FOUND));
  dial_best_error_take (&best, G_SOCKET_CLIENT_RESOLVING, make (G_IO_ERROR_TIMED_OUT));

  error = dial_best_error_steal (&best);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
}

static void
test_clear_resets_stage (void)
{
  DialBestError best = DIAL_BEST_ERROR_INIT;
  g_autoptr(GError) error = NULL;

  dial_best_error_take (&best, G_SOCKET_CLIENT_TLS_HANDSHAKING, make (G_IO_ERROR_FAILED));
  dial_best_error_clear (&best);
  g_assert_false (dial_best_error_isset (&best));

  /* After a clear, an early-stage error is kept again (the sync driver
   * clears before storing CANCELLED). */
  dial_best_error_take (&best, G_SOCKET_CLIENT_RESOLVING, make (G_IO_ERROR_CANCELLED));
  error = dial_best_error_steal (&best);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/socket-client/best-error/empty", test_empty);
  g_test_add_func ("/socket-client/best-error/later-stage-wins", test_later_stage_wins);
  g_test_add_func ("/socket-client/best-error/same-stage-latest-wins", test_same_stage_latest_wins);
  g_test_add_func ("/socket-client/best-error/resolving-ties", test_resolving_ties);
  g_test_add_func ("/socket-client/best-error/clear-resets-stage", test_clear_resets_stage);

  return g_test_run ();
}
