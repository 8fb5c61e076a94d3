#!/usr/bin/python3
# test-gi-compare.py: Dial.SocketClient must introspect as Gio.SocketClient.
#
# Copyright 2026 The libdial developers
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Loads Gio-2.0 and Dial-1.0 through GIRepository and compares the two
# classes item by item: methods (flags, symbols, arguments with their
# names, types, direction, nullability, transfer, callback scope and
# closure/destroy links, return values), properties (typelib and GParamSpec:
# value type, flags, defaults, ranges, deprecation), the signal (typelib and
# g_signal_query), vfuncs, the class structure and the GType. Where GIO says
# Gio.SocketClient (or g_socket_client_…), Dial must say Dial.SocketClient
# (dial_socket_client_…); everything else must be identical.
#
# Prints every difference and exits 1 if there is any. A difference that is
# deliberate goes into KNOWN_DIFFERENCES with its reason; an entry there
# that no longer differs is an error too, so the list cannot go stale.

import sys

import gi

gi.require_version('GIRepository', '2.0')
gi.require_version('GObject', '2.0')
gi.require_version('Gio', '2.0')
gi.require_version('Dial', '1.0')
from gi.repository import GIRepository as GIR  # noqa: E402
from gi.repository import GObject, Gio, Dial  # noqa: E402

# key (as printed, without the values) -> why the difference is intended.
EXTENSION = ("libdial's own addition beyond GIO: the overall deadline, the "
             "attempt delay and the family cache of its Happy Eyeballs engine")
KNOWN_DIFFERENCES = {
    'method › get_attempt_delay': EXTENSION,
    'method › set_attempt_delay': EXTENSION,
    'method › get_deadline': EXTENSION,
    'method › set_deadline': EXTENSION,
    'method › get_family_cache': EXTENSION,
    'method › set_family_cache': EXTENSION,
    'property › attempt-delay': EXTENSION,
    'pspec › attempt-delay': EXTENSION,
    'property › deadline': EXTENSION,
    'pspec › deadline': EXTENSION,
    'property › family-cache': EXTENSION,
    'pspec › family-cache': EXTENSION,
}

# Differences printed for information only: they are not API.
INFORMATIONAL = (
    # The instance structure: GIO's carries a priv pointer, while a
    # G_DECLARE_DERIVABLE_TYPE instance has only its parent. Neither is
    # usable from a binding.
    ('object', 'field'),
    ('gtype', 'instance_size'),
)


# GIO names that Dial spells its own way; every other value must be equal.
RENAMES = {
    'Gio.SocketClient': 'Dial.SocketClient',
    'Gio.SocketClientClass': 'Dial.SocketClientClass',
    'GSocketClient': 'DialSocketClient',
}
SYMBOL_PREFIX = ('g_socket_client_', 'dial_socket_client_')


def gio_to_dial(value):
    """Rewrites a GIO-side value into what Dial must say."""
    if isinstance(value, str):
        if value in RENAMES:
            return RENAMES[value]
        old, new = SYMBOL_PREFIX
        if value.startswith(old):
            return new + value[len(old):]
        return value
    if isinstance(value, tuple):
        return tuple(gio_to_dial(v) for v in value)
    return value


def param_flags_str(flags):
    flags = int(flags)
    names = []
    for name in sorted(dir(GObject.ParamFlags)):
        if not name.isupper():
            continue
        bit = int(getattr(GObject.ParamFlags, name))
        if bit and bit & (bit - 1) == 0 and flags & bit:
            names.append(name)
    return '|'.join(names)


def enum_str(value):
    if value is None:
        return None
    names = getattr(value, 'value_names', None)
    if names is not None:
        return '|'.join(sorted(names)) or '0'
    name = getattr(value, 'value_name', None)
    return name if name is not None else int(value)


def info_name(info):
    if info is None:
        return None
    return '%s.%s' % (info.get_namespace(), info.get_name())


