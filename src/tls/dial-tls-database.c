/* dial-tls-database.c: a GTlsDatabase over a gnutls trust list
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "dial-tls-certificate-private.h"
#include "dial-tls-database-private.h"

#define GN_(String) g_dgettext ("glib-networking", String)

#define HANDLE_PREFIX "dial-trust:#"

/*
 * DialTlsDatabase:
 *
 * The trust anchors of the system (when #GTlsFileDatabase:anchors is NULL)
 * or of a PEM file, in a gnutls trust list that is filled once, in
 * GInitable init, and only read afterwards, so that any thread may verify
 * with it. Only the synchronous vfuncs are written; GTlsDatabase runs
 * them in a thread for the asynchronous ones.
 */
struct _DialTlsDatabase
{
  GTlsDatabase                      parent_instance;

  char                             *anchors;
  gnutls_x509_trust_list_t          trust_list;

  /* Built on first use, for connections; guarded by the mutex. */
  GMutex                            mutex;
  gnutls_certificate_credentials_t  credentials;
};

static void dial_tls_database_initable_iface_init (GInitableIface *iface);
static void dial_tls_database_file_database_iface_init (GTlsFileDatabaseInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (DialTlsDatabase, dial_tls_database, G_TYPE_TLS_DATABASE,
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
                                                      dial_tls_database_initable_iface_init)
                               G_IMPLEMENT_INTERFACE (G_TYPE_TLS_FILE_DATABASE,
                                                      dial_tls_database_file_database_iface_init))

enum {
  PROP_0,
  PROP_ANCHORS,
  N_PROPS
};

/* Fills @trust_list from the system store or from @anchors. */
static gboolean
load_trust (gnutls_x509_trust_list_t   trust_list,
            const char                *anchors,
            GError                   **error)
{
  int ret;

  if (anchors == NULL)
    {
      ret = gnutls_x509_trust_list_add_system_trust (trust_list, 0, 0);
      if (ret == 0)
        ret = GNUTLS_E_NO_CERTIFICATE_FOUND;
      if (ret < 0)
        {
          g_set_error (error, G_TLS_ERROR, G_TLS_ERROR_MISC,
                       GN_("Failed to load system trust store: %s"), gnutls_strerror (ret));
          return FALSE;
        }
    }
  else
    {
      ret = gnutls_x509_trust_list_add_trust_file (trust_list, anchors, NULL,
                                                   GNUTLS_X509_FMT_PEM, 0, 0);
      if (ret == 0)
        ret = GNUTLS_E_NO_CERTIFICATE_FOUND;
      if (ret < 0)
        {
          g_set_error (error, G_TLS_ERROR, G_TLS_ERROR_MISC,
                       GN_("Failed to populate trust list from %s: %s"),
                       anchors, gnutls_strerror (ret));
          return FALSE;
        }
    }

  return TRUE;
}

static gboolean
dial_tls_database_initable_init (GInitable     *initable,
                                 GCancellable  *cancellable,
                                 GError       **error)
{
  DialTlsDatabase *self = DIAL_TLS_DATABASE (initable);
  gnutls_x509_trust_list_t trust_list = NULL;

  if (self->trust_list != NULL)
    return TRUE;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  gnutls_x509_trust_list_init (&trust_list, 0);
  if (!load_trust (trust_list, self->anchors, error))
    {
      gnutls_x509_trust_list_deinit (trust_list, 1);
      return FALSE;
    }

  self->trust_list = trust_list;
  return TRUE;
}

static void
dial_tls_database_initable_iface_init (GInitableIface *iface)
{
  iface->init = dial_tls_database_initable_init;
}

static void
dial_tls_database_file_database_iface_init (GTlsFileDatabaseInterface *iface)
{
}

/* ------------------------------------------------------------------ */
/* Walking the anchors                                                   */

typedef gboolean (*CaFunc) (gnutls_x509_crt_t ca,
                            gpointer          user_data);

/* Calls @func on each anchor until it returns TRUE. */
static void
foreach_ca (DialTlsDatabase *self,
            CaFunc           func,
            gpointer         user_data)
{
  gnutls_x509_trust_list_iter_t iter = NULL;
  gnutls_x509_crt_t ca = NULL;

  if (self->trust_list == NULL)
    return;

  while (gnutls_x509_trust_list_iter_get_ca (self->trust_list, &iter, &ca) == 0)
    {
      gboolean stop = func (ca, user_data);

      gnutls_x509_crt_deinit (ca);
      ca = NULL;
      if (stop)
        break;
    }

  /* NULL once the walk went to its end. */
  gnutls_x509_trust_list_iter_deinit (iter);
}

