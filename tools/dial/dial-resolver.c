/* dial-resolver.c: a resolver that reports the lookups it forwards
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The client's events say that a name was resolved, not what it resolved
 * to. The dial command installs this resolver as GIO's default: it hands
 * every lookup to the resolver that was the default before (so the
 * answers are the system's), and reports names and SRV lookups with their
 * answers to the trace. Reverse and record lookups pass through unseen.
 *
 * GResolver answers IP literals and "localhost" itself, without calling
 * any resolver; dial_cmd_resolver_local_answer() finds out what it
 * answers, with an instance that has no inner resolver and so can never
 * send a DNS query.
 */

#include "dial-resolver.h"

struct _DialCmdResolver
{
  GResolver          parent_instance;
  GResolver         *inner;   /* NULL: fail every lookup that reaches us */
  DialCmdLookupFunc  func;
  gpointer           user_data;
};

G_DEFINE_FINAL_TYPE (DialCmdResolver, dial_cmd_resolver, G_TYPE_RESOLVER)

typedef struct
{
  char       *name;
  const char *kind;
  gint64      started;
} Pending;

static void
pending_free (Pending *pending)
{
  g_free (pending->name);
  g_free (pending);
}

static Pending *
pending_new (const char *name,
             const char *kind)
{
  Pending *pending = g_new0 (Pending, 1);

  pending->name = g_strdup (name);
  pending->kind = kind;
  pending->started = g_get_monotonic_time ();
  return pending;
}

static const char *
kind_for_flags (GResolverNameLookupFlags flags)
{
  if (flags & G_RESOLVER_NAME_LOOKUP_FLAGS_IPV4_ONLY)
    return "ipv4";
  if (flags & G_RESOLVER_NAME_LOOKUP_FLAGS_IPV6_ONLY)
    return "ipv6";
  return "any";
}

static gboolean
no_inner (DialCmdResolver  *self,
          GError          **error)
{
  if (self->inner != NULL)
    return FALSE;

  g_set_error_literal (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND,
                       "Not answered without DNS");
  return TRUE;
}

/* Answers as strings: addresses, or SRV targets as "host:port". */
static char **
addresses_to_strv (GList *addresses)
{
  GPtrArray *strings = g_ptr_array_new ();

  for (GList *l = addresses; l != NULL; l = l->next)
    g_ptr_array_add (strings, g_inet_address_to_string (l->data));
  g_ptr_array_add (strings, NULL);

  return (char **) g_ptr_array_free (strings, FALSE);
}

static char **
targets_to_strv (GList *targets)
{
  GPtrArray *strings = g_ptr_array_new ();

  for (GList *l = targets; l != NULL; l = l->next)
    g_ptr_array_add (strings, g_strdup_printf ("%s:%u", g_srv_target_get_hostname (l->data),
                                               g_srv_target_get_port (l->data)));
  g_ptr_array_add (strings, NULL);

  return (char **) g_ptr_array_free (strings, FALSE);
}

static void
report (DialCmdResolver *self,
        const Pending   *pending,
        char           **answers,
        const GError    *error)
{
  DialCmdLookup lookup = {
    .name = pending->name,
    .kind = pending->kind,
    .answers = (const char * const *) answers,
    .error = error,
    .started = pending->started,
    .ended = g_get_monotonic_time (),
    .local = FALSE,
  };

  if (self->func != NULL)
    self->func (&lookup, self->user_data);
}

/* ---- names ---------------------------------------------------------------- */

static GList *
lookup_by_name_with_flags (GResolver                 *resolver,
                           const char                *hostname,
                           GResolverNameLookupFlags   flags,
                           GCancellable              *cancellable,
                           GError                   **error)
{
  DialCmdResolver *self = DIAL_CMD_RESOLVER (resolver);
  g_autoptr(GError) local_error = NULL;
  g_auto(GStrv) answers = NULL;
  Pending *pending;
  GList *addresses;

  if (no_inner (self, error))
    return NULL;

  pending = pending_new (hostname, kind_for_flags (flags));
  addresses = g_resolver_lookup_by_name_with_flags (self->inner, hostname, flags,
                                                    cancellable, &local_error);
  if (addresses != NULL)
    answers = addresses_to_strv (addresses);
  report (self, pending, answers, local_error);
  pending_free (pending);

  if (local_error != NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));
  return addresses;
}

static GList *
lookup_by_name (GResolver     *resolver,
                const char    *hostname,
                GCancellable  *cancellable,
                GError       **error)
{
  return lookup_by_name_with_flags (resolver, hostname, G_RESOLVER_NAME_LOOKUP_FLAGS_DEFAULT,
                                    cancellable, error);
}

