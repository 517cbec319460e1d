/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include <string.h>

#include "sp-address-defaults.h"
#include "sp-data.h"
#include "sp-endpoint.h"
#include "sp-lifecycle.h"
#include "sp-labels.h"
#include "sp-socket-page.h"

/* A person needs time to go and click the peer before accept, connect or
 * recv gives up. */
#define INTERACTIVE_TIMEOUT_MS 30000
/* How often the kernel facts are read while the page is shown. */
#define FACTS_INTERVAL_MS      250

/* The text fields, each with the row beneath it that shows its error. */
typedef enum
{
  FIELD_BACKLOG,
  FIELD_PEER_ADDRESS,
  FIELD_PEER_PORT,
  FIELD_PROTOCOL,
  FIELD_ADDRESS,
  FIELD_PORT,
  FIELD_RCVBUF,
  FIELD_SNDBUF,
  FIELD_DATA,
  FIELD_COUNT,
  FIELD_INTERVAL,
  FIELD_BUFSIZE,
  N_FIELDS
} Field;

static const struct
{
  const char *row;
  const char *error;
} field_ids[N_FIELDS] = {
  [FIELD_BACKLOG] = { "backlog_row", "backlog_error" },
  [FIELD_PEER_ADDRESS] = { "peer_address_row", "peer_address_error" },
  [FIELD_PEER_PORT] = { "peer_port_row", "peer_port_error" },
  [FIELD_PROTOCOL] = { "protocol_row", "protocol_error" },
  [FIELD_ADDRESS] = { "address_row", "address_error" },
  [FIELD_PORT] = { "port_row", "port_error" },
  [FIELD_RCVBUF] = { "rcvbuf_row", "rcvbuf_error" },
  [FIELD_SNDBUF] = { "sndbuf_row", "sndbuf_error" },
  [FIELD_DATA] = { "data_row", "data_error" },
  [FIELD_COUNT] = { "count_row", "count_error" },
  [FIELD_INTERVAL] = { "interval_row", "interval_error" },
  [FIELD_BUFSIZE] = { "bufsize_row", "bufsize_error" },
};

/* The calls that have a button, in the order of the lifecycle. */
static const SpCall button_calls[] = {
  SP_CALL_SOCKET, SP_CALL_SETSOCKOPT, SP_CALL_BIND, SP_CALL_LISTEN, SP_CALL_ACCEPT,
  SP_CALL_CONNECT, SP_CALL_CONNECT_EX, SP_CALL_SEND, SP_CALL_SENDALL, SP_CALL_SENDTO,
  SP_CALL_RECV, SP_CALL_RECVFROM, SP_CALL_SHUTDOWN, SP_CALL_CLOSE, SP_CALL_GETSOCKNAME,
  SP_CALL_GETPEERNAME,
};

/* The options, in the order of the option chooser; the switches and
 * entries are found by name. */
static const struct
{
  const char *name;
  gboolean    is_bool;
} options[] = {
  { "SO_REUSEADDR", TRUE },
  { "SO_BROADCAST", TRUE },
  { "SO_KEEPALIVE", TRUE },
  { "TCP_NODELAY", TRUE },
  { "IPV6_V6ONLY", TRUE },
  { "SO_RCVBUF", FALSE },
  { "SO_SNDBUF", FALSE },
};

#define N_SWITCHES    5
#define OPTION_RCVBUF 5
#define OPTION_SNDBUF 6

/* The spin buttons of the impairment, in the order of its settings. */
typedef enum
{
  IMPAIR_DROP,
  IMPAIR_DUPLICATE,
  IMPAIR_REORDER,
  IMPAIR_DELAY,
  IMPAIR_SEED,
  N_IMPAIR
} Impair;

struct _SpSocketPage
{
  AdwBin          parent_instance;

  SpPlayer       *player;
  char           *socket_id;
  SpSocket       *socket;         /* the live socket, once it exists */

  GSignalGroup   *player_signals;
  GSignalGroup   *session_signals;
  GSignalGroup   *sockets_signals;
  GSignalGroup   *log_signals;
  GSignalGroup   *socket_signals;

  /* Steps started and not finished yet: index → socket id. */
  GHashTable     *in_flight;
  guint           facts_timeout_id;
  guint           facts_idle_id;

  /* Values of the fields, valid when messages[field] is NULL. */
  char           *messages[N_FIELDS];
  gint            backlog;
  gint            peer_port;
  gint            protocol;
  gint            port;
  gint64          rcvbuf;
  gint64          sndbuf;
  gint            count;
  gint            interval_ms;
  gint64          bufsize;
  GBytes         *data;

  GtkStack       *stack;
  GtkWidget      *header_box;
  GtkLabel       *title_label;
  GtkLabel       *kind_label;
  GtkLabel       *state_label;
  GtkSwitch      *let_fail_switch;
  AdwComboRow    *how_row;
  AdwComboRow    *peer_row;
  GtkStringList  *peer_model;
  GtkWidget      *form_group;
  AdwComboRow    *family_row;
  AdwComboRow    *type_row;
  GtkWidget      *accepted_group;
  GtkLabel       *listener_label;
  AdwComboRow    *option_row;
  GtkSwitch      *switches[N_SWITCHES];
  GtkWidget      *nodelay_row;
  GtkWidget      *v6only_row;
  GtkWidget      *impair_group;
  AdwExpanderRow *impair_row;
  GtkSpinButton  *impair_spins[N_IMPAIR];
  AdwActionRow   *address_hint;
  AdwComboRow    *mode_row;
  AdwComboRow    *encoding_row;
  GtkLabel       *preview_label;
  GtkSwitch      *auto_receive_switch;
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

  AdwEntryRow    *rows[N_FIELDS];
  AdwActionRow   *errors[N_FIELDS];

  /* Set while the page writes its own widgets or the session, so that the
   * change handlers do not take that for the user's edit. */
  guint           updating : 1;
  guint           auto_receive_pending : 1;
};

G_DEFINE_FINAL_TYPE (SpSocketPage, sp_socket_page, ADW_TYPE_BIN)

static void refresh (SpSocketPage *self);
static void refresh_facts (SpSocketPage *self);
static void update_actions (SpSocketPage *self);

/* Where the socket stands */

static SpSession *
get_session (SpSocketPage *self)
{
  return self->player != NULL ? sp_player_get_session (self->player) : NULL;
}

static SpSocketConfig *
get_config (SpSocketPage *self)
{
  SpSession *session = get_session (self);

  if (session == NULL || self->socket_id == NULL)
    return NULL;
  return sp_session_find_socket (session, self->socket_id);
}

static SpState
get_state (SpSocketPage *self)
{
  return self->socket != NULL ? sp_socket_get_state (self->socket) : SP_STATE_UNCREATED;
}

static SpFamily
get_family (SpSocketPage *self)
{
  SpSocketConfig *config = get_config (self);

  if (self->socket != NULL)
    return sp_socket_get_family (self->socket);
  return config != NULL ? config->family : SP_FAMILY_INET;
}

static SpSocketType
get_socket_type (SpSocketPage *self)
{
  SpSocketConfig *config = get_config (self);

  if (self->socket != NULL)
    return sp_socket_get_socket_type (self->socket);
  return config != NULL ? config->type : SP_SOCKET_TYPE_STREAM;
}

/* The kernel holds an open socket: its family, type and protocol are fixed. */
static gboolean
is_open (SpSocketPage *self)
{
  SpState state = get_state (self);

  return state != SP_STATE_UNCREATED && state != SP_STATE_CLOSED;
}

static gboolean
is_bound (SpSocketPage *self)
{
  return is_open (self) && sp_socket_get_local_address (self->socket) != NULL;
}

static gboolean
has_step_in_flight (SpSocketPage *self)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->in_flight);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      if (g_strcmp0 (value, self->socket_id) == 0)
        return TRUE;
    }

  return FALSE;
}

/* The address a new socket of `family` gets in the form: the default bind
 * address for IP (loopback unless the preferences say otherwise). */
static char *
default_address (SpSocketPage *self,
                 SpFamily      family)
{
  g_autofree char *name = NULL;

  if (family != SP_FAMILY_UNIX)
    return sp_default_bind_address (family);

  name = g_strdup_printf ("%s.sock", self->socket_id != NULL ? self->socket_id : "socket");
  return g_build_filename (g_get_tmp_dir (), name, NULL);
}

