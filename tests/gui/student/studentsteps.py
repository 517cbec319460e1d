# SPDX-License-Identifier: GPL-3.0-or-later
"""The steps of a student's tasks, built on studentgui: adding a socket,
making a call, choosing in a drop-down, reading the page and the traffic log
back. Every step is real input, counted in `student.actions`; a Ledger says
what each part of a task cost.

    ledger = studentsteps.Ledger(student)
    with ledger.part('add server'):
        studentsteps.add_socket(student, 'server', suggested=True)
    ...
    self.assertLessEqual(student.actions, 15, ledger)
"""

import contextlib
import os
import sys
import time
import weakref

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import studentgui  # noqa: E402

# What the Add a Socket dialog offers, as its drop-downs' items begin.
FAMILIES = {
    'IPv4': 'IPv4 (AF_INET)',
    'IPv6': 'IPv6 (AF_INET6)',
    'UNIX': 'UNIX (AF_UNIX)',
}
TYPES = {
    'Stream': 'Stream (SOCK_STREAM)',
    'Datagram': 'Datagram (SOCK_DGRAM)',
}
PORT_FIELD = 'Port (0: the kernel picks one)'
# The traffic log's columns, left to right.
LOG_COLUMNS = ('#', 'Time', 'Socket', 'Direction', 'Call', 'Bytes', 'Peer', 'Preview')


class Ledger:
    """What each part of a task cost in user actions (and took in
    seconds)."""

    def __init__(self, student):
        self.student = student
        self.parts = []

    @contextlib.contextmanager
    def part(self, what):
        before = self.student.actions
        start = time.monotonic()
        try:
            yield
        finally:
            self.parts.append((what, self.student.actions - before, time.monotonic() - start))

    def __str__(self):
        lines = [f'{count:3}  {what} ({seconds:.1f} s)' for what, count, seconds in self.parts]
        return '\n'.join([f'{self.student.actions} user actions:', *lines])


# Finding

def control(student, name, role, timeout=None):
    """The showing control a person reads as `name`. GTK 4.8 adds the text
    of a mnemonic label to an accessible label ("Destination To", "Data to
    send Data"); the name starts with what the control is called."""
    def found():
        for node in student.find_all(name, role=role, exact=False):
            if node.name == name or node.name.startswith(name + ' '):
                return node
        return None
    return student.wait_until(found, f'{role} named {name!r}', timeout)


def popover_of(node):
    """The popover `node` is in, or None."""
    for ancestor in node.ancestors():
        if ancestor.name == 'GtkPopover':
            return ancestor
    return None


