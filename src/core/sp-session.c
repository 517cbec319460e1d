/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sp-session.h"

#include "sp-describe.h"
#include "sp-endpoint.h"
#include "sp-json-strict.h"
#include "sp-socket-options.h"

#include "sp-step-private.h"

G_DEFINE_QUARK (sp-session-error-quark, sp_session_error)

/* SpSocketConfig */

struct _SpSocketConfigClass
{
  GObjectClass parent_class;
};

G_DEFINE_FINAL_TYPE (SpSocketConfig, sp_socket_config, G_TYPE_OBJECT)

enum {
  CONFIG_PROP_0,
  CONFIG_PROP_ID,
  CONFIG_PROP_FAMILY,
  CONFIG_PROP_SOCKET_TYPE,
  CONFIG_PROP_PROTOCOL,
  CONFIG_PROP_PROTOCOL_NAME,
  CONFIG_PROP_ADDRESS,
  CONFIG_PROP_PORT,
  CONFIG_PROP_OPTIONS,
  CONFIG_PROP_IMPAIR,
  N_CONFIG_PROPS
};

static GParamSpec *config_properties[N_CONFIG_PROPS];

/* Made from the table once, and kept for the life of the program. */
const char * const *
sp_socket_option_names (void)
{
  static const char **names;

  if (g_once_init_enter (&names))
    {
      guint n = sp_socket_option_get_count ();
      const char **list = g_new0 (const char *, n + 1);

      for (guint i = 0; i < n; i++)
        list[i] = sp_socket_option_get_nth (i)->name;
      g_once_init_leave (&names, list);
    }

  return names;
}

gboolean
sp_socket_config_id_is_valid (const char *id)
{
  gsize length = 0;

  if (id == NULL || !(g_ascii_isalpha (id[0]) || id[0] == '_'))
    return FALSE;

  for (const char *p = id; *p != '\0'; p++)
    {
      if (!(g_ascii_isalnum (*p) || *p == '_' || *p == '-'))
        return FALSE;
      if (++length > SP_ID_MAX_LENGTH)
        return FALSE;
    }

  return TRUE;
}

