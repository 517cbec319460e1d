/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sp-address-order.h"
#include "sp-descriptors.h"
#include "sp-errno.h"
#include "sp-local-names.h"
#include "sp-lookup.h"

G_DEFINE_QUARK (sp-lookup-error-quark, sp_lookup_error)

typedef struct
{
  char          *host;
  GSocketFamily  family;
  gboolean       only_local;
} Request;

static void
request_free (Request *request)
{
  g_free (request->host);
  g_free (request);
}

static int
to_af (GSocketFamily family)
{
  switch (family)
    {
    case G_SOCKET_FAMILY_IPV4:
      return AF_INET;
    case G_SOCKET_FAMILY_IPV6:
      return AF_INET6;
    case G_SOCKET_FAMILY_INVALID:
    case G_SOCKET_FAMILY_UNIX:
    default:
      return AF_UNSPEC;
    }
}

static void
local_thread (GTask   *task,
              Request *request)
{
  GList *addresses = NULL;
  int hosts;

  /* The hosts file is read as getaddrinfo would read it; with no
   * descriptor left to open it, the lookup fails as getaddrinfo's does,
   * not as a name the file lacks (sp-local-names.c takes a file it cannot
   * open for an empty one). */
  hosts = open ("/etc/hosts", O_RDONLY | O_CLOEXEC);
  if (hosts < 0 && sp_descriptors_is_limit (errno))
    {
      int code = errno;

      sp_descriptors_ran_out ();
      g_task_return_error (task, sp_errno_error_new (code));
      return;
    }
  if (hosts >= 0)
    close (hosts);

  if (!sp_local_names_answer (request->host, request->family, NULL, &addresses))
    {
      g_task_return_new_error (task, SP_LOOKUP_ERROR, SP_LOOKUP_ERROR_NOT_LOCAL,
                               "“%s” is not a name this machine answers itself",
                               request->host);
      return;
    }

  /* Known, but not in this family: what getaddrinfo's files source says. */
  if (addresses == NULL)
    {
      g_task_return_error (task, sp_errno_error_new (EAI_NONAME));
      return;
    }

  g_task_return_pointer (task, addresses, (GDestroyNotify) g_resolver_free_addresses);
}

static void
lookup_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  Request *request = task_data;
  struct addrinfo hints;
  struct addrinfo *found = NULL;
  GList *addresses = NULL;
  int code;

  if (request->only_local)
    {
      local_thread (task, request);
      return;
    }

  /* One socket type, or every address would come once per type. */
  memset (&hints, 0, sizeof hints);
  hints.ai_family = to_af (request->family);
  hints.ai_socktype = SOCK_STREAM;

  errno = 0;
  code = getaddrinfo (request->host, NULL, &hints, &found);
  if (code != 0)
    {
      /* EAI_SYSTEM means "see errno", which Python shows as an OSError.
       * glibc says EAI_NONAME (or EAI_AGAIN) when it could not open
       * /etc/hosts or a socket to the DNS server for want of descriptors;
       * errno tells, and a name that is merely unknown leaves other values. */
      if ((code == EAI_SYSTEM && errno != 0) || sp_descriptors_is_limit (errno))
        code = errno;
      if (sp_descriptors_is_limit (code))
        sp_descriptors_ran_out ();
      g_task_return_error (task, sp_errno_error_new (code));
      return;
    }

  for (struct addrinfo *ai = found; ai != NULL; ai = ai->ai_next)
    {
      g_autoptr(GSocketAddress) socket_address = NULL;
      GInetAddress *address;

      socket_address = g_socket_address_new_from_native (ai->ai_addr, ai->ai_addrlen);
      if (socket_address == NULL || !G_IS_INET_SOCKET_ADDRESS (socket_address))
        continue;

      address = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (socket_address));
      if (!sp_address_list_contains (addresses, address))
        addresses = g_list_append (addresses, g_object_ref (address));
    }
  freeaddrinfo (found);

  g_task_return_pointer (task, addresses, (GDestroyNotify) g_resolver_free_addresses);
}

void
sp_lookup_async (const char          *host,
                 GSocketFamily        family,
                 gboolean             only_local,
                 GCancellable        *cancellable,
                 GAsyncReadyCallback  callback,
                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Request *request;

  g_return_if_fail (host != NULL);

  request = g_new0 (Request, 1);
  request->host = g_strdup (host);
  request->family = family;
  request->only_local = only_local;

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, sp_lookup_async);
  g_task_set_task_data (task, request, (GDestroyNotify) request_free);
  /* getaddrinfo() opens /etc/hosts, and a socket to the DNS server. */
  if (!sp_descriptors_reclaim ())
    {
      g_task_return_error (task, sp_errno_error_new (EMFILE));
      return;
    }
  g_task_run_in_thread (task, lookup_thread);
}

GList *
sp_lookup_finish (GAsyncResult  *result,
                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == sp_lookup_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