/* Validation */

static gboolean
parse_whole_number (const char  *text,
                    const char  *field,
                    gint64       min,
                    gint64       max,
                    gint64      *value,
                    GError     **error)
{
  if (!g_ascii_string_to_signed (text, 10, min, max, value, NULL))
    {
      g_set_error (error, SP_DATA_ERROR, SP_DATA_ERROR_INVALID,
                   _("%s: must be a whole number from %lld to %lld"),
                   field, (long long) min, (long long) max);
      return FALSE;
    }

  return TRUE;
}

static const char *
get_text (SpSocketPage *self,
          Field         field)
{
  return gtk_editable_get_text (GTK_EDITABLE (self->rows[field]));
}

static const char *
selected_string (AdwComboRow *row)
{
  GtkStringObject *item = adw_combo_row_get_selected_item (row);

  return item != NULL ? gtk_string_object_get_string (item) : NULL;
}

static gboolean
check_address (SpFamily     family,
               const char  *text,
               const char  *field,
               GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GObject) parsed = NULL;

  if (family == SP_FAMILY_UNIX)
    parsed = G_OBJECT (sp_endpoint_parse_unix (text, field, &local_error));
  else
    parsed = G_OBJECT (sp_endpoint_parse_inet_address (family, text, field, &local_error));

  /* A host name is resolved when the step runs, without blocking. */
  if (parsed != NULL ||
      g_error_matches (local_error, SP_ENDPOINT_ERROR, SP_ENDPOINT_ERROR_NEEDS_RESOLVING))
    return TRUE;

  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

static gboolean
parse_protocol (const char  *text,
                gint        *protocol,
                GError     **error)
{
  static const struct
  {
    const char *name;
    gint        number;
  } names[] = {
    { "tcp", 6 }, { "udp", 17 }, { "icmp", 1 }, { "icmpv6", 58 },
  };
  gint64 number;

  if (text[0] == '\0')
    {
      *protocol = 0;
      return TRUE;
    }

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      if (g_ascii_strcasecmp (text, names[i].name) == 0)
        {
          *protocol = names[i].number;
          return TRUE;
        }
    }

  if (g_ascii_string_to_signed (text, 10, 0, 255, &number, NULL))
    {
      *protocol = number;
      return TRUE;
    }

  g_set_error (error, SP_DATA_ERROR, SP_DATA_ERROR_INVALID,
               _("%s: must be a number from 0 to 255 or one of tcp, udp, icmp, icmpv6"),
               _("Protocol"));
  return FALSE;
}

static gboolean
parse_data (SpSocketPage  *self,
            GError       **error)
{
  const char *text = get_text (self, FIELD_DATA);
  g_autofree char *unescaped = NULL;
  gsize length;

  g_clear_pointer (&self->data, g_bytes_unref);

  if (adw_combo_row_get_selected (self->mode_row) == 1)
    {
      self->data = sp_data_parse_hex (text, _("Data"), error);
      return self->data != NULL;
    }

  unescaped = sp_data_parse_escapes (text, _("Data"), &length, error);
  if (unescaped == NULL)
    return FALSE;

  self->data = sp_data_encode (unescaped, length, selected_string (self->encoding_row),
                               _("Data"), error);
  return self->data != NULL;
}

/* Checks one field, keeps its value, and returns whether it is valid. */
static gboolean
check_field (SpSocketPage  *self,
             Field          field,
             GError       **error)
{
  const char *text = get_text (self, field);
  gint64 number = -1;
  guint16 port = 0;

  switch (field)
    {
    case FIELD_BACKLOG:
      if (text[0] != '\0' && !parse_whole_number (text, _("Backlog"), 0, 65535, &number, error))
        return FALSE;
      self->backlog = number;
      return TRUE;

    case FIELD_PEER_ADDRESS:
      if (text[0] == '\0')
        {
          g_set_error (error, SP_DATA_ERROR, SP_DATA_ERROR_INVALID,
                       _("%s: give the address to go to"), _("Peer address"));
          return FALSE;
        }
      return check_address (get_family (self), text, _("Peer address"), error);

    case FIELD_PEER_PORT:
      if (get_family (self) == SP_FAMILY_UNIX)
        return TRUE;
      if (!sp_endpoint_parse_port (text, _("Peer port"), &port, error))
        return FALSE;
      self->peer_port = port;
      return TRUE;

    case FIELD_PROTOCOL:
      return parse_protocol (text, &self->protocol, error);

    case FIELD_ADDRESS:
      /* A UNIX socket without a path stays unnamed until it connects. */
      if (text[0] == '\0' && get_family (self) == SP_FAMILY_UNIX)
        return TRUE;
      return check_address (get_family (self), text, _("Address"), error);

    case FIELD_PORT:
      self->port = -1;
      if (text[0] == '\0' || get_family (self) == SP_FAMILY_UNIX)
        return TRUE;
      if (!sp_endpoint_parse_port (text, _("Port"), &port, error))
        return FALSE;
      self->port = port;
      return TRUE;

    case FIELD_RCVBUF:
    case FIELD_SNDBUF:
      if (text[0] != '\0' &&
          !parse_whole_number (text, field == FIELD_RCVBUF ? "SO_RCVBUF" : "SO_SNDBUF",
                               1, G_MAXINT32, &number, error))
        return FALSE;
      if (field == FIELD_RCVBUF)
        self->rcvbuf = number;
      else
        self->sndbuf = number;
      return TRUE;

    case FIELD_DATA:
      return parse_data (self, error);

    case FIELD_COUNT:
      if (!parse_whole_number (text, _("Times to send"), 1, 10000, &number, error))
        return FALSE;
      self->count = number;
      return TRUE;

    case FIELD_INTERVAL:
      if (!parse_whole_number (text, _("Pause"), 0, 60000, &number, error))
        return FALSE;
      self->interval_ms = number;
      return TRUE;

    case FIELD_BUFSIZE:
      if (!parse_whole_number (text, _("Buffer size"), 1, 16 * 1024 * 1024, &number, error))
        return FALSE;
      self->bufsize = number;
      return TRUE;

    case N_FIELDS:
    default:
      g_assert_not_reached ();
    }
}

/* Binding every interface is allowed, and said plainly beneath the field. */
static void
update_address_hint (SpSocketPage *self)
{
  gboolean every = self->messages[FIELD_ADDRESS] == NULL &&
                   sp_address_is_every_interface (get_family (self),
                                                  get_text (self, FIELD_ADDRESS));

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->address_hint),
                                 every ? sp_every_interface_hint () : "");
  gtk_widget_set_visible (GTK_WIDGET (self->address_hint), every);
}

/* Shows the field's error in the row beneath it, or hides that row. */
static void
validate_field (SpSocketPage *self,
                Field         field)
{
  g_autoptr(GError) error = NULL;
  GtkWidget *row = GTK_WIDGET (self->rows[field]);
  AdwActionRow *error_row = self->errors[field];

  g_clear_pointer (&self->messages[field], g_free);
  if (!check_field (self, field, &error))
    self->messages[field] = g_strdup (error->message);

  if (self->messages[field] != NULL)
    {
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (error_row), self->messages[field]);
      gtk_widget_add_css_class (row, "error");
      gtk_accessible_update_state (GTK_ACCESSIBLE (row),
                                   GTK_ACCESSIBLE_STATE_INVALID, GTK_ACCESSIBLE_INVALID_TRUE,
                                   -1);
      gtk_accessible_update_property (GTK_ACCESSIBLE (row),
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, self->messages[field],
                                      -1);
    }
  else
    {
      gtk_widget_remove_css_class (row, "error");
      gtk_accessible_reset_state (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_STATE_INVALID);
      gtk_accessible_reset_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
    }
  gtk_widget_set_visible (GTK_WIDGET (error_row), self->messages[field] != NULL);

  if (field == FIELD_ADDRESS)
    update_address_hint (self);
}

static gboolean
fields_valid (SpSocketPage *self,
              ...)
{
  gboolean valid = TRUE;
  va_list args;
  int field;

  va_start (args, self);
  while ((field = va_arg (args, int)) != N_FIELDS)
    valid = valid && self->messages[field] == NULL;
  va_end (args);

  return valid;
}

