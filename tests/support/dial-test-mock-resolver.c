/* dial-test-mock-resolver.c: a scripted GResolver for the tests.
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "dial-test-mock-resolver.h"

typedef struct
{
  gboolean  configured;
  GList    *addresses;   /* GInetAddress, owned */
  GError   *error;       /* nullable */
  guint     delay_ms;
} FamilyAnswer;

typedef struct
{
  FamilyAnswer ipv4;
  FamilyAnswer ipv6;
} HostEntry;

struct _DialTestMockResolver
{
  GResolver   parent_instance;

  GMutex      mutex;
  GHashTable *hosts;     /* host → HostEntry */
  GHashTable *services;  /* rrname → GList of GSrvTarget */
  GHashTable *lookups;   /* host → count (GUINT_TO_POINTER) */
};

G_DEFINE_FINAL_TYPE (DialTestMockResolver, dial_test_mock_resolver, G_TYPE_RESOLVER)

static void
family_answer_clear (FamilyAnswer *answer)
{
  g_list_free_full (g_steal_pointer (&answer->addresses), g_object_unref);
  g_clear_error (&answer->error);
  answer->configured = FALSE;
  answer->delay_ms = 0;
}

static void
host_entry_free (gpointer data)
{
  HostEntry *entry = data;

  family_answer_clear (&entry->ipv4);
  family_answer_clear (&entry->ipv6);
  g_free (entry);
}

static void
srv_targets_free (gpointer data)
{
  g_list_free_full (data, (GDestroyNotify) g_srv_target_free);
}

static gpointer
copy_object (gconstpointer object,
             gpointer      user_data)
{
  return g_object_ref ((gpointer) object);
}

static GList *
addresses_copy (GList *addresses)
{
  return g_list_copy_deep (addresses, copy_object, NULL);
}

/* Called with the mutex held. */
static HostEntry *
ensure_host (DialTestMockResolver *self,
             const char           *host)
{
  HostEntry *entry = g_hash_table_lookup (self->hosts, host);

  if (entry == NULL)
    {
      entry = g_new0 (HostEntry, 1);
      g_hash_table_insert (self->hosts, g_strdup (host), entry);
    }

  return entry;
}

static FamilyAnswer *
host_entry_answer (HostEntry     *entry,
                   GSocketFamily  family)
{
  g_assert (family == G_SOCKET_FAMILY_IPV4 || family == G_SOCKET_FAMILY_IPV6);
  return family == G_SOCKET_FAMILY_IPV4 ? &entry->ipv4 : &entry->ipv6;
}

/* Resolves @host for @flags under the mutex: returns the addresses or sets
 * @error, and the delay the answer should take. */
static GList *
resolve_name (DialTestMockResolver      *self,
              const char                *host,
              GResolverNameLookupFlags   flags,
              guint                     *delay_ms,
              GError                   **error)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->mutex);
  HostEntry *entry;
  guint count;
  const FamilyAnswer *answers[2];
  guint n_answers = 0;
  GList *result = NULL;
  const GError *first_error = NULL;

  count = GPOINTER_TO_UINT (g_hash_table_lookup (self->lookups, host));
  g_hash_table_insert (self->lookups, g_strdup (host), GUINT_TO_POINTER (count + 1));

  *delay_ms = 0;
  entry = g_hash_table_lookup (self->hosts, host);
  if (entry == NULL)
    {
      g_set_error (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND,
                   "Error resolving “%s”: %s", host, "Name or service not known");
      return NULL;
    }

  /* The default lookup lists IPv6 first, as getaddrinfo () does on a
   * host with both loopbacks; its first error is the IPv4 one. */
  if ((flags & G_RESOLVER_NAME_LOOKUP_FLAGS_IPV4_ONLY) == 0)
    answers[n_answers++] = &entry->ipv6;
  if ((flags & G_RESOLVER_NAME_LOOKUP_FLAGS_IPV6_ONLY) == 0)
    answers[n_answers++] = &entry->ipv4;

  for (guint i = 0; i < n_answers; i++)
    {
      const FamilyAnswer *answer = answers[i];

      *delay_ms = MAX (*delay_ms, answer->delay_ms);
      if (answer->error != NULL)
        {
          if (first_error == NULL || answer == &entry->ipv4)
            first_error = answer->error;
        }
      else if (answer->configured)
        result = g_list_concat (result, addresses_copy (answer->addresses));
    }

  if (result != NULL)
    return result;

  if (first_error != NULL)
    g_propagate_error (error, g_error_copy (first_error));
  else
    g_set_error (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND,
                 "Error resolving “%s”: %s", host, "No address associated with hostname");

  return NULL;
}

