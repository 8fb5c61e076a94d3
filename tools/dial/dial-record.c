/* dial-record.c: one line of the trace, for people or as JSON
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A record is one event: its JSON object is built as fields are added
 * ({"time_ms":…,"event":…,…}, one line, RFC 8259), and its human line
 * from the text and notes the caller writes. Emitting prints whichever
 * the output mode wants and frees the record.
 */

#include "dial-record.h"

#include <stdarg.h>

/* Where the human details start: "%8.1f ms" "  " "%-17s " */
#define DETAIL_COLUMN 30

struct _DialCmdRecord
{
  char      *event;
  gint64     when;
  GString   *json;
  char      *text;
  GPtrArray *notes;
  gboolean   summary;
};

DialCmdRecord *
dial_cmd_record_new (const char *event,
                     gint64      when)
{
  DialCmdRecord *record = g_new0 (DialCmdRecord, 1);

  record->event = g_strdup (event);
  record->when = when;
  record->json = g_string_new (NULL);
  record->notes = g_ptr_array_new_with_free_func (g_free);
  return record;
}

static void
record_free (DialCmdRecord *record)
{
  g_free (record->event);
  g_string_free (record->json, TRUE);
  g_free (record->text);
  g_ptr_array_unref (record->notes);
  g_free (record);
}

/* @value as a JSON string. Bytes that are not UTF-8 become U+FFFD. */
void
dial_cmd_json_append_string (GString    *json,
                             const char *value)
{
  g_autofree char *valid = g_utf8_make_valid (value, -1);

  g_string_append_c (json, '"');
  for (const char *p = valid; *p != '\0'; p++)
    {
      unsigned char c = (unsigned char) *p;

      switch (c)
        {
        case '"':  g_string_append (json, "\\\""); break;
        case '\\': g_string_append (json, "\\\\"); break;
        case '\n': g_string_append (json, "\\n"); break;
        case '\r': g_string_append (json, "\\r"); break;
        case '\t': g_string_append (json, "\\t"); break;
        default:
          if (c < 0x20 || c == 0x7f)
            g_string_append_printf (json, "\\u%04x", c);
          else
            g_string_append_c (json, (char) c);
          break;
        }
    }
  g_string_append_c (json, '"');
}

static void
append_key (DialCmdRecord *record,
            const char    *key)
{
  g_string_append_c (record->json, ',');
  dial_cmd_json_append_string (record->json, key);
  g_string_append_c (record->json, ':');
}

/* A string field; NULL is JSON's null. */
void
dial_cmd_record_string (DialCmdRecord *record,
                        const char    *key,
                        const char    *value)
{
  append_key (record, key);
  if (value != NULL)
    dial_cmd_json_append_string (record->json, value);
  else
    g_string_append (record->json, "null");
}

void
dial_cmd_record_int (DialCmdRecord *record,
                     const char    *key,
                     gint64         value)
{
  append_key (record, key);
  g_string_append_printf (record->json, "%" G_GINT64_FORMAT, value);
}

/* A duration in µs, written in milliseconds with three decimals. */
static void
append_ms (GString *json,
           gint64   microseconds)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  /* g_ascii_formatd: a '.' whatever the locale says. */
  g_string_append (json, g_ascii_formatd (buffer, sizeof buffer, "%.3f",
                                          microseconds / 1000.0));
}

void
dial_cmd_record_ms (DialCmdRecord *record,
                    const char    *key,
                    gint64         microseconds)
{
  append_key (record, key);
  append_ms (record->json, microseconds);
}

void
dial_cmd_record_bool (DialCmdRecord *record,
                      const char    *key,
                      gboolean       value)
{
  append_key (record, key);
  g_string_append (record->json, value ? "true" : "false");
}

/* An array of strings; NULL is JSON's null. */
void
dial_cmd_record_strv (DialCmdRecord      *record,
                      const char         *key,
                      const char * const *values)
{
  append_key (record, key);
  if (values == NULL)
    {
      g_string_append (record->json, "null");
      return;
    }

  g_string_append_c (record->json, '[');
  for (guint i = 0; values[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append_c (record->json, ',');
      dial_cmd_json_append_string (record->json, values[i]);
    }
  g_string_append_c (record->json, ']');
}

/* What the human line says after the event's name. */
void
dial_cmd_record_text (DialCmdRecord *record,
                      const char    *format,
                      ...)
{
  va_list args;

  g_free (record->text);
  va_start (args, format);
  record->text = g_strdup_vprintf (format, args);
  va_end (args);
}

/* A further human line, under the details of the first. */
void
dial_cmd_record_note (DialCmdRecord *record,
                      const char    *format,
                      ...)
{
  va_list args;

  va_start (args, format);
  g_ptr_array_add (record->notes, g_strdup_vprintf (format, args));
  va_end (args);
}

/* The record matters after the waterfall too: --timeline prints it. */
void
dial_cmd_record_summary (DialCmdRecord *record)
{
  record->summary = TRUE;
}

static void
emit_json (DialCmdRecord       *record,
           const DialCmdOutput *output)
{
  g_autoptr(GString) line = g_string_new ("{\"time_ms\":");

  append_ms (line, record->when - output->start);
  g_string_append (line, ",\"event\":");
  dial_cmd_json_append_string (line, record->event);
  g_string_append_len (line, record->json->str, record->json->len);
  g_string_append (line, "}\n");
  fputs (line->str, output->stream);
}

static void
emit_human (DialCmdRecord       *record,
            const DialCmdOutput *output)
{
  const char *dim = output->colour ? "\033[2m" : "";
  const char *bold = output->colour ? "\033[1m" : "";
  const char *reset = output->colour ? "\033[0m" : "";
  g_autofree char *name = g_strdelimit (g_strdup (record->event), "-", ' ');

  fprintf (output->stream, "%s%8.1f ms%s  %s%-17s%s %s\n", dim,
           (record->when - output->start) / 1000.0, reset,
           bold, name, reset, record->text != NULL ? record->text : "");
  for (guint i = 0; i < record->notes->len; i++)
    fprintf (output->stream, "%*s%s\n", DETAIL_COLUMN, "",
             (const char *) g_ptr_array_index (record->notes, i));
}

void
dial_cmd_record_emit (DialCmdRecord       *record,
                      const DialCmdOutput *output)
{
  switch (output->mode)
    {
    case DIAL_CMD_OUTPUT_JSON:
      emit_json (record, output);
      break;
    case DIAL_CMD_OUTPUT_TIMELINE:
      if (record->summary)
        emit_human (record, output);
      break;
    case DIAL_CMD_OUTPUT_HUMAN:
      emit_human (record, output);
      break;
    case DIAL_CMD_OUTPUT_QUIET:
    default:
      break;
    }

  fflush (output->stream);
  record_free (record);
}
