/* demo-timeline.h: one connect, printed as a timeline of its events
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <dial/dial.h>

G_BEGIN_DECLS

/* A connect that takes longer than this has hung: cancel it and say so. */
#define DEMO_HANG_TIMEOUT_S 10

/* Plain text, with a little colour on a terminal. */
#define DEMO_STYLE(code) (demo_use_colour () ? "\033[" code "m" : "")
#define DEMO_BOLD  DEMO_STYLE ("1")
#define DEMO_DIM   DEMO_STYLE ("2")
#define DEMO_GREEN DEMO_STYLE ("32")
#define DEMO_RED   DEMO_STYLE ("31")
#define DEMO_RESET DEMO_STYLE ("0")

typedef enum
{
  DEMO_SYNC,
  DEMO_ASYNC,
} DemoMode;

/* Called for each event, after its line of the timeline. */
typedef void (*DemoEventHook) (GSocketClientEvent  event,
                               GIOStream          *connection,
                               gpointer            user_data);

typedef struct
{
  gint64             start;         /* g_get_monotonic_time () at the call */
  gint64             end;           /* ... when the result came */
  guint              n_connecting;  /* how many addresses were tried */
  guint              events;        /* 1 << event, for every event seen */
  GSocketConnection *connection;    /* the result, or */
  GError            *error;         /* the error */
  gboolean           done;
  gboolean           hung;          /* cancelled after DEMO_HANG_TIMEOUT_S */

  DemoEventHook      hook;          /* optional */
  gpointer           hook_data;
} DemoRun;

void     demo_timeline_init    (void);
gboolean demo_use_colour       (void);
void     demo_note             (const char         *format,
                                ...) G_GNUC_PRINTF (1, 2);

void     demo_run_connect      (DemoRun            *run,
                                DialSocketClient   *client,
                                GSocketConnectable *target,
                                DemoMode            mode);
void     demo_run_print_result (DemoRun            *run);
gboolean demo_run_saw          (const DemoRun      *run,
                                GSocketClientEvent  event);
void     demo_run_clear        (DemoRun            *run);

G_END_DECLS
