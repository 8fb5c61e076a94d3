/* dial-trace.c: the client's events, as a timestamped trace
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every event becomes a record (dial-record.c), and the attempts
 * (dial-attempts.c) are followed from CONNECTING to their end. Before
 * each event, the attempts that ended since the previous one failed. At
 * COMPLETE, the winner is the attempt whose socket the connection has;
 * those that ended since the previous event were dropped by the
 * completion itself, and lost (or, when the connect failed, failed with
 * it).
 *
 * An attempt's own error is not part of any event: the reason is given
 * when it is certain (a rejected certificate, the deadline, an attempt
 * that is the only one to have failed), and otherwise the connect's error
 * says what went wrong, as libdial chose it among the attempts' errors.
 */

#include "dial-trace.h"

#include "dial-tls-info.h"

struct _DialCmdTrace
{
  DialCmdOutput       output;
  char               *proxy_uri;
  DialCmdAttempts    *attempts;
  GPtrArray          *lookups;       /* DialCmdSpan */
  GSocketClientEvent  furthest;
  gint64              resolving;
  gint64              resolved;
  gint64              completed;
  gint64              last_event;
};

static gint64
now (void)
{
  return g_get_monotonic_time ();
}

/* ---- attempts ------------------------------------------------------------- */

DialCmdAttempt *
dial_cmd_trace_attempt_for_stream (DialCmdTrace *self,
                                   GIOStream    *stream)
{
  return dial_cmd_attempts_find (self->attempts, stream);
}

static void
record_attempt (DialCmdRecord  *record,
                DialCmdAttempt *attempt)
{
  dial_cmd_record_int (record, "attempt", attempt->index);
  dial_cmd_record_string (record, "family", attempt->family == G_SOCKET_FAMILY_IPV6 ? "ipv6" :
                                            attempt->family == G_SOCKET_FAMILY_IPV4 ? "ipv4" :
                                            "other");
}

static const char *
stage_words (GSocketClientEvent stage)
{
  switch (stage)
    {
    case G_SOCKET_CLIENT_PROXY_NEGOTIATING:
    case G_SOCKET_CLIENT_PROXY_NEGOTIATED:
      return "in the proxy negotiation";
    case G_SOCKET_CLIENT_TLS_HANDSHAKING:
    case G_SOCKET_CLIENT_TLS_HANDSHAKED:
      return "in the TLS handshake";
    case G_SOCKET_CLIENT_CONNECTED:
      return "after connecting";
    case G_SOCKET_CLIENT_RESOLVING:
    case G_SOCKET_CLIENT_RESOLVED:
    case G_SOCKET_CLIENT_CONNECTING:
    case G_SOCKET_CLIENT_COMPLETE:
    default:
      return "before connecting";
    }
}

static const char *
stage_name (GSocketClientEvent stage)
{
  switch (stage)
    {
    case G_SOCKET_CLIENT_RESOLVING:         return "resolving";
    case G_SOCKET_CLIENT_RESOLVED:          return "resolved";
    case G_SOCKET_CLIENT_CONNECTING:        return "connecting";
    case G_SOCKET_CLIENT_CONNECTED:         return "connected";
    case G_SOCKET_CLIENT_PROXY_NEGOTIATING: return "proxy-negotiating";
    case G_SOCKET_CLIENT_PROXY_NEGOTIATED:  return "proxy-negotiated";
    case G_SOCKET_CLIENT_TLS_HANDSHAKING:   return "tls-handshaking";
    case G_SOCKET_CLIENT_TLS_HANDSHAKED:    return "tls-handshaked";
    case G_SOCKET_CLIENT_COMPLETE:          return "complete";
    default:                                return "unknown";
    }
}