class Describer:
    """Flattens one class into {key tuple: value}."""

    def __init__(self):
        self.items = {}

    def put(self, key, value):
        self.items[tuple(key)] = value

    def type_info(self, key, t):
        tag = GIR.type_info_get_tag(t)
        self.put(key + ('type',), GIR.type_tag_to_string(tag))
        self.put(key + ('type', 'is_pointer'), GIR.type_info_is_pointer(t))
        if tag == GIR.TypeTag.INTERFACE:
            iface = GIR.type_info_get_interface(t)
            info_type = iface.get_type()
            self.put(key + ('type', 'interface', 'info_type'),
                     GIR.info_type_to_string(info_type))
            repo = GIR.Repository.get_default()
            if (info_type == GIR.InfoType.CALLBACK and
                    repo.find_by_name(iface.get_namespace(),
                                      iface.get_name()) is None):
                # An anonymous callback (a class struct field): compare
                # its signature, not its name.
                self.callable(key + ('callback',), iface)
            else:
                self.put(key + ('type', 'interface'), info_name(iface))
        elif tag == GIR.TypeTag.ARRAY:
            self.put(key + ('type', 'array_type'),
                     enum_str(GIR.type_info_get_array_type(t)))
            self.put(key + ('type', 'array_length'),
                     GIR.type_info_get_array_length(t))
            self.put(key + ('type', 'array_fixed_size'),
                     GIR.type_info_get_array_fixed_size(t))
            self.put(key + ('type', 'zero_terminated'),
                     GIR.type_info_is_zero_terminated(t))
        if tag in (GIR.TypeTag.ARRAY, GIR.TypeTag.GLIST, GIR.TypeTag.GSLIST,
                   GIR.TypeTag.GHASH):
            for i in range(2 if tag == GIR.TypeTag.GHASH else 1):
                self.type_info(key + ('param %d' % i,),
                               GIR.type_info_get_param_type(t, i))

    def callable(self, key, c):
        self.put(key + ('deprecated',), c.is_deprecated())
        self.put(key + ('is_method',), GIR.callable_info_is_method(c))
        self.put(key + ('throws',), GIR.callable_info_can_throw_gerror(c))
        self.put(key + ('instance transfer',),
                 enum_str(GIR.callable_info_get_instance_ownership_transfer(c)))
        ret = key + ('return',)
        self.type_info(ret, GIR.callable_info_get_return_type(c))
        self.put(ret + ('transfer',),
                 enum_str(GIR.callable_info_get_caller_owns(c)))
        self.put(ret + ('nullable',), GIR.callable_info_may_return_null(c))
        self.put(ret + ('skip',), GIR.callable_info_skip_return(c))
        n = GIR.callable_info_get_n_args(c)
        self.put(key + ('n_args',), n)
        for i in range(n):
            a = GIR.callable_info_get_arg(c, i)
            ak = key + ('arg #%d' % i,)
            self.put(ak + ('name',), a.get_name())
            self.put(ak + ('direction',),
                     enum_str(GIR.arg_info_get_direction(a)))
            self.put(ak + ('transfer',),
                     enum_str(GIR.arg_info_get_ownership_transfer(a)))
            self.put(ak + ('nullable',), GIR.arg_info_may_be_null(a))
            self.put(ak + ('optional',), GIR.arg_info_is_optional(a))
            self.put(ak + ('caller_allocates',),
                     GIR.arg_info_is_caller_allocates(a))
            self.put(ak + ('is_return_value',),
                     GIR.arg_info_is_return_value(a))
            self.put(ak + ('skip',), GIR.arg_info_is_skip(a))
            self.put(ak + ('scope',), enum_str(GIR.arg_info_get_scope(a)))
            self.put(ak + ('closure',), GIR.arg_info_get_closure(a))
            self.put(ak + ('destroy',), GIR.arg_info_get_destroy(a))
            self.type_info(ak, GIR.arg_info_get_type(a))

    def describe(self, ns, klass):
        repo = GIR.Repository.get_default()
        repo.require(ns, {'Gio': '2.0', 'Dial': '1.0'}[ns], 0)
        obj = repo.find_by_name(ns, 'SocketClient')
        if obj is None:
            raise SystemExit('%s.SocketClient not found in the typelib' % ns)
        gtype = klass.__gtype__

        o = ('object',)
        self.put(o + ('info_type',), GIR.info_type_to_string(obj.get_type()))
        self.put(o + ('deprecated',), obj.is_deprecated())
        self.put(o + ('type_name',), GIR.object_info_get_type_name(obj))
        self.put(o + ('type_init',), GIR.object_info_get_type_init(obj))
        self.put(o + ('abstract',), GIR.object_info_get_abstract(obj))
        self.put(o + ('final',), GIR.object_info_get_final(obj))
        self.put(o + ('fundamental',), GIR.object_info_get_fundamental(obj))
        self.put(o + ('parent',), info_name(GIR.object_info_get_parent(obj)))
        self.put(o + ('interfaces',), tuple(
            info_name(GIR.object_info_get_interface(obj, i))
            for i in range(GIR.object_info_get_n_interfaces(obj))))
        self.put(o + ('constants',), GIR.object_info_get_n_constants(obj))
        self.put(o + ('ref_function',), GIR.object_info_get_ref_function(obj))
        for i in range(GIR.object_info_get_n_fields(obj)):
            f = GIR.object_info_get_field(obj, i)
            self.put(o + ('field', f.get_name()),
                     (GIR.field_info_get_offset(f),
                      enum_str(GIR.field_info_get_flags(f))))

        cs = GIR.object_info_get_class_struct(obj)
        c = ('class struct',)
        self.put(c + ('name',), info_name(cs))
        self.put(c + ('size',), GIR.struct_info_get_size(cs))
        self.put(c + ('gtype_struct',), GIR.struct_info_is_gtype_struct(cs))
        for i in range(GIR.struct_info_get_n_fields(cs)):
            f = GIR.struct_info_get_field(cs, i)
            name = f.get_name()
            if name.startswith('_'):
                # Padding: GIO has _g_reserved1..4, Dial _reserved[4]; the
                # size check above covers them.
                continue
            fk = c + ('field ' + name,)
            self.put(fk + ('offset',), GIR.field_info_get_offset(f))
            self.put(fk + ('flags',), enum_str(GIR.field_info_get_flags(f)))
            self.type_info(fk, GIR.field_info_get_type(f))

        for i in range(GIR.object_info_get_n_methods(obj)):
            m = GIR.object_info_get_method(obj, i)
            k = ('method', m.get_name())
            self.put(k + ('exists',), True)
            self.put(k + ('symbol',), GIR.function_info_get_symbol(m))
            self.put(k + ('flags',), enum_str(GIR.function_info_get_flags(m)))
            flags = GIR.function_info_get_flags(m)
            if flags & (GIR.FunctionInfoFlags.IS_GETTER
                        | GIR.FunctionInfoFlags.IS_SETTER):
                prop = GIR.function_info_get_property(m)
                self.put(k + ('property',), prop.get_name() if prop else None)
            if flags & GIR.FunctionInfoFlags.WRAPS_VFUNC:
                vf = GIR.function_info_get_vfunc(m)
                self.put(k + ('vfunc',), vf.get_name() if vf else None)
            self.callable(k, m)

        for i in range(GIR.object_info_get_n_properties(obj)):
            p = GIR.object_info_get_property(obj, i)
            k = ('property', p.get_name())
            self.put(k + ('exists',), True)
            self.put(k + ('deprecated',), p.is_deprecated())
            self.put(k + ('flags',), enum_str(GIR.property_info_get_flags(p)))
            self.put(k + ('transfer',),
                     enum_str(GIR.property_info_get_ownership_transfer(p)))
            getter = GIR.property_info_get_getter(p)
            setter = GIR.property_info_get_setter(p)
            self.put(k + ('getter',), getter.get_name() if getter else None)
            self.put(k + ('setter',), setter.get_name() if setter else None)
            self.type_info(k, GIR.property_info_get_type(p))

        for pspec in klass.list_properties():
            if pspec.owner_type != gtype:
                continue
            k = ('pspec', pspec.name)
            self.put(k + ('exists',), True)
            self.put(k + ('value_type',), pspec.value_type.name)
            self.put(k + ('flags',), hex(int(pspec.flags)))
            self.put(k + ('flags', 'names'), param_flags_str(pspec.flags))
            default = pspec.default_value
            if isinstance(default, GObject.Object):
                default = 'object %s' % type(default).__name__
            elif default is not None and not isinstance(default,
                                                         (bool, str)):
                default = int(default)
            self.put(k + ('default',), default)
            for attr in ('minimum', 'maximum'):
                if hasattr(pspec, attr):
                    self.put(k + (attr,), getattr(pspec, attr))

        for i in range(GIR.object_info_get_n_signals(obj)):
            s = GIR.object_info_get_signal(obj, i)
            k = ('signal', s.get_name())
            self.put(k + ('exists',), True)
            self.put(k + ('flags',), enum_str(GIR.signal_info_get_flags(s)))
            closure = GIR.signal_info_get_class_closure(s)
            self.put(k + ('class_closure',),
                     closure.get_name() if closure else None)
            self.put(k + ('true_stops_emit',),
                     GIR.signal_info_true_stops_emit(s))
            self.callable(k, s)

        for signal_id in GObject.signal_list_ids(gtype):
            q = GObject.signal_query(signal_id)
            k = ('signal_query', q.signal_name)
            self.put(k + ('exists',), True)
            self.put(k + ('flags',), enum_str(q.signal_flags))
            self.put(k + ('return_type',), q.return_type.name)
            self.put(k + ('param_types',),
                     tuple(t.name for t in q.param_types))

        for i in range(GIR.object_info_get_n_vfuncs(obj)):
            v = GIR.object_info_get_vfunc(obj, i)
            k = ('vfunc', v.get_name())
            self.put(k + ('exists',), True)
            self.put(k + ('flags',), enum_str(GIR.vfunc_info_get_flags(v)))
            self.put(k + ('offset',), GIR.vfunc_info_get_offset(v))
            sig = GIR.vfunc_info_get_signal(v)
            self.put(k + ('signal',), sig.get_name() if sig else None)
            inv = GIR.vfunc_info_get_invoker(v)
            self.put(k + ('invoker',), inv.get_name() if inv else None)
            self.callable(k, v)

        g = ('gtype',)
        q = GObject.type_query(gtype)
        self.put(g + ('name',), gtype.name)
        self.put(g + ('parent',), gtype.parent.name)
        self.put(g + ('abstract',), gtype.is_abstract())
        self.put(g + ('interfaces',),
                 tuple(t.name for t in gtype.interfaces))
        self.put(g + ('class_size',), q.class_size)
        self.put(g + ('instance_size',), q.instance_size)
        return self.items