/* g_set_str is GLib 2.76. */
static gboolean
set_string (char       **field,
            const char  *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;

  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

static void
socket_option_clear (gpointer data)
{
  SpSocketOption *option = data;

  g_clear_pointer (&option->name, g_free);
}

static void
sp_socket_config_finalize (GObject *object)
{
  SpSocketConfig *self = SP_SOCKET_CONFIG (object);

  g_clear_pointer (&self->id, g_free);
  g_clear_pointer (&self->protocol_name, g_free);
  g_clear_pointer (&self->address, g_free);
  g_clear_pointer (&self->options, g_array_unref);

  G_OBJECT_CLASS (sp_socket_config_parent_class)->finalize (object);
}

static void
sp_socket_config_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  SpSocketConfig *self = SP_SOCKET_CONFIG (object);

  switch (prop_id)
    {
    case CONFIG_PROP_ID:
      g_value_set_string (value, self->id);
      break;

    case CONFIG_PROP_FAMILY:
      g_value_set_uint (value, self->family);
      break;

    case CONFIG_PROP_SOCKET_TYPE:
      g_value_set_uint (value, self->type);
      break;

    case CONFIG_PROP_PROTOCOL:
      g_value_set_int (value, self->protocol);
      break;

    case CONFIG_PROP_PROTOCOL_NAME:
      g_value_set_string (value, self->protocol_name);
      break;

    case CONFIG_PROP_ADDRESS:
      g_value_set_string (value, self->address);
      break;

    case CONFIG_PROP_PORT:
      g_value_set_int (value, self->port);
      break;

    case CONFIG_PROP_OPTIONS:
      g_value_set_uint (value, self->options->len);
      break;

    case CONFIG_PROP_IMPAIR:
      g_value_set_boolean (value, self->has_impair);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
set_protocol_name (SpSocketConfig *self,
                   const char     *name)
{
  int number;
  const char *canonical = NULL;

  if (name == NULL)
    {
      sp_socket_config_set_protocol (self, self->protocol, NULL);
      return;
    }

  if (!sp_protocol_parse (name, "protocol-name", &number, &canonical, NULL) ||
      canonical == NULL)
    {
      g_warning ("“%s” is not the name of a protocol", name);
      return;
    }

  sp_socket_config_set_protocol (self, number, canonical);
}

static void
sp_socket_config_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  SpSocketConfig *self = SP_SOCKET_CONFIG (object);

  switch (prop_id)
    {
    case CONFIG_PROP_ID:
      self->id = g_value_dup_string (value);
      break;

    case CONFIG_PROP_FAMILY:
      sp_socket_config_set_family (self, g_value_get_uint (value));
      break;

    case CONFIG_PROP_SOCKET_TYPE:
      sp_socket_config_set_socket_type (self, g_value_get_uint (value));
      break;

    case CONFIG_PROP_PROTOCOL:
      {
        int number = g_value_get_int (value);

        /* The name stays while it still names the number. */
        sp_socket_config_set_protocol (self, number,
                                       g_strcmp0 (self->protocol_name,
                                                  sp_protocol_get_name (number)) == 0 ?
                                       self->protocol_name : NULL);
      }
      break;

    case CONFIG_PROP_PROTOCOL_NAME:
      set_protocol_name (self, g_value_get_string (value));
      break;

    case CONFIG_PROP_ADDRESS:
      sp_socket_config_set_address (self, g_value_get_string (value));
      break;

    case CONFIG_PROP_PORT:
      sp_socket_config_set_port (self, g_value_get_int (value));
      break;

    case CONFIG_PROP_OPTIONS:
    case CONFIG_PROP_IMPAIR:
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sp_socket_config_class_init (SpSocketConfigClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = sp_socket_config_finalize;
  object_class->get_property = sp_socket_config_get_property;
  object_class->set_property = sp_socket_config_set_property;

  config_properties[CONFIG_PROP_ID] =
    g_param_spec_string ("id", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* SpFamily and SpSocketType, which have no GType of their own. */
  config_properties[CONFIG_PROP_FAMILY] =
    g_param_spec_uint ("family", NULL, NULL,
                       SP_FAMILY_INET, SP_FAMILY_UNIX, SP_FAMILY_INET,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  config_properties[CONFIG_PROP_SOCKET_TYPE] =
    g_param_spec_uint ("socket-type", NULL, NULL,
                       SP_SOCKET_TYPE_STREAM, SP_SOCKET_TYPE_SEQPACKET, SP_SOCKET_TYPE_STREAM,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  config_properties[CONFIG_PROP_PROTOCOL] =
    g_param_spec_int ("protocol", NULL, NULL,
                      0, 255, 0,
                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  config_properties[CONFIG_PROP_PROTOCOL_NAME] =
    g_param_spec_string ("protocol-name", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  config_properties[CONFIG_PROP_ADDRESS] =
    g_param_spec_string ("address", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  config_properties[CONFIG_PROP_PORT] =
    g_param_spec_int ("port", NULL, NULL,
                      -1, G_MAXUINT16, -1,
                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* Notified whenever an option is set, changed or unset; reads as the
   * number of options set. */
  config_properties[CONFIG_PROP_OPTIONS] =
    g_param_spec_uint ("options", NULL, NULL,
                       0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* Notified whenever has_impair or the settings change; reads as
   * has_impair. */
  config_properties[CONFIG_PROP_IMPAIR] =
    g_param_spec_boolean ("impair", NULL, NULL,
                          FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_CONFIG_PROPS, config_properties);
}

static void
sp_socket_config_init (SpSocketConfig *self)
{
  self->port = -1;
  self->options = g_array_new (FALSE, TRUE, sizeof (SpSocketOption));
  g_array_set_clear_func (self->options, socket_option_clear);
}

SpSocketConfig *
sp_socket_config_new (const char   *id,
                      SpFamily      family,
                      SpSocketType  type)
{
  SpSocketConfig *self;

  self = g_object_new (SP_TYPE_SOCKET_CONFIG, NULL);
  self->id = g_strdup (id);
  self->family = family;
  self->type = type;

  return self;
}

SpSocketConfig *
sp_socket_config_copy (SpSocketConfig *self)
{
  SpSocketConfig *copy;

  g_return_val_if_fail (SP_IS_SOCKET_CONFIG (self), NULL);

  copy = sp_socket_config_new (self->id, self->family, self->type);
  copy->protocol = self->protocol;
  copy->protocol_name = g_strdup (self->protocol_name);
  copy->address = g_strdup (self->address);
  copy->port = self->port;
  copy->has_impair = self->has_impair;
  copy->impair = self->impair;

  for (guint i = 0; i < self->options->len; i++)
    {
      const SpSocketOption *option = &g_array_index (self->options, SpSocketOption, i);

      sp_socket_config_set_option (copy, option->name, option->value, option->is_bool);
    }

  return copy;
}

static void
notify (SpSocketConfig *self,
        guint           prop_id)
{
  g_object_notify_by_pspec (G_OBJECT (self), config_properties[prop_id]);
}

/* What a new family or type takes away: a UNIX socket's port, and the
 * impairment of a socket without datagrams to impair. */
static void
drop_what_no_longer_applies (SpSocketConfig *self)
{
  if (self->family == SP_FAMILY_UNIX && self->port != -1)
    {
      self->port = -1;
      notify (self, CONFIG_PROP_PORT);
    }

  if (self->has_impair && !sp_socket_config_can_impair (self))
    {
      self->has_impair = FALSE;
      notify (self, CONFIG_PROP_IMPAIR);
    }
}

void
sp_socket_config_set_family (SpSocketConfig *self,
                             SpFamily        family)
{
  g_return_if_fail (SP_IS_SOCKET_CONFIG (self));
  g_return_if_fail (family <= SP_FAMILY_UNIX);

  if (self->family == family)
    return;

  /* Whoever hears of the family sees its port and impairment already
   * consistent with it. */
  g_object_freeze_notify (G_OBJECT (self));
  self->family = family;
  notify (self, CONFIG_PROP_FAMILY);
  drop_what_no_longer_applies (self);
  g_object_thaw_notify (G_OBJECT (self));
}

void
sp_socket_config_set_socket_type (SpSocketConfig *self,
                                  SpSocketType    type)
{
  g_return_if_fail (SP_IS_SOCKET_CONFIG (self));
  g_return_if_fail (type <= SP_SOCKET_TYPE_SEQPACKET);

  if (self->type == type)
    return;

  g_object_freeze_notify (G_OBJECT (self));
  self->type = type;
  notify (self, CONFIG_PROP_SOCKET_TYPE);
  drop_what_no_longer_applies (self);
  g_object_thaw_notify (G_OBJECT (self));
}

void
sp_socket_config_set_protocol (SpSocketConfig *self,
                               int             number,
                               const char     *name)
{
  g_return_if_fail (SP_IS_SOCKET_CONFIG (self));
  g_return_if_fail (number >= 0 && number <= 255);
  /* Anything else would be written to a file that could not be read back. */
  g_return_if_fail (name == NULL || g_strcmp0 (name, sp_protocol_get_name (number)) == 0);

  g_object_freeze_notify (G_OBJECT (self));
  if (self->protocol != number)
    {
      self->protocol = number;
      notify (self, CONFIG_PROP_PROTOCOL);
    }
  if (set_string (&self->protocol_name, name))
    notify (self, CONFIG_PROP_PROTOCOL_NAME);
  g_object_thaw_notify (G_OBJECT (self));
}

void
sp_socket_config_set_address (SpSocketConfig *self,
                              const char     *address)
{
  g_return_if_fail (SP_IS_SOCKET_CONFIG (self));

  if (set_string (&self->address, address))
    notify (self, CONFIG_PROP_ADDRESS);
}

void
sp_socket_config_set_port (SpSocketConfig *self,
                           int             port)
{
  g_return_if_fail (SP_IS_SOCKET_CONFIG (self));
  g_return_if_fail (port >= -1 && port <= G_MAXUINT16);

  if (self->port == port)
    return;

  self->port = port;
  notify (self, CONFIG_PROP_PORT);
}

void
sp_socket_config_set_impair (SpSocketConfig             *self,
                             gboolean                    enabled,
                             const SpImpairmentSettings *settings)
{
  gboolean changed = FALSE;

  g_return_if_fail (SP_IS_SOCKET_CONFIG (self));

  enabled = !!enabled;
  if (self->has_impair != enabled)
    {
      self->has_impair = enabled;
      changed = TRUE;
    }

  if (settings != NULL && !sp_impairment_settings_equal (&self->impair, settings))
    {
      self->impair = *settings;
      changed = TRUE;
    }

  if (changed)
    notify (self, CONFIG_PROP_IMPAIR);
}

static gboolean
find_option (SpSocketConfig *self,
             const char     *name,
             guint          *index)
{
  for (guint i = 0; i < self->options->len; i++)
    {
      if (g_str_equal (g_array_index (self->options, SpSocketOption, i).name, name))
        {
          *index = i;
          return TRUE;
        }
    }

  return FALSE;
}

void
sp_socket_config_set_option (SpSocketConfig *self,
                             const char     *name,
                             gint64          value,
                             gboolean        is_bool)
{
  SpSocketOption option;
  guint index;

  g_return_if_fail (SP_IS_SOCKET_CONFIG (self));
  g_return_if_fail (name != NULL);

  is_bool = !!is_bool;
  if (find_option (self, name, &index))
    {
      SpSocketOption *existing = &g_array_index (self->options, SpSocketOption, index);

      if (existing->value == value && existing->is_bool == is_bool)
        return;

      existing->value = value;
      existing->is_bool = is_bool;
    }
  else
    {
      option.name = g_strdup (name);
      option.value = value;
      option.is_bool = is_bool;
      g_array_append_val (self->options, option);
    }

  notify (self, CONFIG_PROP_OPTIONS);
}

void
sp_socket_config_unset_option (SpSocketConfig *self,
                               const char     *name)
{
  guint index;

  g_return_if_fail (SP_IS_SOCKET_CONFIG (self));
  g_return_if_fail (name != NULL);

  if (!find_option (self, name, &index))
    return;

  g_array_remove_index (self->options, index);
  notify (self, CONFIG_PROP_OPTIONS);
}

gboolean
sp_socket_config_get_option (SpSocketConfig *self,
                             const char     *name,
                             gint64         *value)
{
  guint index;

  g_return_val_if_fail (SP_IS_SOCKET_CONFIG (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  if (!find_option (self, name, &index))
    return FALSE;

  if (value != NULL)
    *value = g_array_index (self->options, SpSocketOption, index).value;
  return TRUE;
}

gboolean
sp_socket_config_can_impair (SpSocketConfig *self)
{
  g_return_val_if_fail (SP_IS_SOCKET_CONFIG (self), FALSE);

  return self->type == SP_SOCKET_TYPE_DGRAM &&
         (self->family == SP_FAMILY_INET || self->family == SP_FAMILY_INET6);
}

static gboolean
parse_protocol (SpSocketConfig *config,
                JsonNode       *node,
                const char     *path,
                GError        **error)
{
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64)
    {
      gint64 number = json_node_get_int (node);

      if (number >= 0 && number <= 255)
        {
          config->protocol = number;
          g_clear_pointer (&config->protocol_name, g_free);
          return TRUE;
        }
    }
  else if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    {
      const char *text = json_node_get_string (node);
      const char *name = NULL;
      int number;

      /* A file spells a protocol's name as the table does: neither "TCP"
       * nor a number in quotes. */
      if (sp_protocol_parse (text, path, &number, &name, NULL) && g_strcmp0 (name, text) == 0)
        {
          config->protocol = number;
          set_string (&config->protocol_name, name);
          return TRUE;
        }
    }

  _sp_step_set_error (error, path,
                      _("must be a number from 0 to 255 or one of tcp, udp, icmp, icmpv6"));
  return FALSE;
}

static gboolean
parse_options (SpSocketConfig *config,
               JsonNode       *node,
               const char     *path,
               GError        **error)
{
  g_autoptr(GList) members = NULL;
  JsonObject *object;

  if (!_sp_step_get_object (node, path, &object, error))
    return FALSE;

  members = json_object_get_members (object);
  for (const GList *l = members; l != NULL; l = l->next)
    {
      const char *name = l->data;
      g_autofree char *option_path = _sp_step_path_member (path, name);
      gint64 value;
      gboolean is_bool;

      if (!_sp_step_check_option (name, option_path, error) ||
          !_sp_step_get_option_value (json_object_get_member (object, name), option_path,
                                      &value, &is_bool, error))
        return FALSE;

      sp_socket_config_set_option (config, name, value, is_bool);
    }

  return TRUE;
}

static gboolean
get_impair_member (JsonObject  *object,
                   const char  *path,
                   const char  *name,
                   gint64       max,
                   guint       *out,
                   GError     **error)
{
  JsonNode *member = json_object_get_member (object, name);
  g_autofree char *member_path = NULL;
  gint64 value;

  if (member == NULL)
    return TRUE;

  member_path = _sp_step_path_member (path, name);
  if (!_sp_step_get_int (member, member_path, 0, max, &value, error))
    return FALSE;

  *out = (guint) value;
  return TRUE;
}

static gboolean
parse_impair (SpSocketConfig *config,
              JsonNode       *node,
              const char     *path,
              GError        **error)
{
  static const char * const known[] = {
    "drop", "duplicate", "reorder", "delay-ms", "seed", NULL,
  };
  SpImpairmentSettings settings = { 0 };
  JsonObject *object;
  guint seed = 0;

  /* A stream has no datagrams to lose, and loopback UNIX sockets are
   * left as the kernel makes them. */
  if (!sp_socket_config_can_impair (config))
    {
      _sp_step_set_error (error, path,
                          _("only datagram sockets (type “dgram”) of family “inet” or “inet6” "
                            "can be impaired"));
      return FALSE;
    }

  if (!_sp_step_get_object (node, path, &object, error) ||
      !_sp_step_check_members (object, path, known, error) ||
      !get_impair_member (object, path, "drop", 100, &settings.drop, error) ||
      !get_impair_member (object, path, "duplicate", 100, &settings.duplicate, error) ||
      !get_impair_member (object, path, "reorder", 100, &settings.reorder, error) ||
      !get_impair_member (object, path, "delay-ms", SP_IMPAIRMENT_MAX_DELAY_MS,
                          &settings.delay_ms, error) ||
      !get_impair_member (object, path, "seed", G_MAXUINT32, &seed, error))
    return FALSE;

  settings.seed = seed;
  config->impair = settings;
  config->has_impair = TRUE;
  return TRUE;
}

/* A literal that cannot be an address is refused when the file is read,
 * not when a step uses it; host names are looked up when they are used. */
static gboolean
check_address (SpFamily     family,
               const char  *text,
               const char  *path,
               GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GObject) parsed = NULL;

  if (family == SP_FAMILY_UNIX)
    parsed = G_OBJECT (sp_endpoint_parse_unix (text, path, &local_error));
  else
    parsed = G_OBJECT (sp_endpoint_parse_inet_address (family, text, path, &local_error));

  if (parsed == NULL &&
      !g_error_matches (local_error, SP_ENDPOINT_ERROR, SP_ENDPOINT_ERROR_NEEDS_RESOLVING))
    {
      g_set_error_literal (error, SP_SESSION_ERROR, SP_SESSION_ERROR_INVALID, local_error->message);
      return FALSE;
    }

  return TRUE;
}

static const char *
unix_has_no_port (void)
{
  return _("a UNIX socket has no port: it is addressed by its path (“address”, a file path "
           "or an @abstract name)");
}

static SpSocketConfig *
parse_socket_config (JsonNode   *node,
                     const char *path,
                     GError    **error)
{
  static const char * const known[] = {
    "id", "family", "type", "protocol", "address", "port", "options", "impair", NULL,
  };
  g_autoptr(SpSocketConfig) config = NULL;
  g_autofree char *id_path = NULL;
  JsonObject *object;
  JsonNode *member;
  const char *text;
  gint64 number;

  if (!_sp_step_get_object (node, path, &object, error) ||
      !_sp_step_check_members (object, path, known, error))
    return NULL;

  member = json_object_get_member (object, "id");
  if (member == NULL)
    {
      _sp_step_set_error (error, path, _("missing member “id”"));
      return NULL;
    }

  id_path = _sp_step_path_member (path, "id");
  if (!_sp_step_get_id (member, id_path, &text, error))
    return NULL;

  config = sp_socket_config_new (text, SP_FAMILY_INET, SP_SOCKET_TYPE_STREAM);

  if ((member = json_object_get_member (object, "family")) != NULL)
    {
      g_autofree char *member_path = _sp_step_path_member (path, "family");

      if (!JSON_NODE_HOLDS_VALUE (member) ||
          json_node_get_value_type (member) != G_TYPE_STRING ||
          !sp_family_from_string (json_node_get_string (member), &config->family))
        {
          _sp_step_set_error (error, member_path, _("must be “inet”, “inet6” or “unix”"));
          return NULL;
        }
    }

  if ((member = json_object_get_member (object, "type")) != NULL)
    {
      g_autofree char *member_path = _sp_step_path_member (path, "type");

      if (!JSON_NODE_HOLDS_VALUE (member) ||
          json_node_get_value_type (member) != G_TYPE_STRING ||
          !sp_socket_type_from_string (json_node_get_string (member), &config->type))
        {
          _sp_step_set_error (error, member_path,
                              _("must be “stream”, “dgram”, “raw” or “seqpacket”"));
          return NULL;
        }
    }

  if ((member = json_object_get_member (object, "protocol")) != NULL)
    {
      g_autofree char *member_path = _sp_step_path_member (path, "protocol");

      if (!parse_protocol (config, member, member_path, error))
        return NULL;
    }

  if ((member = json_object_get_member (object, "address")) != NULL)
    {
      g_autofree char *member_path = _sp_step_path_member (path, "address");

      if (!_sp_step_get_string (member, member_path, &text, error) ||
          !check_address (config->family, text, member_path, error))
        return NULL;
      config->address = g_strdup (text);
    }

  if ((member = json_object_get_member (object, "port")) != NULL)
    {
      g_autofree char *member_path = _sp_step_path_member (path, "port");

      if (!_sp_step_get_int (member, member_path, 0, G_MAXUINT16, &number, error))
        return NULL;
      /* Dropped silently, it would leave the file saying what never happens. */
      if (config->family == SP_FAMILY_UNIX)
        {
          _sp_step_set_error (error, member_path, "%s", unix_has_no_port ());
          return NULL;
        }
      config->port = number;
    }

  if ((member = json_object_get_member (object, "options")) != NULL)
    {
      g_autofree char *member_path = _sp_step_path_member (path, "options");

      if (!parse_options (config, member, member_path, error))
        return NULL;
    }

  if ((member = json_object_get_member (object, "impair")) != NULL)
    {
      g_autofree char *member_path = _sp_step_path_member (path, "impair");

      if (!parse_impair (config, member, member_path, error))
        return NULL;
    }

  return g_steal_pointer (&config);
}

static void
build_socket_config (JsonBuilder    *builder,
                     SpSocketConfig *config)
{
  const char *family = sp_family_to_string (config->family);
  const char *type = sp_socket_type_to_string (config->type);

  json_builder_begin_object (builder);

  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, config->id != NULL ? config->id : "");
  json_builder_set_member_name (builder, "family");
  json_builder_add_string_value (builder, family != NULL ? family : "inet");
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, type != NULL ? type : "stream");

  if (config->protocol_name != NULL)
    {
      json_builder_set_member_name (builder, "protocol");
      json_builder_add_string_value (builder, config->protocol_name);
    }
  else if (config->protocol != 0)
    {
      json_builder_set_member_name (builder, "protocol");
      json_builder_add_int_value (builder, config->protocol);
    }

  if (config->address != NULL)
    {
      json_builder_set_member_name (builder, "address");
      json_builder_add_string_value (builder, config->address);
    }

  if (config->port >= 0)
    {
      json_builder_set_member_name (builder, "port");
      json_builder_add_int_value (builder, config->port);
    }

  if (config->options->len > 0)
    {
      json_builder_set_member_name (builder, "options");
      json_builder_begin_object (builder);
      for (guint i = 0; i < config->options->len; i++)
        {
          const SpSocketOption *option = &g_array_index (config->options, SpSocketOption, i);

          json_builder_set_member_name (builder, option->name);
          if (option->is_bool)
            json_builder_add_boolean_value (builder, option->value != 0);
          else
            json_builder_add_int_value (builder, option->value);
        }
      json_builder_end_object (builder);
    }

  /* Never written where it could not be read back. */
  if (config->has_impair && sp_socket_config_can_impair (config))
    {
      json_builder_set_member_name (builder, "impair");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "drop");
      json_builder_add_int_value (builder, config->impair.drop);
      json_builder_set_member_name (builder, "duplicate");
      json_builder_add_int_value (builder, config->impair.duplicate);
      json_builder_set_member_name (builder, "reorder");
      json_builder_add_int_value (builder, config->impair.reorder);
      json_builder_set_member_name (builder, "delay-ms");
      json_builder_add_int_value (builder, config->impair.delay_ms);
      json_builder_set_member_name (builder, "seed");
      json_builder_add_int_value (builder, config->impair.seed);
      json_builder_end_object (builder);
    }

  json_builder_end_object (builder);
}

/* SpSession */

struct _SpSession
{
  GObject     parent_instance;

  char       *title;
  char       *description;
  GListStore *sockets;
  GListStore *steps;
  /* Of Watch, one for each item of `sockets`, in the same order. */
  GArray     *watches;
};

/* A socket's configuration followed for "socket-changed". */
typedef struct
{
  SpSocketConfig *config;
  gulong          notify_id;
} Watch;

struct _SpSessionClass
{
  GObjectClass parent_class;
};

G_DEFINE_FINAL_TYPE (SpSession, sp_session, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_TITLE,
  PROP_DESCRIPTION,
  PROP_SOCKETS,
  PROP_STEPS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SOCKET_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
watch_clear (gpointer data)
{
  Watch *watch = data;

  g_clear_signal_handler (&watch->notify_id, watch->config);
  g_clear_object (&watch->config);
}

static void
on_config_notify (SpSocketConfig *config,
                  GParamSpec     *pspec,
                  SpSession      *self)
{
  g_signal_emit (self, signals[SOCKET_CHANGED], g_param_spec_get_name_quark (pspec),
                 config, pspec->name);
}

/* Follows the store itself, so that every way a socket comes or goes
 * (add, replace, remove, load) connects or disconnects it. */
static void
on_sockets_changed (GListModel *model,
                    guint       position,
                    guint       removed,
                    guint       added,
                    SpSession  *self)
{
  g_array_remove_range (self->watches, position, removed);

  for (guint i = 0; i < added; i++)
    {
      Watch watch;

      watch.config = g_list_model_get_item (model, position + i);
      watch.notify_id = g_signal_connect (watch.config, "notify",
                                          G_CALLBACK (on_config_notify), self);
      g_array_insert_val (self->watches, position + i, watch);
    }
}

static void
sp_session_dispose (GObject *object)
{
  SpSession *self = SP_SESSION (object);

  /* A view may keep the store after the session is gone. */
  if (self->sockets != NULL)
    g_signal_handlers_disconnect_by_func (self->sockets, on_sockets_changed, self);
  g_clear_pointer (&self->watches, g_array_unref);
  g_clear_object (&self->sockets);
  g_clear_object (&self->steps);

  G_OBJECT_CLASS (sp_session_parent_class)->dispose (object);
}

static void
sp_session_finalize (GObject *object)
{
  SpSession *self = SP_SESSION (object);

  g_clear_pointer (&self->title, g_free);
  g_clear_pointer (&self->description, g_free);

  G_OBJECT_CLASS (sp_session_parent_class)->finalize (object);
}

static void
sp_session_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  SpSession *self = SP_SESSION (object);

  switch (prop_id)
    {
    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;

    case PROP_DESCRIPTION:
      g_value_set_string (value, self->description);
      break;

    case PROP_SOCKETS:
      g_value_set_object (value, self->sockets);
      break;

    case PROP_STEPS:
      g_value_set_object (value, self->steps);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sp_session_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  SpSession *self = SP_SESSION (object);

  switch (prop_id)
    {
    case PROP_TITLE:
      sp_session_set_title (self, g_value_get_string (value));
      break;

    case PROP_DESCRIPTION:
      sp_session_set_description (self, g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sp_session_class_init (SpSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sp_session_dispose;
  object_class->finalize = sp_session_finalize;
  object_class->get_property = sp_session_get_property;
  object_class->set_property = sp_session_set_property;

  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DESCRIPTION] =
    g_param_spec_string ("description", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SOCKETS] =
    g_param_spec_object ("sockets", NULL, NULL,
                         G_TYPE_LIST_MODEL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_STEPS] =
    g_param_spec_object ("steps", NULL, NULL,
                         G_TYPE_LIST_MODEL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SOCKET_CHANGED] =
    g_signal_new ("socket-changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST | G_SIGNAL_DETAILED,
                  0,
                  NULL, NULL,
                  NULL,
                  G_TYPE_NONE, 2,
                  SP_TYPE_SOCKET_CONFIG,
                  G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
sp_session_init (SpSession *self)
{
  self->watches = g_array_new (FALSE, FALSE, sizeof (Watch));
  g_array_set_clear_func (self->watches, watch_clear);
  self->sockets = g_list_store_new (SP_TYPE_SOCKET_CONFIG);
  g_signal_connect (self->sockets, "items-changed", G_CALLBACK (on_sockets_changed), self);
  self->steps = g_list_store_new (SP_TYPE_STEP);
}

SpSession *
sp_session_new (void)
{
  return g_object_new (SP_TYPE_SESSION, NULL);
}

static gboolean
load_session (SpSession  *self,
              JsonObject *root,
              GError    **error);

SpSession *
sp_session_new_from_data (const char  *data,
                          gssize       length,
                          const char  *name,
                          GError     **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(SpSession) self = NULL;
  SpJsonStrictEnd scan;
  JsonNode *root;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (name == NULL)
    name = "session";

  if (data == NULL)
    data = "";
  if (length < 0)
    length = strlen (data);

  if (!sp_json_strict_check (data, length, name, &scan, error))
    return NULL;

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, data, length, &local_error))
    {
      const char *message = local_error->message;

      if (scan.truncated)
        {
          g_autofree char *text = NULL;

          if (scan.in_string)
            text = g_strdup (_("the file ends inside a string (a closing “\"” is missing)"));
          else
            text = g_strdup_printf (_("the file ends too early (a closing “%c” is missing)"),
                                    scan.closer);
          g_set_error (error, SP_SESSION_ERROR, SP_SESSION_ERROR_SYNTAX, "%s:%u:%u: %s",
                       name, scan.line, scan.column, text);
          return NULL;
        }

      /* json-glib names text it was given "<data>". */
      if (g_str_has_prefix (message, "<data>:"))
        g_set_error (error, SP_SESSION_ERROR, SP_SESSION_ERROR_SYNTAX, "%s:%s",
                     name, message + strlen ("<data>:"));
      else
        g_set_error (error, SP_SESSION_ERROR, SP_SESSION_ERROR_SYNTAX, "%s: %s", name, message);
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root == NULL)
    {
      g_set_error (error, SP_SESSION_ERROR, SP_SESSION_ERROR_INVALID,
                   _("%s: the file is empty; a session file holds one JSON object"), name);
      return NULL;
    }

  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      const char *kind = JSON_NODE_HOLDS_ARRAY (root) ? _("an array") :
                         JSON_NODE_HOLDS_NULL (root) ? _("null") : _("a single value");

      g_set_error (error, SP_SESSION_ERROR, SP_SESSION_ERROR_INVALID,
                   _("%s: the top level is %s; a session file holds one JSON object"),
                   name, kind);
      return NULL;
    }

  self = sp_session_new ();
  if (!load_session (self, json_node_get_object (root), error))
    {
      g_prefix_error (error, "%s: ", name);
      return NULL;
    }

  return g_steal_pointer (&self);
}

/* Reads at most SP_SESSION_MAX_FILE_SIZE bytes: a device such as
 * /dev/zero must not fill the memory. */
static gboolean
read_bounded (const char  *path,
              char       **contents,
              gsize       *length,
              GError     **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) stream = NULL;
  g_autofree char *buffer = NULL;
  gsize got = 0;

  stream = g_file_read (file, NULL, error);
  if (stream == NULL)
    return FALSE;

  buffer = g_malloc (SP_SESSION_MAX_FILE_SIZE + 2);
  if (!g_input_stream_read_all (G_INPUT_STREAM (stream), buffer, SP_SESSION_MAX_FILE_SIZE + 1,
                                &got, NULL, error))
    return FALSE;

  if (got > SP_SESSION_MAX_FILE_SIZE)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE, "");
      return FALSE;
    }

  buffer[got] = '\0';
  *contents = g_realloc (g_steal_pointer (&buffer), got + 1);
  *length = got;
  return TRUE;
}

SpSession *
sp_session_new_from_file (const char  *path,
                          GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *name = NULL;
  gsize length;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  name = g_filename_display_name (path);

  if (!read_bounded (path, &contents, &length, &local_error))
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE))
        g_set_error (error, SP_SESSION_ERROR, SP_SESSION_ERROR_IO,
                     _("%s: larger than a session file can be (%d MiB)"), name,
                     SP_SESSION_MAX_FILE_SIZE / (1024 * 1024));
      else
        g_set_error (error, SP_SESSION_ERROR, SP_SESSION_ERROR_IO,
                     _("%s: could not read the file: %s"), name, local_error->message);
      return NULL;
    }

  return sp_session_new_from_data (contents, length, name, error);
}

static gboolean
check_format_and_version (JsonObject *root,
                          GError    **error)
{
  JsonNode *format = json_object_get_member (root, "format");
  JsonNode *version = json_object_get_member (root, "version");
  gint64 number;

  if (format == NULL)
    {
      _sp_step_set_error (error, "format",
                          _("missing; a session file has \"format\": \"%s\""),
                          SP_SESSION_FORMAT);
      return FALSE;
    }

  if (!JSON_NODE_HOLDS_VALUE (format) ||
      json_node_get_value_type (format) != G_TYPE_STRING ||
      !g_str_equal (json_node_get_string (format), SP_SESSION_FORMAT))
    {
      _sp_step_set_error (error, "format", _("must be “%s”"), SP_SESSION_FORMAT);
      return FALSE;
    }

  if (version == NULL)
    {
      _sp_step_set_error (error, "version", _("missing; this build reads version %d"),
                          SP_SESSION_VERSION);
      return FALSE;
    }

  if (!_sp_step_get_int (version, "version", 1, G_MAXINT64, &number, error))
    return FALSE;

  if (number > SP_SESSION_VERSION)
    {
      g_set_error (error, SP_SESSION_ERROR, SP_SESSION_ERROR_VERSION,
                   _("version %lld is newer than this build reads (version %d); "
                     "update Socket Playground"),
                   (long long) number, SP_SESSION_VERSION);
      return FALSE;
    }

  return TRUE;
}

static char *
describe_ids (GPtrArray *ids)
{
  if (ids->len == 0)
    return g_strdup (_("the session has no sockets"));

  g_ptr_array_add (ids, NULL);
  {
    g_autofree char *list = _sp_step_join ((const char * const *) ids->pdata);

    g_ptr_array_remove_index (ids, ids->len - 1);
    return g_strdup_printf (_("the sockets are %s"), list);
  }
}

static gboolean
check_reference (GPtrArray  *ids,
                 const char *id,
                 const char *path,
                 const char *member,
                 GError    **error)
{
  g_autofree char *member_path = NULL;
  g_autofree char *shown = NULL;
  g_autofree char *known = NULL;

  if (id == NULL || g_ptr_array_find_with_equal_func (ids, id, g_str_equal, NULL))
    return TRUE;

  member_path = _sp_step_path_member (path, member);
  shown = sp_describe_text (id);
  known = describe_ids (ids);
  _sp_step_set_error (error, member_path, _("no socket “%s”; %s"), shown, known);
  return FALSE;
}

static gboolean
load_session (SpSession  *self,
              JsonObject *root,
              GError    **error)
{
  static const char * const known[] = {
    "format", "version", "title", "description", "sockets", "steps", NULL,
  };
  g_autoptr(GPtrArray) sockets = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) steps = g_ptr_array_new_with_free_func (g_object_unref);
  /* Ids a step may name: the configured ones, then each "as". */
  g_autoptr(GPtrArray) ids = g_ptr_array_new ();
  /* The UNIX ones among them: an accepted socket is of its listener's family. */
  g_autoptr(GHashTable) unix_ids = g_hash_table_new (g_str_hash, g_str_equal);
  JsonNode *node;
  const char *text;

  if (!check_format_and_version (root, error) ||
      !_sp_step_check_members (root, NULL, known, error))
    return FALSE;

  if ((node = json_object_get_member (root, "title")) != NULL)
    {
      if (!_sp_step_get_string (node, "title", &text, error))
        return FALSE;
      sp_session_set_title (self, text);
    }

  if ((node = json_object_get_member (root, "description")) != NULL)
    {
      if (!_sp_step_get_string (node, "description", &text, error))
        return FALSE;
      sp_session_set_description (self, text);
    }

  if ((node = json_object_get_member (root, "sockets")) != NULL)
    {
      JsonArray *array;

      if (!JSON_NODE_HOLDS_ARRAY (node))
        {
          _sp_step_set_error (error, "sockets", _("must be an array of sockets"));
          return FALSE;
        }

      array = json_node_get_array (node);
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          g_autofree char *path = _sp_step_path_index ("sockets", i);
          SpSocketConfig *config;

          config = parse_socket_config (json_array_get_element (array, i), path, error);
          if (config == NULL)
            return FALSE;
          g_ptr_array_add (sockets, config);

          for (guint j = 0; j < i; j++)
            {
              SpSocketConfig *earlier = g_ptr_array_index (sockets, j);

              if (g_str_equal (earlier->id, config->id))
                {
                  g_autofree char *id_path = _sp_step_path_member (path, "id");

                  _sp_step_set_error (error, id_path,
                                      _("“%s” is already the id of sockets[%u]"),
                                      config->id, j);
                  return FALSE;
                }
            }

          g_ptr_array_add (ids, config->id);
          if (config->family == SP_FAMILY_UNIX)
            g_hash_table_add (unix_ids, config->id);
        }
    }

  if ((node = json_object_get_member (root, "steps")) != NULL)
    {
      JsonArray *array;

      if (!JSON_NODE_HOLDS_ARRAY (node))
        {
          _sp_step_set_error (error, "steps", _("must be an array of steps"));
          return FALSE;
        }

      array = json_node_get_array (node);
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          g_autofree char *path = _sp_step_path_index ("steps", i);
          JsonObject *object;
          SpStep *step;

          if (!_sp_step_get_object (json_array_get_element (array, i), path, &object, error))
            return FALSE;

          step = sp_step_new_from_json (object, path, error);
          if (step == NULL)
            return FALSE;
          g_ptr_array_add (steps, step);

          if (!check_reference (ids, step->socket, path, "socket", error) ||
              !check_reference (ids, step->to, path, "to", error))
            return FALSE;

          if (step->port >= 0 && step->socket != NULL &&
              g_hash_table_contains (unix_ids, step->socket))
            {
              g_autofree char *port_path = _sp_step_path_member (path, "port");

              _sp_step_set_error (error, port_path, "%s", unix_has_no_port ());
              return FALSE;
            }

          if (step->as != NULL)
            {
              for (guint j = 0; j < sockets->len; j++)
                {
                  SpSocketConfig *config = g_ptr_array_index (sockets, j);

                  if (g_str_equal (config->id, step->as))
                    {
                      g_autofree char *as_path = _sp_step_path_member (path, "as");

                      _sp_step_set_error (error, as_path,
                                          _("“%s” is already the id of sockets[%u]"),
                                          step->as, j);
                      return FALSE;
                    }
                }

              /* Accepting again under the same name is fine (a server
               * that closes one connection and accepts the next). */
              if (!g_ptr_array_find_with_equal_func (ids, step->as, g_str_equal, NULL))
                g_ptr_array_add (ids, step->as);
              if (step->socket != NULL && g_hash_table_contains (unix_ids, step->socket))
                g_hash_table_add (unix_ids, step->as);
              else
                g_hash_table_remove (unix_ids, step->as);
            }
        }
    }

  g_list_store_splice (self->sockets, 0, 0, sockets->pdata, sockets->len);
  g_list_store_splice (self->steps, 0, 0, steps->pdata, steps->len);

  return TRUE;
}

char *
sp_session_to_data (SpSession *self,
                    gsize     *length)
{
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonGenerator) generator = NULL;
  g_autoptr(JsonNode) root = NULL;
  GString *text;
  guint n;

  g_return_val_if_fail (SP_IS_SESSION (self), NULL);

  builder = json_builder_new ();
  json_builder_begin_object (builder);

  json_builder_set_member_name (builder, "format");
  json_builder_add_string_value (builder, SP_SESSION_FORMAT);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, SP_SESSION_VERSION);

  if (self->title != NULL)
    {
      json_builder_set_member_name (builder, "title");
      json_builder_add_string_value (builder, self->title);
    }

  if (self->description != NULL)
    {
      json_builder_set_member_name (builder, "description");
      json_builder_add_string_value (builder, self->description);
    }

  json_builder_set_member_name (builder, "sockets");
  json_builder_begin_array (builder);
  n = g_list_model_get_n_items (G_LIST_MODEL (self->sockets));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SpSocketConfig) config = g_list_model_get_item (G_LIST_MODEL (self->sockets), i);

      build_socket_config (builder, config);
    }
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "steps");
  json_builder_begin_array (builder);
  n = g_list_model_get_n_items (G_LIST_MODEL (self->steps));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SpStep) step = g_list_model_get_item (G_LIST_MODEL (self->steps), i);

      json_builder_add_value (builder, sp_step_to_json (step));
    }
  json_builder_end_array (builder);

  json_builder_end_object (builder);
  root = json_builder_get_root (builder);

  generator = json_generator_new ();
  json_generator_set_pretty (generator, TRUE);
  json_generator_set_indent (generator, 2);
  json_generator_set_root (generator, root);

  text = g_string_new (NULL);
  json_generator_to_gstring (generator, text);
  g_string_append_c (text, '\n');

  if (length != NULL)
    *length = text->len;

  return g_string_free (text, FALSE);
}