static void
set_text (SpSocketPage *self,
          Field         field,
          const char   *text)
{
  /* Rewriting equal text would move the cursor of someone typing. */
  if (g_strcmp0 (get_text (self, field), text) != 0)
    gtk_editable_set_text (GTK_EDITABLE (self->rows[field]), text);
  validate_field (self, field);
}

/* Steps */

static gboolean
destination_valid (SpSocketPage *self)
{
  if (adw_combo_row_get_selected (self->peer_row) != 0)
    return TRUE;
  return fields_valid (self, FIELD_PEER_ADDRESS, FIELD_PEER_PORT, N_FIELDS);
}

static void
set_destination (SpSocketPage *self,
                 SpStep       *step)
{
  guint selected = adw_combo_row_get_selected (self->peer_row);

  if (selected != 0 && selected != GTK_INVALID_LIST_POSITION)
    {
      step->to = g_strdup (gtk_string_list_get_string (self->peer_model, selected));
      return;
    }

  step->address = g_strdup (get_text (self, FIELD_PEER_ADDRESS));
  if (get_family (self) != SP_FAMILY_UNIX)
    step->port = self->peer_port;
}

static void
set_data (SpSocketPage *self,
          SpStep       *step)
{
  const char *encoding = selected_string (self->encoding_row);
  g_autofree char *hex = NULL;
  gsize length;
  const guint8 *bytes = g_bytes_get_data (self->data, &length);
  g_autofree char *unescaped = NULL;
  gsize unescaped_length = 0;

  /* Text is kept as text, so a saved session reads as it was typed; what
   * a C string cannot hold (a NUL) goes as hex. */
  if (adw_combo_row_get_selected (self->mode_row) == 0)
    unescaped = sp_data_parse_escapes (get_text (self, FIELD_DATA), "data",
                                       &unescaped_length, NULL);

  if (unescaped != NULL && strlen (unescaped) == unescaped_length)
    step->data = sp_step_data_new_text (unescaped,
                                        g_strcmp0 (encoding, "utf-8") != 0 ? encoding : NULL,
                                        NULL);
  if (step->data == NULL)
    {
      hex = sp_data_format_hex (bytes, length);
      step->data = sp_step_data_new_hex (hex, NULL);
    }

  if (self->count > 1)
    {
      step->count = self->count;
      if (self->interval_ms > 0)
        step->interval_ms = self->interval_ms;
    }
}

/* An id for the socket accept returns that nothing has yet. */
static char *
fresh_connection_id (SpSocketPage *self)
{
  SpSession *session = get_session (self);

  for (guint n = 1; ; n++)
    {
      g_autofree char *id = n == 1 ? g_strdup ("conn") : g_strdup_printf ("conn%u", n);

      if (!sp_session_has_socket_id (session, id) &&
          sp_player_lookup_socket (self->player, id) == NULL)
        return g_steal_pointer (&id);
    }
}

static int
selected_option (SpSocketPage *self)
{
  guint selected = adw_combo_row_get_selected (self->option_row);

  return selected < G_N_ELEMENTS (options) ? (int) selected : 0;
}

/* The value the option row shows, FALSE when it has none. */
static gboolean
option_value (SpSocketPage *self,
              int           option,
              gint64       *value)
{
  /* The switches are the boolean options, first in the table. */
  if (option < N_SWITCHES)
    {
      *value = gtk_switch_get_active (self->switches[option]);
      return TRUE;
    }

  *value = option == OPTION_RCVBUF ? self->rcvbuf : self->sndbuf;
  return *value > 0 &&
         fields_valid (self, option == OPTION_RCVBUF ? FIELD_RCVBUF : FIELD_SNDBUF, N_FIELDS);
}

static void
perform_setsockopt (SpSocketPage *self,
                    int           option,
                    gint64        value)
{
  g_autoptr(SpStep) step = sp_step_new (self->socket_id, SP_CALL_SETSOCKOPT);

  step->option = g_strdup (options[option].name);
  step->value = value;
  step->value_is_bool = options[option].is_bool;
  sp_player_perform (self->player, step);
}

static void
perform_call (SpSocketPage *self,
              SpCall        call,
              gboolean      until_eof)
{
  g_autoptr(SpStep) step = NULL;
  gint64 value;

  if (self->player == NULL || self->socket_id == NULL)
    return;

  if (call == SP_CALL_SETSOCKOPT)
    {
      if (option_value (self, selected_option (self), &value))
        perform_setsockopt (self, selected_option (self), value);
      return;
    }

  step = sp_step_new (self->socket_id, call);

  switch (call)
    {
    case SP_CALL_LISTEN:
      step->backlog = self->backlog;
      break;

    case SP_CALL_ACCEPT:
      step->as = fresh_connection_id (self);
      step->timeout_ms = INTERACTIVE_TIMEOUT_MS;
      break;

    case SP_CALL_CONNECT:
    case SP_CALL_CONNECT_EX:
      set_destination (self, step);
      step->timeout_ms = INTERACTIVE_TIMEOUT_MS;
      break;

    case SP_CALL_SEND:
    case SP_CALL_SENDALL:
      set_data (self, step);
      break;

    case SP_CALL_SENDTO:
      set_data (self, step);
      set_destination (self, step);
      break;

    case SP_CALL_RECV:
    case SP_CALL_RECVFROM:
      step->bufsize = self->bufsize;
      step->until_eof = until_eof;
      step->timeout_ms = INTERACTIVE_TIMEOUT_MS;
      break;

    case SP_CALL_SHUTDOWN:
      step->how = (SpShutdownHow) adw_combo_row_get_selected (self->how_row);
      step->has_how = TRUE;
      break;

    case SP_CALL_SOCKET:
    case SP_CALL_SETSOCKOPT:
    case SP_CALL_BIND:
    case SP_CALL_RECV_INTO:
    case SP_CALL_CLOSE:
    case SP_CALL_GETSOCKNAME:
    case SP_CALL_GETPEERNAME:
    case SP_CALL_GETHOSTNAME:
    case SP_CALL_GETHOSTBYNAME:
    case SP_CALL_GETADDRINFO:
    case SP_CALL_SERVE:
    case SP_CALL_SLEEP:
    case SP_CALL_NOTE:
    case SP_N_CALLS:
    default:
      break;
    }

  sp_player_perform (self->player, step);
}

static SpCall
receive_call (SpSocketPage *self)
{
  SpSocketType type = get_socket_type (self);

  return type == SP_SOCKET_TYPE_DGRAM || type == SP_SOCKET_TYPE_RAW ? SP_CALL_RECVFROM
                                                                    : SP_CALL_RECV;
}

/* Whether the arguments `call` takes from the page are valid. */
static gboolean
arguments_valid (SpSocketPage *self,
                 SpCall        call)
{
  gint64 value;

  switch (call)
    {
    case SP_CALL_SOCKET:
      return get_config (self) == NULL || fields_valid (self, FIELD_PROTOCOL, N_FIELDS);
    case SP_CALL_SETSOCKOPT:
      return option_value (self, selected_option (self), &value);
    case SP_CALL_BIND:
      return get_config (self) == NULL || fields_valid (self, FIELD_ADDRESS, FIELD_PORT, N_FIELDS);
    case SP_CALL_LISTEN:
      return fields_valid (self, FIELD_BACKLOG, N_FIELDS);
    case SP_CALL_CONNECT:
    case SP_CALL_CONNECT_EX:
      return destination_valid (self);
    case SP_CALL_SEND:
    case SP_CALL_SENDALL:
      return fields_valid (self, FIELD_DATA, FIELD_COUNT, FIELD_INTERVAL, N_FIELDS);
    case SP_CALL_SENDTO:
      return fields_valid (self, FIELD_DATA, FIELD_COUNT, FIELD_INTERVAL, N_FIELDS) &&
             destination_valid (self);
    case SP_CALL_RECV:
    case SP_CALL_RECVFROM:
      return fields_valid (self, FIELD_BUFSIZE, N_FIELDS);
    case SP_CALL_ACCEPT:
    case SP_CALL_RECV_INTO:
    case SP_CALL_SHUTDOWN:
    case SP_CALL_CLOSE:
    case SP_CALL_GETSOCKNAME:
    case SP_CALL_GETPEERNAME:
    case SP_CALL_GETHOSTNAME:
    case SP_CALL_GETHOSTBYNAME:
    case SP_CALL_GETADDRINFO:
    case SP_CALL_SERVE:
    case SP_CALL_SLEEP:
    case SP_CALL_NOTE:
    case SP_N_CALLS:
    default:
      return TRUE;
    }
}