/* The line that says how @attempt ended. */
static void
report_attempt (DialCmdTrace   *self,
                DialCmdAttempt *attempt,
                const char     *extra)
{
  static const char * const events[] = {
    [DIAL_CMD_ATTEMPT_WON] = "attempt-won",
    [DIAL_CMD_ATTEMPT_LOST] = "attempt-lost",
    [DIAL_CMD_ATTEMPT_FAILED] = "attempt-failed",
  };
  DialCmdRecord *record;
  gint64 end = attempt->ended >= 0 ? attempt->ended : now ();
  g_autofree char *where = NULL;

  g_return_if_fail (attempt->outcome != DIAL_CMD_ATTEMPT_PENDING);

  record = dial_cmd_record_new (events[attempt->outcome], end);
  record_attempt (record, attempt);
  dial_cmd_record_string (record, "address", attempt->address);
  dial_cmd_record_string (record, "stage", stage_name (attempt->stage));
  dial_cmd_record_ms (record, "duration_ms", end - attempt->started);
  dial_cmd_record_string (record, "reason", attempt->reason);

  where = attempt->address != NULL ? g_strdup (attempt->address)
                                   : g_strdup (dial_cmd_family_name (attempt->family));
  switch (attempt->outcome)
    {
    case DIAL_CMD_ATTEMPT_WON:
      dial_cmd_record_text (record, "#%u %s after %.1f ms", attempt->index, where,
                            (end - attempt->started) / 1000.0);
      break;
    case DIAL_CMD_ATTEMPT_LOST:
      dial_cmd_record_text (record, "#%u %s after %.1f ms, %s", attempt->index, where,
                            (end - attempt->started) / 1000.0, extra);
      break;
    case DIAL_CMD_ATTEMPT_FAILED:
      dial_cmd_record_text (record, "#%u %s after %.1f ms, %s%s%s", attempt->index, where,
                            (end - attempt->started) / 1000.0, stage_words (attempt->stage),
                            attempt->reason != NULL ? ": " : "",
                            attempt->reason != NULL ? attempt->reason : "");
      break;
    case DIAL_CMD_ATTEMPT_PENDING:
    default:
      g_assert_not_reached ();
    }

  dial_cmd_record_emit (record, &self->output);
}

/* Before an event other than COMPLETE: what ended since is a failure. */
static void
report_failures (DialCmdTrace *self)
{
  GPtrArray *attempts = dial_cmd_attempts_get_array (self->attempts);

  dial_cmd_attempts_notice_ended (self->attempts);

  for (guint i = 0; i < attempts->len; i++)
    {
      DialCmdAttempt *attempt = g_ptr_array_index (attempts, i);

      if (attempt->ended >= 0 && attempt->outcome == DIAL_CMD_ATTEMPT_PENDING)
        {
          attempt->outcome = DIAL_CMD_ATTEMPT_FAILED;
          if (dial_cmd_attempts_get_staged (self->attempts) == attempt)
            dial_cmd_attempts_set_staged (self->attempts, NULL);
          report_attempt (self, attempt, NULL);
        }
    }
}

/* At COMPLETE: the winner, and what the completion dropped. When the
 * connect failed, those wait for its error (dial_cmd_trace_result). */
static void
settle_attempts (DialCmdTrace *self,
                 GIOStream    *stream)
{
  GPtrArray *attempts = dial_cmd_attempts_get_array (self->attempts);
  DialCmdAttempt *winner = NULL;

  dial_cmd_attempts_notice_ended (self->attempts);
  if (stream != NULL)
    winner = dial_cmd_attempts_find_by_socket (self->attempts, stream);

  for (guint i = 0; i < attempts->len; i++)
    {
      DialCmdAttempt *attempt = g_ptr_array_index (attempts, i);

      if (attempt->outcome != DIAL_CMD_ATTEMPT_PENDING)
        continue;

      /* Ended before the previous event, yet not seen: a failure. */
      if (attempt->ended >= 0 && attempt->ended < self->last_event)
        {
          attempt->outcome = DIAL_CMD_ATTEMPT_FAILED;
          report_attempt (self, attempt, NULL);
          continue;
        }

      if (attempt->ended < 0)
        attempt->ended = self->completed;

      if (stream == NULL)
        continue;

      if (attempt == winner)
        {
          attempt->outcome = DIAL_CMD_ATTEMPT_WON;
          report_attempt (self, attempt, NULL);
        }
      else
        {
          g_autofree char *extra = NULL;

          attempt->outcome = DIAL_CMD_ATTEMPT_LOST;
          if (winner == NULL)
            extra = g_strdup ("another attempt won");
          else if (attempt->connected >= 0)
            extra = g_strdup_printf ("connected, but #%u was used", winner->index);
          else
            extra = g_strdup_printf ("still connecting when #%u won", winner->index);
          report_attempt (self, attempt, extra);
        }
    }
}