static void
name_looked_up_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  DialCmdResolver *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) answers = NULL;
  GList *addresses;

  addresses = g_resolver_lookup_by_name_with_flags_finish (G_RESOLVER (object), result, &error);
  if (addresses != NULL)
    answers = addresses_to_strv (addresses);
  report (self, g_task_get_task_data (task), answers, error);

  if (error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, addresses, (GDestroyNotify) g_resolver_free_addresses);
}

static void
lookup_by_name_with_flags_async (GResolver                *resolver,
                                 const char               *hostname,
                                 GResolverNameLookupFlags  flags,
                                 GCancellable             *cancellable,
                                 GAsyncReadyCallback       callback,
                                 gpointer                  user_data)
{
  DialCmdResolver *self = DIAL_CMD_RESOLVER (resolver);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  GError *error = NULL;

  g_task_set_source_tag (task, lookup_by_name_with_flags_async);
  if (no_inner (self, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  g_task_set_task_data (task, pending_new (hostname, kind_for_flags (flags)),
                        (GDestroyNotify) pending_free);
  g_resolver_lookup_by_name_with_flags_async (self->inner, hostname, flags, cancellable,
                                              name_looked_up_cb, g_steal_pointer (&task));
}

static GList *
lookup_by_name_with_flags_finish (GResolver     *resolver,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
lookup_by_name_async (GResolver           *resolver,
                      const char          *hostname,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  lookup_by_name_with_flags_async (resolver, hostname, G_RESOLVER_NAME_LOOKUP_FLAGS_DEFAULT,
                                   cancellable, callback, user_data);
}

/* ---- SRV ------------------------------------------------------------------ */

/* The inner resolver's own method: GResolver's public call would want the
 * service, protocol and domain that @rrname was made of. */
static GList *
lookup_service (GResolver     *resolver,
                const char    *rrname,
                GCancellable  *cancellable,
                GError       **error)
{
  DialCmdResolver *self = DIAL_CMD_RESOLVER (resolver);
  g_autoptr(GError) local_error = NULL;
  g_auto(GStrv) answers = NULL;
  Pending *pending;
  GList *targets;

  if (no_inner (self, error))
    return NULL;

  pending = pending_new (rrname, "srv");
  targets = G_RESOLVER_GET_CLASS (self->inner)->lookup_service (self->inner, rrname,
                                                                cancellable, &local_error);
  if (local_error == NULL)
    answers = targets_to_strv (targets);
  report (self, pending, answers, local_error);
  pending_free (pending);

  if (local_error != NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));
  return targets;
}

static void
service_looked_up_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  DialCmdResolver *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) answers = NULL;
  GList *targets;

  targets = G_RESOLVER_GET_CLASS (object)->lookup_service_finish (G_RESOLVER (object),
                                                                  result, &error);
  if (error == NULL)
    answers = targets_to_strv (targets);
  report (self, g_task_get_task_data (task), answers, error);

  if (error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, targets, (GDestroyNotify) g_resolver_free_targets);
}

