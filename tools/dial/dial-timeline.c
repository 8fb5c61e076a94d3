/* dial-timeline.c: the attempts as a waterfall, like a browser's network
 * panel
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * One row per lookup and per attempt, on one time axis from the start of
 * the connect to its completion:
 *
 *                     0        50       100      150      200      250 ms
 *   lookup localhost  ━                                                    0.2 ms
 *   #1 IPv6           ░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░ lost
 *   #2 127.0.0.1:80                                                 ███▒▒▒ won
 *
 * A cell is one slice of the time; a span shorter than a cell still gets
 * one. Block characters on a UTF-8 terminal, letters elsewhere; colours
 * when the output mode says so.
 */

#include "dial-timeline.h"

#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define MIN_COLUMNS 50
#define MAX_COLUMNS 240
#define MAX_LABEL   28
#define STATUS_WIDTH 18

typedef enum
{
  CELL_EMPTY,
  CELL_LOOKUP,
  CELL_CONNECT,
  CELL_PROXY,
  CELL_TLS,
  CELL_WAIT,
  N_CELLS
} Cell;

typedef struct
{
  const DialCmdOutput *output;
  gboolean             utf8;
  gint64               origin;
  gint64               total;
  guint                label_width;
  guint                bar_width;
} Canvas;

/* The width of the terminal on @fd: the window size, $COLUMNS, or 80. */
int
dial_cmd_timeline_columns (int fd)
{
  struct winsize size = { 0 };
  const char *env = g_getenv ("COLUMNS");
  guint64 columns = 0;

  if (isatty (fd) && ioctl (fd, TIOCGWINSZ, &size) == 0 && size.ws_col > 0)
    columns = size.ws_col;
  else if (env == NULL || !g_ascii_string_to_unsigned (env, 10, 1, 10000, &columns, NULL))
    columns = 80;

  return CLAMP ((int) columns, MIN_COLUMNS, MAX_COLUMNS);
}

static const char *
cell_glyph (const Canvas *canvas,
            Cell          cell,
            gboolean      faint)
{
  static const char * const utf8[N_CELLS] = { " ", "━", "█", "▓", "▒", "─" };
  static const char * const ascii[N_CELLS] = { " ", "~", "=", "p", "t", "-" };

  if (faint && cell == CELL_CONNECT)
    return canvas->utf8 ? "░" : ".";

  return canvas->utf8 ? utf8[cell] : ascii[cell];
}

static const char *
cell_colour (const Canvas          *canvas,
             Cell                   cell,
             DialCmdAttemptOutcome  outcome)
{
  if (!canvas->output->colour || cell == CELL_EMPTY)
    return "";

  switch (cell)
    {
    case CELL_LOOKUP:  return "\033[36m";
    case CELL_PROXY:   return "\033[35m";
    case CELL_TLS:     return "\033[33m";
    case CELL_WAIT:    return "\033[2m";
    case CELL_CONNECT:
      switch (outcome)
        {
        case DIAL_CMD_ATTEMPT_WON:    return "\033[32m";
        case DIAL_CMD_ATTEMPT_FAILED: return "\033[31m";
        case DIAL_CMD_ATTEMPT_LOST:   return "\033[2m";
        case DIAL_CMD_ATTEMPT_PENDING:
        default:                      return "";
        }
    case CELL_EMPTY:
    case N_CELLS:
    default:
      return "";
    }
}

static guint
column_of (const Canvas *canvas,
           gint64        t)
{
  gint64 offset = CLAMP (t - canvas->origin, 0, canvas->total);
  guint column = (guint) (offset * canvas->bar_width / canvas->total);

  return MIN (column, canvas->bar_width - 1);
}

/* Fills the cells of [from, to) with @cell; at least one. */
static void
paint (const Canvas *canvas,
       Cell         *cells,
       gint64        from,
       gint64        to,
       Cell          cell)
{
  guint first, last;

  if (from < 0)
    return;
  if (to < from)
    to = from;

  first = column_of (canvas, from);
  last = column_of (canvas, to);
  if (last > first && to < canvas->origin + canvas->total)
    last--;  /* the cell where the span ends belongs to what comes next */
  for (guint i = first; i <= last; i++)
    cells[i] = cell;
}

/* The next span of a row, after the one before it: a stage gets at least
 * its own cell even when it began in the same slice of time as the span
 * before, so that a 0.1 ms connect followed by a proxy still shows both.
 * A wait gets only the cells left between. */
