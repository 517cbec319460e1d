/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "sp-impairment.h"
#include "sp-step.h"

G_BEGIN_DECLS

#define SP_SESSION_FORMAT  "socket-playground-session"
#define SP_SESSION_VERSION 1
/* Far more than any session needs; what a loader reads at most. */
#define SP_SESSION_MAX_FILE_SIZE (16 * 1024 * 1024)

#define SP_SESSION_ERROR (sp_session_error_quark ())

typedef enum
{
  SP_SESSION_ERROR_IO,        /* could not read or write the file */
  SP_SESSION_ERROR_SYNTAX,    /* "FILE:LINE:COL: message" */
  SP_SESSION_ERROR_INVALID,   /* "FILE: steps[3].bufsize: message" */
  SP_SESSION_ERROR_VERSION,   /* a newer version than this build reads */
} SpSessionError;

GQuark sp_session_error_quark (void);

typedef struct
{
  char     *name;      /* "SO_REUSEADDR" */
  gint64    value;
  gboolean  is_bool;
} SpSocketOption;

#define SP_TYPE_SOCKET_CONFIG (sp_socket_config_get_type ())

G_DECLARE_FINAL_TYPE (SpSocketConfig, sp_socket_config, SP, SOCKET_CONFIG, GObject)

/* A socket as the session describes it, before any call.
 *
 * The fields are public for reading. Code that builds a configuration
 * before anyone observes it may write them; once it is in a session (or
 * bound to a form) change it through the setters, which notify the
 * properties "family", "socket-type", "protocol", "protocol-name",
 * "address", "port", "options" and "impair" when a value changes. */
struct _SpSocketConfig
{
  GObject       parent_instance;

  char         *id;
  SpFamily      family;
  SpSocketType  type;
  gint          protocol;       /* 0 default */
  char         *protocol_name;  /* as written ("tcp"), or NULL */
  char         *address;        /* NULL unset; "" is INADDR_ANY */
  gint          port;           /* -1 unset */
  GArray       *options;        /* of SpSocketOption, in file order */
  /* "impair": only on datagram sockets of family inet or inet6
   * (sp_socket_config_can_impair); the session keeps it as given even
   * when it does nothing. */
  gboolean      has_impair;
  SpImpairmentSettings impair;
};

SpSocketConfig *sp_socket_config_new             (const char                 *id,
                                                  SpFamily                    family,
                                                  SpSocketType                type);
SpSocketConfig *sp_socket_config_copy            (SpSocketConfig             *self);

/* A family or type whose datagrams cannot be impaired turns "impair" off;
 * a UNIX socket has no port, so family unix unsets it. */
void            sp_socket_config_set_family      (SpSocketConfig             *self,
                                                  SpFamily                    family);
void            sp_socket_config_set_socket_type (SpSocketConfig             *self,
                                                  SpSocketType                type);
/* `name` is NULL or the canonical name of `number`
 * (sp_protocol_get_name()), which the session file then writes. */
void            sp_socket_config_set_protocol    (SpSocketConfig             *self,
                                                  int                         number,
                                                  const char                 *name);
void            sp_socket_config_set_address     (SpSocketConfig             *self,
                                                  const char                 *address);
/* -1 unsets it. */
void            sp_socket_config_set_port        (SpSocketConfig             *self,
                                                  int                         port);
/* `settings` NULL keeps the current settings. */
void            sp_socket_config_set_impair      (SpSocketConfig             *self,
                                                  gboolean                    enabled,
                                                  const SpImpairmentSettings *settings);

/* Options keep the order they were first set in (the file's order). */
void            sp_socket_config_set_option      (SpSocketConfig             *self,
                                                  const char                 *name,
                                                  gint64                      value,
                                                  gboolean                    is_bool);
void            sp_socket_config_unset_option    (SpSocketConfig             *self,
                                                  const char                 *name);
/* FALSE when the option is not set; `value` may be NULL. */
gboolean        sp_socket_config_get_option      (SpSocketConfig             *self,
                                                  const char                 *name,
                                                  gint64                     *value);

/* Whether the socket's datagrams can be impaired: a datagram socket of
 * family inet or inet6. */
gboolean        sp_socket_config_can_impair      (SpSocketConfig             *self);

/* Option names the session format knows, NULL-terminated, in the order
 * of sp_socket_option_get_nth(). */
const char * const *sp_socket_option_names  (void);
/* A socket id: a letter or '_', then letters, digits, '_' or '-'; at most
 * 64 characters. */
gboolean            sp_socket_config_id_is_valid (const char *id);

#define SP_TYPE_SESSION (sp_session_get_type ())

G_DECLARE_FINAL_TYPE (SpSession, sp_session, SP, SESSION, GObject)

/* Signal "socket-changed" (SpSocketConfig *config, const char *property),
 * detailed by the property's name: a socket of the session notified a
 * property, so a view can refresh that socket alone. */

SpSession      *sp_session_new               (void);
/* `name` is what messages call the file (its path, or "preset:echo"). */
SpSession      *sp_session_new_from_data     (const char   *data,
                                              gssize        length,
                                              const char   *name,
                                              GError      **error);
SpSession      *sp_session_new_from_file     (const char   *path,
                                              GError      **error);
char           *sp_session_to_data           (SpSession    *self,
                                              gsize        *length);
/* Writes atomically: a failed save leaves the old file whole. */
gboolean        sp_session_save_to_file      (SpSession    *self,
                                              const char   *path,
                                              GError      **error);
/* The same on a worker thread, so a slow disk never blocks the main loop. */
void            sp_session_save_async        (SpSession    *self,
                                              const char   *path,
                                              GCancellable *cancellable,
                                              GAsyncReadyCallback callback,
                                              gpointer      user_data);
gboolean        sp_session_save_finish       (SpSession    *self,
                                              GAsyncResult *result,
                                              GError      **error);

const char     *sp_session_get_title         (SpSession    *self);
void            sp_session_set_title         (SpSession    *self,
                                              const char   *title);
const char     *sp_session_get_description   (SpSession    *self);
void            sp_session_set_description   (SpSession    *self,
                                              const char   *description);

/* GListModel of SpSocketConfig and of SpStep (GListStores underneath:
 * change them through the functions below so the session stays valid).
 * The getters below return borrowed references (transfer none). Adding a
 * socket whose id is already configured replaces that socket. */
GListModel     *sp_session_get_sockets       (SpSession    *self);
GListModel     *sp_session_get_steps         (SpSession    *self);
guint           sp_session_get_n_steps       (SpSession    *self);
SpStep         *sp_session_get_step          (SpSession    *self,
                                              guint         index);
SpSocketConfig *sp_session_find_socket       (SpSession    *self,
                                              const char   *id);
void            sp_session_add_socket        (SpSession    *self,
                                              SpSocketConfig *config);
void            sp_session_remove_socket     (SpSession    *self,
                                              const char   *id);
void            sp_session_append_step       (SpSession    *self,
                                              SpStep       *step);
void            sp_session_insert_step       (SpSession    *self,
                                              guint         index,
                                              SpStep       *step);
void            sp_session_remove_step       (SpSession    *self,
                                              guint         index);
void            sp_session_move_step         (SpSession    *self,
                                              guint         from,
                                              guint         to);

/* Ids of every socket the steps can name: the configured ones and those
 * that accept steps create with "as". */
gboolean        sp_session_has_socket_id     (SpSession    *self,
                                              const char   *id);

G_END_DECLS