static void
lookup_service_async (GResolver           *resolver,
                      const char          *rrname,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  DialCmdResolver *self = DIAL_CMD_RESOLVER (resolver);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  GError *error = NULL;

  g_task_set_source_tag (task, lookup_service_async);
  if (no_inner (self, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  g_task_set_task_data (task, pending_new (rrname, "srv"), (GDestroyNotify) pending_free);
  G_RESOLVER_GET_CLASS (self->inner)->lookup_service_async (self->inner, rrname, cancellable,
                                                            service_looked_up_cb,
                                                            g_steal_pointer (&task));
}

static GList *
lookup_service_finish (GResolver     *resolver,
                       GAsyncResult  *result,
                       GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- reverse and record lookups: forwarded unseen --------------------------- */

static char *
lookup_by_address (GResolver     *resolver,
                   GInetAddress  *address,
                   GCancellable  *cancellable,
                   GError       **error)
{
  DialCmdResolver *self = DIAL_CMD_RESOLVER (resolver);

  if (no_inner (self, error))
    return NULL;

  return g_resolver_lookup_by_address (self->inner, address, cancellable, error);
}

static void
address_looked_up_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  char *name = g_resolver_lookup_by_address_finish (G_RESOLVER (object), result, &error);

  if (name == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, name, g_free);
}

static void
lookup_by_address_async (GResolver           *resolver,
                         GInetAddress        *address,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  DialCmdResolver *self = DIAL_CMD_RESOLVER (resolver);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  GError *error = NULL;

  g_task_set_source_tag (task, lookup_by_address_async);
  if (no_inner (self, &error))
    g_task_return_error (task, error);
  else
    g_resolver_lookup_by_address_async (self->inner, address, cancellable,
                                        address_looked_up_cb, g_steal_pointer (&task));
}

static char *
lookup_by_address_finish (GResolver     *resolver,
                          GAsyncResult  *result,
                          GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static GList *
lookup_records (GResolver            *resolver,
                const char           *rrname,
                GResolverRecordType   record_type,
                GCancellable         *cancellable,
                GError              **error)
{
  DialCmdResolver *self = DIAL_CMD_RESOLVER (resolver);

  if (no_inner (self, error))
    return NULL;

  return g_resolver_lookup_records (self->inner, rrname, record_type, cancellable, error);
}

static void
free_records (GList *records)
{
  g_list_free_full (records, (GDestroyNotify) g_variant_unref);
}

static void
records_looked_up_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  GList *records = g_resolver_lookup_records_finish (G_RESOLVER (object), result, &error);

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, records, (GDestroyNotify) free_records);
}

static void
lookup_records_async (GResolver           *resolver,
                      const char          *rrname,
                      GResolverRecordType  record_type,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  DialCmdResolver *self = DIAL_CMD_RESOLVER (resolver);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  GError *error = NULL;

  g_task_set_source_tag (task, lookup_records_async);
  if (no_inner (self, &error))
    g_task_return_error (task, error);
  else
    g_resolver_lookup_records_async (self->inner, rrname, record_type, cancellable,
                                     records_looked_up_cb, g_steal_pointer (&task));
}

static GList *
lookup_records_finish (GResolver     *resolver,
                       GAsyncResult  *result,
                       GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- the object ----------------------------------------------------------- */

static void
dial_cmd_resolver_dispose (GObject *object)
{
  DialCmdResolver *self = DIAL_CMD_RESOLVER (object);

  g_clear_object (&self->inner);
  G_OBJECT_CLASS (dial_cmd_resolver_parent_class)->dispose (object);
}

static void
dial_cmd_resolver_class_init (DialCmdResolverClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GResolverClass *resolver_class = G_RESOLVER_CLASS (klass);

  object_class->dispose = dial_cmd_resolver_dispose;

  resolver_class->lookup_by_name = lookup_by_name;
  resolver_class->lookup_by_name_async = lookup_by_name_async;
  resolver_class->lookup_by_name_finish = lookup_by_name_with_flags_finish;
  resolver_class->lookup_by_name_with_flags = lookup_by_name_with_flags;
  resolver_class->lookup_by_name_with_flags_async = lookup_by_name_with_flags_async;
  resolver_class->lookup_by_name_with_flags_finish = lookup_by_name_with_flags_finish;
  resolver_class->lookup_by_address = lookup_by_address;
  resolver_class->lookup_by_address_async = lookup_by_address_async;
  resolver_class->lookup_by_address_finish = lookup_by_address_finish;
  resolver_class->lookup_service = lookup_service;
  resolver_class->lookup_service_async = lookup_service_async;
  resolver_class->lookup_service_finish = lookup_service_finish;
  resolver_class->lookup_records = lookup_records;
  resolver_class->lookup_records_async = lookup_records_async;
  resolver_class->lookup_records_finish = lookup_records_finish;
}

static void
dial_cmd_resolver_init (DialCmdResolver *self)
{
}

/* A resolver that forwards to @inner and calls @func after each name or
 * SRV lookup, on the thread that asked. */
GResolver *
dial_cmd_resolver_new (GResolver         *inner,
                       DialCmdLookupFunc  func,
                       gpointer           user_data)
{
  DialCmdResolver *self = g_object_new (DIAL_CMD_TYPE_RESOLVER, NULL);

  self->inner = inner != NULL ? g_object_ref (inner) : NULL;
  self->func = func;
  self->user_data = user_data;
  return G_RESOLVER (self);
}

/* What GResolver answers for @hostname without asking any resolver (an IP
 * literal, "localhost"), or NULL when the name needs a real lookup. */
char **
dial_cmd_resolver_local_answer (const char *hostname)
{
  g_autoptr(GResolver) offline = dial_cmd_resolver_new (NULL, NULL, NULL);
  GList *addresses = g_resolver_lookup_by_name (offline, hostname, NULL, NULL);
  char **answers;

  if (addresses == NULL)
    return NULL;

  answers = addresses_to_strv (addresses);
  g_resolver_free_addresses (addresses);
  return answers;
}
