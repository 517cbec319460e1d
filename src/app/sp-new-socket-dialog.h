/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "sp-session.h"

G_BEGIN_DECLS

#define SP_TYPE_NEW_SOCKET_DIALOG (sp_new_socket_dialog_get_type ())

G_DECLARE_FINAL_TYPE (SpNewSocketDialog, sp_new_socket_dialog, SP, NEW_SOCKET_DIALOG,
                      AdwMessageDialog)

/* Asks for a new socket's name, family, type, address and port. The address
 * starts at the default bind address (loopback unless the preferences say
 * otherwise; for UNIX an abstract name after the socket's), the port at 0,
 * which lets the kernel pick one. "Add" is enabled only for a valid name the
 * session does not use yet, a valid address and port. */
SpNewSocketDialog *sp_new_socket_dialog_new         (GtkWindow         *parent,
                                                     SpSession         *session);
/* The socket the dialog describes, or NULL while its name is not valid. */
SpSocketConfig    *sp_new_socket_dialog_get_config  (SpNewSocketDialog *self);
void               sp_new_socket_dialog_set_name    (SpNewSocketDialog *self,
                                                     const char        *name);

G_END_DECLS
