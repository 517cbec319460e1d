#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks that SCHEMA is a valid JSON Schema, that every session given
(files, or directories whose *.json files are all read) validates against
it, and that every file given after --invalid does not.

    validate-schema.py SCHEMA PATH... [--invalid PATH...]
"""

import json
import pathlib
import sys

SKIP = 77

try:
    import jsonschema
except ImportError:
    print('jsonschema is not installed (python3-jsonschema)', file=sys.stderr)
    sys.exit(SKIP)


def validator_class(schema):
    dialect = schema.get('$schema', '')
    if '2020-12' in dialect and hasattr(jsonschema, 'Draft202012Validator'):
        return jsonschema.Draft202012Validator
    if 'draft-07' in dialect:
        return jsonschema.Draft7Validator
    raise SystemExit(f'unsupported or missing $schema: {dialect!r}')


def session_files(paths):
    for path in map(pathlib.Path, paths):
        if path.is_dir():
            found = sorted(path.glob('*.json'))
            if not found:
                raise SystemExit(f'{path}: no *.json files')
            yield from found
        else:
            yield path


def main(argv):
    if len(argv) < 3:
        raise SystemExit(__doc__)

    schema_path = pathlib.Path(argv[1])
    schema = json.loads(schema_path.read_text(encoding='utf-8'))
    cls = validator_class(schema)
    try:
        cls.check_schema(schema)
    except jsonschema.exceptions.SchemaError as error:
        print(f'{schema_path}: not a valid JSON Schema: {error.message}')
        return 1
    validator = cls(schema)
    print(f'ok - {schema_path} is a valid {cls.__name__} schema')

    paths = argv[2:]
    invalid = []
    if '--invalid' in paths:
        at = paths.index('--invalid')
        paths, invalid = paths[:at], paths[at + 1:]

    failures = 0
    for path in session_files(paths):
        document = json.loads(path.read_text(encoding='utf-8'))
        errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
        if errors:
            failures += 1
            for error in errors:
                where = ''.join(f'[{p}]' if isinstance(p, int) else f'.{p}'
                                for p in error.absolute_path).lstrip('.')
                print(f'not ok - {path}: {where or "(top level)"}: {error.message}')
        else:
            print(f'ok - {path}')

    # The schema must be strict enough to catch these.
    for path in session_files(invalid):
        document = json.loads(path.read_text(encoding='utf-8'))
        error = jsonschema.exceptions.best_match(validator.iter_errors(document))
        if error is None:
            failures += 1
            print(f'not ok - {path}: validates, but is not a valid session')
        else:
            print(f'ok - {path} is refused: {error.message}')

    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