/* Why a write failed, in words for the person saving. GLib's own message
 * names the temporary file, which the person never asked for. */
static const char *
describe_write_error (const GError *error)
{
  if (error->domain != G_FILE_ERROR)
    return error->message;

  switch (error->code)
    {
    case G_FILE_ERROR_NOSPC:
      return _("no space left on the device");
    case G_FILE_ERROR_ROFS:
      return _("the place is read-only");
    case G_FILE_ERROR_ACCES:
    case G_FILE_ERROR_PERM:
      return _("permission denied");
    case G_FILE_ERROR_NOENT:
    case G_FILE_ERROR_NOTDIR:
      return _("the folder does not exist");
    case G_FILE_ERROR_ISDIR:
      return _("that is a folder");
    case G_FILE_ERROR_EXIST:
    case G_FILE_ERROR_NXIO:
    case G_FILE_ERROR_NODEV:
    case G_FILE_ERROR_NAMETOOLONG:
    case G_FILE_ERROR_TXTBSY:
    case G_FILE_ERROR_FAULT:
    case G_FILE_ERROR_LOOP:
    case G_FILE_ERROR_NOMEM:
    case G_FILE_ERROR_MFILE:
    case G_FILE_ERROR_NFILE:
    case G_FILE_ERROR_BADF:
    case G_FILE_ERROR_INVAL:
    case G_FILE_ERROR_PIPE:
    case G_FILE_ERROR_AGAIN:
    case G_FILE_ERROR_INTR:
    case G_FILE_ERROR_IO:
    case G_FILE_ERROR_NOSYS:
    case G_FILE_ERROR_FAILED:
    default:
      return error->message;
    }
}