def click_in_popover(student, node):
    """Clicks `node` inside a drop-down's popover. GTK 4.8 gives a
    popover the role of a plain filler, and its objects extents relative to
    the window under it: the popover is an X window of its own, and what
    counts is where in the popover `node` is."""
    popover = popover_of(node)
    if popover is None:
        student.click(node)
        return
    x, y, width, height = student._settled_extents(node)
    _, (origin_x, origin_y) = student._surface_window(popover)
    student._xdotool('mousemove', '--sync', str(origin_x + x + width // 2),
                     str(origin_y + y + height // 2), 'click', '1')
    student.actions += 1


def dropdown_labels(student, name):
    """The text the drop-down `name` shows now (not what its open list
    offers): what is chosen, after the title of a row that has one."""
    try:
        labels = [node.name for node in control(student, name, 'combo box').descendants()
                  if node.role == 'label' and popover_of(node) is None]
    except studentgui.StudentError:
        # Gone while it was read: a page rebuilt.
        return []
    return [name for name in labels if name not in ('', '(None)', 'GtkLabel')]


def choose(student, dropdown_name, item):
    """Opens the drop-down `dropdown_name` and clicks the item of its list
    that begins with `item`."""
    dropdown = control(student, dropdown_name, 'combo box')
    student.click(dropdown)

    def offered():
        for node in student.find_all(item, role='label', exact=False, showing=False):
            if node.name.startswith(item) and popover_of(node) is not None:
                return node
        return None
    click_in_popover(student, student.wait_until(offered, f'{item!r} offered'))

    def chosen():
        shown = dropdown_labels(student, dropdown_name)
        return shown and shown[-1].startswith(item)
    student.wait_until(chosen, f'{item!r} chosen')


def replace_text(student, entry, text):
    """Clicks into `entry`, selects what it holds and types `text`."""
    student.click(entry)
    student.key('ctrl+a')
    student.type_text(text)


# The socket page

# Controls the window keeps while it lives, per student: found once in the
# whole tree (a second or more on a loaded machine), then asked directly.
_kept = weakref.WeakKeyDictionary()


def kept(student, key, find):
    """The control `find()` finds, remembered under `key`; found again
    when the window has let it go."""
    controls = _kept.setdefault(student, {})
    node = controls.get(key)
    if node is not None:
        try:
            node.states()
            return node
        except studentgui.StudentError:
            pass
    node = controls[key] = find()
    return node


def header(student):
    """The socket page's header (its accessible name says it all)."""
    return kept(student, 'header',
                lambda: student.find('Socket ', role='panel', exact=False))


def page(student, socket_id, state=None, timeout=None):
    """The socket page's header as a screen reader speaks it, "Socket
    client, IPv4 · stream, connected, 127.0.0.1:50132 → 127.0.0.1:47123",
    once it shows `socket_id` (in `state`, if given), split in its parts:
    (id, kind, state, where)."""
    prefix = f'Socket {socket_id}, '

    def shown():
        try:
            name = header(student).current_name()
        except studentgui.StudentError:
            return None
        parts = name[len('Socket '):].split(', ', 3)
        if name.startswith(prefix) and (state is None or parts[2] == state):
            return tuple(parts + [''] * (4 - len(parts)))
        return None
    return student.wait_until(shown, f'page of {socket_id!r}' +
                              (f' in state {state!r}' if state else ''), timeout)


def call_button(student, name):
    """The button of the call `name` ("bind", "recv"...)."""
    return kept(student, ('call', name), lambda: student.find(name, role='push button'))


def call(student, name):
    """Clicks the call's button once it is enabled."""
    button = call_button(student, name)
    student.wait_until(button.sensitive, f'{name} to be enabled')
    student.click(button)


def sidebar_row(student, socket_id):
    """The socket's row in the sidebar (until the sidebar is rebuilt, as it
    is when a socket comes or goes)."""
    def row():
        for node in student.find_all(socket_id, role='list item'):
            if any(a.role == 'list' and a.name == 'Sockets' for a in node.ancestors()):
                return node
        return None
    return student.wait_until(row, f'sidebar row {socket_id!r}')


def select_socket(student, socket_id, row=None):
    """Clicks the socket's row in the sidebar (`row`, if it was found
    already) and waits for its page."""
    student.click(row or sidebar_row(student, socket_id))
    return page(student, socket_id)


def add_socket(student, name, suggested=False, family=None, type=None, address=None,
               port=None):
    """Adds a socket with Ctrl+N. The dialog suggests a name and selects
    it: `suggested` takes the suggestion (which must be `name`), else `name`
    is typed over it. `family`, `type` ('UNIX', 'Datagram'...), `address`
    and `port` change the dialog's defaults. Enter adds when the keyboard is
    in a text field, else the Add button is clicked. Returns the new page's
    header parts."""
    student.key('ctrl+n')
    add = student.find('Add', role='push button')
    typing = True
    if not suggested:
        student.type_text(name)
    if family is not None:
        choose(student, 'Family', FAMILIES[family])
        typing = False
    if type is not None:
        choose(student, 'Type', TYPES[type])
        typing = False
    if address is not None:
        replace_text(student, student.find('Address', role='text'), address)
        typing = True
    if port is not None:
        replace_text(student, student.find(PORT_FIELD, role='text'), str(port))
        typing = True
    student.wait_until(add.sensitive, 'Add to be enabled')
    if typing:
        student.key('Return')
    else:
        student.click(add)
    student.wait_gone('Add a Socket', role='dialog')
    return page(student, name)


def progress(student, done, total, timeout=None):
    """Waits until the header says "`done` of `total` steps run"."""
    said = f'{done} of {total} steps run'
    label = kept(student, 'progress', lambda: student.find(' steps run', role='label',
                                                           exact=False))
    student.wait_until(lambda: label.current_name() == said, repr(said), timeout)


def destination(student):
    """What the Destination drop-down shows chosen."""
    return ' '.join(dropdown_labels(student, 'Destination'))


def kept_composer(student):
    """The composer's data entry and the preview of its bytes below."""
    return (kept(student, 'data', lambda: control(student, 'Data to send', 'text')),
            kept(student, 'preview', lambda: student.find(' bytes: ', role='label',
                                                          exact=False)))


def compose(student, text):
    """Clicks the composer's data, selects what it holds and types `text`;
    waits until the preview below counts its bytes."""
    entry, preview = kept_composer(student)
    replace_text(student, entry, text)
    size = len(text.encode())
    said = f'{size} byte: ' if size == 1 else f'{size} bytes: '
    student.wait_until(lambda: preview.current_name().startswith(said), f'preview {said!r}')


def in_steps_panel(student, prefix, timeout=None):
    """The text under a step in the steps panel that starts with `prefix`
    (a failed step's explanation), waiting for it."""
    def found():
        steps = student.find('Steps', role='list')
        for node in steps.descendants():
            if node.role == 'label' and node.name.startswith(prefix) and node.showing():
                return node.name
        return None
    return student.wait_until(found, f'{prefix!r} in the steps panel', timeout)


def toast(student, prefix, timeout=None):
    """A toast's text that starts with `prefix`, while it shows."""
    def found():
        for node in student.find_all(prefix, role='label', exact=False):
            if node.name.startswith(prefix) and any(a.name == 'AdwToastWidget'
                                                    for a in node.ancestors()):
                return node.name
        return None
    return student.wait_until(found, f'a toast {prefix!r}', timeout)


# The traffic log

class LogRow:
    def __init__(self, node, cells):
        self.node = node
        self.cells = dict(zip(LOG_COLUMNS, cells))

    def __getitem__(self, column):
        return self.cells[column]

    def __repr__(self):
        return repr(self.cells)


def log_rows(student):
    """The traffic log's rows that show, top to bottom."""
    table = student.find('Traffic Log', role='tree table')
    rows = []
    for node in table.descendants():
        if node.role != 'table row' or node.parent.role != 'list':
            continue
        cells = []
        for cell in node.children:
            labels = [n.name for n in cell.descendants() if n.role == 'label']
            # An empty label is named after its class.
            cells.append(' '.join(n for n in labels if n != 'GtkLabel'))
        rows.append(LogRow(node, cells))
    return rows


def find_log_row(student, socket_id, call_prefix, timeout=None):
    """The newest showing log row of `socket_id` whose call starts with
    `call_prefix`, waiting for it."""
    def found():
        matching = [row for row in log_rows(student)
                    if row['Socket'] == socket_id and row['Call'].startswith(call_prefix)]
        return matching[-1] if matching and matching[-1].node.showing() else None
    return student.wait_until(found, f'log row {socket_id} {call_prefix}', timeout)


def hex_dump(student):
    """The text of the log's hex pane."""
    return student.find('Hex Dump', role='text').text()


# Tasks more than one test plays

def echo_by_hand(student, ledger):
    """The TCP echo of the lecture by hand, in the order its programs run:
    the server binds to 127.0.0.1 port 0 and listens; the client connects
    to its default destination; the server accepts and the connection it
    returns, conn, waits in recv; the client sends "Hello" with sendall,
    and conn receives it. Returns the client's page's where, "127.0.0.1:C
    → 127.0.0.1:S"."""
    with ledger.part('add server (Ctrl+N, Enter)'):
        add_socket(student, 'server', suggested=True)
    with ledger.part('bind'):
        call(student, 'bind')
        page(student, 'server', 'bound')
    with ledger.part('listen'):
        call(student, 'listen')
        server_where = page(student, 'server', 'listening')[3]

    with ledger.part('add client (Ctrl+N, Enter)'):
        add_socket(student, 'client', suggested=True)
    # The default destination is the listening server: nothing to choose.
    chosen = destination(student)
    if chosen != f'server · listening on {server_where}':
        raise AssertionError(f'the destination is {chosen!r}, not the server at {server_where}')
    with ledger.part('connect'):
        call(student, 'connect')
        client_where = page(student, 'client', 'connected')[3]
    # What the client's page will be used for, looked up while nothing
    # waits: a waiting step's spinner makes the window slow to answer, and
    # conn's recv waits 30 s for the client's bytes.
    kept_composer(student)
    call_button(student, 'sendall')

    with ledger.part('select server, accept (its page shows conn)'):
        select_socket(student, 'server')
        call(student, 'accept')
        page(student, 'conn', 'connected')
    client_row = sidebar_row(student, 'client')
    with ledger.part('recv on conn (it waits)'):
        call(student, 'recv')
    with ledger.part('select client'):
        select_socket(student, 'client', client_row)
    with ledger.part('type "Hello" (click, Ctrl+A, type)'):
        compose(student, 'Hello')
    with ledger.part('sendall (conn receives)'):
        call(student, 'sendall')
        find_log_row(student, 'conn', 'recv')
    return client_where


# Programs run from the window (DESIGN.md, "Watching a program you wrote")

def run_program(student, path, arguments):
    """Main Menu, Run a Program…, the program and its arguments typed, Run."""
    student.click(student.find('Main Menu', role='push button'))
    student.click(student.find('Run a Program…', role='menu item'))
    run = student.find('Run', role='push button')
    student.click(student.find('Program', role='text'))
    student.type_text(path)
    student.click(student.find('Arguments', role='text'))
    student.type_text(arguments)
    student.wait_until(run.sensitive, 'Run enabled')
    student.click(run)
