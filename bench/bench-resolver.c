/* bench-resolver.c: a GResolver that knows a few names and nothing else.
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "bench-resolver.h"

struct _BenchResolver
{
  GResolver   parent_instance;

  /* lower-case name -> GList of GInetAddress, in the order given */
  GHashTable *names;
};

G_DEFINE_FINAL_TYPE (BenchResolver, bench_resolver, G_TYPE_RESOLVER)

static gboolean
family_wanted (GInetAddress             *address,
               GResolverNameLookupFlags  flags)
{
  GSocketFamily family = g_inet_address_get_family (address);

  if (flags & G_RESOLVER_NAME_LOOKUP_FLAGS_IPV4_ONLY)
    return family == G_SOCKET_FAMILY_IPV4;
  if (flags & G_RESOLVER_NAME_LOOKUP_FLAGS_IPV6_ONLY)
    return family == G_SOCKET_FAMILY_IPV6;
  return TRUE;
}

/* The one place that answers: the sync and async paths both call it. */
static GList *
bench_resolver_answer (BenchResolver             *self,
                       const char                *hostname,
                       GResolverNameLookupFlags   flags,
                       GError                   **error)
{
  g_autofree char *key = g_ascii_strdown (hostname, -1);
  const GList *addresses = g_hash_table_lookup (self->names, key);
  GList *result = NULL;

  for (const GList *l = addresses; l != NULL; l = l->next)
    if (family_wanted (l->data, flags))
      result = g_list_prepend (result, g_object_ref (l->data));

  if (result == NULL)
    {
      g_set_error (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND,
                   "Error resolving “%s”: Name or service not known", hostname);
      return NULL;
    }

  return g_list_reverse (result);
}

static GList *
bench_resolver_lookup_by_name_with_flags (GResolver                 *resolver,
                                          const char                *hostname,
                                          GResolverNameLookupFlags   flags,
                                          GCancellable              *cancellable,
                                          GError                   **error)
{
  return bench_resolver_answer (BENCH_RESOLVER (resolver), hostname, flags, error);
}

static GList *
bench_resolver_lookup_by_name (GResolver     *resolver,
                               const char    *hostname,
                               GCancellable  *cancellable,
                               GError       **error)
{
  return bench_resolver_lookup_by_name_with_flags (resolver, hostname,
                                                   G_RESOLVER_NAME_LOOKUP_FLAGS_DEFAULT,
                                                   cancellable, error);
}

static void
bench_resolver_lookup_by_name_with_flags_async (GResolver                 *resolver,
                                                const char                *hostname,
                                                GResolverNameLookupFlags   flags,
                                                GCancellable              *cancellable,
                                                GAsyncReadyCallback        callback,
                                                gpointer                   user_data)
{
  g_autoptr(GTask) task = g_task_new (resolver, cancellable, callback, user_data);
  GError *error = NULL;
  GList *addresses;

  g_task_set_source_tag (task, bench_resolver_lookup_by_name_with_flags_async);

  /* GTask delivers this from the main context, never from inside the call. */
  addresses = bench_resolver_answer (BENCH_RESOLVER (resolver), hostname, flags, &error);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, addresses, (GDestroyNotify) g_resolver_free_addresses);
}

static GList *
bench_resolver_lookup_by_name_with_flags_finish (GResolver     *resolver,
                                                 GAsyncResult  *result,
                                                 GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
bench_resolver_lookup_by_name_async (GResolver           *resolver,
                                     const char          *hostname,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  bench_resolver_lookup_by_name_with_flags_async (resolver, hostname,
                                                  G_RESOLVER_NAME_LOOKUP_FLAGS_DEFAULT,
                                                  cancellable, callback, user_data);
}

static GList *
bench_resolver_lookup_by_name_finish (GResolver     *resolver,
                                      GAsyncResult  *result,
                                      GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
bench_resolver_finalize (GObject *object)
{
  BenchResolver *self = BENCH_RESOLVER (object);

  g_clear_pointer (&self->names, g_hash_table_unref);

  G_OBJECT_CLASS (bench_resolver_parent_class)->finalize (object);
}

static void
bench_resolver_class_init (BenchResolverClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GResolverClass *resolver_class = G_RESOLVER_CLASS (klass);

  object_class->finalize = bench_resolver_finalize;

  resolver_class->lookup_by_name = bench_resolver_lookup_by_name;
  resolver_class->lookup_by_name_async = bench_resolver_lookup_by_name_async;
  resolver_class->lookup_by_name_finish = bench_resolver_lookup_by_name_finish;
  resolver_class->lookup_by_name_with_flags = bench_resolver_lookup_by_name_with_flags;
  resolver_class->lookup_by_name_with_flags_async = bench_resolver_lookup_by_name_with_flags_async;
  resolver_class->lookup_by_name_with_flags_finish = bench_resolver_lookup_by_name_with_flags_finish;
}

static void
free_addresses (gpointer addresses)
{
  g_list_free_full (addresses, g_object_unref);
}

static void
bench_resolver_init (BenchResolver *self)
{
  self->names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, free_addresses);
}

void
bench_resolver_add_name (BenchResolver      *self,
                         const char         *name,
                         const char * const *addresses)
{
  GList *list = NULL;

  g_return_if_fail (BENCH_IS_RESOLVER (self));
  g_return_if_fail (name != NULL);
  g_return_if_fail (addresses != NULL);

  for (guint i = 0; addresses[i] != NULL; i++)
    {
      GInetAddress *address = g_inet_address_new_from_string (addresses[i]);

      if (address == NULL)
        {
          g_critical ("%s: “%s” is not an IP address", G_STRFUNC, addresses[i]);
          continue;
        }
      list = g_list_prepend (list, address);
    }

  g_hash_table_replace (self->names, g_ascii_strdown (name, -1), g_list_reverse (list));
}

BenchResolver *
bench_resolver_new (const char         *name,
                    const char * const *addresses)
{
  BenchResolver *self;

  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (addresses != NULL, NULL);

  self = g_object_new (BENCH_TYPE_RESOLVER, NULL);
  bench_resolver_add_name (self, name, addresses);

  return self;
}