/* Written beside the old file and renamed over it only once whole, so a
 * failure (a full disk, a read-only place) leaves the old file as it was. */
static gboolean
write_session_file (const char  *path,
                    const char  *data,
                    gsize        length,
                    GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *name = NULL;

  if (g_file_set_contents_full (path, data, length, G_FILE_SET_CONTENTS_CONSISTENT, 0666,
                                &local_error))
    return TRUE;

  name = g_filename_display_name (path);
  if (g_file_test (path, G_FILE_TEST_EXISTS))
    g_set_error (error, SP_SESSION_ERROR, SP_SESSION_ERROR_IO,
                 _("%s: could not save the session: %s; the file there is unchanged"),
                 name, describe_write_error (local_error));
  else
    g_set_error (error, SP_SESSION_ERROR, SP_SESSION_ERROR_IO,
                 _("%s: could not save the session: %s"),
                 name, describe_write_error (local_error));
  return FALSE;
}

gboolean
sp_session_save_to_file (SpSession   *self,
                         const char  *path,
                         GError     **error)
{
  g_autofree char *data = NULL;
  gsize length;

  g_return_val_if_fail (SP_IS_SESSION (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  data = sp_session_to_data (self, &length);
  return write_session_file (path, data, length, error);
}

typedef struct
{
  char  *path;
  char  *data;
  gsize  length;
} SaveJob;

static void
save_job_free (SaveJob *job)
{
  g_free (job->path);
  g_free (job->data);
  g_free (job);
}

static void
save_in_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  SaveJob *job = task_data;
  GError *error = NULL;

  if (write_session_file (job->path, job->data, job->length, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
sp_session_save_async (SpSession           *self,
                       const char          *path,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  SaveJob *job;

  g_return_if_fail (SP_IS_SESSION (self));
  g_return_if_fail (path != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sp_session_save_async);

  /* The session is read here, on its own thread; only the bytes travel. */
  job = g_new0 (SaveJob, 1);
  job->path = g_strdup (path);
  job->data = sp_session_to_data (self, &job->length);
  g_task_set_task_data (task, job, (GDestroyNotify) save_job_free);
  g_task_run_in_thread (task, save_in_thread);
}

gboolean
sp_session_save_finish (SpSession     *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

const char *
sp_session_get_title (SpSession *self)
{
  g_return_val_if_fail (SP_IS_SESSION (self), NULL);

  return self->title;
}

void
sp_session_set_title (SpSession  *self,
                      const char *title)
{
  g_return_if_fail (SP_IS_SESSION (self));

  if (set_string (&self->title, title))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
}

const char *
sp_session_get_description (SpSession *self)
{
  g_return_val_if_fail (SP_IS_SESSION (self), NULL);

  return self->description;
}

void
sp_session_set_description (SpSession  *self,
                            const char *description)
{
  g_return_if_fail (SP_IS_SESSION (self));

  if (set_string (&self->description, description))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DESCRIPTION]);
}

GListModel *
sp_session_get_sockets (SpSession *self)
{
  g_return_val_if_fail (SP_IS_SESSION (self), NULL);

  return G_LIST_MODEL (self->sockets);
}

GListModel *
sp_session_get_steps (SpSession *self)
{
  g_return_val_if_fail (SP_IS_SESSION (self), NULL);

  return G_LIST_MODEL (self->steps);
}

guint
sp_session_get_n_steps (SpSession *self)
{
  g_return_val_if_fail (SP_IS_SESSION (self), 0);

  return g_list_model_get_n_items (G_LIST_MODEL (self->steps));
}

SpStep *
sp_session_get_step (SpSession *self,
                     guint      index)
{
  SpStep *step;

  g_return_val_if_fail (SP_IS_SESSION (self), NULL);

  /* Borrowed: the store keeps its own reference. */
  step = g_list_model_get_item (G_LIST_MODEL (self->steps), index);
  if (step != NULL)
    g_object_unref (step);

  return step;
}

static gboolean
find_socket_position (SpSession  *self,
                      const char *id,
                      guint      *position)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->sockets));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SpSocketConfig) config = g_list_model_get_item (G_LIST_MODEL (self->sockets), i);

      if (g_strcmp0 (config->id, id) == 0)
        {
          *position = i;
          return TRUE;
        }
    }

  return FALSE;
}

