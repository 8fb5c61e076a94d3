/* replay-main.c: a fuzz target as a plain program
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Without libFuzzer, a target links this main(): it runs the target once
 * on each file named on the command line, and on each file of each
 * directory named (not recursively, in name order).  The test suite runs
 * it on the corpus, so every input that once crashed stays fixed.
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

static int
compare_paths (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static void
run_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  guint8 *exact;
  gsize size;

  if (!g_file_get_contents (path, &contents, &size, &error))
    {
      g_printerr ("%s\n", error->message);
      exit (EXIT_FAILURE);
    }

  /* g_file_get_contents() adds a NUL; the target must not count on it. */
  exact = fuzz_exact_copy ((const uint8_t *) contents, size);
  LLVMFuzzerTestOneInput (exact, size);
  free (exact);
}

static guint
run_path (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) names = NULL;
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      run_file (path);
      return 1;
    }

  dir = g_dir_open (path, 0, &error);
  if (dir == NULL)
    {
      g_printerr ("%s\n", error->message);
      exit (EXIT_FAILURE);
    }

  names = g_ptr_array_new_with_free_func (g_free);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_build_filename (path, name, NULL));
  g_ptr_array_sort (names, compare_paths);

  for (guint i = 0; i < names->len; i++)
    {
      if (g_getenv ("DIAL_FUZZ_VERBOSE") != NULL)
        g_printerr ("%s\n", (const char *) names->pdata[i]);
      run_file (names->pdata[i]);
    }

  return names->len;
}

int
main (int    argc,
      char **argv)
{
  guint n = 0;

  if (argc < 2)
    {
      g_printerr ("Usage: %s CORPUS-DIRECTORY-OR-FILE…\n", argv[0]);
      return EXIT_FAILURE;
    }

  for (int i = 1; i < argc; i++)
    n += run_path (argv[i]);

  g_print ("%s: %u inputs replayed\n", argv[0], n);
  return EXIT_SUCCESS;
}
