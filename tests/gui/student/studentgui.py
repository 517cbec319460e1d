# SPDX-License-Identifier: GPL-3.0-or-later
"""Plays a student's tasks in the real Socket Playground window.

The program ($SP_EXECUTABLE) runs with its accessibility bridge on, in a home
of its own, on an X display (Xvfb) and a session bus of its own, so that tests
running side by side never take each other's clicks. Widgets are found by accessible name
over AT-SPI; input is real: xdotool moves the pointer, clicks and presses keys
through the X server, and the window receives them as it would from a person.

    class EchoTests(studentgui.TestCase):
        def test_first_step(self):
            student = self.student
            student.click(student.find('Open the Echo Preset', role='push button'))
            student.key('F10')
            student.find('1 of 12 steps run', role='label')
            self.assertLessEqual(student.actions, 15)

Every click, key and typed text counts as one user action (`actions`). `find`
waits, with a deadline, for a showing object; when the deadline passes it
fails with the names it could see, which is how these tests are debugged.
SP_STUDENT_SCREENSHOTS=DIR keeps a picture of the screen of each failure.

What GTK 4.8 tells and does not tell, and what is done about it:
- An object's extents are relative to its window's widget; screen
  coordinates are refused ("not supported"). The X window around the widget
  is larger by the client-side decoration's margin, the same on each side. A
  popover is an X window of its own, its extents relative to the main
  window's widget too: what counts is where inside the popover an object is.
- "showing" is set on windows only, and a stack's hidden page keeps the
  extents it had: an object shows when the window's hit test at its middle
  lands on it (or on something inside it).
- A button whose label has a mnemonic is named twice ("Open the _Echo Preset
  Open the Echo Preset"); names here are what a person reads.
- libatspi asks one property at a time and waits for each answer; a tree of a
  thousand objects then takes seconds to read. The tree is read over D-Bus
  with every question of one level sent at once; Atspi names roles and states.
"""

import ctypes
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

import gi

gi.require_version('Atspi', '2.0')
from gi.repository import Atspi, Gio, GLib  # noqa: E402

DEFAULT_TIMEOUT = 10.0
# Starting under load (a parallel build, other tests) takes longer.
START_TIMEOUT = 40.0
POLL_INTERVAL = 0.05

ROOT_PATH = '/org/a11y/atspi/accessible/root'
NULL_PATH = '/org/a11y/atspi/null'
ACCESSIBLE = 'org.a11y.atspi.Accessible'
COMPONENT = 'org.a11y.atspi.Component'
TEXT = 'org.a11y.atspi.Text'
PROPERTIES = 'org.freedesktop.DBus.Properties'
COORD_WINDOW = 1
PR_SET_PDEATHSIG = 1
# Objects that are a surface of their own inside the main window's tree.
POPUP_ROLES = {'menu', 'popup menu', 'dialog', 'window', 'tool tip'}


def _role_name(role):
    return Atspi.role_get_name(Atspi.Role(role))


def _state_names(bits):
    names = set()
    for word, value in enumerate(bits):
        for bit in range(32):
            if value & (1 << bit):
                try:
                    names.add(Atspi.StateType(word * 32 + bit).value_nick)
                except ValueError:
                    pass
    return names


def _plain_name(name):
    """The second half of GTK 4.8's "Open the _Echo Preset Open the Echo
    Preset"; any other name as it is."""
    for i, char in enumerate(name):
        first, second = name[:i], name[i + 1:]
        if char == ' ' and '_' in first and first.replace('_', '') == second:
            return second
    return name


class StudentError(AssertionError):
    pass