static char *
handle_for_crt (gnutls_x509_crt_t crt)
{
  gnutls_datum_t der = { NULL, 0 };
  char *handle;
  char *digest;

  if (gnutls_x509_crt_export2 (crt, GNUTLS_X509_FMT_DER, &der) < 0)
    return NULL;

  digest = g_compute_checksum_for_data (G_CHECKSUM_SHA256, der.data, der.size);
  handle = g_strconcat (HANDLE_PREFIX, digest, NULL);
  g_free (digest);
  gnutls_free (der.data);
  return handle;
}

typedef struct {
  const char        *handle;
  gnutls_x509_crt_t  leaf;
  GByteArray        *issuer_raw_dn;
  GList             *found;
  GError            *error;
} CaSearch;

static gboolean
match_handle (gnutls_x509_crt_t ca,
              gpointer          user_data)
{
  CaSearch *search = user_data;
  g_autofree char *handle = handle_for_crt (ca);
  GTlsCertificate *cert;

  if (g_strcmp0 (handle, search->handle) != 0)
    return FALSE;

  cert = dial_tls_certificate_new_from_crt (ca, NULL, &search->error);
  if (cert != NULL)
    search->found = g_list_prepend (search->found, cert);
  return TRUE;
}

static gboolean
match_same (gnutls_x509_crt_t ca,
            gpointer          user_data)
{
  CaSearch *search = user_data;

  if (!gnutls_x509_crt_equals (ca, search->leaf))
    return FALSE;

  search->handle = "";
  return TRUE;
}

static gboolean
match_issuer_dn (gnutls_x509_crt_t ca,
                 gpointer          user_data)
{
  CaSearch *search = user_data;
  gnutls_datum_t dn = { NULL, 0 };
  GTlsCertificate *cert;

  if (gnutls_x509_crt_get_raw_issuer_dn (ca, &dn) < 0)
    return FALSE;

  if (dn.size == search->issuer_raw_dn->len &&
      memcmp (dn.data, search->issuer_raw_dn->data, dn.size) == 0)
    {
      cert = dial_tls_certificate_new_from_crt (ca, NULL, NULL);
      if (cert != NULL)
        search->found = g_list_prepend (search->found, cert);
    }

  gnutls_free (dn.data);
  return FALSE;
}

/* ------------------------------------------------------------------ */
/* GTlsDatabase                                                          */

static gnutls_x509_crt_t
leaf_crt (GTlsCertificate *certificate)
{
  gnutls_x509_crt_t *chain = NULL;
  gnutls_x509_crt_t leaf;
  guint n_chain = 0;

  if (!dial_tls_certificate_export_chain (certificate, &chain, &n_chain, NULL))
    return NULL;

  leaf = g_steal_pointer (&chain[0]);
  dial_tls_crt_list_free (chain, n_chain);
  return leaf;
}

/*
 * Verifies @chain against the anchors with gnutls, which checks the
 * signatures, the validity periods, the key usages and the extended key
 * usage against @purpose (an OID, as GTlsDatabase purposes are), then
 * checks the leaf against @identity.
 */
static GTlsCertificateFlags
dial_tls_database_verify_chain (GTlsDatabase             *database,
                                GTlsCertificate          *chain,
                                const char               *purpose,
                                GSocketConnectable       *identity,
                                GTlsInteraction          *interaction,
                                GTlsDatabaseVerifyFlags   flags,
                                GCancellable             *cancellable,
                                GError                  **error)
{
  DialTlsDatabase *self = DIAL_TLS_DATABASE (database);
  gnutls_x509_crt_t *crts = NULL;
  guint n_crts = 0;
  gnutls_typed_vdata_st data[1];
  guint n_data = 0;
  unsigned int status = 0;
  GTlsCertificateFlags result;
  int ret;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return G_TLS_CERTIFICATE_GENERIC_ERROR;

  if (self->trust_list == NULL ||
      !dial_tls_certificate_export_chain (chain, &crts, &n_crts, NULL))
    return G_TLS_CERTIFICATE_GENERIC_ERROR;

  if (purpose != NULL)
    {
      data[n_data].type = GNUTLS_DT_KEY_PURPOSE_OID;
      data[n_data].data = (unsigned char *) purpose;
      data[n_data].size = 0;
      n_data++;
    }

  ret = gnutls_x509_trust_list_verify_crt2 (self->trust_list, crts, n_crts,
                                            data, n_data, 0, &status, NULL);
  if (ret < 0)
    result = G_TLS_CERTIFICATE_GENERIC_ERROR;
  else
    result = dial_tls_certificate_flags_from_gnutls (status);

  if (identity != NULL)
    result |= dial_tls_crt_verify_identity (crts[0], identity);

  dial_tls_crt_list_free (crts, n_crts);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return G_TLS_CERTIFICATE_GENERIC_ERROR;

  return result;
}