/* ---- events --------------------------------------------------------------- */

DialCmdRecord *
dial_cmd_trace_record_new (DialCmdTrace *self,
                           const char   *event)
{
  return dial_cmd_record_new (event, now ());
}

void
dial_cmd_trace_emit (DialCmdTrace  *self,
                     DialCmdRecord *record)
{
  dial_cmd_record_emit (record, &self->output);
}

static void
describe_connecting (DialCmdTrace  *self,
                     DialCmdRecord *record,
                     GIOStream     *stream)
{
  DialCmdAttempt *attempt = dial_cmd_attempts_add (self->attempts, stream);

  if (attempt == NULL)
    {
      dial_cmd_record_text (record, "(no socket)");
      return;
    }

  record_attempt (record, attempt);
  dial_cmd_record_text (record, "#%u %s", attempt->index, dial_cmd_family_name (attempt->family));
}

static void
describe_connected (DialCmdTrace  *self,
                    DialCmdRecord *record,
                    GIOStream     *stream)
{
  DialCmdAttempt *attempt = dial_cmd_trace_attempt_for_stream (self, stream);
  g_autoptr(GSocketAddress) remote = NULL;
  g_autoptr(GError) error = NULL;

  if (attempt == NULL)
    return;

  attempt->connected = now ();
  attempt->stage = G_SOCKET_CLIENT_CONNECTED;
  if (G_IS_SOCKET_CONNECTION (stream))
    remote = g_socket_connection_get_remote_address (G_SOCKET_CONNECTION (stream), &error);
  if (remote != NULL)
    attempt->address = g_socket_connectable_to_string (G_SOCKET_CONNECTABLE (remote));

  record_attempt (record, attempt);
  dial_cmd_record_string (record, "address", attempt->address);
  dial_cmd_record_ms (record, "duration_ms", attempt->connected - attempt->started);
  dial_cmd_record_text (record, "#%u %s in %.1f ms", attempt->index,
                        attempt->address != NULL ? attempt->address :
                        error != NULL ? error->message : "(no remote address)",
                        (attempt->connected - attempt->started) / 1000.0);
}

static void
describe_stage (DialCmdTrace       *self,
                DialCmdRecord      *record,
                GSocketClientEvent  event,
                GSocketConnectable *connectable,
                GIOStream          *stream)
{
  DialCmdAttempt *attempt = dial_cmd_trace_attempt_for_stream (self, stream);
  g_autofree char *target = g_socket_connectable_to_string (connectable);
  gint64 t = now ();

  if (attempt == NULL)
    return;

  record_attempt (record, attempt);
  attempt->stage = MAX (attempt->stage, event);

  switch (event)
    {
    case G_SOCKET_CLIENT_PROXY_NEGOTIATING:
      dial_cmd_attempts_set_staged (self->attempts, attempt);
      attempt->proxy_started = t;
      dial_cmd_record_string (record, "proxy_address", attempt->address);
      dial_cmd_record_string (record, "proxy", self->proxy_uri);
      dial_cmd_record_text (record, "#%u with the proxy at %s%s%s%s", attempt->index,
                            attempt->address != NULL ? attempt->address : "?",
                            self->proxy_uri != NULL ? " (" : "",
                            self->proxy_uri != NULL ? self->proxy_uri : "",
                            self->proxy_uri != NULL ? ")" : "");
      break;

    case G_SOCKET_CLIENT_PROXY_NEGOTIATED:
      attempt->proxy_done = t;
      dial_cmd_record_string (record, "destination", target);
      dial_cmd_record_ms (record, "duration_ms", t - attempt->proxy_started);
      dial_cmd_record_text (record, "#%u tunnel to %s in %.1f ms", attempt->index, target,
                            (t - attempt->proxy_started) / 1000.0);
      break;

    case G_SOCKET_CLIENT_TLS_HANDSHAKING:
      dial_cmd_attempts_set_staged (self->attempts, attempt);
      attempt->tls_started = t;
      dial_cmd_record_text (record, "#%u", attempt->index);
      if (G_IS_TLS_CONNECTION (stream))
        dial_cmd_tls_describe_handshaking (record, G_TLS_CONNECTION (stream));
      break;

    case G_SOCKET_CLIENT_TLS_HANDSHAKED:
      attempt->tls_done = t;
      dial_cmd_record_ms (record, "duration_ms", t - attempt->tls_started);
      dial_cmd_record_text (record, "#%u in %.1f ms", attempt->index,
                            (t - attempt->tls_started) / 1000.0);
      if (G_IS_TLS_CONNECTION (stream))
        dial_cmd_tls_describe_handshaked (record, G_TLS_CONNECTION (stream));
      break;

    case G_SOCKET_CLIENT_RESOLVING:
    case G_SOCKET_CLIENT_RESOLVED:
    case G_SOCKET_CLIENT_CONNECTING:
    case G_SOCKET_CLIENT_CONNECTED:
    case G_SOCKET_CLIENT_COMPLETE:
    default:
      break;
    }
}

