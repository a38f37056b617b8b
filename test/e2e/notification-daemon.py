"""
A stand-in for a desktop's notification daemon (org.freedesktop.Notifications, the interface
notify-send talks to), on the session bus it is started in: it shows nothing and appends each
notification to the file named by its first argument, one JSON line with the time it arrived.
Prints the bus address once it owns the name, so the test knows when notify-send would find it.
"""
import json
import os
import sys
import time

import dbus
import dbus.mainloop.glib
import dbus.service
from gi.repository import GLib

IFACE = 'org.freedesktop.Notifications'


class Notifications(dbus.service.Object):
    def __init__(self, bus, record):
        super().__init__(bus, '/org/freedesktop/Notifications')
        self.record = record
        self.last = 0

    @dbus.service.method(IFACE, in_signature='susssasa{sv}i', out_signature='u')
    def Notify(self, app_name, replaces_id, app_icon, summary, body, actions, hints, expire_timeout):
        self.last += 1
        with open(self.record, 'a', encoding='utf-8') as f:
            f.write(json.dumps({'app': str(app_name), 'summary': str(summary), 'body': str(body), 'at': time.time() * 1000}) + '\n')
        return self.last

    @dbus.service.method(IFACE, in_signature='', out_signature='as')
    def GetCapabilities(self):
        return ['body']

    @dbus.service.method(IFACE, in_signature='', out_signature='ssss')
    def GetServerInformation(self):
        return ('notification stand-in', 'mfa-login tests', '1', '1.2')

    @dbus.service.method(IFACE, in_signature='u', out_signature='')
    def CloseNotification(self, notification_id):
        pass


dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)
bus = dbus.SessionBus()
name = dbus.service.BusName(IFACE, bus, do_not_queue=True)
daemon = Notifications(bus, sys.argv[1])
print(os.environ['DBUS_SESSION_BUS_ADDRESS'], flush=True)
GLib.MainLoop().run()