class Node:
    """One accessible object. Its place in the tree and its name are as they
    were when the tree was read; the other readings are made when asked."""

    def __init__(self, student, bus, path, parent):
        self._student = student
        self.bus = bus
        self.path = path
        self.parent = parent
        self.children = []
        self.name = ''
        self._role = None

    def __repr__(self):
        return f'<{self.role} {self.name!r}>'

    def _call(self, interface, method, args=None):
        return self._student._call(self.bus, self.path, interface, method, args)

    @property
    def role(self):
        """"push button", "label", "menu item", "text", ..."""
        if self._role is None:
            self._role = 'application' if self.parent is None else \
                _role_name(self._call(ACCESSIBLE, 'GetRole')[0])
        return self._role

    def current_name(self):
        return _plain_name(self._call(PROPERTIES, 'Get',
                                      GLib.Variant('(ss)', (ACCESSIBLE, 'Name')))[0])

    def description(self):
        return self._call(PROPERTIES, 'Get', GLib.Variant('(ss)', (ACCESSIBLE, 'Description')))[0]

    def states(self):
        """The state names now: "sensitive", "checked", "expanded", ..."""
        return _state_names(self._call(ACCESSIBLE, 'GetState')[0])

    def text(self):
        """The text of an entry, a text view or a label."""
        return self._call(TEXT, 'GetText', GLib.Variant('(ii)', (0, -1)))[0]

    def extents(self):
        """(x, y, width, height), relative to the main window's widget."""
        return tuple(self._call(COMPONENT, 'GetExtents', GLib.Variant('(u)', (COORD_WINDOW,)))[0])

    def sensitive(self):
        return 'sensitive' in self.states()

    def checked(self):
        states = self.states()
        return 'checked' in states or 'pressed' in states

    def showing(self):
        return self._student._is_showing(self)

    def ancestors(self):
        node = self.parent
        while node is not None:
            yield node
            node = node.parent

    def toplevel(self):
        """The window or dialog this object is in."""
        node = self
        while node.parent is not None and node.parent.parent is not None:
            node = node.parent
        return node

    def surface(self):
        """The popover this object is in, or else its window."""
        for node in [self, *self.ancestors()]:
            if node.parent is not None and node.parent.parent is None:
                return node
            if node.role in POPUP_ROLES:
                return node
        return self.toplevel()

    def descendants(self):
        for child in self.children:
            yield child
            yield from child.descendants()