static void
paint_next (const Canvas *canvas,
            Cell         *cells,
            guint        *next_free,
            gint64        from,
            gint64        to,
            Cell          cell)
{
  guint first, last;

  if (from < 0 || *next_free >= canvas->bar_width)
    return;
  if (to < from)
    to = from;

  first = MAX (column_of (canvas, from), *next_free);
  last = column_of (canvas, to);
  if (last > column_of (canvas, from) && to < canvas->origin + canvas->total)
    last--;
  if (last < first)
    {
      if (cell == CELL_WAIT)
        return;
      last = first;
    }

  for (guint i = first; i <= last; i++)
    cells[i] = cell;
  *next_free = last + 1;
}

/* An attempt's row: connect, then each stage it reached, with the time
 * connected outside them as waits. */
static void
paint_attempt (const Canvas         *canvas,
               Cell                 *cells,
               const DialCmdAttempt *attempt,
               gint64                stop)
{
  guint next_free = 0;
  gint64 proxy_end = attempt->proxy_done >= 0 ? attempt->proxy_done : stop;
  gint64 tls_end = attempt->tls_done >= 0 ? attempt->tls_done : stop;

  paint_next (canvas, cells, &next_free, attempt->started,
              attempt->connected >= 0 ? attempt->connected : stop, CELL_CONNECT);
  if (attempt->connected < 0)
    return;

  if (attempt->proxy_started >= 0)
    {
      paint_next (canvas, cells, &next_free, attempt->connected, attempt->proxy_started, CELL_WAIT);
      paint_next (canvas, cells, &next_free, attempt->proxy_started, proxy_end, CELL_PROXY);
    }
  else
    {
      proxy_end = attempt->connected;
    }

  if (attempt->tls_started >= 0)
    {
      paint_next (canvas, cells, &next_free, proxy_end, attempt->tls_started, CELL_WAIT);
      paint_next (canvas, cells, &next_free, attempt->tls_started, tls_end, CELL_TLS);
      paint_next (canvas, cells, &next_free, tls_end, stop, CELL_WAIT);
    }
  else
    {
      paint_next (canvas, cells, &next_free, proxy_end, stop, CELL_WAIT);
    }
}

/* @text cut or padded to @width characters. */
static char *
fit (const char *text,
     guint       width)
{
  glong length = g_utf8_strlen (text, -1);
  GString *out;

  if ((guint) length > width)
    {
      out = g_string_new_len (text, g_utf8_offset_to_pointer (text, width - 1) - text);
      g_string_append (out, "…");
      return g_string_free (out, FALSE);
    }

  out = g_string_new (text);
  for (guint i = (guint) length; i < width; i++)
    g_string_append_c (out, ' ');
  return g_string_free (out, FALSE);
}

static void
print_row (const Canvas          *canvas,
           const char            *label,
           const Cell            *cells,
           gboolean               faint,
           DialCmdAttemptOutcome  outcome,
           const char            *status)
{
  const char *reset = canvas->output->colour ? "\033[0m" : "";
  g_autoptr(GString) line = g_string_new ("  ");
  g_autofree char *label_text = fit (label, canvas->label_width);

  g_string_append (line, label_text);
  g_string_append_c (line, ' ');
  for (guint i = 0; i < canvas->bar_width; i++)
    {
      const char *colour = cell_colour (canvas, cells[i], outcome);

      g_string_append (line, colour);
      g_string_append (line, cell_glyph (canvas, cells[i], faint));
      if (colour[0] != '\0')
        g_string_append (line, reset);
    }
  g_string_append_printf (line, " %s\n", status);
  fputs (line->str, canvas->output->stream);
}

/* Round tick steps: 1, 2 or 5 times a power of ten, in ms. */
static double
tick_step (double total_ms,
           guint  max_ticks)
{
  double step = 0.001;

  for (;;)
    {
      for (guint i = 0; i < 3; i++)
        {
          static const double factors[] = { 1, 2, 5 };
          double candidate = step * factors[i];

          if (total_ms / candidate <= max_ticks)
            return candidate;
        }
      step *= 10;
    }
}

static void
print_axis (const Canvas *canvas)
{
  double total_ms = canvas->total / 1000.0;
  double step = tick_step (total_ms, MAX (1, canvas->bar_width / 10));
  g_autofree char *axis = g_malloc (canvas->bar_width + 16);
  guint axis_len = canvas->bar_width + 15;

  memset (axis, ' ', axis_len);
  axis[axis_len] = '\0';

  for (double t = 0; t <= total_ms + step / 1000; t += step)
    {
      guint column = (guint) (t / total_ms * (canvas->bar_width - 1) + 0.5);
      g_autofree char *label = g_strdup_printf ("%g", t);
      gsize length = strlen (label);

      if (column + length <= axis_len)
        memcpy (axis + column, label, length);
    }
  /* The unit after the last tick, where it fits. */
  g_strchomp (axis);
  fprintf (canvas->output->stream, "  %*s %s ms\n", canvas->label_width, "", axis);
}