static GList *
resolve_service (DialTestMockResolver  *self,
                 const char            *rrname,
                 GError               **error)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->mutex);
  GList *targets = g_hash_table_lookup (self->services, rrname);
  GList *copy = NULL;

  if (targets == NULL)
    {
      g_set_error (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND,
                   "No DNS record of the requested type for “%s”", rrname);
      return NULL;
    }

  for (const GList *l = targets; l != NULL; l = l->next)
    copy = g_list_prepend (copy, g_srv_target_copy (l->data));

  return g_srv_target_list_sort (g_list_reverse (copy));
}

/* An async answer: delivered by a timeout source on the task's context,
 * or as CANCELLED by a cancellable source, whichever fires first. */
typedef struct
{
  GList          *result;
  GDestroyNotify  result_free;
  GError         *error;
  GSource        *timer;
  GSource        *cancel_source;
} PendingAnswer;

static void
pending_answer_free (gpointer data)
{
  PendingAnswer *pending = data;

  if (pending->result != NULL)
    pending->result_free (pending->result);
  g_clear_error (&pending->error);
  if (pending->timer != NULL)
    g_source_destroy (pending->timer);
  g_clear_pointer (&pending->timer, g_source_unref);
  if (pending->cancel_source != NULL)
    g_source_destroy (pending->cancel_source);
  g_clear_pointer (&pending->cancel_source, g_source_unref);
  g_free (pending);
}

static gboolean
pending_answer_timer_cb (gpointer user_data)
{
  GTask *task = user_data;
  PendingAnswer *pending = g_task_get_task_data (task);

  if (pending->cancel_source != NULL)
    g_source_destroy (pending->cancel_source);

  if (pending->error != NULL)
    g_task_return_error (task, g_steal_pointer (&pending->error));
  else
    g_task_return_pointer (task, g_steal_pointer (&pending->result), pending->result_free);

  return G_SOURCE_REMOVE;
}

static gboolean
pending_answer_cancelled_cb (GCancellable *cancellable,
                             gpointer      user_data)
{
  GTask *task = user_data;
  PendingAnswer *pending = g_task_get_task_data (task);
  GError *error = NULL;

  g_source_destroy (pending->timer);
  g_cancellable_set_error_if_cancelled (cancellable, &error);
  g_task_return_error (task, error);

  return G_SOURCE_REMOVE;
}

static GSource *
pending_answer_attach (GTask       *task,
                       GSource     *source,
                       GSourceFunc  callback)
{
  g_source_set_callback (source, callback, g_object_ref (task), g_object_unref);
  g_source_set_priority (source, g_task_get_priority (task));
  g_source_attach (source, g_task_get_context (task));
  return source;
}

static void
deliver_later (GTask          *task,
               GList          *result,
               GDestroyNotify  result_free,
               GError         *error,
               guint           delay_ms)
{
  PendingAnswer *pending = g_new0 (PendingAnswer, 1);
  GCancellable *cancellable = g_task_get_cancellable (task);

  pending->result = result;
  pending->result_free = result_free;
  pending->error = error;
  g_task_set_task_data (task, pending, pending_answer_free);

  pending->timer = pending_answer_attach (task, g_timeout_source_new (delay_ms),
                                          pending_answer_timer_cb);
  if (cancellable != NULL)
    pending->cancel_source =
      pending_answer_attach (task, g_cancellable_source_new (cancellable),
                             G_SOURCE_FUNC (pending_answer_cancelled_cb));
}

static GList *
dial_test_mock_resolver_lookup_by_name_with_flags (GResolver                 *resolver,
                                                   const char                *hostname,
                                                   GResolverNameLookupFlags   flags,
                                                   GCancellable              *cancellable,
                                                   GError                   **error)
{
  DialTestMockResolver *self = DIAL_TEST_MOCK_RESOLVER (resolver);
  guint delay_ms;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  /* Sync lookups ignore the delay. */
  return resolve_name (self, hostname, flags, &delay_ms, error);
}

static GList *
dial_test_mock_resolver_lookup_by_name (GResolver     *resolver,
                                        const char    *hostname,
                                        GCancellable  *cancellable,
                                        GError       **error)
{
  return dial_test_mock_resolver_lookup_by_name_with_flags (resolver, hostname,
                                                            G_RESOLVER_NAME_LOOKUP_FLAGS_DEFAULT,
                                                            cancellable, error);
}

