/* dial-test-proxy-resolver.c: a GProxyResolver whose answers each test
 * sets.
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "dial-test-proxy-resolver.h"

struct _DialTestProxyResolver
{
  GObject                    parent_instance;

  GMutex                     mutex;
  char                     **proxies;
  GError                    *error;
  DialTestProxyResolverFunc  func;
  gpointer                   func_data;
  GDestroyNotify             func_destroy;

  guint                      lookups;
  char                      *last_uri;
};

static void dial_test_proxy_resolver_iface_init (GProxyResolverInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (DialTestProxyResolver, dial_test_proxy_resolver, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_PROXY_RESOLVER,
                                                      dial_test_proxy_resolver_iface_init))

static void
clear_func (DialTestProxyResolver *self)
{
  if (self->func_destroy != NULL)
    self->func_destroy (self->func_data);
  self->func = NULL;
  self->func_data = NULL;
  self->func_destroy = NULL;
}

static void
dial_test_proxy_resolver_finalize (GObject *object)
{
  DialTestProxyResolver *self = DIAL_TEST_PROXY_RESOLVER (object);

  clear_func (self);
  g_strfreev (self->proxies);
  g_clear_error (&self->error);
  g_free (self->last_uri);
  g_mutex_clear (&self->mutex);

  G_OBJECT_CLASS (dial_test_proxy_resolver_parent_class)->finalize (object);
}

static void
dial_test_proxy_resolver_class_init (DialTestProxyResolverClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = dial_test_proxy_resolver_finalize;
}

static void
dial_test_proxy_resolver_init (DialTestProxyResolver *self)
{
  g_mutex_init (&self->mutex);
}

/* The answer for @uri, under the lock except while the function runs (it
 * may take its time, or look things up itself). */
static char **
answer (DialTestProxyResolver  *self,
        const char             *uri,
        GError                **error)
{
  static const char * const direct[] = { "direct://", NULL };
  DialTestProxyResolverFunc func;
  gpointer func_data;
  char **result = NULL;

  g_mutex_lock (&self->mutex);
  self->lookups++;
  g_free (self->last_uri);
  self->last_uri = g_strdup (uri);

  func = self->func;
  func_data = self->func_data;
  if (func == NULL)
    {
      if (self->error != NULL)
        g_propagate_error (error, g_error_copy (self->error));
      else
        result = g_strdupv (self->proxies != NULL ? self->proxies : (char **) direct);
    }
  g_mutex_unlock (&self->mutex);

  if (func != NULL)
    result = func (uri, func_data, error);

  return result;
}

static gboolean
dial_test_proxy_resolver_is_supported (GProxyResolver *resolver)
{
  return TRUE;
}

static char **
dial_test_proxy_resolver_lookup (GProxyResolver  *resolver,
                                 const char      *uri,
                                 GCancellable    *cancellable,
                                 GError         **error)
{
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  return answer (DIAL_TEST_PROXY_RESOLVER (resolver), uri, error);
}

static void
dial_test_proxy_resolver_lookup_async (GProxyResolver      *resolver,
                                       const char          *uri,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  char **proxies;

  task = g_task_new (resolver, cancellable, callback, user_data);
  g_task_set_source_tag (task, dial_test_proxy_resolver_lookup_async);

  /* The answer is computed now; GTask delivers it from the main context
   * since this call has not returned yet. */
  proxies = dial_test_proxy_resolver_lookup (resolver, uri, cancellable, &error);
  if (proxies == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, proxies, (GDestroyNotify) g_strfreev);
}

static char **
dial_test_proxy_resolver_lookup_finish (GProxyResolver  *resolver,
                                        GAsyncResult    *result,
                                        GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, resolver), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
dial_test_proxy_resolver_iface_init (GProxyResolverInterface *iface)
{
  iface->is_supported = dial_test_proxy_resolver_is_supported;
  iface->lookup = dial_test_proxy_resolver_lookup;
  iface->lookup_async = dial_test_proxy_resolver_lookup_async;
  iface->lookup_finish = dial_test_proxy_resolver_lookup_finish;
}