SpSocketConfig *
sp_session_find_socket (SpSession  *self,
                        const char *id)
{
  SpSocketConfig *config;
  guint position;

  g_return_val_if_fail (SP_IS_SESSION (self), NULL);

  if (id == NULL || !find_socket_position (self, id, &position))
    return NULL;

  /* Borrowed: the store keeps its own reference. */
  config = g_list_model_get_item (G_LIST_MODEL (self->sockets), position);
  g_object_unref (config);

  return config;
}

void
sp_session_add_socket (SpSession      *self,
                       SpSocketConfig *config)
{
  guint position;

  g_return_if_fail (SP_IS_SESSION (self));
  g_return_if_fail (SP_IS_SOCKET_CONFIG (config));

  if (find_socket_position (self, config->id, &position))
    g_list_store_splice (self->sockets, position, 1, (gpointer *) &config, 1);
  else
    g_list_store_append (self->sockets, config);
}

void
sp_session_remove_socket (SpSession  *self,
                          const char *id)
{
  guint position;

  g_return_if_fail (SP_IS_SESSION (self));

  if (find_socket_position (self, id, &position))
    g_list_store_remove (self->sockets, position);
}

void
sp_session_append_step (SpSession *self,
                        SpStep    *step)
{
  g_return_if_fail (SP_IS_SESSION (self));
  g_return_if_fail (SP_IS_STEP (step));

  g_list_store_append (self->steps, step);
}