static gboolean
call_is_legal (SpSocketPage *self,
               SpCall        call)
{
  SpState state = get_state (self);

  /* The player makes a fresh socket for a socket() after close(). */
  if (call == SP_CALL_SOCKET && state == SP_STATE_CLOSED)
    state = SP_STATE_UNCREATED;

  return sp_lifecycle_is_legal (get_socket_type (self), state, call);
}

static gboolean
call_enabled (SpSocketPage *self,
              SpCall        call)
{
  if (self->player == NULL || self->socket_id == NULL ||
      (get_config (self) == NULL && self->socket == NULL))
    return FALSE;

  if (!gtk_switch_get_active (self->let_fail_switch) && !call_is_legal (self, call))
    return FALSE;

  return arguments_valid (self, call);
}

static void
update_actions (SpSocketPage *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (button_calls); i++)
    {
      g_autofree char *name = g_strconcat ("socket.", sp_call_to_string (button_calls[i]), NULL);

      gtk_widget_action_set_enabled (GTK_WIDGET (self), name,
                                     call_enabled (self, button_calls[i]));
    }

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "socket.receive-once",
                                 call_enabled (self, receive_call (self)));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "socket.receive-until-eof",
                                 get_socket_type (self) != SP_SOCKET_TYPE_DGRAM &&
                                 get_socket_type (self) != SP_SOCKET_TYPE_RAW &&
                                 call_enabled (self, SP_CALL_RECV));
}

static void
call_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  SpSocketPage *self = SP_SOCKET_PAGE (widget);
  SpCall call;

  if (g_str_equal (action_name, "socket.receive-once"))
    perform_call (self, receive_call (self), FALSE);
  else if (g_str_equal (action_name, "socket.receive-until-eof"))
    perform_call (self, SP_CALL_RECV, TRUE);
  else if (sp_call_from_string (action_name + strlen ("socket."), &call))
    perform_call (self, call, FALSE);
}

/* The session's configuration */

/* Writes what the user changed into a copy of the socket's configuration,
 * which replaces it in the session. */
static void
store_config (SpSocketPage *self,
              void        (*change) (SpSocketPage   *self,
                                     SpSocketConfig *config))
{
  SpSocketConfig *config = get_config (self);
  g_autoptr(SpSocketConfig) copy = NULL;

  if (config == NULL || self->updating)
    return;

  copy = sp_socket_config_copy (config);
  change (self, copy);

  self->updating = TRUE;
  sp_session_add_socket (get_session (self), copy);
  self->updating = FALSE;
}

static void
change_protocol (SpSocketPage   *self,
                 SpSocketConfig *config)
{
  const char *text = get_text (self, FIELD_PROTOCOL);

  config->protocol = self->protocol;
  g_clear_pointer (&config->protocol_name, g_free);
  if (text[0] != '\0' && !g_ascii_isdigit (text[0]))
    config->protocol_name = g_ascii_strdown (text, -1);
}

static void
change_address (SpSocketPage   *self,
                SpSocketConfig *config)
{
  const char *text = get_text (self, FIELD_ADDRESS);

  g_free (config->address);
  config->address = text[0] != '\0' || config->family != SP_FAMILY_UNIX ? g_strdup (text) : NULL;
}

static void
change_port (SpSocketPage   *self,
             SpSocketConfig *config)
{
  config->port = self->port;
}

static void
change_family_and_type (SpSocketPage   *self,
                        SpSocketConfig *config)
{
  config->family = (SpFamily) adw_combo_row_get_selected (self->family_row);
  config->type = (SpSocketType) adw_combo_row_get_selected (self->type_row);
  if (config->family == SP_FAMILY_UNIX)
    config->port = -1;
  /* A stream has no datagrams to impair. */
  if (!sp_socket_config_can_impair (config))
    config->has_impair = FALSE;
}

static guint
impair_value (SpSocketPage *self,
              Impair        which)
{
  return (guint) gtk_spin_button_get_value (self->impair_spins[which]);
}

static void
change_impair (SpSocketPage   *self,
               SpSocketConfig *config)
{
  config->has_impair = adw_expander_row_get_enable_expansion (self->impair_row);
  config->impair.drop = impair_value (self, IMPAIR_DROP);
  config->impair.duplicate = impair_value (self, IMPAIR_DUPLICATE);
  config->impair.reorder = impair_value (self, IMPAIR_REORDER);
  config->impair.delay_ms = impair_value (self, IMPAIR_DELAY);
  config->impair.seed = impair_value (self, IMPAIR_SEED);
}

static void
set_option (SpSocketConfig *config,
            const char     *name,
            gint64          value,
            gboolean        is_bool)
{
  /* An option turned off or emptied leaves the session, as if never set. */
  if (value <= 0)
    {
      for (guint i = 0; i < config->options->len; i++)
        {
          if (g_str_equal (g_array_index (config->options, SpSocketOption, i).name, name))
            {
              g_array_remove_index (config->options, i);
              break;
            }
        }
      return;
    }

  sp_socket_config_set_option (config, name, value, is_bool);
}

static void
change_options (SpSocketPage   *self,
                SpSocketConfig *config)
{
  for (guint i = 0; i < N_SWITCHES; i++)
    set_option (config, options[i].name, gtk_switch_get_active (self->switches[i]), TRUE);

  if (self->messages[FIELD_RCVBUF] == NULL)
    set_option (config, "SO_RCVBUF", self->rcvbuf, FALSE);
  if (self->messages[FIELD_SNDBUF] == NULL)
    set_option (config, "SO_SNDBUF", self->sndbuf, FALSE);
}

static gint64
config_option (SpSocketConfig *config,
               const char     *name)
{
  for (guint i = 0; config != NULL && i < config->options->len; i++)
    {
      SpSocketOption *option = &g_array_index (config->options, SpSocketOption, i);

      if (g_str_equal (option->name, name))
        return option->value;
    }

  return -1;
}

/* Change handlers */

static Field
find_field (SpSocketPage *self,
            gpointer      row)
{
  for (Field field = 0; field < N_FIELDS; field++)
    {
      if (self->rows[field] == row)
        return field;
    }

  g_return_val_if_reached (N_FIELDS);
}

static void
update_preview (SpSocketPage *self)
{
  g_autofree char *hex = NULL;
  g_autofree char *text = NULL;
  gsize length;
  const guint8 *bytes;

  if (self->messages[FIELD_DATA] != NULL || self->data == NULL)
    {
      gtk_label_set_text (self->preview_label, "—");
      return;
    }

  bytes = g_bytes_get_data (self->data, &length);
  if (length == 0)
    {
      gtk_label_set_text (self->preview_label, _("no bytes"));
      return;
    }

  /* A preview, not a dump: the traffic log shows every byte. */
  hex = sp_data_format_hex (bytes, MIN (length, 32));
  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%zu byte: %s%s", "%zu bytes: %s%s",
                                       length),
                          length, hex, length > 32 ? " …" : "");
  gtk_label_set_text (self->preview_label, text);
}

static void
on_field_changed (GtkEditable  *editable,
                  SpSocketPage *self)
{
  Field field = find_field (self, editable);

  if (field == N_FIELDS)
    return;

  validate_field (self, field);

  if (self->messages[field] == NULL)
    {
      switch (field)
        {
        case FIELD_PROTOCOL:
          store_config (self, change_protocol);
          break;
        case FIELD_ADDRESS:
          store_config (self, change_address);
          break;
        case FIELD_PORT:
          store_config (self, change_port);
          break;
        case FIELD_BACKLOG:
        case FIELD_PEER_ADDRESS:
        case FIELD_PEER_PORT:
        case FIELD_RCVBUF:
        case FIELD_SNDBUF:
        case FIELD_DATA:
        case FIELD_COUNT:
        case FIELD_INTERVAL:
        case FIELD_BUFSIZE:
        case N_FIELDS:
        default:
          break;
        }
    }

  if (field == FIELD_DATA)
    update_preview (self);
  update_actions (self);
}

