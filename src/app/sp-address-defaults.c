/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include <gio/gio.h>
#include <string.h>

#include "sp-address-defaults.h"
#include "sp-endpoint.h"

/* NULL where the schema is not installed (a test run without it): the
 * defaults are then the built-in ones. */
static GSettings *
lookup_settings (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
  if (schema == NULL || !g_settings_schema_has_key (schema, "default-bind-address"))
    return NULL;
  return g_settings_new_full (schema, NULL, NULL);
}

static gboolean
suits_family (SpFamily    family,
              const char *text)
{
  g_autoptr(GInetAddress) address = NULL;

  if (text[0] == '\0')
    return TRUE;

  /* 127.0.0.1, the setting's own default, would be IPv4-mapped in an IPv6
   * socket; its IPv6 counterpart is ::1. */
  if (family == SP_FAMILY_INET6 && strchr (text, ':') == NULL)
    return FALSE;

  address = sp_endpoint_parse_inet_address (family, text, NULL, NULL);
  return address != NULL;
}

char *
sp_default_bind_address (SpFamily family)
{
  g_autoptr(GSettings) settings = NULL;
  g_autofree char *text = NULL;

  if (family != SP_FAMILY_INET && family != SP_FAMILY_INET6)
    return NULL;

  settings = lookup_settings ();
  if (settings != NULL)
    text = g_settings_get_string (settings, "default-bind-address");
  if (text != NULL && suits_family (family, text))
    return g_steal_pointer (&text);

  return g_strdup (sp_endpoint_loopback_text (family));
}

gboolean
sp_address_is_every_interface (SpFamily    family,
                               const char *text)
{
  g_autoptr(GInetAddress) address = NULL;
  const guint8 *bytes;

  if ((family != SP_FAMILY_INET && family != SP_FAMILY_INET6) || text == NULL)
    return FALSE;

  address = sp_endpoint_parse_inet_address (family, text, NULL, NULL);
  if (address == NULL)
    return FALSE;
  if (g_inet_address_get_is_any (address))
    return TRUE;

  /* ::ffff:0.0.0.0, which is what 0.0.0.0 becomes in an IPv6 socket. */
  bytes = g_inet_address_to_bytes (address);
  return g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV6 &&
         bytes[10] == 0xff && bytes[11] == 0xff &&
         bytes[12] == 0 && bytes[13] == 0 && bytes[14] == 0 && bytes[15] == 0 &&
         memcmp (bytes, "\0\0\0\0\0\0\0\0\0\0", 10) == 0;
}

const char *
sp_every_interface_hint (void)
{
  return _("Every interface: reachable from other machines on your network");
}

char *
sp_default_unix_address (const char *id)
{
  return g_strdup_printf ("@socket-playground-%s", id != NULL ? id : "socket");
}

char *
sp_default_address (SpFamily    family,
                    const char *id)
{
  if (family == SP_FAMILY_UNIX)
    return sp_default_unix_address (id);
  return sp_default_bind_address (family);
}