def label(key):
    return ' › '.join(str(k) for k in key)


def main():
    gio = {k: gio_to_dial(v)
           for k, v in Describer().describe('Gio', Gio.SocketClient).items()}
    dial = Describer().describe('Dial', Dial.SocketClient)

    # An entity (method, property, ...) missing on one side is one line.
    def entities(items):
        return {k[:2] for k in items if k[-1] == 'exists'}

    gio_entities, dial_entities = entities(gio), entities(dial)
    problems, notes, allowed = [], [], set()

    def report(key, text):
        name = label(key)
        if name in KNOWN_DIFFERENCES:
            allowed.add(name)
            notes.append('known: %s (%s)' % (text, KNOWN_DIFFERENCES[name]))
        elif any(key[:len(p)] == p for p in INFORMATIONAL):
            notes.append('info: ' + text)
        else:
            problems.append(text)

    for ent in sorted(gio_entities - dial_entities):
        report(ent, 'only in GIO: %s' % label(ent))
    for ent in sorted(dial_entities - gio_entities):
        report(ent, 'only in Dial: %s' % label(ent))
    missing = (gio_entities ^ dial_entities)

    for key in sorted(set(gio) | set(dial), key=label):
        if key[:2] in missing:
            continue
        if key not in dial:
            report(key, '%s: GIO has %r, Dial has nothing'
                   % (label(key), gio[key]))
        elif key not in gio:
            report(key, '%s: Dial has %r, GIO has nothing'
                   % (label(key), dial[key]))
        elif gio[key] != dial[key]:
            report(key, '%s: GIO=%r Dial=%r'
                   % (label(key), gio[key], dial[key]))

    for name in sorted(set(KNOWN_DIFFERENCES) - allowed):
        problems.append('KNOWN_DIFFERENCES entry no longer differs: ' + name)

    repo = GIR.Repository.get_default()
    print('# Dial-1.0 typelib: %s, library %s, namespace: %s' % (
        repo.get_typelib_path('Dial'), repo.get_shared_library('Dial'),
        ' '.join(sorted(repo.get_info('Dial', i).get_name()
                        for i in range(repo.get_n_infos('Dial'))))))

    compared = len(set(gio) & set(dial))
    print('compared %d items (%d methods, %d properties, %d signals, '
          '%d vfuncs)' % (
              compared,
              len([e for e in gio_entities if e[0] == 'method']),
              len([e for e in gio_entities if e[0] == 'property']),
              len([e for e in gio_entities if e[0] == 'signal']),
              len([e for e in gio_entities if e[0] == 'vfunc'])))
    for note in notes:
        print('# ' + note)
    if compared < 200:
        problems.append('only %d items compared: the introspection data '
                        'looks truncated' % compared)
    if problems:
        print('%d difference(s) between Gio.SocketClient and '
              'Dial.SocketClient:' % len(problems))
        for p in problems:
            print('  MISMATCH ' + p)
        return 1
    print('Dial.SocketClient introspects exactly as Gio.SocketClient')
    return 0


if __name__ == '__main__':
    sys.exit(main())