static void
dial_test_mock_resolver_lookup_by_name_with_flags_async (GResolver                *resolver,
                                                         const char               *hostname,
                                                         GResolverNameLookupFlags  flags,
                                                         GCancellable             *cancellable,
                                                         GAsyncReadyCallback       callback,
                                                         gpointer                  user_data)
{
  DialTestMockResolver *self = DIAL_TEST_MOCK_RESOLVER (resolver);
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;
  GList *addresses;
  guint delay_ms;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, dial_test_mock_resolver_lookup_by_name_with_flags_async);

  addresses = resolve_name (self, hostname, flags, &delay_ms, &error);
  deliver_later (task, addresses, (GDestroyNotify) g_resolver_free_addresses, error, delay_ms);
}

static void
dial_test_mock_resolver_lookup_by_name_async (GResolver           *resolver,
                                              const char          *hostname,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data)
{
  dial_test_mock_resolver_lookup_by_name_with_flags_async (resolver, hostname,
                                                           G_RESOLVER_NAME_LOOKUP_FLAGS_DEFAULT,
                                                           cancellable, callback, user_data);
}

/* Every async lookup of this resolver ends in a GTask holding a list. */
static GList *
dial_test_mock_resolver_lookup_finish (GResolver     *resolver,
                                       GAsyncResult  *result,
                                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, resolver), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static GList *
dial_test_mock_resolver_lookup_service (GResolver     *resolver,
                                        const char    *rrname,
                                        GCancellable  *cancellable,
                                        GError       **error)
{
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  return resolve_service (DIAL_TEST_MOCK_RESOLVER (resolver), rrname, error);
}

static void
dial_test_mock_resolver_lookup_service_async (GResolver           *resolver,
                                              const char          *rrname,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;
  GList *targets;

  task = g_task_new (resolver, cancellable, callback, user_data);
  g_task_set_source_tag (task, dial_test_mock_resolver_lookup_service_async);

  targets = resolve_service (DIAL_TEST_MOCK_RESOLVER (resolver), rrname, &error);
  deliver_later (task, targets, (GDestroyNotify) g_resolver_free_targets, error, 0);
}

static char *
dial_test_mock_resolver_lookup_by_address (GResolver     *resolver,
                                           GInetAddress  *address,
                                           GCancellable  *cancellable,
                                           GError       **error)
{
  g_autofree char *ip = g_inet_address_to_string (address);

  g_set_error (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND,
               "Error reverse-resolving “%s”: %s", ip, "Name or service not known");
  return NULL;
}

static GList *
dial_test_mock_resolver_lookup_records (GResolver            *resolver,
                                        const char           *rrname,
                                        GResolverRecordType   record_type,
                                        GCancellable         *cancellable,
                                        GError              **error)
{
  g_set_error (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND,
               "No DNS record of the requested type for “%s”", rrname);
  return NULL;
}

static void
dial_test_mock_resolver_finalize (GObject *object)
{
  DialTestMockResolver *self = DIAL_TEST_MOCK_RESOLVER (object);

  g_clear_pointer (&self->hosts, g_hash_table_unref);
  g_clear_pointer (&self->services, g_hash_table_unref);
  g_clear_pointer (&self->lookups, g_hash_table_unref);
  g_mutex_clear (&self->mutex);

  G_OBJECT_CLASS (dial_test_mock_resolver_parent_class)->finalize (object);
}

static void
dial_test_mock_resolver_class_init (DialTestMockResolverClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GResolverClass *resolver_class = G_RESOLVER_CLASS (klass);

  object_class->finalize = dial_test_mock_resolver_finalize;

  resolver_class->lookup_by_name = dial_test_mock_resolver_lookup_by_name;
  resolver_class->lookup_by_name_async = dial_test_mock_resolver_lookup_by_name_async;
  resolver_class->lookup_by_name_finish = dial_test_mock_resolver_lookup_finish;
  resolver_class->lookup_by_name_with_flags = dial_test_mock_resolver_lookup_by_name_with_flags;
  resolver_class->lookup_by_name_with_flags_async = dial_test_mock_resolver_lookup_by_name_with_flags_async;
  resolver_class->lookup_by_name_with_flags_finish = dial_test_mock_resolver_lookup_finish;
  resolver_class->lookup_service = dial_test_mock_resolver_lookup_service;
  resolver_class->lookup_service_async = dial_test_mock_resolver_lookup_service_async;
  resolver_class->lookup_service_finish = dial_test_mock_resolver_lookup_finish;
  resolver_class->lookup_by_address = dial_test_mock_resolver_lookup_by_address;
  resolver_class->lookup_records = dial_test_mock_resolver_lookup_records;
}

