/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sp-endpoint.h"
#include "sp-kernel-facts.h"
#include "sp-socket-facts.h"

struct _SpSocketFacts
{
  AdwBin          parent_instance;

  GtkLabel       *protocol_fact;
  GtkLabel       *local_address_fact;
  AdwActionRow   *local_port_row;
  GtkLabel       *local_port_fact;
  GtkLabel       *remote_address_fact;
  GtkLabel       *remote_port_fact;
  GtkLabel       *waiting_fact;
  GtkWidget      *tcp_state_row;
  GtkLabel       *tcp_state_fact;
  GtkWidget      *accept_queue_row;
  GtkLabel       *accept_queue_fact;
  GtkLabel       *calls_fact;
  GtkLabel       *sent_fact;
  GtkLabel       *received_fact;

  SpSocket       *socket;
  SpFamily        family;
  SpSocketType    type;
  /* Held while the facts are shown, so the kernel is read only then. */
  SpKernelFacts  *kernel;
};

G_DEFINE_FINAL_TYPE (SpSocketFacts, sp_socket_facts, ADW_TYPE_BIN)

static char *
format_address (GSocketAddress *address)
{
  g_autofree char *dotted = NULL;
  g_autofree char *hex32 = NULL;
  g_autofree char *mapped = NULL;
  GInetAddress *inet;

  if (address == NULL)
    return g_strdup ("—");

  if (!G_IS_INET_SOCKET_ADDRESS (address))
    return sp_endpoint_format (address);

  inet = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (address));
  sp_endpoint_inet_forms (inet, &dotted, &hex32, &mapped);

  /* An IPv4 address in the forms it is taught in. */
  if (hex32 != NULL && mapped != NULL)
    return g_strdup_printf ("%s · %s · %s", dotted, hex32, mapped);
  return g_steal_pointer (&dotted);
}

static char *
format_port (GSocketAddress *address)
{
  if (address == NULL || !G_IS_INET_SOCKET_ADDRESS (address))
    return g_strdup ("—");
  return g_strdup_printf ("%u", g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (address)));
}

static const char *
protocol_name (SpSocketFacts *self)
{
  if (self->family == SP_FAMILY_UNIX)
    return _("UNIX domain");
  if (self->type == SP_SOCKET_TYPE_STREAM)
    return "TCP";
  if (self->type == SP_SOCKET_TYPE_DGRAM)
    return "UDP";
  if (self->type == SP_SOCKET_TYPE_RAW)
    return _("raw IP");
  return "SCTP";
}

static void
set_label (GtkLabel   *label,
           const char *text)
{
  /* Resetting a selectable label's text would drop the user's selection. */
  if (g_strcmp0 (gtk_label_get_text (label), text) != 0)
    gtk_label_set_text (label, text);
}

static void
refresh_kernel (SpSocketFacts *self)
{
  g_autofree char *waiting_text = NULL;
  g_autofree char *queue_text = NULL;
  const char *tcp_state = NULL;
  gint64 waiting = -1;
  int queue = -1;

  if (self->kernel != NULL)
    {
      waiting = sp_kernel_facts_get_bytes_waiting (self->kernel);
      tcp_state = sp_kernel_facts_get_tcp_state (self->kernel);
      queue = sp_kernel_facts_get_accept_queue (self->kernel);
    }

  if (waiting > 0)
    waiting_text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%lld byte waiting",
                                                 "%lld bytes waiting", waiting),
                                    (long long) waiting);
  else
    waiting_text = g_strdup (waiting == 0 ? _("nothing waiting") : "—");

  if (queue >= 0)
    queue_text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d connection waiting",
                                               "%d connections waiting", queue),
                                  queue);

  set_label (self->waiting_fact, waiting_text);
  gtk_widget_set_visible (self->tcp_state_row, tcp_state != NULL);
  set_label (self->tcp_state_fact, tcp_state != NULL ? tcp_state : "—");
  gtk_widget_set_visible (self->accept_queue_row, queue >= 0);
  set_label (self->accept_queue_fact, queue_text != NULL ? queue_text : "—");
}