/* GLib answers IP literals and "localhost" itself: say what it answered,
 * since no lookup will reach the resolver. */
static void
note_local_answer (DialCmdTrace       *self,
                   GSocketConnectable *connectable)
{
  const char *host;
  g_auto(GStrv) answers = NULL;
  DialCmdLookup lookup = { 0 };

  if (!G_IS_NETWORK_ADDRESS (connectable))
    return;

  host = g_network_address_get_hostname (G_NETWORK_ADDRESS (connectable));
  if (g_hostname_is_ip_address (host))
    return;

  answers = dial_cmd_resolver_local_answer (host);
  if (answers == NULL)
    return;

  lookup.name = host;
  lookup.kind = "any";
  lookup.answers = (const char * const *) answers;
  lookup.started = lookup.ended = now ();
  lookup.local = TRUE;
  dial_cmd_trace_lookup (&lookup, self);
}

void
dial_cmd_trace_event (DialCmdTrace       *self,
                      GSocketClientEvent  event,
                      GSocketConnectable *connectable,
                      GIOStream          *stream)
{
  DialCmdRecord *record;

  if (event == G_SOCKET_CLIENT_COMPLETE)
    {
      /* Its line comes with the result, which has the error. */
      self->completed = now ();
      settle_attempts (self, stream);
      self->last_event = now ();
      return;
    }

  report_failures (self);
  self->furthest = MAX (self->furthest, event);
  record = dial_cmd_trace_record_new (self, stage_name (event));

  switch (event)
    {
    case G_SOCKET_CLIENT_RESOLVING:
      {
        g_autofree char *target = g_socket_connectable_to_string (connectable);

        self->resolving = now ();
        dial_cmd_record_string (record, "target", target);
        dial_cmd_record_text (record, "%s", target);
        dial_cmd_record_emit (record, &self->output);
        note_local_answer (self, connectable);
        self->last_event = now ();
        return;
      }

    case G_SOCKET_CLIENT_RESOLVED:
      self->resolved = now ();
      dial_cmd_record_ms (record, "duration_ms", self->resolved - self->resolving);
      dial_cmd_record_text (record, "in %.1f ms", (self->resolved - self->resolving) / 1000.0);
      break;

    case G_SOCKET_CLIENT_CONNECTING:
      describe_connecting (self, record, stream);
      break;

    case G_SOCKET_CLIENT_CONNECTED:
      describe_connected (self, record, stream);
      break;

    case G_SOCKET_CLIENT_PROXY_NEGOTIATING:
    case G_SOCKET_CLIENT_PROXY_NEGOTIATED:
    case G_SOCKET_CLIENT_TLS_HANDSHAKING:
    case G_SOCKET_CLIENT_TLS_HANDSHAKED:
      describe_stage (self, record, event, connectable, stream);
      break;

    case G_SOCKET_CLIENT_COMPLETE:
    default:
      break;
    }

  dial_cmd_record_emit (record, &self->output);
  self->last_event = now ();
}

