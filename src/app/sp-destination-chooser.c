/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sp-destination-chooser.h"
#include "sp-destinations.h"
#include "sp-endpoint.h"
#include "sp-field.h"

struct _SpDestinationChooser
{
  AdwBin          parent_instance;

  GtkDropDown    *target_dropdown;
  GtkStringList  *targets;
  GtkEntry       *address_entry;
  GtkEntry       *port_entry;
  GtkLabel       *error_label;

  SpPlayer       *player;
  /* Traced programs' sockets, offered too */
  SpObservedSockets *observed;
  char           *socket_id;
  SpFamily        family;
  SpSocketType    type;

  /* The sockets offered, in the order of the list; the address comes after. */
  GPtrArray      *destinations;
  /* What the user picked: a socket's id, or by_address; neither until
   * they pick, and the likeliest is chosen for them. */
  char           *picked;
  guint16         port;

  guint           by_address : 1;
  guint           valid : 1;
  guint           updating : 1;
};

G_DEFINE_FINAL_TYPE (SpDestinationChooser, sp_destination_chooser, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_VALID,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static gboolean
is_stream (SpDestinationChooser *self)
{
  return self->type == SP_SOCKET_TYPE_STREAM || self->type == SP_SOCKET_TYPE_SEQPACKET;
}

static char *
describe (SpDestinationChooser *self,
          SpDestination        *destination)
{
  if (destination->ready && is_stream (self))
    /* TRANSLATORS: a destination: a socket's id and where it listens */
    return g_strdup_printf (_("%s · listening on %s"), destination->id, destination->where);
  if (destination->ready)
    /* TRANSLATORS: a destination: a socket's id and where it is bound */
    return g_strdup_printf (_("%s · bound to %s"), destination->id, destination->where);
  if (is_stream (self))
    /* TRANSLATORS: a destination whose steps will make it listen */
    return g_strdup_printf (_("%s · listens later"), destination->id);
  /* TRANSLATORS: a datagram socket that is not bound yet */
  return g_strdup_printf (_("%s · not bound yet"), destination->id);
}

static gboolean
address_chosen (SpDestinationChooser *self)
{
  return gtk_drop_down_get_selected (self->target_dropdown) >= self->destinations->len;
}

static void
validate (SpDestinationChooser *self)
{
  g_autoptr(GError) error = NULL;
  const char *address = gtk_editable_get_text (GTK_EDITABLE (self->address_entry));
  const char *port = gtk_editable_get_text (GTK_EDITABLE (self->port_entry));
  GtkWidget *wrong = NULL;
  gboolean valid = TRUE;
  gboolean has_port = self->family != SP_FAMILY_UNIX;

  if (address_chosen (self))
    {
      /* Empty fields are not filled in yet, which is no error to show. */
      if (address[0] == '\0' || (has_port && port[0] == '\0'))
        valid = FALSE;
      else if (!sp_field_check_address (self->family, address, _("Destination address"),
                                        &error))
        wrong = GTK_WIDGET (self->address_entry);
      else if (has_port && !sp_endpoint_parse_port (port, _("Destination port"), &self->port,
                                                    &error))
        wrong = GTK_WIDGET (self->port_entry);
      valid = valid && error == NULL;
    }

  /* Each entry is marked on its own; the one message goes beneath them. */
  sp_field_set_error (GTK_WIDGET (self->address_entry), NULL,
                      wrong == GTK_WIDGET (self->address_entry) ? error->message : NULL);
  sp_field_set_error (GTK_WIDGET (self->port_entry), NULL,
                      wrong == GTK_WIDGET (self->port_entry) ? error->message : NULL);
  gtk_label_set_text (self->error_label, error != NULL ? error->message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), error != NULL);

  gtk_widget_set_visible (GTK_WIDGET (self->address_entry), address_chosen (self));
  gtk_widget_set_visible (GTK_WIDGET (self->port_entry), address_chosen (self) && has_port);

  if (self->valid != valid)
    {
      self->valid = valid;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VALID]);
    }
}

static void
on_selected (SpDestinationChooser *self)
{
  guint selected = gtk_drop_down_get_selected (self->target_dropdown);

  if (!self->updating)
    {
      g_clear_pointer (&self->picked, g_free);
      self->by_address = address_chosen (self);
      if (!self->by_address)
        self->picked = g_strdup (((SpDestination *) g_ptr_array_index (self->destinations,
                                                                       selected))->id);
    }

  validate (self);
}