static void
dial_test_mock_resolver_init (DialTestMockResolver *self)
{
  g_mutex_init (&self->mutex);
  self->hosts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, host_entry_free);
  self->services = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, srv_targets_free);
  self->lookups = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

DialTestMockResolver *
dial_test_mock_resolver_new (void)
{
  return g_object_new (DIAL_TEST_TYPE_MOCK_RESOLVER, NULL);
}

void
dial_test_mock_resolver_install (DialTestMockResolver *self)
{
  g_return_if_fail (DIAL_TEST_IS_MOCK_RESOLVER (self));

  g_resolver_set_default (G_RESOLVER (self));
}

void
dial_test_mock_resolver_clear (DialTestMockResolver *self)
{
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_if_fail (DIAL_TEST_IS_MOCK_RESOLVER (self));

  locker = g_mutex_locker_new (&self->mutex);
  g_hash_table_remove_all (self->hosts);
  g_hash_table_remove_all (self->services);
  g_hash_table_remove_all (self->lookups);
}

void
dial_test_mock_resolver_set_addresses (DialTestMockResolver *self,
                                       const char           *host,
                                       GSocketFamily         family,
                                       GList                *addresses,
                                       guint                 delay_ms)
{
  g_autoptr(GMutexLocker) locker = NULL;
  FamilyAnswer *answer;

  g_return_if_fail (DIAL_TEST_IS_MOCK_RESOLVER (self));
  g_return_if_fail (host != NULL);

  locker = g_mutex_locker_new (&self->mutex);
  answer = host_entry_answer (ensure_host (self, host), family);
  family_answer_clear (answer);
  answer->configured = TRUE;
  answer->addresses = addresses_copy (addresses);
  answer->delay_ms = delay_ms;
}

void
dial_test_mock_resolver_add_ip (DialTestMockResolver *self,
                                const char           *host,
                                const char           *ip,
                                guint                 delay_ms)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(GInetAddress) address = NULL;
  FamilyAnswer *answer;

  g_return_if_fail (DIAL_TEST_IS_MOCK_RESOLVER (self));
  g_return_if_fail (host != NULL);

  address = g_inet_address_new_from_string (ip);
  g_return_if_fail (address != NULL);

  locker = g_mutex_locker_new (&self->mutex);
  answer = host_entry_answer (ensure_host (self, host), g_inet_address_get_family (address));
  g_clear_error (&answer->error);
  answer->configured = TRUE;
  answer->addresses = g_list_append (answer->addresses, g_steal_pointer (&address));
  answer->delay_ms = delay_ms;
}

void
dial_test_mock_resolver_set_error (DialTestMockResolver *self,
                                   const char           *host,
                                   GSocketFamily         family,
                                   const GError         *error,
                                   guint                 delay_ms)
{
  g_autoptr(GMutexLocker) locker = NULL;
  FamilyAnswer *answer;

  g_return_if_fail (DIAL_TEST_IS_MOCK_RESOLVER (self));
  g_return_if_fail (host != NULL);
  g_return_if_fail (error != NULL);

  locker = g_mutex_locker_new (&self->mutex);
  answer = host_entry_answer (ensure_host (self, host), family);
  family_answer_clear (answer);
  answer->configured = TRUE;
  answer->error = g_error_copy (error);
  answer->delay_ms = delay_ms;
}

void
dial_test_mock_resolver_add_srv_target (DialTestMockResolver *self,
                                        const char           *service,
                                        const char           *protocol,
                                        const char           *domain,
                                        const char           *hostname,
                                        guint16               port,
                                        guint16               priority,
                                        guint16               weight)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autofree char *rrname = NULL;
  GList *targets;

  g_return_if_fail (DIAL_TEST_IS_MOCK_RESOLVER (self));

  rrname = g_strdup_printf ("_%s._%s.%s", service, protocol, domain);
  locker = g_mutex_locker_new (&self->mutex);
  targets = g_hash_table_lookup (self->services, rrname);
  if (targets != NULL)
    /* Appending to a non-empty list keeps its head. */
    targets = g_list_append (targets, g_srv_target_new (hostname, port, priority, weight));
  else
    g_hash_table_insert (self->services, g_steal_pointer (&rrname),
                         g_list_append (NULL, g_srv_target_new (hostname, port, priority, weight)));
}

guint
dial_test_mock_resolver_get_lookups (DialTestMockResolver *self,
                                     const char           *host)
{
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_val_if_fail (DIAL_TEST_IS_MOCK_RESOLVER (self), 0);

  locker = g_mutex_locker_new (&self->mutex);
  return GPOINTER_TO_UINT (g_hash_table_lookup (self->lookups, host));
}