/* The resolver's report of a lookup (a DialCmdLookupFunc). */
void
dial_cmd_trace_lookup (const DialCmdLookup *lookup,
                       gpointer             user_data)
{
  DialCmdTrace *self = user_data;
  DialCmdRecord *record = dial_cmd_record_new ("lookup", lookup->ended);
  DialCmdSpan *span = g_new0 (DialCmdSpan, 1);
  const char *kind = g_str_equal (lookup->kind, "ipv4") ? " (IPv4)" :
                     g_str_equal (lookup->kind, "ipv6") ? " (IPv6)" :
                     g_str_equal (lookup->kind, "srv") ? " (SRV)" : "";

  span->label = g_strdup_printf ("%s%s", lookup->name, kind);
  span->started = lookup->started;
  span->ended = lookup->ended;
  span->failed = lookup->error != NULL;
  g_ptr_array_add (self->lookups, span);

  dial_cmd_record_string (record, "name", lookup->name);
  dial_cmd_record_string (record, "kind", lookup->kind);
  dial_cmd_record_strv (record, "addresses", lookup->answers);
  dial_cmd_record_string (record, "error", lookup->error != NULL ? lookup->error->message : NULL);
  dial_cmd_record_bool (record, "local", lookup->local);
  dial_cmd_record_ms (record, "duration_ms", lookup->ended - lookup->started);

  if (lookup->error != NULL)
    {
      dial_cmd_record_text (record, "%s%s failed in %.1f ms: %s", lookup->name, kind,
                            (lookup->ended - lookup->started) / 1000.0, lookup->error->message);
    }
  else
    {
      g_autofree char *answers = g_strjoinv (", ", (char **) lookup->answers);

      if (lookup->local)
        dial_cmd_record_text (record, "%s → %s (answered by GLib, no DNS)", lookup->name,
                              answers[0] != '\0' ? answers : "nothing");
      else
        dial_cmd_record_text (record, "%s%s → %s in %.1f ms", lookup->name, kind,
                              answers[0] != '\0' ? answers : "nothing",
                              (lookup->ended - lookup->started) / 1000.0);
    }

  dial_cmd_record_emit (record, &self->output);
}

static char *
error_code_nick (const GError *error)
{
  GType type = G_TYPE_INVALID;
  g_autoptr(GEnumClass) klass = NULL;
  GEnumValue *value;

  if (error->domain == G_IO_ERROR)
    type = G_TYPE_IO_ERROR_ENUM;
  else if (error->domain == G_TLS_ERROR)
    type = G_TYPE_TLS_ERROR;
  else if (error->domain == G_RESOLVER_ERROR)
    type = G_TYPE_RESOLVER_ERROR;

  if (type == G_TYPE_INVALID)
    return NULL;

  klass = g_type_class_ref (type);
  value = g_enum_get_value (klass, error->code);
  return value != NULL ? g_strdup (value->value_nick) : NULL;
}

/* The connect's result: the attempts that waited for it, then the
 * "complete" line. */