/* A buffer size is applied with Enter or the apply button: each keystroke
 * would otherwise be a setsockopt call. */
static void
on_buffer_applied (AdwEntryRow  *row,
                   SpSocketPage *self)
{
  Field field = find_field (self, row);
  int option = field == FIELD_RCVBUF ? OPTION_RCVBUF : OPTION_SNDBUF;
  gint64 value;

  if (self->messages[field] != NULL)
    return;

  if (is_open (self))
    {
      if (option_value (self, option, &value))
        perform_setsockopt (self, option, value);
    }
  else
    store_config (self, change_options);
}

static void
on_switch_toggled (GtkSwitch    *toggle,
                   GParamSpec   *pspec,
                   SpSocketPage *self)
{
  if (self->updating)
    return;

  for (int i = 0; i < N_SWITCHES; i++)
    {
      if (self->switches[i] != toggle)
        continue;

      /* Before the socket exists an option is part of its configuration,
       * set when it is created; after, it is a call of its own. */
      if (is_open (self))
        perform_setsockopt (self, i, gtk_switch_get_active (toggle));
      else
        store_config (self, change_options);
    }

  update_actions (self);
}

static void
on_family_or_type_changed (AdwComboRow  *row,
                           GParamSpec   *pspec,
                           SpSocketPage *self)
{
  SpSocketConfig *config = get_config (self);
  SpFamily family = (SpFamily) adw_combo_row_get_selected (self->family_row);
  g_autofree char *old_default = NULL;
  g_autofree char *new_default = NULL;
  g_autoptr(GError) error = NULL;
  const char *address;
  SpFamily old_family;

  if (self->updating || config == NULL)
    return;

  old_family = config->family;
  old_default = default_address (self, old_family);
  store_config (self, change_family_and_type);

  /* An address that belonged to the old family (its default, or the
   * loopback an unset address stands for) gives way to the new family's
   * own, rather than turning into an error. */
  address = get_text (self, FIELD_ADDRESS);
  if (g_strcmp0 (address, old_default) == 0 ||
      (old_family != family && g_str_equal (address, sp_endpoint_loopback_text (old_family))) ||
      !check_address (family, address, _("Address"), &error))
    {
      new_default = default_address (self, family);
      gtk_editable_set_text (GTK_EDITABLE (self->rows[FIELD_ADDRESS]), new_default);
    }

  refresh (self);
}

static void
on_mode_or_encoding_changed (AdwComboRow  *row,
                             GParamSpec   *pspec,
                             SpSocketPage *self)
{
  validate_field (self, FIELD_DATA);
  update_preview (self);
  update_actions (self);
}

static void
on_peer_changed (AdwComboRow  *row,
                 GParamSpec   *pspec,
                 SpSocketPage *self)
{
  gboolean by_address = adw_combo_row_get_selected (self->peer_row) == 0;
  gboolean has_port = get_family (self) != SP_FAMILY_UNIX;

  gtk_widget_set_visible (GTK_WIDGET (self->rows[FIELD_PEER_ADDRESS]), by_address);
  gtk_widget_set_visible (GTK_WIDGET (self->errors[FIELD_PEER_ADDRESS]),
                          by_address && self->messages[FIELD_PEER_ADDRESS] != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->rows[FIELD_PEER_PORT]), by_address && has_port);
  gtk_widget_set_visible (GTK_WIDGET (self->errors[FIELD_PEER_PORT]),
                          by_address && has_port && self->messages[FIELD_PEER_PORT] != NULL);
  update_actions (self);
}

/* The impairment is the session's, read by the player at each step: a
 * change applies from the next datagram on, socket open or not. */
static void
on_impair_value_changed (GtkSpinButton *spin,
                         SpSocketPage  *self)
{
  store_config (self, change_impair);
}

static void
on_impair_enabled (AdwExpanderRow *row,
                   GParamSpec     *pspec,
                   SpSocketPage   *self)
{
  store_config (self, change_impair);
}

static void
on_option_selected (AdwComboRow  *row,
                    GParamSpec   *pspec,
                    SpSocketPage *self)
{
  update_actions (self);
}

static void
on_let_fail_changed (GtkSwitch    *toggle,
                     GParamSpec   *pspec,
                     SpSocketPage *self)
{
  update_actions (self);
}

/* Refreshing from the session and the live socket */

/* The other sockets a connect can go to, keeping the one chosen. */
static void
refresh_peers (SpSocketPage *self)
{
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *chosen = NULL;
  SpSession *session = get_session (self);
  guint selected = adw_combo_row_get_selected (self->peer_row);
  guint n_items = g_list_model_get_n_items (G_LIST_MODEL (self->peer_model));
  guint position = 0;
  GListModel *models[2] = { NULL, NULL };

  if (selected != 0 && selected < n_items)
    chosen = g_strdup (gtk_string_list_get_string (self->peer_model, selected));

  if (session != NULL)
    {
      models[0] = sp_session_get_sockets (session);
      models[1] = sp_player_get_sockets (self->player);
    }

  g_ptr_array_add (ids, g_strdup (_("Address…")));
  for (guint m = 0; m < G_N_ELEMENTS (models) && models[m] != NULL; m++)
    {
      for (guint i = 0; i < g_list_model_get_n_items (models[m]); i++)
        {
          g_autoptr(GObject) item = g_list_model_get_item (models[m], i);
          const char *id = SP_IS_SOCKET (item) ? sp_socket_get_id (SP_SOCKET (item))
                                               : SP_SOCKET_CONFIG (item)->id;

          if (g_strcmp0 (id, self->socket_id) != 0 &&
              !g_ptr_array_find_with_equal_func (ids, id, g_str_equal, NULL))
            g_ptr_array_add (ids, g_strdup (id));
        }
    }

  /* Keep the socket chosen; "Address…" when the user chose it; else the
   * first other socket, which in a client and server session is the
   * other end. */
  if (chosen == NULL || !g_ptr_array_find_with_equal_func (ids, chosen, g_str_equal, &position))
    position = (chosen == NULL && n_items > 1) || ids->len == 1 ? 0 : 1;

  g_ptr_array_add (ids, NULL);

  self->updating = TRUE;
  gtk_string_list_splice (self->peer_model, 0, n_items, (const char * const *) ids->pdata);
  adw_combo_row_set_selected (self->peer_row, position);
  self->updating = FALSE;
}

static void
set_locked (GtkWidget  *row,
            gboolean    locked,
            const char *why)
{
  gtk_widget_set_sensitive (row, !locked);
  gtk_widget_set_tooltip_text (row, locked ? why : NULL);
}

