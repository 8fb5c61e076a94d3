/* fuzz-common.c: set-up, input splitting and a resolver that knows nothing
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

/* ------------------------------------------------------------------ */
/* Logging: a critical is a bug found                                  */

static gboolean verbose;

static GLogWriterOutput
fuzz_log_writer (GLogLevelFlags   log_level,
                 const GLogField *fields,
                 gsize            n_fields,
                 gpointer         user_data)
{
  if (log_level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL))
    {
      g_log_writer_standard_streams (log_level, fields, n_fields, user_data);
      abort ();
    }

  if (verbose)
    return g_log_writer_standard_streams (log_level, fields, n_fields, user_data);

  return G_LOG_WRITER_HANDLED;
}

/* ------------------------------------------------------------------ */
/* A resolver that fails every lookup at once                          */

#define FUZZ_TYPE_RESOLVER (fuzz_resolver_get_type ())
G_DECLARE_FINAL_TYPE (FuzzResolver, fuzz_resolver, FUZZ, RESOLVER, GResolver)

struct _FuzzResolver
{
  GResolver parent_instance;
};

G_DEFINE_FINAL_TYPE (FuzzResolver, fuzz_resolver, G_TYPE_RESOLVER)

static void
set_not_found (GError     **error,
               const char  *name)
{
  g_set_error (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND,
               "No address for “%s”: this resolver knows no names", name);
}

static void
fail_async (gpointer             resolver,
            const char          *name,
            GAsyncReadyCallback  callback,
            gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (resolver, NULL, callback, user_data);
  GError *error = NULL;

  set_not_found (&error, name);
  g_task_return_error (task, error);
}

static gpointer
propagate (GAsyncResult  *result,
           GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static GList *
lookup_by_name (GResolver     *resolver,
                const gchar   *hostname,
                GCancellable  *cancellable,
                GError       **error)
{
  set_not_found (error, hostname);
  return NULL;
}

static void
lookup_by_name_async (GResolver           *resolver,
                      const gchar         *hostname,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  fail_async (resolver, hostname, callback, user_data);
}

static GList *
lookup_by_name_with_flags (GResolver                 *resolver,
                           const gchar               *hostname,
                           GResolverNameLookupFlags   flags,
                           GCancellable              *cancellable,
                           GError                   **error)
{
  return lookup_by_name (resolver, hostname, cancellable, error);
}

static void
lookup_by_name_with_flags_async (GResolver                 *resolver,
                                 const gchar               *hostname,
                                 GResolverNameLookupFlags   flags,
                                 GCancellable              *cancellable,
                                 GAsyncReadyCallback        callback,
                                 gpointer                   user_data)
{
  fail_async (resolver, hostname, callback, user_data);
}

static GList *
lookup_finish (GResolver     *resolver,
               GAsyncResult  *result,
               GError       **error)
{
  return propagate (result, error);
}

static gchar *
lookup_by_address (GResolver     *resolver,
                   GInetAddress  *address,
                   GCancellable  *cancellable,
                   GError       **error)
{
  set_not_found (error, "(an address)");
  return NULL;
}

static void
lookup_by_address_async (GResolver           *resolver,
                         GInetAddress        *address,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  fail_async (resolver, "(an address)", callback, user_data);
}

static gchar *
lookup_by_address_finish (GResolver     *resolver,
                          GAsyncResult  *result,
                          GError       **error)
{
  return propagate (result, error);
}

static GList *
lookup_service (GResolver     *resolver,
                const gchar   *rrname,
                GCancellable  *cancellable,
                GError       **error)
{
  set_not_found (error, rrname);
  return NULL;
}

static void
lookup_service_async (GResolver           *resolver,
                      const gchar         *rrname,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  fail_async (resolver, rrname, callback, user_data);
}

static GList *
lookup_records (GResolver            *resolver,
                const gchar          *rrname,
                GResolverRecordType   record_type,
                GCancellable         *cancellable,
                GError              **error)
{
  set_not_found (error, rrname);
  return NULL;
}

static void
lookup_records_async (GResolver            *resolver,
                      const gchar          *rrname,
                      GResolverRecordType   record_type,
                      GCancellable         *cancellable,
                      GAsyncReadyCallback   callback,
                      gpointer              user_data)
{
  fail_async (resolver, rrname, callback, user_data);
}

static void
fuzz_resolver_class_init (FuzzResolverClass *klass)
{
  GResolverClass *resolver_class = G_RESOLVER_CLASS (klass);

  resolver_class->lookup_by_name = lookup_by_name;
  resolver_class->lookup_by_name_async = lookup_by_name_async;
  resolver_class->lookup_by_name_finish = lookup_finish;
  resolver_class->lookup_by_name_with_flags = lookup_by_name_with_flags;
  resolver_class->lookup_by_name_with_flags_async = lookup_by_name_with_flags_async;
  resolver_class->lookup_by_name_with_flags_finish = lookup_finish;
  resolver_class->lookup_by_address = lookup_by_address;
  resolver_class->lookup_by_address_async = lookup_by_address_async;
  resolver_class->lookup_by_address_finish = lookup_by_address_finish;
  resolver_class->lookup_service = lookup_service;
  resolver_class->lookup_service_async = lookup_service_async;
  resolver_class->lookup_service_finish = lookup_finish;
  resolver_class->lookup_records = lookup_records;
  resolver_class->lookup_records_async = lookup_records_async;
  resolver_class->lookup_records_finish = lookup_finish;
}

static void
fuzz_resolver_init (FuzzResolver *self)
{
}

/* ------------------------------------------------------------------ */

void
fuzz_set_up (FuzzSetUpFlags flags)
{
  static gsize done = 0;

  if (!g_once_init_enter (&done))
    return;

  verbose = g_getenv ("DIAL_FUZZ_VERBOSE") != NULL;
  g_log_set_writer_func (fuzz_log_writer, NULL, NULL);

  /* Before the first use of the provider, which reads it once. */
  if (flags & FUZZ_SET_UP_BUILTIN_TLS)
    g_setenv ("DIAL_TLS_PROVIDER", "builtin", TRUE);

  if (flags & FUZZ_SET_UP_NO_DNS)
    {
      g_autoptr(GResolver) resolver = g_object_new (FUZZ_TYPE_RESOLVER, NULL);

      g_resolver_set_default (resolver);
    }

  g_once_init_leave (&done, 1);
}

GStrv
fuzz_split (const uint8_t *data,
            size_t         size,
            char           separator,
            guint          max_fields)
{
  GPtrArray *fields = g_ptr_array_new ();
  size_t start = 0;

  g_return_val_if_fail (max_fields > 0, NULL);

  for (size_t i = 0; i <= size; i++)
    {
      gboolean last = fields->len + 1 == max_fields;

      if (i < size && (last || data[i] != (uint8_t) separator))
        continue;

      /* g_strndup() stops at a NUL. */
      g_ptr_array_add (fields, g_strndup ((const char *) data + start, i - start));
      start = i + 1;
    }

  g_ptr_array_add (fields, NULL);
  return (GStrv) g_ptr_array_free (fields, FALSE);
}

guint8 *
fuzz_exact_copy (const uint8_t *data,
                 size_t         size)
{
  /* malloc(0) may give NULL; a parser must not read it either way. */
  guint8 *copy = malloc (size > 0 ? size : 1);

  g_assert_nonnull (copy);
  if (size > 0)
    memcpy (copy, data, size);
  return copy;
}
