/* example-resolver.c: a resolver that answers from a table
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * An SRV record needs DNS, and the examples must run offline, so the
 * connect-to-service example installs this resolver as the process's
 * default. Real programs do not do that: they let GIO ask the system.
 *
 * It answers name lookups and SRV lookups, synchronously and
 * asynchronously, from what the program added; every other name or
 * service is "not found". It knows nothing else (no reverse lookups, no
 * other records). The JavaScript example uses it too, as
 * DialExample.Resolver from DialExample-1.0.typelib, because GJS cannot
 * implement GResolver's asynchronous methods.
 */

#include "example-resolver.h"

/**
 * DialExampleResolver:
 *
 * A [class@Gio.Resolver] that answers from a table: names added with
 * [method@DialExample.Resolver.add_address], SRV records added with
 * [method@DialExample.Resolver.add_service]. Install it with
 * [method@Gio.Resolver.set_default].
 */
struct _DialExampleResolver
{
  GResolver   parent_instance;

  GHashTable *addresses;   /* host name => GPtrArray of GInetAddress */
  GHashTable *services;    /* "_service._protocol.domain" => GPtrArray of GSrvTarget */
};

G_DEFINE_FINAL_TYPE (DialExampleResolver, dial_example_resolver, G_TYPE_RESOLVER)

static GList *
lookup_addresses (DialExampleResolver       *self,
                  const char                *hostname,
                  GResolverNameLookupFlags   flags,
                  GError                   **error)
{
  GPtrArray *known = g_hash_table_lookup (self->addresses, hostname);
  GList *answer = NULL;

  for (guint i = 0; known != NULL && i < known->len; i++)
    {
      GInetAddress *address = g_ptr_array_index (known, i);
      GSocketFamily family = g_inet_address_get_family (address);

      if ((flags & G_RESOLVER_NAME_LOOKUP_FLAGS_IPV4_ONLY) && family != G_SOCKET_FAMILY_IPV4)
        continue;
      if ((flags & G_RESOLVER_NAME_LOOKUP_FLAGS_IPV6_ONLY) && family != G_SOCKET_FAMILY_IPV6)
        continue;
      answer = g_list_append (answer, g_object_ref (address));
    }

  if (answer == NULL)
    g_set_error (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND,
                 "The example's resolver has no address for “%s”", hostname);
  return answer;
}

static GList *
lookup_targets (DialExampleResolver  *self,
                const char           *rrname,
                GError              **error)
{
  GPtrArray *known = g_hash_table_lookup (self->services, rrname);
  GList *answer = NULL;

  if (known == NULL)
    {
      g_set_error (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND,
                   "The example's resolver has no SRV record for “%s”", rrname);
      return NULL;
    }

  for (guint i = 0; i < known->len; i++)
    answer = g_list_append (answer, g_srv_target_copy (g_ptr_array_index (known, i)));
  return answer;
}

/* Hands @answer (a GList) or @error to @task, which delivers it from the
 * main loop, never from inside the call that started the lookup. */
static void
return_list (GTask          *task,
             GList          *answer,
             GError         *error,
             GDestroyNotify  free_list)
{
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, answer, free_list);
}