static GTlsCertificate *
dial_tls_database_lookup_certificate_issuer (GTlsDatabase             *database,
                                             GTlsCertificate          *certificate,
                                             GTlsInteraction          *interaction,
                                             GTlsDatabaseLookupFlags   flags,
                                             GCancellable             *cancellable,
                                             GError                  **error)
{
  DialTlsDatabase *self = DIAL_TLS_DATABASE (database);
  gnutls_x509_crt_t leaf;
  gnutls_x509_crt_t issuer = NULL;
  GTlsCertificate *result = NULL;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  /* Anchors come without private keys. */
  if (flags & G_TLS_DATABASE_LOOKUP_KEYPAIR || self->trust_list == NULL)
    return NULL;

  leaf = leaf_crt (certificate);
  if (leaf == NULL)
    return NULL;

  if (gnutls_x509_trust_list_get_issuer (self->trust_list, leaf, &issuer, GNUTLS_TL_GET_COPY) == 0)
    {
      result = dial_tls_certificate_new_from_crt (issuer, NULL, error);
      gnutls_x509_crt_deinit (issuer);
    }

  gnutls_x509_crt_deinit (leaf);
  return result;
}

static GList *
dial_tls_database_lookup_certificates_issued_by (GTlsDatabase             *database,
                                                 GByteArray               *issuer_raw_dn,
                                                 GTlsInteraction          *interaction,
                                                 GTlsDatabaseLookupFlags   flags,
                                                 GCancellable             *cancellable,
                                                 GError                  **error)
{
  DialTlsDatabase *self = DIAL_TLS_DATABASE (database);
  CaSearch search = { .issuer_raw_dn = issuer_raw_dn };

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  if (flags & G_TLS_DATABASE_LOOKUP_KEYPAIR)
    return NULL;

  foreach_ca (self, match_issuer_dn, &search);
  return g_list_reverse (search.found);
}

/* A handle names an anchor by the SHA-256 of its DER; certificates that
 * are not anchors have none. */
static char *
dial_tls_database_create_certificate_handle (GTlsDatabase    *database,
                                             GTlsCertificate *certificate)
{
  DialTlsDatabase *self = DIAL_TLS_DATABASE (database);
  CaSearch search = { NULL, };
  char *handle = NULL;

  search.leaf = leaf_crt (certificate);
  if (search.leaf == NULL)
    return NULL;

  foreach_ca (self, match_same, &search);
  if (search.handle != NULL)
    handle = handle_for_crt (search.leaf);

  gnutls_x509_crt_deinit (search.leaf);
  return handle;
}

static GTlsCertificate *
dial_tls_database_lookup_certificate_for_handle (GTlsDatabase             *database,
                                                 const char               *handle,
                                                 GTlsInteraction          *interaction,
                                                 GTlsDatabaseLookupFlags   flags,
                                                 GCancellable             *cancellable,
                                                 GError                  **error)
{
  DialTlsDatabase *self = DIAL_TLS_DATABASE (database);
  CaSearch search = { .handle = handle };
  GTlsCertificate *result;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  if (!g_str_has_prefix (handle, HANDLE_PREFIX) || flags & G_TLS_DATABASE_LOOKUP_KEYPAIR)
    return NULL;

  foreach_ca (self, match_handle, &search);
  if (search.error != NULL)
    {
      g_propagate_error (error, search.error);
      return NULL;
    }

  if (search.found == NULL)
    return NULL;

  result = search.found->data;
  g_list_free (search.found);
  return result;
}

/* ------------------------------------------------------------------ */
/* GObject                                                               */