DialTestProxyResolver *
dial_test_proxy_resolver_new (const char * const *proxies)
{
  DialTestProxyResolver *self = g_object_new (DIAL_TEST_TYPE_PROXY_RESOLVER, NULL);

  dial_test_proxy_resolver_set_proxies (self, proxies);

  return self;
}

DialTestProxyResolver *
dial_test_proxy_resolver_new_single (const char *proxy)
{
  const char * const proxies[] = { proxy, NULL };

  g_return_val_if_fail (proxy != NULL, NULL);

  return dial_test_proxy_resolver_new (proxies);
}

void
dial_test_proxy_resolver_set_proxies (DialTestProxyResolver *self,
                                      const char * const    *proxies)
{
  g_return_if_fail (DIAL_TEST_IS_PROXY_RESOLVER (self));

  g_mutex_lock (&self->mutex);
  g_strfreev (self->proxies);
  self->proxies = g_strdupv ((char **) proxies);
  g_mutex_unlock (&self->mutex);
}

void
dial_test_proxy_resolver_set_error (DialTestProxyResolver *self,
                                    const GError          *error)
{
  g_return_if_fail (DIAL_TEST_IS_PROXY_RESOLVER (self));

  g_mutex_lock (&self->mutex);
  g_clear_error (&self->error);
  if (error != NULL)
    self->error = g_error_copy (error);
  g_mutex_unlock (&self->mutex);
}

void
dial_test_proxy_resolver_set_func (DialTestProxyResolver     *self,
                                   DialTestProxyResolverFunc  func,
                                   gpointer                   user_data,
                                   GDestroyNotify             destroy)
{
  g_return_if_fail (DIAL_TEST_IS_PROXY_RESOLVER (self));

  g_mutex_lock (&self->mutex);
  clear_func (self);
  self->func = func;
  self->func_data = user_data;
  self->func_destroy = destroy;
  g_mutex_unlock (&self->mutex);
}

guint
dial_test_proxy_resolver_get_lookups (DialTestProxyResolver *self)
{
  guint lookups;

  g_return_val_if_fail (DIAL_TEST_IS_PROXY_RESOLVER (self), 0);

  g_mutex_lock (&self->mutex);
  lookups = self->lookups;
  g_mutex_unlock (&self->mutex);

  return lookups;
}

char *
dial_test_proxy_resolver_dup_last_uri (DialTestProxyResolver *self)
{
  char *uri;

  g_return_val_if_fail (DIAL_TEST_IS_PROXY_RESOLVER (self), NULL);

  g_mutex_lock (&self->mutex);
  uri = g_strdup (self->last_uri);
  g_mutex_unlock (&self->mutex);

  return uri;
}

void
dial_test_proxy_resolver_reset_counts (DialTestProxyResolver *self)
{
  g_return_if_fail (DIAL_TEST_IS_PROXY_RESOLVER (self));

  g_mutex_lock (&self->mutex);
  self->lookups = 0;
  g_clear_pointer (&self->last_uri, g_free);
  g_mutex_unlock (&self->mutex);
}

void
dial_test_proxy_resolver_register (void)
{
  static gsize registered = 0;

  if (g_once_init_enter (&registered))
    {
      GProxy *none;

      /* GIO registers its extension points lazily; asking for a proxy
       * makes sure the proxy-resolver one exists, without choosing the
       * default resolver yet. */
      none = g_proxy_get_default_for_protocol ("dial-test-none");
      g_clear_object (&none);

      g_io_extension_point_implement (G_PROXY_RESOLVER_EXTENSION_POINT_NAME,
                                      DIAL_TEST_TYPE_PROXY_RESOLVER,
                                      "dial-test", -200);
      g_once_init_leave (&registered, 1);
    }
}