void
dial_cmd_trace_result (DialCmdTrace      *self,
                       GSocketConnection *connection,
                       const GError      *error,
                       DialCmdExit        status)
{
  gint64 when = self->completed >= 0 ? self->completed : now ();
  GPtrArray *attempts = dial_cmd_attempts_get_array (self->attempts);
  DialCmdRecord *record;
  guint n_waiting = 0;

  if (error != NULL)
    {
      gboolean timed_out = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);

      for (guint i = 0; i < attempts->len; i++)
        {
          DialCmdAttempt *attempt = g_ptr_array_index (attempts, i);

          if (attempt->outcome == DIAL_CMD_ATTEMPT_PENDING)
            n_waiting++;
        }

      for (guint i = 0; i < attempts->len; i++)
        {
          DialCmdAttempt *attempt = g_ptr_array_index (attempts, i);

          if (attempt->outcome != DIAL_CMD_ATTEMPT_PENDING)
            continue;

          attempt->outcome = DIAL_CMD_ATTEMPT_FAILED;
          if (attempt->reason == NULL &&
              (timed_out || (n_waiting == 1 && attempts->len == 1) ||
               (n_waiting == 1 && attempt->stage == self->furthest &&
                attempt->stage >= G_SOCKET_CLIENT_CONNECTED)))
            attempt->reason = g_strdup (error->message);
          report_attempt (self, attempt, NULL);
        }
    }

  record = dial_cmd_record_new ("complete", when);
  dial_cmd_record_bool (record, "ok", error == NULL);
  dial_cmd_record_ms (record, "duration_ms", when - self->output.start);
  if (error == NULL)
    {
      g_autoptr(GSocketAddress) remote = g_socket_connection_get_remote_address (connection, NULL);
      g_autofree char *address = NULL;
      DialCmdAttempt *winner = dial_cmd_trace_attempt_for_stream (self, G_IO_STREAM (connection));

      if (remote != NULL)
        address = g_socket_connectable_to_string (G_SOCKET_CONNECTABLE (remote));
      if (winner != NULL)
        dial_cmd_record_int (record, "attempt", winner->index);
      dial_cmd_record_string (record, "address", address);
      dial_cmd_record_int (record, "attempts", attempts->len);
      dial_cmd_record_text (record, "connected to %s in %.1f ms (%u attempt%s)",
                            address != NULL ? address : "?",
                            (when - self->output.start) / 1000.0, attempts->len,
                            attempts->len == 1 ? "" : "s");
    }
  else
    {
      g_autofree char *nick = error_code_nick (error);

      dial_cmd_record_string (record, "error", error->message);
      dial_cmd_record_string (record, "error_domain", g_quark_to_string (error->domain));
      dial_cmd_record_int (record, "error_code", error->code);
      dial_cmd_record_string (record, "error_name", nick);
      dial_cmd_record_string (record, "failure", dial_cmd_exit_name (status));
      dial_cmd_record_int (record, "exit_code", status);
      dial_cmd_record_text (record, "failed (%s, exit %d): %s", dial_cmd_exit_name (status),
                            status, error->message);
    }
  dial_cmd_record_summary (record);
  dial_cmd_record_emit (record, &self->output);
}

/* ---- the trace ------------------------------------------------------------ */

static void
span_free (DialCmdSpan *span)
{
  g_free (span->label);
  g_free (span);
}

DialCmdTrace *
dial_cmd_trace_new (const DialCmdOutput *output,
                    const char          *proxy_uri)
{
  DialCmdTrace *self = g_new0 (DialCmdTrace, 1);

  self->output = *output;
  self->proxy_uri = g_strdup (proxy_uri);
  self->attempts = dial_cmd_attempts_new ();
  self->lookups = g_ptr_array_new_with_free_func ((GDestroyNotify) span_free);
  self->furthest = G_SOCKET_CLIENT_RESOLVING;
  self->resolving = -1;
  self->resolved = -1;
  self->completed = -1;
  return self;
}

void
dial_cmd_trace_free (DialCmdTrace *self)
{
  dial_cmd_attempts_free (self->attempts);
  g_ptr_array_unref (self->lookups);
  g_free (self->proxy_uri);
  g_free (self);
}

const DialCmdOutput *
dial_cmd_trace_get_output (DialCmdTrace *self)
{
  return &self->output;
}

GSocketClientEvent
dial_cmd_trace_get_furthest_stage (DialCmdTrace *self)
{
  return self->furthest;
}

GPtrArray *
dial_cmd_trace_get_attempts (DialCmdTrace *self)
{
  return dial_cmd_attempts_get_array (self->attempts);
}

GPtrArray *
dial_cmd_trace_get_lookups (DialCmdTrace *self)
{
  return self->lookups;
}

gint64
dial_cmd_trace_get_resolving (DialCmdTrace *self)
{
  return self->resolving;
}

gint64
dial_cmd_trace_get_resolved (DialCmdTrace *self)
{
  return self->resolved;
}

gint64
dial_cmd_trace_get_completed (DialCmdTrace *self)
{
  return self->completed;
}