void
sp_session_insert_step (SpSession *self,
                        guint      index,
                        SpStep    *step)
{
  g_return_if_fail (SP_IS_SESSION (self));
  g_return_if_fail (SP_IS_STEP (step));

  g_list_store_insert (self->steps, MIN (index, sp_session_get_n_steps (self)), step);
}

void
sp_session_remove_step (SpSession *self,
                        guint      index)
{
  g_return_if_fail (SP_IS_SESSION (self));
  g_return_if_fail (index < sp_session_get_n_steps (self));

  g_list_store_remove (self->steps, index);
}

void
sp_session_move_step (SpSession *self,
                      guint      from,
                      guint      to)
{
  g_autoptr(SpStep) step = NULL;
  guint n;

  g_return_if_fail (SP_IS_SESSION (self));

  n = sp_session_get_n_steps (self);
  g_return_if_fail (from < n);
  g_return_if_fail (to < n);

  if (from == to)
    return;

  step = g_list_model_get_item (G_LIST_MODEL (self->steps), from);
  g_list_store_remove (self->steps, from);
  g_list_store_insert (self->steps, to, step);
}

gboolean
sp_session_has_socket_id (SpSession  *self,
                          const char *id)
{
  guint position;
  guint n;

  g_return_val_if_fail (SP_IS_SESSION (self), FALSE);

  if (id == NULL)
    return FALSE;

  if (find_socket_position (self, id, &position))
    return TRUE;

  n = sp_session_get_n_steps (self);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SpStep) step = g_list_model_get_item (G_LIST_MODEL (self->steps), i);

      if (step->call == SP_CALL_ACCEPT && g_strcmp0 (step->as, id) == 0)
        return TRUE;
    }

  return FALSE;
}
