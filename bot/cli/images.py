"""`cekklaim statement image add|remove|list`: the pictures attached to a statement, through
the curation service the moderators in Telegram use (`Curation.attach_image`)."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.cli.common import fail, open_curation
from bot.curation import CLI_ACTOR
from bot.images.opening import MAX_BYTES
from bot.reports import wib
from bot.settings import Settings


def cmd_image_add(args: argparse.Namespace, settings: Settings, db_path: Path) -> int:
    command = "statement image add"
    path: Path = args.file
    try:
        if path.stat().st_size > MAX_BYTES:
            return fail(command, f"{path}: larger than {MAX_BYTES // (1024 * 1024)} MB")
        picture = path.read_bytes()
    except OSError as exc:
        return fail(command, f"{path}: cannot read file ({exc.strerror or exc})")
    try:
        done = open_curation(settings, db_path).attach_image(
            args.external_id, picture, actor=CLI_ACTOR
        ).value
    except LookupError as exc:
        return fail(command, exc)
    except ValueError as exc:  # ImageRejected
        return fail(command, f"{path}: {exc}")
    if done.new:
        print(f"[{args.external_id}] picture {done.image.id} attached: copies of it get this "
              "statement")
    else:
        print(f"[{args.external_id}] this picture was attached already (picture "
              f"{done.image.id}); nothing changed")
    return 0


def cmd_image_remove(args: argparse.Namespace, settings: Settings, db_path: Path) -> int:
    try:
        done = open_curation(settings, db_path).detach_image(
            args.external_id, args.image_id, actor=CLI_ACTOR
        ).value
    except LookupError as exc:
        return fail("statement image remove", exc)
    if not done:
        return fail("statement image remove",
                    f"[{args.external_id}] has no picture {args.image_id} (see `image list`)")
    print(f"[{args.external_id}] picture {args.image_id} removed")
    return 0


def cmd_image_list(args: argparse.Namespace, settings: Settings, db_path: Path) -> int:
    try:
        images = open_curation(settings, db_path).images(args.external_id)
    except LookupError as exc:
        return fail("statement image list", exc)
    if not images:
        print(f"[{args.external_id}] no picture attached")
    for image in images:
        print(f"{image.id}  {wib(image.added_at)}  by {image.added_by or '-'}  "
              f"{image.fingerprint[:20]}…")
    return 0


def add_image_parser(actions: argparse._SubParsersAction, nested: argparse.ArgumentParser) -> None:
    """`statement image ...` under the `statement` command's actions."""
    p = actions.add_parser(
        "image", parents=[nested], help="pictures whose copies get a statement: add, remove, list"
    )
    images = p.add_subparsers(dest="image_action", metavar="ACTION", required=True)
    a = images.add_parser("add", parents=[nested], help="attach a picture file (JPEG, PNG, WebP)")
    a.add_argument("external_id", metavar="ID")
    a.add_argument("file", type=Path, metavar="FILE")
    a.set_defaults(handler=cmd_image_add)
    a = images.add_parser("remove", parents=[nested], help="detach a picture (number from list)")
    a.add_argument("external_id", metavar="ID")
    a.add_argument("image_id", type=int, metavar="N")
    a.set_defaults(handler=cmd_image_remove)
    a = images.add_parser("list", parents=[nested], help="the pictures attached to a statement")
    a.add_argument("external_id", metavar="ID")
    a.set_defaults(handler=cmd_image_list)