static void
dial_tls_database_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  DialTlsDatabase *self = DIAL_TLS_DATABASE (object);

  switch (prop_id)
    {
    case PROP_ANCHORS:
      g_value_set_string (value, self->anchors);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dial_tls_database_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  DialTlsDatabase *self = DIAL_TLS_DATABASE (object);

  switch (prop_id)
    {
    case PROP_ANCHORS:
      /* The anchors are read once, by init; GIO's backends also ignore a
       * later change. */
      if (self->trust_list != NULL)
        return;
      g_free (self->anchors);
      self->anchors = g_value_dup_string (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dial_tls_database_finalize (GObject *object)
{
  DialTlsDatabase *self = DIAL_TLS_DATABASE (object);

  if (self->credentials != NULL)
    gnutls_certificate_free_credentials (self->credentials);
  if (self->trust_list != NULL)
    gnutls_x509_trust_list_deinit (self->trust_list, 1);
  g_free (self->anchors);
  g_mutex_clear (&self->mutex);

  G_OBJECT_CLASS (dial_tls_database_parent_class)->finalize (object);
}

static void
dial_tls_database_class_init (DialTlsDatabaseClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GTlsDatabaseClass *database_class = G_TLS_DATABASE_CLASS (klass);

  object_class->get_property = dial_tls_database_get_property;
  object_class->set_property = dial_tls_database_set_property;
  object_class->finalize = dial_tls_database_finalize;

  database_class->verify_chain = dial_tls_database_verify_chain;
  database_class->lookup_certificate_issuer = dial_tls_database_lookup_certificate_issuer;
  database_class->lookup_certificates_issued_by = dial_tls_database_lookup_certificates_issued_by;
  database_class->create_certificate_handle = dial_tls_database_create_certificate_handle;
  database_class->lookup_certificate_for_handle = dial_tls_database_lookup_certificate_for_handle;

  g_object_class_override_property (object_class, PROP_ANCHORS, "anchors");
}

static void
dial_tls_database_init (DialTlsDatabase *self)
{
  g_mutex_init (&self->mutex);
}

/* ------------------------------------------------------------------ */
/* Internal API                                                          */

/*
 * dial_tls_database_new_system:
 * @error: a location for a #GError
 *
 * Returns: (transfer full): a database of the system's trust anchors
 */
GTlsDatabase *
dial_tls_database_new_system (GError **error)
{
  return g_initable_new (DIAL_TYPE_TLS_DATABASE, NULL, error, NULL);
}

/*
 * dial_tls_database_new_file:
 * @anchors: a PEM file of trust anchors
 * @error: a location for a #GError
 *
 * Returns: (transfer full): a database of the anchors in @anchors; it is
 *   also a #GTlsFileDatabase
 */
GTlsDatabase *
dial_tls_database_new_file (const char  *anchors,
                            GError     **error)
{
  g_return_val_if_fail (anchors != NULL, NULL);

  return g_initable_new (DIAL_TYPE_TLS_DATABASE, NULL, error, "anchors", anchors, NULL);
}

/*
 * dial_tls_database_get_default:
 *
 * The process-wide database of the system's trust anchors, loaded on first
 * use. Failing to load it is warned about once, as glib-networking does.
 *
 * Returns: (transfer full) (nullable): the default database, or NULL when
 *   the system has no trust store
 */
GTlsDatabase *
dial_tls_database_get_default (void)
{
  static GTlsDatabase *default_database;
  static gsize initialized;

  if (g_once_init_enter (&initialized))
    {
      g_autoptr(GError) error = NULL;

      default_database = dial_tls_database_new_system (&error);
      if (default_database == NULL)
        g_warning ("Failed to load TLS database: %s", error->message);

      g_once_init_leave (&initialized, 1);
    }

  return default_database != NULL ? g_object_ref (default_database) : NULL;
}

/*
 * dial_tls_database_get_trust_list:
 * @self: a #DialTlsDatabase
 *
 * Returns: (transfer none): the anchors; read them only
 */
gnutls_x509_trust_list_t
dial_tls_database_get_trust_list (DialTlsDatabase *self)
{
  g_return_val_if_fail (DIAL_IS_TLS_DATABASE (self), NULL);

  return self->trust_list;
}

/*
 * dial_tls_database_get_credentials:
 * @self: a #DialTlsDatabase
 * @error: a location for a #GError
 *
 * Certificate credentials that trust the anchors of @self, built on first
 * use and shared by every caller: gnutls only reads them during a
 * handshake. They hold their own trust list, because
 * gnutls_certificate_set_trust_list() takes the one it is given.
 *
 * Returns: (transfer none): the credentials, valid as long as @self
 */
gnutls_certificate_credentials_t
dial_tls_database_get_credentials (DialTlsDatabase  *self,
                                   GError          **error)
{
  gnutls_certificate_credentials_t credentials = NULL;

  g_return_val_if_fail (DIAL_IS_TLS_DATABASE (self), NULL);

  g_mutex_lock (&self->mutex);

  if (self->credentials == NULL)
    {
      gnutls_x509_trust_list_t trust_list = NULL;

      gnutls_x509_trust_list_init (&trust_list, 0);
      if (load_trust (trust_list, self->anchors, error))
        {
          gnutls_certificate_allocate_credentials (&self->credentials);
          gnutls_certificate_set_trust_list (self->credentials, trust_list, 0);
        }
      else
        gnutls_x509_trust_list_deinit (trust_list, 1);
    }
  credentials = self->credentials;

  g_mutex_unlock (&self->mutex);

  return credentials;
}