static GList *
lookup_by_name_with_flags (GResolver                 *resolver,
                           const char                *hostname,
                           GResolverNameLookupFlags   flags,
                           GCancellable              *cancellable,
                           GError                   **error)
{
  return lookup_addresses (DIAL_EXAMPLE_RESOLVER (resolver), hostname, flags, error);
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
lookup_by_name_with_flags_async (GResolver                 *resolver,
                                 const char                *hostname,
                                 GResolverNameLookupFlags   flags,
                                 GCancellable              *cancellable,
                                 GAsyncReadyCallback        callback,
                                 gpointer                   user_data)
{
  g_autoptr(GTask) task = g_task_new (resolver, cancellable, callback, user_data);
  GError *error = NULL;
  GList *answer = lookup_by_name_with_flags (resolver, hostname, flags, cancellable, &error);

  return_list (task, answer, error, (GDestroyNotify) g_resolver_free_addresses);
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

static GList *
lookup_service (GResolver     *resolver,
                const char    *rrname,
                GCancellable  *cancellable,
                GError       **error)
{
  return lookup_targets (DIAL_EXAMPLE_RESOLVER (resolver), rrname, error);
}

static void
lookup_service_async (GResolver           *resolver,
                      const char          *rrname,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (resolver, cancellable, callback, user_data);
  GError *error = NULL;
  GList *answer = lookup_service (resolver, rrname, cancellable, &error);

  return_list (task, answer, error, (GDestroyNotify) g_resolver_free_targets);
}

static GList *
lookup_finish (GResolver     *resolver,
               GAsyncResult  *result,
               GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
dial_example_resolver_finalize (GObject *object)
{
  DialExampleResolver *self = DIAL_EXAMPLE_RESOLVER (object);

  g_clear_pointer (&self->addresses, g_hash_table_unref);
  g_clear_pointer (&self->services, g_hash_table_unref);

  G_OBJECT_CLASS (dial_example_resolver_parent_class)->finalize (object);
}

static void
dial_example_resolver_class_init (DialExampleResolverClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GResolverClass *resolver_class = G_RESOLVER_CLASS (klass);

  object_class->finalize = dial_example_resolver_finalize;

  resolver_class->lookup_by_name = lookup_by_name;
  resolver_class->lookup_by_name_async = lookup_by_name_async;
  resolver_class->lookup_by_name_finish = lookup_finish;
  resolver_class->lookup_by_name_with_flags = lookup_by_name_with_flags;
  resolver_class->lookup_by_name_with_flags_async = lookup_by_name_with_flags_async;
  resolver_class->lookup_by_name_with_flags_finish = lookup_finish;
  resolver_class->lookup_service = lookup_service;
  resolver_class->lookup_service_async = lookup_service_async;
  resolver_class->lookup_service_finish = lookup_finish;
}

static void
dial_example_resolver_init (DialExampleResolver *self)
{
  self->addresses = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                           (GDestroyNotify) g_ptr_array_unref);
  self->services = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                          (GDestroyNotify) g_ptr_array_unref);
}

/* The array of @table under @key, created empty if there is none. */
static GPtrArray *
array_for (GHashTable     *table,
           const char     *key,
           GDestroyNotify  free_element)
{
  GPtrArray *array = g_hash_table_lookup (table, key);

  if (array == NULL)
    {
      array = g_ptr_array_new_with_free_func (free_element);
      g_hash_table_insert (table, g_strdup (key), array);
    }
  return array;
}

/**
 * dial_example_resolver_new:
 *
 * Creates a resolver that knows nothing yet.
 *
 * Returns: (transfer full): a new `DialExampleResolver`
 */
DialExampleResolver *
dial_example_resolver_new (void)
{
  return g_object_new (DIAL_EXAMPLE_TYPE_RESOLVER, NULL);
}

/**
 * dial_example_resolver_add_address:
 * @resolver: a `DialExampleResolver`
 * @hostname: a host name
 * @address: an IP address, as a string
 *
 * Makes @hostname resolve to @address too, after the addresses added
 * before.
 */
void
dial_example_resolver_add_address (DialExampleResolver *resolver,
                                   const char          *hostname,
                                   const char          *address)
{
  GInetAddress *inet_address;

  g_return_if_fail (DIAL_EXAMPLE_IS_RESOLVER (resolver));
  g_return_if_fail (hostname != NULL && address != NULL);

  inet_address = g_inet_address_new_from_string (address);
  g_return_if_fail (inet_address != NULL);

  g_ptr_array_add (array_for (resolver->addresses, hostname, g_object_unref), inet_address);
}

/**
 * dial_example_resolver_add_service:
 * @resolver: a `DialExampleResolver`
 * @service: a service name, such as "echo"
 * @protocol: "tcp" or "udp"
 * @domain: the domain the service belongs to
 * @target: the host name of the server
 * @port: the server's port
 *
 * Adds an SRV record, `_service._protocol.domain`, for port @port of
 * @target, with priority and weight 0.
 */
void
dial_example_resolver_add_service (DialExampleResolver *resolver,
                                   const char          *service,
                                   const char          *protocol,
                                   const char          *domain,
                                   const char          *target,
                                   guint16              port)
{
  g_autofree char *rrname = NULL;

  g_return_if_fail (DIAL_EXAMPLE_IS_RESOLVER (resolver));
  g_return_if_fail (service != NULL && protocol != NULL && domain != NULL && target != NULL);

  rrname = g_strdup_printf ("_%s._%s.%s", service, protocol, domain);
  g_ptr_array_add (array_for (resolver->services, rrname, (GDestroyNotify) g_srv_target_free),
                   g_srv_target_new (target, port, 0, 0));
}