void
sp_destination_chooser_refresh (SpDestinationChooser *self)
{
  g_autoptr(GPtrArray) labels = g_ptr_array_new_with_free_func (g_free);
  guint n_items = g_list_model_get_n_items (G_LIST_MODEL (self->targets));
  guint position = 0;
  gboolean found = FALSE;

  g_return_if_fail (SP_IS_DESTINATION_CHOOSER (self));

  g_ptr_array_set_size (self->destinations, 0);
  if (self->player != NULL && self->socket_id != NULL)
    {
      g_autoptr(GPtrArray) found_destinations = NULL;

      found_destinations = sp_destinations_find (self->player, self->socket_id, self->family,
                                                 self->type,
                                                 is_stream (self) ? SP_CALL_CONNECT
                                                                  : SP_CALL_SENDTO);
      g_ptr_array_extend_and_steal (self->destinations, g_steal_pointer (&found_destinations));
      if (self->observed != NULL)
        sp_destinations_add_observed (self->destinations, self->observed, self->family,
                                      self->type);
    }

  for (guint i = 0; i < self->destinations->len; i++)
    {
      SpDestination *destination = g_ptr_array_index (self->destinations, i);

      g_ptr_array_add (labels, describe (self, destination));
      if (!found && g_strcmp0 (destination->id, self->picked) == 0)
        {
          position = i;
          found = TRUE;
        }
    }
  g_ptr_array_add (labels, g_strdup (self->family == SP_FAMILY_UNIX ? _("A path…")
                                                                    : _("An address and port…")));
  g_ptr_array_add (labels, NULL);

  /* What the user picked while it is offered; else the likeliest, or the
   * address when nothing else can take the call. */
  if (self->by_address || (!found && self->destinations->len == 0))
    position = self->destinations->len;

  self->updating = TRUE;
  gtk_string_list_splice (self->targets, 0, n_items, (const char * const *) labels->pdata);
  gtk_drop_down_set_selected (self->target_dropdown, position);
  self->updating = FALSE;

  validate (self);
}

static void
sp_destination_chooser_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  SpDestinationChooser *self = SP_DESTINATION_CHOOSER (object);

  switch (prop_id)
    {
    case PROP_VALID:
      g_value_set_boolean (value, self->valid);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sp_destination_chooser_dispose (GObject *object)
{
  SpDestinationChooser *self = SP_DESTINATION_CHOOSER (object);

  g_clear_object (&self->player);
  if (self->observed != NULL)
    g_signal_handlers_disconnect_by_data (self->observed, self);
  g_clear_object (&self->observed);
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (object), SP_TYPE_DESTINATION_CHOOSER);

  G_OBJECT_CLASS (sp_destination_chooser_parent_class)->dispose (object);
}

static void
sp_destination_chooser_finalize (GObject *object)
{
  SpDestinationChooser *self = SP_DESTINATION_CHOOSER (object);

  g_ptr_array_unref (self->destinations);
  g_free (self->socket_id);
  g_free (self->picked);

  G_OBJECT_CLASS (sp_destination_chooser_parent_class)->finalize (object);
}

static void
sp_destination_chooser_class_init (SpDestinationChooserClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = sp_destination_chooser_get_property;
  object_class->dispose = sp_destination_chooser_dispose;
  object_class->finalize = sp_destination_chooser_finalize;

  properties[PROP_VALID] =
    g_param_spec_boolean ("valid", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PATH "/ui/sp-destination-chooser.ui");
  gtk_widget_class_bind_template_child (widget_class, SpDestinationChooser, target_dropdown);
  gtk_widget_class_bind_template_child (widget_class, SpDestinationChooser, targets);
  gtk_widget_class_bind_template_child (widget_class, SpDestinationChooser, address_entry);
  gtk_widget_class_bind_template_child (widget_class, SpDestinationChooser, port_entry);
  gtk_widget_class_bind_template_child (widget_class, SpDestinationChooser, error_label);
}

static void
sp_destination_chooser_init (SpDestinationChooser *self)
{
  self->destinations = g_ptr_array_new_with_free_func ((GDestroyNotify) sp_destination_free);

  gtk_widget_init_template (GTK_WIDGET (self));
  /* "_To" is its mnemonic; its name is its own, said once. */
  gtk_accessible_reset_relation (GTK_ACCESSIBLE (self->target_dropdown),
                                 GTK_ACCESSIBLE_RELATION_LABELLED_BY);

  g_signal_connect_swapped (self->target_dropdown, "notify::selected", G_CALLBACK (on_selected),
                            self);
  g_signal_connect_swapped (self->address_entry, "changed", G_CALLBACK (validate), self);
  g_signal_connect_swapped (self->port_entry, "changed", G_CALLBACK (validate), self);
}

GtkWidget *
sp_destination_chooser_new (void)
{
  return g_object_new (SP_TYPE_DESTINATION_CHOOSER, NULL);
}

static void
on_observed_changed (SpDestinationChooser *self)
{
  if (self->socket_id != NULL)
    sp_destination_chooser_refresh (self);
}

void
sp_destination_chooser_set_observed (SpDestinationChooser *self,
                                     SpObservedSockets    *observed)
{
  g_return_if_fail (SP_IS_DESTINATION_CHOOSER (self));
  g_return_if_fail (observed == NULL || SP_IS_OBSERVED_SOCKETS (observed));

  if (self->observed != NULL)
    g_signal_handlers_disconnect_by_data (self->observed, self);
  if (!g_set_object (&self->observed, observed))
    return;
  if (observed != NULL)
    g_signal_connect_swapped (observed, "changed", G_CALLBACK (on_observed_changed), self);
  sp_destination_chooser_refresh (self);
}