/* The form shows the configuration, locked where the kernel has fixed it. */
static void
refresh_form (SpSocketPage *self)
{
  SpSocketConfig *config = get_config (self);
  g_autofree char *port = NULL;
  g_autofree char *protocol = NULL;
  g_autofree char *address = NULL;
  const char *fixed = _("The kernel fixed this when socket() made the socket");
  const char *bound = _("The socket is bound; an address cannot change once bound");
  SpFamily family = get_family (self);
  SpSocketType type = get_socket_type (self);
  gboolean open = is_open (self);
  gint64 value;

  gtk_widget_set_visible (self->form_group, config != NULL);
  gtk_widget_set_visible (self->accepted_group, config == NULL);

  if (config != NULL)
    {
      self->updating = TRUE;
      adw_combo_row_set_selected (self->family_row, config->family);
      adw_combo_row_set_selected (self->type_row, config->type);
      self->updating = FALSE;

      if (config->protocol_name != NULL)
        protocol = g_strdup (config->protocol_name);
      else if (config->protocol != 0)
        protocol = g_strdup_printf ("%d", config->protocol);
      else
        protocol = g_strdup ("");

      /* An unset address binds loopback, so that is what the form shows,
       * whatever the default for new sockets is. */
      address = config->address != NULL ? g_strdup (config->address)
                                         : config->family == SP_FAMILY_UNIX ? g_strdup ("")
                                         : g_strdup (sp_endpoint_loopback_text (config->family));
      port = config->port >= 0 ? g_strdup_printf ("%d", config->port) : g_strdup ("");

      self->updating = TRUE;
      set_text (self, FIELD_PROTOCOL, protocol);
      set_text (self, FIELD_ADDRESS, address);
      set_text (self, FIELD_PORT, port);
      self->updating = FALSE;
    }
  else if (self->socket != NULL)
    {
      SpSocket *listener = sp_socket_get_listener (self->socket);

      gtk_label_set_text (self->listener_label,
                          listener != NULL ? sp_socket_get_id (listener) : "—");
    }

  set_locked (GTK_WIDGET (self->family_row), open, fixed);
  set_locked (GTK_WIDGET (self->type_row), open, fixed);
  set_locked (GTK_WIDGET (self->rows[FIELD_PROTOCOL]), open, fixed);
  set_locked (GTK_WIDGET (self->rows[FIELD_ADDRESS]), is_bound (self), bound);
  set_locked (GTK_WIDGET (self->rows[FIELD_PORT]), is_bound (self) || family == SP_FAMILY_UNIX,
              family == SP_FAMILY_UNIX ? _("A UNIX socket has a path, not a port") : bound);

  gtk_widget_set_visible (self->impair_group,
                          config != NULL && sp_socket_config_can_impair (config));
  if (config != NULL)
    {
      const SpImpairmentSettings *impair = &config->impair;

      self->updating = TRUE;
      adw_expander_row_set_enable_expansion (self->impair_row, config->has_impair);
      gtk_spin_button_set_value (self->impair_spins[IMPAIR_DROP], impair->drop);
      gtk_spin_button_set_value (self->impair_spins[IMPAIR_DUPLICATE], impair->duplicate);
      gtk_spin_button_set_value (self->impair_spins[IMPAIR_REORDER], impair->reorder);
      gtk_spin_button_set_value (self->impair_spins[IMPAIR_DELAY], impair->delay_ms);
      gtk_spin_button_set_value (self->impair_spins[IMPAIR_SEED], impair->seed);
      self->updating = FALSE;
    }

  set_locked (self->v6only_row, family != SP_FAMILY_INET6,
              _("IPV6_V6ONLY is an option of IPv6 sockets"));
  set_locked (self->nodelay_row,
              family == SP_FAMILY_UNIX || type != SP_SOCKET_TYPE_STREAM,
              _("TCP_NODELAY is an option of TCP sockets"));

  /* Once the socket is open the switches say what was asked of the
   * kernel since, which the configuration no longer records. */
  if (!open && config != NULL)
    {
      g_autofree char *rcvbuf = NULL;
      g_autofree char *sndbuf = NULL;

      self->updating = TRUE;
      for (guint i = 0; i < N_SWITCHES; i++)
        gtk_switch_set_active (self->switches[i], config_option (config, options[i].name) > 0);
      value = config_option (config, "SO_RCVBUF");
      rcvbuf = value > 0 ? g_strdup_printf ("%" G_GINT64_FORMAT, value) : g_strdup ("");
      value = config_option (config, "SO_SNDBUF");
      sndbuf = value > 0 ? g_strdup_printf ("%" G_GINT64_FORMAT, value) : g_strdup ("");
      set_text (self, FIELD_RCVBUF, rcvbuf);
      set_text (self, FIELD_SNDBUF, sndbuf);
      self->updating = FALSE;
    }
}

static void
refresh_header (SpSocketPage *self)
{
  g_autofree char *kind = NULL;
  g_autofree char *summary = NULL;
  const char *state = sp_state_label (get_state (self));

  kind = sp_socket_kind_label (get_family (self), get_socket_type (self));
  gtk_label_set_text (self->title_label, self->socket_id);
  gtk_label_set_text (self->kind_label, kind);
  gtk_label_set_text (self->state_label, state);

  /* What a screen reader says for the header, kept current. */
  summary = g_strdup_printf (_("Socket %s, %s %s, %s"), self->socket_id,
                             sp_family_label (get_family (self)), sp_socket_type_label (get_socket_type (self)),
                             state);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->header_box),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, summary,
                                  -1);
}

/* Facts */

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
protocol_name (SpSocketPage *self)
{
  SpFamily family = get_family (self);
  SpSocketType type = get_socket_type (self);

  if (family == SP_FAMILY_UNIX)
    return _("UNIX domain");
  if (type == SP_SOCKET_TYPE_STREAM)
    return "TCP";
  if (type == SP_SOCKET_TYPE_DGRAM)
    return "UDP";
  if (type == SP_SOCKET_TYPE_RAW)
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
refresh_facts (SpSocketPage *self)
{
  SpSocket *socket = self->socket;
  GSocketAddress *local = socket != NULL ? sp_socket_get_local_address (socket) : NULL;
  GSocketAddress *remote = socket != NULL ? sp_socket_get_remote_address (socket) : NULL;
  g_autofree char *local_text = format_address (local);
  g_autofree char *remote_text = format_address (remote);
  g_autofree char *local_port = format_port (local);
  g_autofree char *remote_port = format_port (remote);
  g_autofree char *waiting_text = NULL;
  g_autofree char *queue_text = NULL;
  g_autofree char *calls = NULL;
  g_autofree char *sent = NULL;
  g_autofree char *received = NULL;
  const char *tcp_state = NULL;
  gssize waiting = -1;
  int queue = -1;

  if (socket != NULL)
    {
      waiting = sp_socket_get_bytes_waiting (socket);
      tcp_state = sp_socket_get_tcp_state (socket);
      queue = sp_socket_get_accept_queue (socket);
    }

  if (local != NULL && G_IS_INET_SOCKET_ADDRESS (local) &&
      sp_socket_get_port_chosen_by_kernel (socket))
    adw_action_row_set_subtitle (self->local_port_row,
                                 _("An ephemeral port chosen by the kernel"));
  else
    adw_action_row_set_subtitle (self->local_port_row, "");

  if (waiting > 0)
    waiting_text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%zd byte waiting",
                                                 "%zd bytes waiting", waiting),
                                    waiting);
  else
    waiting_text = g_strdup (waiting == 0 ? _("nothing waiting") : "—");

  if (queue >= 0)
    queue_text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d connection waiting",
                                               "%d connections waiting", queue),
                                  queue);

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
  set_label (self->waiting_fact, waiting_text);
  gtk_widget_set_visible (self->tcp_state_row, tcp_state != NULL);
  set_label (self->tcp_state_fact, tcp_state != NULL ? tcp_state : "—");
  gtk_widget_set_visible (self->accept_queue_row, queue >= 0);
  set_label (self->accept_queue_fact, queue_text != NULL ? queue_text : "—");
  set_label (self->calls_fact, calls);
  set_label (self->sent_fact, sent);
  set_label (self->received_fact, received);
}

/* Auto-receive takes what is waiting, one recv at a time. */
static void
maybe_auto_receive (SpSocketPage *self)
{
  g_autoptr(SpStep) step = NULL;

  if (!gtk_switch_get_active (self->auto_receive_switch) || self->socket == NULL ||
      self->auto_receive_pending || has_step_in_flight (self) ||
      sp_socket_get_bytes_waiting (self->socket) <= 0 ||
      !call_is_legal (self, receive_call (self)) || self->messages[FIELD_BUFSIZE] != NULL)
    return;

  step = sp_step_new (self->socket_id, receive_call (self));
  step->bufsize = self->bufsize;
  self->auto_receive_pending = TRUE;
  sp_player_perform (self->player, step);
}