void
sp_socket_facts_refresh (SpSocketFacts *self)
{
  SpSocket *socket;
  GSocketAddress *local;
  GSocketAddress *remote;
  g_autofree char *local_text = NULL;
  g_autofree char *remote_text = NULL;
  g_autofree char *local_port = NULL;
  g_autofree char *remote_port = NULL;
  g_autofree char *calls = NULL;
  g_autofree char *sent = NULL;
  g_autofree char *received = NULL;

  g_return_if_fail (SP_IS_SOCKET_FACTS (self));

  socket = self->socket;
  local = socket != NULL ? sp_socket_get_local_address (socket) : NULL;
  remote = socket != NULL ? sp_socket_get_remote_address (socket) : NULL;
  local_text = format_address (local);
  remote_text = format_address (remote);
  local_port = format_port (local);
  remote_port = format_port (remote);

  if (local != NULL && G_IS_INET_SOCKET_ADDRESS (local) &&
      sp_socket_get_port_chosen_by_kernel (socket))
    adw_action_row_set_subtitle (self->local_port_row,
                                 _("An ephemeral port chosen by the kernel"));
  else
    adw_action_row_set_subtitle (self->local_port_row, "");

  calls = g_strdup_printf ("%u", socket != NULL ? sp_socket_get_n_calls (socket) : 0);
  sent = g_strdup_printf ("%" G_GUINT64_FORMAT,
                          socket != NULL ? sp_socket_get_bytes_sent (socket) : 0);
  received = g_strdup_printf ("%" G_GUINT64_FORMAT,
                              socket != NULL ? sp_socket_get_bytes_received (socket) : 0);

  set_label (self->protocol_fact, protocol_name (self));
  set_label (self->local_address_fact, local_text);
  set_label (self->local_port_fact, local_port);
  set_label (self->remote_address_fact, remote_text);
  set_label (self->remote_port_fact, remote_port);
  set_label (self->calls_fact, calls);
  set_label (self->sent_fact, sent);
  set_label (self->received_fact, received);

  if (self->kernel != NULL)
    sp_kernel_facts_refresh (self->kernel);
  refresh_kernel (self);
}

/* The kernel is watched only while the facts are on screen. */
static void
update_watch (SpSocketFacts *self)
{
  gboolean wanted = self->socket != NULL && gtk_widget_get_mapped (GTK_WIDGET (self));

  if (self->kernel != NULL &&
      (!wanted || sp_kernel_facts_get_socket (self->kernel) != self->socket))
    {
      g_signal_handlers_disconnect_by_func (self->kernel, refresh_kernel, self);
      g_clear_object (&self->kernel);
    }

  if (wanted && self->kernel == NULL)
    {
      self->kernel = sp_kernel_facts_watch (self->socket);
      g_signal_connect_swapped (self->kernel, "changed", G_CALLBACK (refresh_kernel), self);
    }
}

static void
sp_socket_facts_map (GtkWidget *widget)
{
  SpSocketFacts *self = SP_SOCKET_FACTS (widget);

  GTK_WIDGET_CLASS (sp_socket_facts_parent_class)->map (widget);
  update_watch (self);
  sp_socket_facts_refresh (self);
}

static void
sp_socket_facts_unmap (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (sp_socket_facts_parent_class)->unmap (widget);
  update_watch (SP_SOCKET_FACTS (widget));
}

static void
sp_socket_facts_dispose (GObject *object)
{
  SpSocketFacts *self = SP_SOCKET_FACTS (object);

  if (self->kernel != NULL)
    g_signal_handlers_disconnect_by_func (self->kernel, refresh_kernel, self);
  g_clear_object (&self->kernel);
  g_clear_object (&self->socket);
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (object), SP_TYPE_SOCKET_FACTS);

  G_OBJECT_CLASS (sp_socket_facts_parent_class)->dispose (object);
}

static void
sp_socket_facts_class_init (SpSocketFactsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sp_socket_facts_dispose;
  widget_class->map = sp_socket_facts_map;
  widget_class->unmap = sp_socket_facts_unmap;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PATH "/ui/sp-socket-facts.ui");
  gtk_widget_class_bind_template_child (widget_class, SpSocketFacts, protocol_fact);
  gtk_widget_class_bind_template_child (widget_class, SpSocketFacts, local_address_fact);
  gtk_widget_class_bind_template_child (widget_class, SpSocketFacts, local_port_row);
  gtk_widget_class_bind_template_child (widget_class, SpSocketFacts, local_port_fact);
  gtk_widget_class_bind_template_child (widget_class, SpSocketFacts, remote_address_fact);
  gtk_widget_class_bind_template_child (widget_class, SpSocketFacts, remote_port_fact);
  gtk_widget_class_bind_template_child (widget_class, SpSocketFacts, waiting_fact);
  gtk_widget_class_bind_template_child (widget_class, SpSocketFacts, tcp_state_row);
  gtk_widget_class_bind_template_child (widget_class, SpSocketFacts, tcp_state_fact);
  gtk_widget_class_bind_template_child (widget_class, SpSocketFacts, accept_queue_row);
  gtk_widget_class_bind_template_child (widget_class, SpSocketFacts, accept_queue_fact);
  gtk_widget_class_bind_template_child (widget_class, SpSocketFacts, calls_fact);
  gtk_widget_class_bind_template_child (widget_class, SpSocketFacts, sent_fact);
  gtk_widget_class_bind_template_child (widget_class, SpSocketFacts, received_fact);
}

static void
sp_socket_facts_init (SpSocketFacts *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
sp_socket_facts_new (void)
{
  return g_object_new (SP_TYPE_SOCKET_FACTS, NULL);
}

void
sp_socket_facts_set_socket (SpSocketFacts *self,
                            SpSocket      *socket,
                            SpFamily       family,
                            SpSocketType   type)
{
  g_return_if_fail (SP_IS_SOCKET_FACTS (self));
  g_return_if_fail (socket == NULL || SP_IS_SOCKET (socket));

  g_set_object (&self->socket, socket);
  self->family = family;
  self->type = type;
  update_watch (self);
  sp_socket_facts_refresh (self);
}