void
sp_destination_chooser_set_player (SpDestinationChooser *self,
                                   SpPlayer             *player)
{
  g_return_if_fail (SP_IS_DESTINATION_CHOOSER (self));

  if (g_set_object (&self->player, player))
    sp_destination_chooser_refresh (self);
}

/* The configuration of socket `id` when it declares the address it talks
 * to: an address (and a port other than 0, but for UNIX), and no steps
 * that make it a server, whose address is where it listens. */
static SpSocketConfig *
own_destination (SpDestinationChooser *self,
                 const char           *id,
                 SpFamily              family)
{
  SpSession *session = self->player != NULL ? sp_player_get_session (self->player) : NULL;
  SpSocketConfig *config = session != NULL && id != NULL ? sp_session_find_socket (session, id)
                                                         : NULL;

  if (config == NULL || config->address == NULL || config->address[0] == '\0' ||
      (family != SP_FAMILY_UNIX && config->port <= 0) ||
      sp_destinations_is_server (session, id))
    return NULL;
  return config;
}

void
sp_destination_chooser_set_socket (SpDestinationChooser *self,
                                   const char           *id,
                                   SpFamily              family,
                                   SpSocketType          type)
{
  g_return_if_fail (SP_IS_DESTINATION_CHOOSER (self));

  if (g_strcmp0 (self->socket_id, id) == 0 && self->family == family && self->type == type)
    return;

  /* Another socket, or another kind: the user's pick and address were for
   * the one before. The address typed in starts as the one a client was
   * declared with, where a replay's connect without a destination goes;
   * otherwise most peers are on this machine. A listener of the session
   * stays the first choice, as ever. */
  if (g_strcmp0 (self->socket_id, id) != 0 || self->family != family)
    {
      SpSocketConfig *own = own_destination (self, id, family);
      g_autofree char *port = own != NULL && own->port > 0 ? g_strdup_printf ("%d", own->port)
                                                           : g_strdup ("");

      if (own != NULL)
        gtk_editable_set_text (GTK_EDITABLE (self->address_entry), own->address);
      else
        gtk_editable_set_text (GTK_EDITABLE (self->address_entry),
                               family != SP_FAMILY_UNIX ? sp_endpoint_loopback_text (family)
                                                        : "");
      gtk_editable_set_text (GTK_EDITABLE (self->port_entry), port);
      gtk_entry_set_placeholder_text (self->address_entry,
                                      family == SP_FAMILY_UNIX ? _("/path or @name") : NULL);
    }
  g_free (self->socket_id);
  self->socket_id = g_strdup (id);
  self->family = family;
  self->type = type;
  g_clear_pointer (&self->picked, g_free);
  self->by_address = FALSE;

  sp_destination_chooser_refresh (self);
}

gboolean
sp_destination_chooser_get_valid (SpDestinationChooser *self)
{
  g_return_val_if_fail (SP_IS_DESTINATION_CHOOSER (self), FALSE);
  return self->valid;
}

static SpDestination *
get_chosen (SpDestinationChooser *self)
{
  guint selected = gtk_drop_down_get_selected (self->target_dropdown);

  if (selected >= self->destinations->len)
    return NULL;
  return g_ptr_array_index (self->destinations, selected);
}

const char *
sp_destination_chooser_get_chosen (SpDestinationChooser *self)
{
  SpDestination *chosen;

  g_return_val_if_fail (SP_IS_DESTINATION_CHOOSER (self), NULL);

  chosen = get_chosen (self);
  return chosen != NULL ? chosen->id : NULL;
}

void
sp_destination_chooser_fill_step (SpDestinationChooser *self,
                                  SpStep               *step)
{
  SpDestination *chosen;
  g_autofree char *host = NULL;
  int port;

  g_return_if_fail (SP_IS_DESTINATION_CHOOSER (self));
  g_return_if_fail (SP_IS_STEP (step));

  chosen = get_chosen (self);
  /* A traced program's socket is reached where it listens. */
  if (chosen != NULL && chosen->observed && self->family == SP_FAMILY_UNIX)
    {
      step->address = g_strdup (chosen->where);
      return;
    }
  if (chosen != NULL && chosen->observed && sp_endpoint_split_text (chosen->where, &host, &port))
    {
      step->address = g_steal_pointer (&host);
      step->port = port;
      return;
    }
  if (chosen != NULL)
    {
      step->to = g_strdup (chosen->id);
      return;
    }

  step->address = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->address_entry)));
  if (self->family != SP_FAMILY_UNIX)
    step->port = self->port;
}

void
sp_destination_chooser_set_address (SpDestinationChooser *self,
                                    const char           *address,
                                    int                   port)
{
  g_return_if_fail (SP_IS_DESTINATION_CHOOSER (self));

  self->by_address = TRUE;
  g_clear_pointer (&self->picked, g_free);
  if (address != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->address_entry), address);
  if (port >= 0)
    {
      g_autofree char *text = g_strdup_printf ("%d", port);

      gtk_editable_set_text (GTK_EDITABLE (self->port_entry), text);
    }
  sp_destination_chooser_refresh (self);
}