static gboolean
on_facts_timeout (gpointer user_data)
{
  SpSocketPage *self = user_data;

  refresh_facts (self);
  maybe_auto_receive (self);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_facts_idle (gpointer user_data)
{
  SpSocketPage *self = user_data;

  self->facts_idle_id = 0;
  refresh_facts (self);
  maybe_auto_receive (self);
  return G_SOURCE_REMOVE;
}

/* Many events can arrive at once (a recv until EOF); the facts are read
 * once for all of them. */
static void
on_log_appended (SpSocketPage *self)
{
  if (self->facts_idle_id == 0)
    self->facts_idle_id = g_idle_add (on_facts_idle, self);
}

static void
refresh (SpSocketPage *self)
{
  gboolean shown = self->player != NULL && self->socket_id != NULL &&
                   (get_config (self) != NULL || self->socket != NULL);

  gtk_stack_set_visible_child_name (self->stack, shown ? "socket" : "empty");
  if (shown)
    {
      refresh_header (self);
      refresh_form (self);
      refresh_peers (self);
      /* Most peers are on this machine. */
      if (get_text (self, FIELD_PEER_ADDRESS)[0] == '\0' && get_family (self) != SP_FAMILY_UNIX)
        gtk_editable_set_text (GTK_EDITABLE (self->rows[FIELD_PEER_ADDRESS]),
                               sp_endpoint_loopback_text (get_family (self)));
      validate_field (self, FIELD_PEER_ADDRESS);
      validate_field (self, FIELD_PEER_PORT);
      on_peer_changed (self->peer_row, NULL, self);
      refresh_facts (self);
    }
  update_actions (self);
}

/* Follows the live socket of the id, which comes and goes with restarts
 * and accept. */
static void
lookup_socket (SpSocketPage *self)
{
  SpSocket *socket = NULL;

  if (self->player != NULL && self->socket_id != NULL)
    socket = sp_player_lookup_socket (self->player, self->socket_id);

  if (g_set_object (&self->socket, socket))
    g_signal_group_set_target (self->socket_signals, socket);
}

static void
on_socket_state (SpSocketPage *self)
{
  refresh (self);
}

static void
on_sockets_changed (SpSocketPage *self)
{
  if (self->updating)
    {
      update_actions (self);
      return;
    }

  lookup_socket (self);
  refresh (self);
}

static void
on_step_started (SpSocketPage *self,
                 guint         index)
{
  SpStep *step = sp_session_get_step (get_session (self), index);

  if (step != NULL)
    g_hash_table_replace (self->in_flight, GUINT_TO_POINTER (index), g_strdup (step->socket));
}

static void
on_step_finished (SpSocketPage *self,
                  guint         index)
{
  SpStep *step = sp_session_get_step (get_session (self), index);

  g_hash_table_remove (self->in_flight, GUINT_TO_POINTER (index));
  if (step != NULL && g_strcmp0 (step->socket, self->socket_id) == 0)
    {
      if (step->call == SP_CALL_RECV || step->call == SP_CALL_RECVFROM)
        self->auto_receive_pending = FALSE;
      refresh_facts (self);
    }
}

/* A restart abandons the steps that were running without finishing them. */
static void
on_position_changed (SpSocketPage *self)
{
  if (sp_player_get_position (self->player) == 0)
    {
      g_hash_table_remove_all (self->in_flight);
      self->auto_receive_pending = FALSE;
    }
}

/* The widget */

static void
sp_socket_page_map (GtkWidget *widget)
{
  SpSocketPage *self = SP_SOCKET_PAGE (widget);

  GTK_WIDGET_CLASS (sp_socket_page_parent_class)->map (widget);

  if (self->facts_timeout_id == 0)
    self->facts_timeout_id = g_timeout_add (FACTS_INTERVAL_MS, on_facts_timeout, self);
}

static void
sp_socket_page_unmap (GtkWidget *widget)
{
  SpSocketPage *self = SP_SOCKET_PAGE (widget);

  g_clear_handle_id (&self->facts_timeout_id, g_source_remove);

  GTK_WIDGET_CLASS (sp_socket_page_parent_class)->unmap (widget);
}

static void
sp_socket_page_dispose (GObject *object)
{
  SpSocketPage *self = SP_SOCKET_PAGE (object);

  g_clear_handle_id (&self->facts_timeout_id, g_source_remove);
  g_clear_handle_id (&self->facts_idle_id, g_source_remove);

  if (self->player_signals != NULL)
    {
      g_signal_group_set_target (self->player_signals, NULL);
      g_signal_group_set_target (self->session_signals, NULL);
      g_signal_group_set_target (self->sockets_signals, NULL);
      g_signal_group_set_target (self->log_signals, NULL);
      g_signal_group_set_target (self->socket_signals, NULL);
    }
  g_clear_object (&self->player_signals);
  g_clear_object (&self->session_signals);
  g_clear_object (&self->sockets_signals);
  g_clear_object (&self->log_signals);
  g_clear_object (&self->socket_signals);

  g_clear_object (&self->socket);
  g_clear_object (&self->player);
  g_clear_pointer (&self->data, g_bytes_unref);

  /* AdwBin would otherwise unparent its child after the template has
   * already disposed of it. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (object), SP_TYPE_SOCKET_PAGE);

  G_OBJECT_CLASS (sp_socket_page_parent_class)->dispose (object);
}

static void
sp_socket_page_finalize (GObject *object)
{
  SpSocketPage *self = SP_SOCKET_PAGE (object);

  for (guint i = 0; i < N_FIELDS; i++)
    g_free (self->messages[i]);
  g_hash_table_unref (self->in_flight);
  g_free (self->socket_id);

  G_OBJECT_CLASS (sp_socket_page_parent_class)->finalize (object);
}

static void
sp_socket_page_class_init (SpSocketPageClass *klass)
{
  static const char *switch_ids[N_SWITCHES] = {
    "reuseaddr_switch", "broadcast_switch", "keepalive_switch", "nodelay_switch",
    "v6only_switch",
  };
  static const char *impair_ids[N_IMPAIR] = {
    "impair_drop_spin", "impair_duplicate_spin", "impair_reorder_spin", "impair_delay_spin",
    "impair_seed_spin",
  };
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sp_socket_page_dispose;
  object_class->finalize = sp_socket_page_finalize;
  widget_class->map = sp_socket_page_map;
  widget_class->unmap = sp_socket_page_unmap;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/ui/sp-socket-page.ui");
  gtk_widget_class_bind_template_child (widget_class, SpSocketPage, stack);
  gtk_widget_class_bind_template_child (widget_class, SpSocketPage, header_box);
  gtk_widget_class_bind_template_child (widget_class, SpSocketPage, title_label);
  gtk_widget_class_bind_template_child (widget_class, SpSocketPage, kind_label);
  gtk_widget_class_bind_template_child (widget_class, SpSocketPage, state_label);
  gtk_widget_class_bind_template_child (widget_class, SpSocketPage, let_fail_switch);
  gtk_widget_class_bind_template_child (widget_class, SpSocketPage, how_row);
  gtk_widget_class_bind_template_child (widget_class, SpSocketPage, peer_row);
  gtk_widget_class_bind_template_child (widget_class, SpSocketPage, peer_model);
  gtk_widget_class_bind_template_child (widget_class, SpSocketPage, form_group);
  gtk_widget_class_bind_template_child (widget_class, SpSocketPage, family_row);
  gtk_widget_class_bind_template_child (widget_class, SpSocketPage, type_row);
  gtk_widget_class_bind_template_child (widget_class, SpSocketPage, accepted_group);
  gtk_widget_class_bind_template_child (widget_class, SpSocketPage, listener_label);
  gtk_widget_class_bind_template_child (widget_class, SpSocketPage, option_row);
  gtk_widget_class_bind_template_child (widget_class, SpSocketPage, nodelay_row);
  gtk_widget_class_bind_template_child (widget_class, SpSocketPage, v6only_row);
  gtk_widget_class_bind_template_child (widget_class, SpSocketPage, address_hint);
  gtk_widget_class_bind_template_child (widget_class, SpSocketPage, mode_row);
  gtk_widget_class_bind_template_child (widget_class, SpSocketPage, encoding_row);
  gtk_widget_class_bind_template_child (widget_class, SpSocketPage, preview_label);
  gtk_widget_class_bind_template_child (widget_class, SpSocketPage, auto_receive_switch);
  gtk_widget_class_bind_template_child (widget_class, SpSocketPage, protocol_fact);
  gtk_widget_class_bind_template_child (widget_class, SpSocketPage, local_address_fact);
  gtk_widget_class_bind_template_child (widget_class, SpSocketPage, local_port_row);
  gtk_widget_class_bind_template_child (widget_class, SpSocketPage, local_port_fact);
  gtk_widget_class_bind_template_child (widget_class, SpSocketPage, remote_address_fact);
  gtk_widget_class_bind_template_child (widget_class, SpSocketPage, remote_port_fact);
  gtk_widget_class_bind_template_child (widget_class, SpSocketPage, waiting_fact);
  gtk_widget_class_bind_template_child (widget_class, SpSocketPage, tcp_state_row);
  gtk_widget_class_bind_template_child (widget_class, SpSocketPage, tcp_state_fact);
  gtk_widget_class_bind_template_child (widget_class, SpSocketPage, accept_queue_row);
  gtk_widget_class_bind_template_child (widget_class, SpSocketPage, accept_queue_fact);
  gtk_widget_class_bind_template_child (widget_class, SpSocketPage, calls_fact);
  gtk_widget_class_bind_template_child (widget_class, SpSocketPage, sent_fact);
  gtk_widget_class_bind_template_child (widget_class, SpSocketPage, received_fact);

  for (guint i = 0; i < N_SWITCHES; i++)
    gtk_widget_class_bind_template_child_full (widget_class, switch_ids[i], FALSE,
                                               G_STRUCT_OFFSET (SpSocketPage, switches)
                                               + i * sizeof (gpointer));

  gtk_widget_class_bind_template_child (widget_class, SpSocketPage, impair_group);
  gtk_widget_class_bind_template_child (widget_class, SpSocketPage, impair_row);
  for (guint i = 0; i < N_IMPAIR; i++)
    gtk_widget_class_bind_template_child_full (widget_class, impair_ids[i], FALSE,
                                               G_STRUCT_OFFSET (SpSocketPage, impair_spins)
                                               + i * sizeof (gpointer));

  for (guint i = 0; i < N_FIELDS; i++)
    {
      gtk_widget_class_bind_template_child_full (widget_class, field_ids[i].row, FALSE,
                                                 G_STRUCT_OFFSET (SpSocketPage, rows)
                                                 + i * sizeof (gpointer));
      gtk_widget_class_bind_template_child_full (widget_class, field_ids[i].error, FALSE,
                                                 G_STRUCT_OFFSET (SpSocketPage, errors)
                                                 + i * sizeof (gpointer));
    }

  for (guint i = 0; i < G_N_ELEMENTS (button_calls); i++)
    {
      g_autofree char *name = g_strconcat ("socket.", sp_call_to_string (button_calls[i]), NULL);

      gtk_widget_class_install_action (widget_class, name, NULL, call_activated);
    }
  gtk_widget_class_install_action (widget_class, "socket.receive-once", NULL, call_activated);
  gtk_widget_class_install_action (widget_class, "socket.receive-until-eof", NULL,
                                   call_activated);
}

static void
sp_socket_page_init (SpSocketPage *self)
{
  self->in_flight = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  self->backlog = -1;
  self->port = -1;
  self->rcvbuf = -1;
  self->sndbuf = -1;

  gtk_widget_init_template (GTK_WIDGET (self));

  for (guint i = 0; i < N_FIELDS; i++)
    {
      g_signal_connect (self->rows[i], "changed", G_CALLBACK (on_field_changed), self);
      validate_field (self, i);
    }
  g_signal_connect (self->rows[FIELD_RCVBUF], "apply", G_CALLBACK (on_buffer_applied), self);
  g_signal_connect (self->rows[FIELD_SNDBUF], "apply", G_CALLBACK (on_buffer_applied), self);
  for (guint i = 0; i < N_SWITCHES; i++)
    g_signal_connect (self->switches[i], "notify::active", G_CALLBACK (on_switch_toggled), self);
  for (guint i = 0; i < N_IMPAIR; i++)
    g_signal_connect (self->impair_spins[i], "value-changed",
                      G_CALLBACK (on_impair_value_changed), self);
  g_signal_connect (self->impair_row, "notify::enable-expansion",
                    G_CALLBACK (on_impair_enabled), self);

  g_signal_connect (self->family_row, "notify::selected",
                    G_CALLBACK (on_family_or_type_changed), self);
  g_signal_connect (self->type_row, "notify::selected",
                    G_CALLBACK (on_family_or_type_changed), self);
  g_signal_connect (self->mode_row, "notify::selected",
                    G_CALLBACK (on_mode_or_encoding_changed), self);
  g_signal_connect (self->encoding_row, "notify::selected",
                    G_CALLBACK (on_mode_or_encoding_changed), self);
  g_signal_connect (self->peer_row, "notify::selected", G_CALLBACK (on_peer_changed), self);
  g_signal_connect (self->option_row, "notify::selected", G_CALLBACK (on_option_selected), self);
  g_signal_connect (self->let_fail_switch, "notify::active",
                    G_CALLBACK (on_let_fail_changed), self);

  self->player_signals = g_signal_group_new (SP_TYPE_PLAYER);
  g_signal_group_connect_swapped (self->player_signals, "socket-added",
                                  G_CALLBACK (on_sockets_changed), self);
  g_signal_group_connect_swapped (self->player_signals, "step-started",
                                  G_CALLBACK (on_step_started), self);
  g_signal_group_connect_swapped (self->player_signals, "step-finished",
                                  G_CALLBACK (on_step_finished), self);
  g_signal_group_connect_swapped (self->player_signals, "notify::position",
                                  G_CALLBACK (on_position_changed), self);

  self->session_signals = g_signal_group_new (G_TYPE_LIST_MODEL);
  g_signal_group_connect_swapped (self->session_signals, "items-changed",
                                  G_CALLBACK (on_sockets_changed), self);
  self->sockets_signals = g_signal_group_new (G_TYPE_LIST_MODEL);
  g_signal_group_connect_swapped (self->sockets_signals, "items-changed",
                                  G_CALLBACK (on_sockets_changed), self);
  self->log_signals = g_signal_group_new (SP_TYPE_TRAFFIC_LOG);
  g_signal_group_connect_swapped (self->log_signals, "appended",
                                  G_CALLBACK (on_log_appended), self);
  self->socket_signals = g_signal_group_new (SP_TYPE_SOCKET);
  g_signal_group_connect_swapped (self->socket_signals, "notify::state",
                                  G_CALLBACK (on_socket_state), self);

  update_preview (self);
  refresh (self);
}

GtkWidget *
sp_socket_page_new (void)
{
  return g_object_new (SP_TYPE_SOCKET_PAGE, NULL);
}

void
sp_socket_page_set_player (SpSocketPage *self,
                           SpPlayer     *player)
{
  g_return_if_fail (SP_IS_SOCKET_PAGE (self));
  g_return_if_fail (player == NULL || SP_IS_PLAYER (player));

  if (!g_set_object (&self->player, player))
    return;

  g_hash_table_remove_all (self->in_flight);
  self->auto_receive_pending = FALSE;

  g_signal_group_set_target (self->player_signals, player);
  g_signal_group_set_target (self->session_signals,
                             player != NULL ? sp_session_get_sockets (get_session (self)) : NULL);
  g_signal_group_set_target (self->sockets_signals,
                             player != NULL ? sp_player_get_sockets (player) : NULL);
  g_signal_group_set_target (self->log_signals,
                             player != NULL ? sp_player_get_log (player) : NULL);

  lookup_socket (self);
  refresh (self);
}

void
sp_socket_page_set_socket_id (SpSocketPage *self,
                              const char   *id)
{
  g_return_if_fail (SP_IS_SOCKET_PAGE (self));

  if (g_strcmp0 (self->socket_id, id) == 0)
    return;

  g_free (self->socket_id);
  self->socket_id = g_strdup (id);

  self->auto_receive_pending = FALSE;
  lookup_socket (self);

  /* A socket chosen afresh shows its configuration, and the options as
   * they were configured. */
  if (is_open (self))
    {
      SpSocketConfig *config = get_config (self);

      self->updating = TRUE;
      for (guint i = 0; i < N_SWITCHES; i++)
        gtk_switch_set_active (self->switches[i], config_option (config, options[i].name) > 0);
      self->updating = FALSE;
    }

  refresh (self);
}

const char *
sp_socket_page_get_socket_id (SpSocketPage *self)
{
  g_return_val_if_fail (SP_IS_SOCKET_PAGE (self), NULL);
  return self->socket_id;
}

void
sp_socket_page_set_encoding (SpSocketPage *self,
                             const char   *encoding)
{
  GListModel *encodings;

  g_return_if_fail (SP_IS_SOCKET_PAGE (self));
  g_return_if_fail (encoding != NULL);

  encodings = adw_combo_row_get_model (self->encoding_row);
  for (guint i = 0; i < g_list_model_get_n_items (encodings); i++)
    {
      g_autoptr(GtkStringObject) item = g_list_model_get_item (encodings, i);

      if (g_str_equal (gtk_string_object_get_string (item), encoding))
        {
          adw_combo_row_set_selected (self->encoding_row, i);
          return;
        }
    }
}