class Student:
    """One run of the program in its real window, and a student's hands."""

    def __init__(self, session=None, size=(1280, 800), dark=False, args=(),
                 timeout=DEFAULT_TIMEOUT):
        self.session = session
        self.size = size
        self.dark = dark
        self.args = list(args)
        self.timeout = timeout
        self.actions = 0
        self.app = None
        self._bus = None
        self._bus_address = None
        self._launcher_pid = None
        self._home = None
        self._a11y = None
        self._app_bus_name = None
        self._window_id = None
        self._popup_windows = {}
        self._xvfb = None
        self.display = None
        self._stderr_path = None

    # Starting and stopping

    def __enter__(self):
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc):
        self.stop()
        return False

    def start(self):
        for tool in ('Xvfb', 'xdotool', 'dbus-daemon', 'xwd', 'xwininfo'):
            if shutil.which(tool) is None:
                raise unittest.SkipTest(f'{tool} is not installed (build-aux/debian-packages.txt)')
        executable = os.environ.get('SP_EXECUTABLE')
        if not executable:
            raise unittest.SkipTest('SP_EXECUTABLE is not set: run these tests with meson test')

        self._home = tempfile.mkdtemp(prefix='sp-student-')
        self._start_display()
        self._start_buses()

        env = dict(os.environ)
        # The test environment turns the accessibility bridge off.
        for name in ('GTK_A11Y', 'NO_AT_BRIDGE', 'WAYLAND_DISPLAY'):
            env.pop(name, None)
        env.update({
            'DBUS_SESSION_BUS_ADDRESS': self._bus_address,
            'AT_SPI_BUS_ADDRESS': self._a11y_address,
            'GDK_BACKEND': 'x11',
            'GSETTINGS_BACKEND': 'memory',
            'HOME': self._home,
            'XDG_CONFIG_HOME': os.path.join(self._home, 'config'),
            'XDG_DATA_HOME': os.path.join(self._home, 'data'),
            'XDG_CACHE_HOME': os.path.join(self._home, 'cache'),
            'XDG_STATE_HOME': os.path.join(self._home, 'state'),
            'XDG_RUNTIME_DIR': self._home,
            # libadwaita 1.2 reads this before the desktop's preference.
            'ADW_DEBUG_COLOR_SCHEME': 'prefer-dark' if self.dark else 'prefer-light',
        })
        argv = [executable, *self.args]
        if self.session is not None:
            argv.append(self.session)
        self._stderr_path = os.path.join(self._home, 'stderr.txt')
        with open(self._stderr_path, 'w') as stderr:
            self.app = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=stderr,
                                        cwd=self._home, preexec_fn=_die_with_parent)

        self._wait_for_app()
        self._wait_for_window()
        self.resize(*self.size)

    def _start_display(self):
        # A display of this run's own: tests run side by side, and real
        # pointer and keyboard input on a shared screen would land in
        # whichever window is on top.
        read_fd, write_fd = os.pipe()
        width, height = self.size
        self._xvfb = subprocess.Popen(['Xvfb', '-displayfd', str(write_fd), '-screen', '0',
                                       f'{width}x{height}x24',
                                       '-nolisten', 'tcp', '-noreset'],
                                      pass_fds=(write_fd,), stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL, preexec_fn=_die_with_parent)
        os.close(write_fd)
        with os.fdopen(read_fd) as pipe:
            number = pipe.readline().strip()
        if not number:
            raise StudentError('Xvfb did not start')
        self.display = f':{number}'
        os.environ['DISPLAY'] = self.display

    def _connect(self, address):
        return Gio.DBusConnection.new_for_address_sync(
            address,
            Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT |
            Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION, None, None)

    def _start_buses(self):
        # A session bus of this run's own: the program is a unique
        # GApplication, and two tests running at once must not meet on one.
        # What it starts keeps its sockets in this run's home: the
        # accessibility bus would otherwise be ~/.cache/at-spi/bus_DISPLAY,
        # one path for every test on the display.
        env = dict(os.environ, HOME=self._home, XDG_RUNTIME_DIR=self._home,
                   XDG_CACHE_HOME=os.path.join(self._home, 'cache'))
        self._bus = subprocess.Popen(['dbus-daemon', '--session', '--nofork', '--print-address=1'],
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                                     env=env, preexec_fn=_die_with_parent)
        self._bus_address = self._bus.stdout.readline().strip()
        if not self._bus_address:
            raise StudentError('dbus-daemon gave no address')
        session = self._connect(self._bus_address)
        # Asking for the accessibility bus starts at-spi-bus-launcher, which
        # starts that bus and its registry.
        self._a11y_address = session.call_sync(
            'org.a11y.Bus', '/org/a11y/bus', 'org.a11y.Bus', 'GetAddress', None,
            GLib.VariantType('(s)'), Gio.DBusCallFlags.NONE, 10000, None)[0]
        self._launcher_pid = self._pid_of(session, 'org.a11y.Bus')
        session.close_sync(None)
        self._a11y = self._connect(self._a11y_address)

    @staticmethod
    def _pid_of(connection, name):
        return connection.call_sync(
            'org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus',
            'GetConnectionUnixProcessID', GLib.Variant('(s)', (name,)),
            GLib.VariantType('(u)'), Gio.DBusCallFlags.NONE, 5000, None)[0]

    def _wait_for_app(self):
        # The program is the application on the registry's desktop whose
        # process is ours. GTK 4.8 answers questions about its tree only
        # once the registry has taken it in: before that, it fails a
        # critical check.
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            self._check_alive()
            try:
                apps = self._call('org.a11y.atspi.Registry', ROOT_PATH, ACCESSIBLE,
                                  'GetChildren')[0]
            except StudentError:
                apps = []
            for bus, _ in apps:
                try:
                    if self._pid_of(self._a11y, bus) == self.app.pid:
                        self._app_bus_name = bus
                        return
                except GLib.Error:
                    continue
            time.sleep(POLL_INTERVAL)
        raise StudentError(f'the program did not come on the accessibility bus within '
                           f'{START_TIMEOUT:g} s{self._stderr_tail()}')

    def _wait_for_window(self):
        def shown():
            ids = self._x_windows()
            if not ids or not self._toplevels():
                return False
            self._window_id = ids[0]
            return True
        self.wait_until(shown, 'window showing', START_TIMEOUT)
        # No window manager gives it the keyboard.
        self._xdotool('windowfocus', '--sync', self._window_id)

    def stop(self):
        if self.app is not None and self.app.poll() is None:
            self.app.terminate()
            try:
                self.app.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.app.kill()
                self.app.wait()
        if self._a11y is not None:
            try:
                self._a11y.close_sync(None)
            except GLib.Error:
                pass
            self._a11y = None
        # at-spi-bus-launcher and what it started were started for this run.
        if self._launcher_pid:
            for pid in _descendants(self._launcher_pid) + [self._launcher_pid]:
                _kill(pid)
            self._launcher_pid = None
        if self._bus is not None:
            self._bus.terminate()
            self._bus.wait()
            self._bus.stdout.close()
            self._bus = None
        if self._xvfb is not None:
            self._xvfb.terminate()
            self._xvfb.wait()
            self._xvfb = None
        if self._home is not None:
            shutil.rmtree(self._home, ignore_errors=True)
            self._home = None

    def _check_alive(self):
        if self.app.poll() is not None:
            raise StudentError(f'the program exited with status {self.app.returncode}'
                               f'{self._stderr_tail()}')

    def _stderr_tail(self):
        try:
            with open(self._stderr_path) as f:
                text = f.read()[-3000:]
        except (OSError, TypeError):
            return ''
        return f'\nits stderr ends:\n{text}' if text else ''

    # D-Bus

    def _call(self, bus, path, interface, method, args=None):
        try:
            return self._a11y.call_sync(bus, path, interface, method, args, None,
                                        Gio.DBusCallFlags.NONE, 5000, None).unpack()
        except GLib.Error as error:
            raise StudentError(f'{interface}.{method} on {path}: {error.message}') from None

    def _call_all(self, requests):
        """Sends every (bus, path, interface, method, args) at once; the
        replies in the same order, None where an object was gone."""
        context = GLib.MainContext.default()
        replies = [None] * len(requests)
        pending = [len(requests)]

        def on_reply(connection, result, index):
            pending[0] -= 1
            try:
                replies[index] = connection.call_finish(result)
            except GLib.Error:
                pass

        for index, (bus, path, interface, method, args) in enumerate(requests):
            self._a11y.call(bus, path, interface, method, args, None, Gio.DBusCallFlags.NONE,
                            5000, None, on_reply, index)
        while pending[0] > 0:
            context.iteration(True)
        return replies

    # Reading the accessible tree

    def _snapshot(self):
        """The program's accessible tree now, with every object's name."""
        root = Node(self, self._app_bus_name, ROOT_PATH, None)
        level = [root]
        while level:
            replies = self._call_all([(n.bus, n.path, ACCESSIBLE, 'GetChildren', None)
                                      for n in level])
            children = []
            for node, reply in zip(level, replies):
                if reply is None:
                    continue
                for bus, path in reply.get_child_value(0).unpack():
                    child = Node(self, bus, path, node)
                    node.children.append(child)
                    children.append(child)
            names = self._call_all([(n.bus, n.path, PROPERTIES, 'Get',
                                     GLib.Variant('(ss)', (ACCESSIBLE, 'Name')))
                                    for n in children])
            for node, reply in zip(children, names):
                if reply is not None:
                    node.name = _plain_name(reply.get_child_value(0).get_variant().get_string())
            level = children
        return root

    def _toplevels(self):
        root = self._snapshot()
        return [node for node in root.children if 'visible' in node.states()]

    def _is_showing(self, node):
        try:
            x, y, width, height = node.extents()
            if width <= 0 or height <= 0:
                return False
            surface = node.surface()
            if surface is not node.toplevel():
                # A popover is in the tree only while it shows.
                sx, sy, swidth, sheight = surface.extents()
                return sx <= x + width // 2 < sx + swidth and sy <= y + height // 2 < sy + sheight
            window = node.toplevel()
            if 'visible' not in window.states():
                return False
            hit_bus, hit_path = self._call(window.bus, window.path, COMPONENT,
                                           'GetAccessibleAtPoint',
                                           GLib.Variant('(iiu)', (x + width // 2, y + height // 2,
                                                                  COORD_WINDOW)))[0]
            if hit_path == node.path or any(d.path == hit_path for d in node.descendants()):
                return True
            if hit_path == NULL_PATH:
                # GTK 4.8 answers nothing where the widget hit has no
                # accessible of its own (an icon inside a button): nothing
                # else is known to be there.
                wx, wy, wwidth, wheight = window.extents()
                return 0 <= x + width // 2 < wwidth and 0 <= y + height // 2 < wheight
            hit = Node(self, hit_bus, hit_path, window)
            hx, hy, hwidth, hheight = hit.extents()
            inside = x <= hx and y <= hy and hx + hwidth <= x + width and hy + hheight <= y + height
            # The label that a button's name comes from, or the button
            # around a label: the same thing to a person.
            if inside and hit.current_name() == node.name:
                return True
            near = [a.path for a in node.ancestors()][:3]
            if hit_path not in near:
                return False
            # A greyed-out widget is never hit: what holds it is.
            return (hx, hy, hwidth, hheight) == (x, y, width, height) or \
                'sensitive' not in node.states()
        except StudentError:
            # Gone while it was looked at.
            return False

    def _matches(self, tree, name, role, exact, showing):
        for node in tree.descendants():
            if exact and node.name != name or not exact and name not in node.name:
                continue
            try:
                if role is not None and node.role != role:
                    continue
            except StudentError:
                continue
            if showing and not self._is_showing(node):
                continue
            yield node

    def find_all(self, name, role=None, exact=True, showing=True):
        """Every object named `name` (or whose name contains it, when not
        exact) of `role` if given, now."""
        return list(self._matches(self._snapshot(), name, role, exact, showing))

    def find(self, name, role=None, exact=True, showing=True, timeout=None):
        """The first object named `name`, waiting up to `timeout` seconds
        for it to show."""
        timeout = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + timeout
        while True:
            self._check_alive()
            tree = self._snapshot()
            for node in self._matches(tree, name, role, exact, showing):
                return node
            if time.monotonic() >= deadline:
                what = f'{role or "object"} named {name!r}' if exact else \
                    f'{role or "object"} whose name contains {name!r}'
                hidden = list(self._matches(tree, name, role, exact, False)) if showing else []
                message = f'no {"showing " if showing else ""}{what} within {timeout:g} s'
                if hidden:
                    message += f' ({len(hidden)} such, not showing)'
                raise StudentError(message + '\n' + self._describe(tree) + self._keep_picture())
            time.sleep(POLL_INTERVAL)

    def wait_gone(self, name, role=None, exact=True, timeout=None):
        """Waits until no object with that name shows."""
        self.wait_until(lambda: not self.find_all(name, role, exact),
                        f'{name!r} to be gone', timeout)

    def wait_until(self, predicate, what, timeout=None):
        """Polls `predicate()` until it is true, and returns its value; `what`
        says in the failure what was awaited."""
        timeout = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + timeout
        while True:
            self._check_alive()
            value = predicate()
            if value:
                return value
            if time.monotonic() >= deadline:
                raise StudentError(f'no {what} within {timeout:g} s\n' + self.describe() +
                                   self._keep_picture())
            time.sleep(POLL_INTERVAL)

    def names(self, tree=None):
        """(role, name) of every named object that shows."""
        tree = tree or self._snapshot()
        named = [node for node in tree.descendants() if node.name]
        roles = self._call_all([(n.bus, n.path, ACCESSIBLE, 'GetRole', None) for n in named])
        for node, reply in zip(named, roles):
            node._role = _role_name(reply.unpack()[0]) if reply is not None else '?'
        return sorted({(n.role, n.name) for n in named if self._is_showing(n)})

    def _describe(self, tree):
        return 'showing now:\n' + '\n'.join(f'  {role}: {name!r}'
                                            for role, name in self.names(tree))

    def describe(self):
        """Every showing object's role and name, a line each."""
        return self._describe(self._snapshot())

    def dump(self, file=None):
        """The whole tree with roles, states and extents, for debugging."""
        def show(node, depth):
            try:
                line = f'{node.role} {node.name!r}'
                if node.parent is not None:
                    line += f' {sorted(node.states())} {node.extents()}'
            except StudentError as error:
                line = f'{node.name!r}: {error}'
            print('  ' * depth + line, file=file or sys.stderr)
            for child in node.children:
                show(child, depth + 1)
        show(self._snapshot(), 0)

    # Where things are on the screen

    def _x_windows(self):
        result = subprocess.run(['xdotool', 'search', '--onlyvisible', '--pid', str(self.app.pid)],
                                capture_output=True, text=True)
        return result.stdout.split()

    def _surface_window(self, surface):
        """The X window that shows `surface`, and the screen position of the
        (0, 0) of `surface`'s extents."""
        sx, sy, width, height = surface.extents()
        is_popup = surface is not surface.toplevel()
        best = None
        for window_id in self._x_windows():
            geometry = _window_geometry(window_id)
            margin_x = geometry['WIDTH'] - width
            margin_y = geometry['HEIGHT'] - height
            if is_popup and (margin_x, margin_y) == (0, 0):
                return window_id, (geometry['X'] - sx, geometry['Y'] - sy)
            if not is_popup and margin_x == margin_y and margin_x >= 0 and margin_x % 2 == 0:
                # Of windows of that size, the one with its title.
                if best is None or _window_name(window_id) == surface.name:
                    best = window_id, (geometry['X'] + margin_x // 2, geometry['Y'] + margin_y // 2)
        if best is None:
            raise StudentError(f'no X window shows {surface!r} {(sx, sy, width, height)}')
        return best

    def _focus(self, toplevel):
        """Gives `toplevel` the keyboard, as a window manager does when a
        window opens or is clicked: there is none on this display."""
        window_id, _ = self._surface_window(toplevel)
        focused = subprocess.run(['xdotool', 'getwindowfocus', '-f'], capture_output=True,
                                 text=True).stdout.strip()
        if focused != window_id:
            self._xdotool('windowfocus', '--sync', window_id)

    def _settled_extents(self, node):
        # Flaps and stacks slide: a widget is clicked where it has stopped.
        last = node.extents()
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            time.sleep(POLL_INTERVAL)
            now = node.extents()
            if now == last:
                return now
            last = now
        raise StudentError(f'{node!r} kept moving for {self.timeout:g} s')

    def center(self, node):
        """The screen position of the middle of `node`."""
        x, y, width, height = self._settled_extents(node)
        if width <= 0 or height <= 0:
            raise StudentError(f'{node!r} has no area to click: {(x, y, width, height)}')
        _, (origin_x, origin_y) = self._surface_window(node.surface())
        return origin_x + x + width // 2, origin_y + y + height // 2

    def _focus_newest(self):
        # The window opened last has the keyboard (a popover over it holds
        # the keyboard itself).
        windows = [w for w in self._x_windows() if not self._is_popup_window(w)]
        if windows:
            newest = max(windows, key=int)
            focused = subprocess.run(['xdotool', 'getwindowfocus', '-f'], capture_output=True,
                                     text=True).stdout.strip()
            if focused != newest:
                self._xdotool('windowfocus', '--sync', newest)

    def _is_popup_window(self, window_id):
        if window_id not in self._popup_windows:
            info = subprocess.run(['xwininfo', '-id', window_id], capture_output=True,
                                  text=True).stdout
            self._popup_windows[window_id] = 'Override Redirect State: yes' in info
        return self._popup_windows[window_id]

    # Input: each call is one user action

    def click(self, node, button=1):
        """Moves the pointer to the middle of `node` and clicks there."""
        x, y = self.center(node)
        if node.surface() is node.toplevel():
            self._focus(node.toplevel())
        # The server takes XTEST events in order: the button goes down where
        # the pointer went. (--sync would wait forever for a pointer that is
        # there already.) The pointer comes from beside the target, as a
        # hand's does: a widget that saw no motion since a popover closed
        # over it would not know the pointer is on it.
        self._xdotool('mousemove', str(x + 1), str(y + 1), 'mousemove', str(x), str(y),
                      'click', str(button))
        self.actions += 1

    def key(self, keys):
        """Presses a key or a combination, named as xdotool names them:
        'F10', 'ctrl+Return', 'Escape', 'ctrl+question'."""
        self._focus_newest()
        self._xdotool('key', '--clearmodifiers', keys)
        self.actions += 1

    def type_text(self, text):
        """Types `text` where the keyboard focus is."""
        self._focus_newest()
        self._xdotool('type', '--delay', '20', text)
        self.actions += 1

    def _xdotool(self, *args):
        self._check_alive()
        result = subprocess.run(['xdotool', *args], capture_output=True, text=True,
                                timeout=self.timeout)
        if result.returncode != 0:
            raise StudentError(f'xdotool {" ".join(args)} failed: {result.stderr.strip()}')

    # The window

    def resize(self, width, height):
        """Makes the main window `width`×`height` on the screen (with its
        decoration) and waits until the program has laid it out so."""
        self._xdotool('windowsize', '--sync', self._window_id, str(width), str(height))

        def laid_out():
            geometry = _window_geometry(self._window_id)
            if (geometry['WIDTH'], geometry['HEIGHT']) != (width, height):
                return False
            windows = self._toplevels()
            if not windows:
                return False
            _, _, inner_width, inner_height = windows[0].extents()
            return width - inner_width == height - inner_height
        self.wait_until(laid_out, f'{width}×{height} window')

    def _keep_picture(self):
        folder = os.environ.get('SP_STUDENT_SCREENSHOTS')
        if not folder:
            return ''
        os.makedirs(folder, exist_ok=True)
        path = os.path.join(folder, f'{os.getpid()}-{time.monotonic():.3f}.png')
        try:
            self.screenshot(path)
        except (OSError, subprocess.CalledProcessError):
            return ''
        return f'\nthe screen then: {path}'

    def screenshot(self, path):
        """Writes a PNG of the whole screen to `path`."""
        xwd = subprocess.run(['xwd', '-silent', '-root'], capture_output=True, check=True)
        subprocess.run(['convert', 'xwd:-', path], input=xwd.stdout, check=True)
        return path


def _die_with_parent():
    # Run in each child before it starts: when the test is killed (a meson
    # timeout), what it started ends too.
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _window_geometry(window_id):
    result = subprocess.run(['xdotool', 'getwindowgeometry', '--shell', window_id],
                            capture_output=True, text=True)
    return {key: int(value) for key, value in
            (line.split('=', 1) for line in result.stdout.split() if '=' in line)}


def _window_name(window_id):
    return subprocess.run(['xdotool', 'getwindowname', window_id],
                          capture_output=True, text=True).stdout.rstrip('\n')


def _descendants(pid):
    try:
        with open(f'/proc/{pid}/task/{pid}/children') as f:
            direct = [int(p) for p in f.read().split()]
    except OSError:
        return []
    found = []
    for child in direct:
        found += _descendants(child) + [child]
    return found


def _kill(pid):
    """Ends `pid` and waits until its parent has reaped it."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + 3
    while os.path.exists(f'/proc/{pid}') and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


class TestCase(unittest.TestCase):
    """A test with `self.student`, a fresh run of the program. Class
    attributes choose the session file, the window size and dark style."""

    session = None
    size = (1280, 800)
    dark = False

    def setUp(self):
        self.student = Student(session=self.session, size=self.size, dark=self.dark)
        self.student.__enter__()
        self.addCleanup(self.student.stop)


def _on_sigterm(signum, frame):
    raise SystemExit(f'killed by signal {signum}')


def main():
    # meson ends a test that runs too long with SIGTERM: the cleanups run.
    signal.signal(signal.SIGTERM, _on_sigterm)
    unittest.main(verbosity=2)