static const char *
outcome_word (DialCmdAttemptOutcome outcome)
{
  switch (outcome)
    {
    case DIAL_CMD_ATTEMPT_WON:    return "won";
    case DIAL_CMD_ATTEMPT_LOST:   return "lost";
    case DIAL_CMD_ATTEMPT_FAILED: return "failed";
    case DIAL_CMD_ATTEMPT_PENDING:
    default:                      return "?";
    }
}

static char *
attempt_label (const DialCmdAttempt *attempt)
{
  return g_strdup_printf ("#%u %s", attempt->index,
                          attempt->address != NULL ? attempt->address
                                                   : dial_cmd_family_name (attempt->family));
}

void
dial_cmd_timeline_draw (DialCmdTrace *trace,
                        int           columns)
{
  const DialCmdOutput *output = dial_cmd_trace_get_output (trace);
  GPtrArray *attempts = dial_cmd_trace_get_attempts (trace);
  GPtrArray *lookups = dial_cmd_trace_get_lookups (trace);
  gint64 end = dial_cmd_trace_get_completed (trace);
  g_autofree Cell *cells = NULL;
  Canvas canvas = { .output = output };
  guint label_width = 8;
  const char *charset = NULL;

  canvas.utf8 = g_get_charset (&charset);
  canvas.origin = output->start;
  if (end < 0)
    end = g_get_monotonic_time ();
  canvas.total = MAX (end - canvas.origin, 1);

  for (guint i = 0; i < lookups->len; i++)
    {
      const DialCmdSpan *span = g_ptr_array_index (lookups, i);

      label_width = MAX (label_width, g_utf8_strlen (span->label, -1) + 7);
    }
  for (guint i = 0; i < attempts->len; i++)
    {
      g_autofree char *label = attempt_label (g_ptr_array_index (attempts, i));

      label_width = MAX (label_width, g_utf8_strlen (label, -1));
    }
  canvas.label_width = MIN (label_width, MAX_LABEL);
  canvas.bar_width = MAX (columns - (int) canvas.label_width - STATUS_WIDTH - 4, 10);
  cells = g_new (Cell, canvas.bar_width);

  print_axis (&canvas);

  if (lookups->len == 0 && dial_cmd_trace_get_resolved (trace) >= 0)
    {
      g_autofree char *status = g_strdup_printf ("%.1f ms", (dial_cmd_trace_get_resolved (trace) -
                                                             dial_cmd_trace_get_resolving (trace)) / 1000.0);

      memset (cells, 0, sizeof (Cell) * canvas.bar_width);
      paint (&canvas, cells, dial_cmd_trace_get_resolving (trace),
             dial_cmd_trace_get_resolved (trace), CELL_LOOKUP);
      print_row (&canvas, "resolve", cells, FALSE, DIAL_CMD_ATTEMPT_PENDING, status);
    }

  for (guint i = 0; i < lookups->len; i++)
    {
      const DialCmdSpan *span = g_ptr_array_index (lookups, i);
      g_autofree char *label = g_strdup_printf ("lookup %s", span->label);
      g_autofree char *status = g_strdup_printf ("%s%.1f ms", span->failed ? "failed " : "",
                                                 (span->ended - span->started) / 1000.0);

      memset (cells, 0, sizeof (Cell) * canvas.bar_width);
      paint (&canvas, cells, span->started, span->ended, CELL_LOOKUP);
      print_row (&canvas, label, cells, FALSE, DIAL_CMD_ATTEMPT_PENDING, status);
    }

  for (guint i = 0; i < attempts->len; i++)
    {
      const DialCmdAttempt *attempt = g_ptr_array_index (attempts, i);
      g_autofree char *label = attempt_label (attempt);
      gint64 stop = attempt->ended >= 0 ? attempt->ended : end;
      g_autofree char *status = g_strdup_printf ("%s %.1f ms", outcome_word (attempt->outcome),
                                                 (stop - attempt->started) / 1000.0);

      memset (cells, 0, sizeof (Cell) * canvas.bar_width);
      paint_attempt (&canvas, cells, attempt, stop);
      print_row (&canvas, label, cells, attempt->outcome == DIAL_CMD_ATTEMPT_LOST,
                 attempt->outcome, status);
    }

  fprintf (output->stream, "  %*s %s lookup  %s connect  %s proxy  %s TLS  %s connected  %s lost\n",
           canvas.label_width, "",
           cell_glyph (&canvas, CELL_LOOKUP, FALSE), cell_glyph (&canvas, CELL_CONNECT, FALSE),
           cell_glyph (&canvas, CELL_PROXY, FALSE), cell_glyph (&canvas, CELL_TLS, FALSE),
           cell_glyph (&canvas, CELL_WAIT, FALSE), cell_glyph (&canvas, CELL_CONNECT, TRUE));
  fflush (output->stream);
}
